"""Reading reflective groups for one person, in a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum

from reflect.disclosure import disclosed
from reflect.enums import LedgerKind
from reflect.models import LedgerEntry, Organisation, User
from reflect.queries import memberships_of
from scheduling.models import GroupKind, GroupSession, GroupStatus, ReflectiveGroup, SessionStatus, WaitlistStatus


def organisation_ids_of(user: User) -> set[int]:
    return set(memberships_of(user).values_list("organisation_id", flat=True))


def groups_open_to(user: User) -> list[ReflectiveGroup]:
    """Running groups the person may join: in a pool of one of their organisations, and open to
    all the pool's organisations or to one of theirs (the rule of ``eligible_organisation``)."""
    organisation_ids = organisation_ids_of(user)
    groups = (
        ReflectiveGroup.objects.filter(status=GroupStatus.ACTIVE, pool__organisations__in=organisation_ids)
        .distinct()
        .select_related("pool")
        .prefetch_related("eligible_organisations")
        .order_by("title", "pk")
    )
    return [
        group
        for group in groups
        if group.all_pool_organisations or any(o.pk in organisation_ids for o in group.eligible_organisations.all())
    ]


@dataclass(frozen=True)
class SessionRow:
    session: GroupSession
    places_left: int


def _with_held(sessions, now: datetime.datetime):
    """Annotate each session with the places held for offers (the rule of ``bookable_places``)."""
    return sessions.select_related("group").annotate(
        held=Count("waitlist", filter=Q(waitlist__status=WaitlistStatus.OFFERED, waitlist__offered_until__gt=now))
    )


def _coming_with_room(now: datetime.datetime):
    return GroupSession.objects.filter(
        status=SessionStatus.SCHEDULED, starts_at__gt=now, places_taken__lt=F("place_limit")
    )


def sessions_with_places(groups: list[ReflectiveGroup], now: datetime.datetime, *, limit: int) -> list[SessionRow]:
    """Coming sessions of drop-in groups with a place someone could book now, soonest first.

    Places held for people offered them are not free, counted here in the same query.
    """
    drop_in = [group.pk for group in groups if group.kind == GroupKind.DROP_IN]
    sessions = _with_held(_coming_with_room(now).filter(group_id__in=drop_in), now).order_by("starts_at", "pk")
    rows = []
    for session in sessions[: limit * 4]:
        left = session.place_limit - session.places_taken - session.held
        if left > 0:
            rows.append(SessionRow(session=session, places_left=left))
        if len(rows) == limit:
            break
    return rows


def next_sessions_with_places(groups: list[ReflectiveGroup], now: datetime.datetime) -> list[SessionRow]:
    """Each drop-in group's next session with room, in one query whatever the number of groups
    (a group whose next session's free places are all held for offers is left out)."""
    drop_in = [group.pk for group in groups if group.kind == GroupKind.DROP_IN]
    next_of_group = _coming_with_room(now).filter(group_id=OuterRef("pk")).order_by("starts_at", "pk").values("pk")[:1]
    firsts = ReflectiveGroup.objects.filter(pk__in=drop_in).annotate(next_id=Subquery(next_of_group)).values("next_id")
    rows = []
    for session in _with_held(GroupSession.objects.filter(pk__in=firsts), now).order_by("starts_at", "pk"):
        left = session.place_limit - session.places_taken - session.held
        if left > 0:
            rows.append(SessionRow(session=session, places_left=left))
    return rows


@dataclass(frozen=True)
class OrganisationGroupTotals:
    pool_name: str
    booked: int | str  # places booked less those cancelled, disclosed
    attended: int | str
    missed: int | str


def organisation_group_totals(organisation: Organisation, *, since: datetime.datetime) -> list[OrganisationGroupTotals]:
    """An organisation's reflective-group places from the ledger, per pool, through ``disclosed``
    (docs/architecture.md, "Confidentiality"): the ledger holds no person, so nothing here can say who attended."""
    sums = (
        LedgerEntry.objects.filter(
            organisation=organisation,
            occurred_at__gte=since,
            kind__in=[
                LedgerKind.PLACE_BOOKED,
                LedgerKind.PLACE_CANCELLED,
                LedgerKind.PLACE_ATTENDED,
                LedgerKind.PLACE_MISSED,
            ],
        )
        .values("pool_id", "pool__name")
        .annotate(
            booked=Sum("quantity", filter=Q(kind=LedgerKind.PLACE_BOOKED), default=0),
            cancelled=Sum("quantity", filter=Q(kind=LedgerKind.PLACE_CANCELLED), default=0),
            attended=Sum("quantity", filter=Q(kind=LedgerKind.PLACE_ATTENDED), default=0),
            missed=Sum("quantity", filter=Q(kind=LedgerKind.PLACE_MISSED), default=0),
        )
        .order_by("pool__name", "pool_id")
    )
    return [
        OrganisationGroupTotals(
            pool_name=row["pool__name"],
            booked=disclosed(max(row["booked"] - row["cancelled"], 0)),
            attended=disclosed(row["attended"]),
            missed=disclosed(row["missed"]),
        )
        for row in sums
    ]
