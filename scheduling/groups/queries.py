"""Reading reflective groups for one person, in a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum

from reflect.disclosure import disclosed
from reflect.enums import LedgerKind
from reflect.models import LedgerEntry, Organisation, User
from reflect.queries import memberships_of
from scheduling.models import (
    GroupKind,
    GroupSession,
    GroupStatus,
    Place,
    ReflectiveGroup,
    SessionStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from scheduling.models.groups import ACTIVE_PLACE_STATUSES, ACTIVE_WAITLIST_STATUSES


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
    standing: str = ""  # a Standing


def with_held_offers(sessions, now: datetime.datetime):
    """Annotate each session with the places held for offers (the rule of ``bookable_places``)."""
    return sessions.select_related("group").annotate(
        held=Count("waitlist", filter=Q(waitlist__status=WaitlistStatus.OFFERED, waitlist__offered_until__gt=now))
    )


class Standing(enum.StrEnum):
    """Where a person stands in one session, for its button."""

    NONE = ""
    PLACE = "place"
    OFFERED = "offered"
    WAITING = "waiting"


def _with_standing(sessions: QuerySet[GroupSession], user: User) -> QuerySet[GroupSession]:
    """Annotate each session with the person's place and waitlist entry, in the same query."""
    entry = WaitlistEntry.objects.filter(
        session=OuterRef("pk"), user=user, status__in=ACTIVE_WAITLIST_STATUSES
    ).order_by("pk")
    return sessions.annotate(
        has_place=Exists(Place.objects.filter(session=OuterRef("pk"), user=user, status__in=ACTIVE_PLACE_STATUSES)),
        entry_status=Subquery(entry.values("status")[:1]),
        entry_offered_until=Subquery(entry.values("offered_until")[:1]),
    )


def _row(session: Any, now: datetime.datetime) -> SessionRow:
    """``session``: a GroupSession annotated by ``with_held_offers`` and ``_with_standing``."""
    standing = Standing.NONE
    if session.has_place:
        standing = Standing.PLACE
    elif (
        session.entry_status == WaitlistStatus.OFFERED
        and session.entry_offered_until
        and (session.entry_offered_until > now)
    ):
        standing = Standing.OFFERED
    elif session.entry_status is not None:
        standing = Standing.WAITING
    left = max(0, session.place_limit - session.places_taken - session.held)
    return SessionRow(session=session, places_left=left, standing=standing)


def next_sessions(groups: list[ReflectiveGroup], user: User, now: datetime.datetime) -> list[SessionRow]:
    """Each drop-in group's next session, full or not, with the places someone could book now
    (places held for offers are not free) and where the person stands in it: one query
    whatever the number of groups."""
    drop_in = [group.pk for group in groups if group.kind == GroupKind.DROP_IN]
    coming = GroupSession.objects.filter(status=SessionStatus.SCHEDULED, starts_at__gt=now)
    next_of_group = coming.filter(group_id=OuterRef("pk")).order_by("starts_at", "pk").values("pk")[:1]
    firsts = ReflectiveGroup.objects.filter(pk__in=drop_in).annotate(next_id=Subquery(next_of_group)).values("next_id")
    sessions = _with_standing(with_held_offers(GroupSession.objects.filter(pk__in=firsts), now), user)
    return [_row(session, now) for session in sessions]


def later_sessions(group: ReflectiveGroup, user: User, now: datetime.datetime, *, limit: int) -> list[SessionRow]:
    """A group's coming sessions, soonest first, with the places left in each and where the
    person stands: one query."""
    coming = GroupSession.objects.filter(group=group, status=SessionStatus.SCHEDULED, starts_at__gt=now)
    sessions = _with_standing(with_held_offers(coming, now), user).order_by("starts_at", "pk")[:limit]
    return [_row(session, now) for session in sessions]


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
