"""Reflective groups through the API: the groups and sessions of the person's pools (the same
rule as the pages, scheduling/groups/access.py), their own places and waits, and booking or
giving up a place through the same services (scheduling/groups/places.py)."""

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
from reflect.errors import DomainError
from scheduling.groups import capacity, places, waitlist
from scheduling.groups.access import access_group, access_session, staff_pools
from scheduling.groups.queries import with_held_offers
from scheduling.models import GroupSession, Place, ReflectiveGroup, WaitlistEntry
from scheduling.models.groups import ACTIVE_WAITLIST_STATUSES


def _with_places_free(session: Any) -> Any:
    """``session``: annotated by with_held_offers; the rule is capacity's, as on the pages."""
    session.places_free = capacity.places_free(session, session.held)
    return session


@extend_schema(
    summary="Reflective groups in your pools", responses={200: serializers.Group(many=True), **problems(400)}
)
class GroupList(ApiList):
    resource_group = ResourceGroup.GROUPS
    serializer_class = serializers.Group

    def get_queryset(self) -> QuerySet[ReflectiveGroup]:
        return ReflectiveGroup.objects.filter(pool_id__in=staff_pools(acting_user(self.request)))


class GroupDetail(ApiView):
    resource_group = ResourceGroup.GROUPS

    @extend_schema(
        summary="One reflective group",
        parameters=[id_parameter("group_id", "group")],
        responses={200: serializers.Group, **problems(404)},
    )
    def get(self, request: Request, group_id: int, **kwargs: Any) -> Response:
        return Response(serializers.Group(access_group(acting_user(request), group_id)).data)


class SessionPage(ByStart):
    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        page: list[Any] | None = super().paginate_queryset(queryset, request, view)
        return [_with_places_free(session) for session in page] if page is not None else None


@extend_schema(
    summary="Sessions of the reflective groups in your pools",
    parameters=[
        *DATE_RANGE_PARAMETERS,
        OpenApiParameter(
            "group",
            {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999},
            description="Only this group's sessions.",
        ),
    ],
    responses={200: serializers.GroupSession(many=True), **problems(400)},
)
class SessionList(ApiList):
    resource_group = ResourceGroup.GROUPS
    serializer_class = serializers.GroupSession
    pagination_class = SessionPage

    def get_queryset(self) -> QuerySet[GroupSession]:
        rows = GroupSession.objects.filter(group__pool_id__in=staff_pools(acting_user(self.request)))
        group = self.request.query_params.get("group")
        if group is not None:
            if not group.isdecimal() or len(group) > 18:
                raise ValidationError({"group": ["Give the group's id, a whole number."]})
            rows = rows.filter(group_id=int(group))
        return with_held_offers(date_range(self.request).filter(rows), timezone.now())


def _session(request: Request, session_id: int) -> Any:
    """A session the person may see (access_session), with its places free."""
    access_session(acting_user(request), session_id)
    found = with_held_offers(GroupSession.objects.filter(pk=session_id), timezone.now()).get()
    return _with_places_free(found)


class SessionDetail(ApiView):
    resource_group = ResourceGroup.GROUPS

    @extend_schema(
        summary="One session of a reflective group",
        parameters=[id_parameter("session_id", "session")],
        responses={200: serializers.GroupSession, **problems(404)},
    )
    def get(self, request: Request, session_id: int, **kwargs: Any) -> Response:
        return Response(serializers.GroupSession(_session(request, session_id)).data)


