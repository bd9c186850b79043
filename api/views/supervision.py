"""Supervision through the API: the agreements a person may book under, their free times, and
the person's own sessions — booked, moved and cancelled by the same services as the pages, so
the same ledger entries, audit rows and notices follow (scheduling/services/bookings.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers
from api.filters import DATE_RANGE_PARAMETERS, date_range
from api.pagination import ByStart
from api.scopes import ResourceGroup
from api.views.base import ApiList, ApiView, acting_user
from api.views.schema import id_parameter, problems
from reflect.models import User
from reflect.queries import memberships_of
from scheduling.access import access_bookable_agreement, access_booking
from scheduling.models import SupervisionBooking
from scheduling.services import bookings as service
from supervision.enums import AgreementStatus
from supervision.models import SupervisionAgreement

BOOKING_RELATED = ("supervisor__user", "organisation")


@extend_schema(
    summary="Agreements you may book supervision under",
    responses={200: serializers.Agreement(many=True), **problems(400)},
)
class AgreementList(ApiList):
    resource_group = ResourceGroup.SUPERVISION
    serializer_class = serializers.Agreement

    def get_queryset(self) -> QuerySet[SupervisionAgreement]:
        # The supervision page's list: active agreements of the person's organisations.
        organisation_ids = memberships_of(acting_user(self.request)).values("organisation_id")
        return SupervisionAgreement.objects.filter(
            organisation_id__in=organisation_ids, status=AgreementStatus.ACTIVE
        ).select_related("supervisor__user", "organisation")


class AgreementSlots(ApiView):
    resource_group = ResourceGroup.SUPERVISION

    @extend_schema(
        summary="Times you may book with this agreement's supervisor",
        description=(
            "The times the booking page offers (the supervisor's hours, their other sessions and busy times, "
            "the agreement's dates and its hours), within the date range."
        ),
        parameters=[
            id_parameter("agreement_id", "agreement"),
            *DATE_RANGE_PARAMETERS,
            OpenApiParameter(
                "minutes", {"type": "integer", "minimum": 15, "maximum": 480}, description="Only this length."
            ),
        ],
        responses={200: serializers.Slot(many=True), **problems(400, 404)},
    )
    def get(self, request: Request, agreement_id: int, **kwargs: Any) -> Response:
        user = acting_user(request)
        agreement = access_bookable_agreement(user, agreement_id)
        within = date_range(request)
        minutes = _minutes(request)
        offered = service.offer_times(agreement, [user], now=timezone.now()).offered
        found = [s for s in offered if within.contains(s.start) and (minutes is None or s.minutes == minutes)]
        return Response(serializers.Slot(found, many=True).data)


def _minutes(request: Request) -> int | None:
    text = request.query_params.get("minutes")
    if text is None:
        return None
    if not text.isdecimal() or not 15 <= int(text) <= 480:
        raise ValidationError({"minutes": ["Give the session's length in minutes, from 15 to 480."]})
    return int(text)


@extend_schema(
    summary="Your supervision sessions",
    description="Sessions you are booked into (or, for a supervisor, give), by start time.",
    parameters=DATE_RANGE_PARAMETERS,
    responses={200: serializers.Booking(many=True), **problems(400)},
)
class BookingList(ApiList):
    resource_group = ResourceGroup.SUPERVISION
    serializer_class = serializers.Booking
    pagination_class = ByStart

    def get_queryset(self) -> QuerySet[SupervisionBooking]:
        rows = SupervisionBooking.objects.filter(service.bookings_of(acting_user(self.request)))
        return date_range(self.request).filter(rows).select_related(*BOOKING_RELATED)

    @extend_schema(
        summary="Book a supervision session",
        request=serializers.NewBooking,
        responses={201: serializers.Booking, **problems(400, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        given = serializers.NewBooking(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        agreement = access_bookable_agreement(user, data["agreement"])
        choice = service.BookingChoice(
            starts_at=data["starts_at"],
            minutes=data["minutes"],
            attendees=_attendees(agreement, user, data.get("attendees")),
            mode=data.get("mode") or service.modes_offered(agreement.supervisor)[0],
        )
        booking = service.book_supervision(agreement, choice, acting_user=user)
        return Response(serializers.Booking(booking).data, status=status.HTTP_201_CREATED)


def _attendees(agreement: SupervisionAgreement, user: User, ids: list[int] | None) -> list[User]:
    """The people named, from those the booking page would offer this person; none named, themselves."""
    if not ids:
        return [user]
    offered = {person.pk: person for person in service.bookable_attendees(agreement, user)}
    if any(pk not in offered for pk in ids):
        raise ValidationError({"attendees": ["Choose who the session is for from the staff you may book for."]})
    return [offered[pk] for pk in dict.fromkeys(ids)]


class BookingDetail(ApiView):
    resource_group = ResourceGroup.SUPERVISION

    @extend_schema(
        summary="One supervision session",
        parameters=[id_parameter("booking_id", "session")],
        responses={200: serializers.Booking, **problems(404)},
    )
    def get(self, request: Request, booking_id: int, **kwargs: Any) -> Response:
        return Response(serializers.Booking(access_booking(acting_user(request), booking_id)).data)


class BookingMove(ApiView):
    resource_group = ResourceGroup.SUPERVISION

    @extend_schema(
        summary="Move a supervision session",
        parameters=[id_parameter("booking_id", "session")],
        request=serializers.MovedBooking,
        responses={200: serializers.Booking, **problems(400, 404, 409)},
    )
    def post(self, request: Request, booking_id: int, **kwargs: Any) -> Response:
        user = acting_user(request)
        booking = access_booking(user, booking_id)
        given = serializers.MovedBooking(data=request.data)
        given.is_valid(raise_exception=True)
        moved = service.reschedule_supervision(
            booking, given.validated_data["starts_at"], given.validated_data["minutes"], acting_user=user
        )
        return Response(serializers.Booking(moved).data)


class BookingCancel(ApiView):
    resource_group = ResourceGroup.SUPERVISION

    @extend_schema(
        summary="Cancel a supervision session",
        description="With the pool's notice the hours come back; later, they are used (as on the page).",
        parameters=[id_parameter("booking_id", "session")],
        request=serializers.Cancellation,
        responses={200: serializers.Booking, **problems(400, 404, 409)},
    )
    def post(self, request: Request, booking_id: int, **kwargs: Any) -> Response:
        user = acting_user(request)
        booking = access_booking(user, booking_id)
        given = serializers.Cancellation(data=request.data)
        given.is_valid(raise_exception=True)
        cancelled = service.cancel_supervision(booking, acting_user=user, reason=given.validated_data.get("reason", ""))
        return Response(serializers.Booking(cancelled).data)