class SessionPlace(ApiView):
    """Your place in a session: POST books it, DELETE gives it up."""

    resource_group = ResourceGroup.GROUPS

    @extend_schema(
        summary="Book a place in a session",
        description="A second request returns the place you already have. A full session says so (join its waitlist).",
        parameters=[id_parameter("session_id", "session")],
        request=None,
        responses={201: serializers.Place, **problems(404, 409)},
    )
    def post(self, request: Request, session_id: int, **kwargs: Any) -> Response:
        user = acting_user(request)
        session = access_session(user, session_id, for_action=True)
        place = places.book_place(session, acting_user=user)
        place = Place.objects.select_related("session__group").get(pk=place.pk)
        return Response(serializers.Place(place).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Give up your place in a session",
        parameters=[id_parameter("session_id", "session")],
        request=None,
        responses={200: serializers.Place, **problems(404, 409)},
    )
    def delete(self, request: Request, session_id: int, **kwargs: Any) -> Response:
        user = acting_user(request)
        session = access_session(user, session_id, for_action=True)
        place = capacity.active_place(session, user)
        if place is None:
            raise DomainError("You do not have a place in this session.")
        given_up = places.cancel_place(place, acting_user=user)
        given_up = Place.objects.select_related("session__group").get(pk=given_up.pk)
        return Response(serializers.Place(given_up).data)


class SessionWaitlist(ApiView):
    """Your wait for a place in a full session: POST joins the waitlist, DELETE leaves it. A
    place held for you is taken by booking it (POST .../place/), as on the session's page."""

    resource_group = ResourceGroup.GROUPS

    @extend_schema(
        summary="Join a full session's waitlist",
        description="A second request returns the wait you already have. A session with room says so: book instead.",
        parameters=[id_parameter("session_id", "session")],
        request=serializers.JoiningWaitlist,
        responses={201: serializers.WaitlistEntry, **problems(400, 404, 409)},
    )
    def post(self, request: Request, session_id: int, **kwargs: Any) -> Response:
        user = acting_user(request)
        session = access_session(user, session_id, for_action=True)
        given = serializers.JoiningWaitlist(data=request.data)
        given.is_valid(raise_exception=True)
        entry = waitlist.join_waitlist(session, acting_user=user, auto_accept=given.validated_data["auto_accept"])
        entry = WaitlistEntry.objects.select_related("session__group").get(pk=entry.pk)
        return Response(serializers.WaitlistEntry(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Leave a session's waitlist",
        description="A place held for you passes to the next person waiting.",
        parameters=[id_parameter("session_id", "session")],
        request=None,
        responses={200: serializers.WaitlistEntry, **problems(404, 409)},
    )
    def delete(self, request: Request, session_id: int, **kwargs: Any) -> Response:
        user = acting_user(request)
        session = access_session(user, session_id, for_action=True)
        entry = WaitlistEntry.objects.filter(session=session, user=user, status__in=ACTIVE_WAITLIST_STATUSES).first()
        if entry is None:
            raise DomainError("You are not on the waitlist for this session.")
        left = waitlist.leave_waitlist(entry, acting_user=user)
        left = WaitlistEntry.objects.select_related("session__group").get(pk=left.pk)
        return Response(serializers.WaitlistEntry(left).data)


@extend_schema(
    summary="Your places in reflective groups",
    parameters=DATE_RANGE_PARAMETERS,
    responses={200: serializers.Place(many=True), **problems(400)},
)
class PlaceList(ApiList):
    resource_group = ResourceGroup.GROUPS
    serializer_class = serializers.Place

    def get_queryset(self) -> QuerySet[Place]:
        rows = Place.objects.filter(user=acting_user(self.request))
        return date_range(self.request).filter(rows, "session__starts_at").select_related("session__group")


@extend_schema(
    summary="Your places on waitlists",
    parameters=DATE_RANGE_PARAMETERS,
    responses={200: serializers.WaitlistEntry(many=True), **problems(400)},
)
class WaitlistList(ApiList):
    resource_group = ResourceGroup.GROUPS
    serializer_class = serializers.WaitlistEntry

    def get_queryset(self) -> QuerySet[WaitlistEntry]:
        rows = WaitlistEntry.objects.filter(user=acting_user(self.request))
        return date_range(self.request).filter(rows, "session__starts_at").select_related("session__group")
