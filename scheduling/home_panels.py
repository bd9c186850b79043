"""The home page's panels for booking, availability and reflective groups, and the navigation
bar's links for the same (reflect/home.py, reflect/navigation.py)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from reflect import wording
from reflect.home import HomePanel, NextStep, commissioned_pools, register_home_fact, register_home_panels
from reflect.models import User, current_membership
from reflect.navigation import NavItem, Roles, register_nav_items, register_role
from reflect.statements import fetch_named_rows, fetch_row
from scheduling.groups.notices import session_when
from scheduling.models import (
    BookingStatus,
    GroupSession,
    Place,
    ReflectiveGroup,
    SessionStatus,
    SupervisionBooking,
    WaitlistEntry,
    WaitlistStatus,
    WeeklyRule,
    runs_group,
)
from scheduling.models.groups import ACTIVE_PLACE_STATUSES
from scheduling.queries import calendar_changes_of
from scheduling.services.bookings import bookings_of
from supervision.enums import AgreementStatus
from supervision.home_panels import supervisor_profile_of
from supervision.models import SupervisionAgreement

# A group session's when (session_when) and its group's title, for a step that names them; the
# panels load only these, as building the query costs the page more than running it.
_SESSION_WHEN_AND_WHAT = ("starts_at", "ends_at", "group__title", "group__time_zone")
WHEN_AND_WHAT = tuple(f"session__{name}" for name in _SESSION_WHEN_AND_WHAT)


@register_home_panels
def availability_panels(user: User, roles: Roles) -> list[HomePanel]:
    profile = supervisor_profile_of(user, roles)
    if profile is None:
        return []
    has_rules = WeeklyRule.objects.filter(supervisor=profile).exists()
    description = (
        "Your weekly hours, days away and busy calendar."
        if has_rules
        else "You have no weekly hours yet, so nobody can book you."
    )
    changed = calendar_changes_of(profile)
    steps = []
    if changed:
        # The supervisor moved or deleted a session in their own calendar: we ask, never cancel.
        steps.append(
            NextStep(
                f"{wording.count(changed, 'session')} changed in your calendar",
                reverse("availability_overview") + "#connected-calendar",
                "Tell us whether to put it back or cancel the session.",
            )
        )
    return [
        HomePanel(
            role="Supervisor",
            title="Your availability",
            intro="" if has_rules else "Set your weekly hours first: until you do, nobody can book a session with you.",
            steps=[
                *steps,
                NextStep("Set your availability", reverse("availability_overview"), description),
                NextStep("See your week", reverse("availability_week")),
                NextStep("Your sessions and attendance", reverse("supervisor_sessions")),
            ],
            order=16,
        )
    ]


# The home page's own reads for its panels, each a values() query whose SQL is kept once per
# process (reflect/statements.py): building them through the ORM cost about 2 ms each, every
# view, for a few index look-ups (docs/performance.md).


def _next_supervision(person: int, now: datetime.datetime) -> QuerySet[SupervisionBooking, Any]:
    return sessions_ahead_of(person, now).values("pk", "starts_at", "ends_at").order_by("starts_at", "pk")[:1]


# Places held for one person at once: a few at most (each is a session they waited for); the
# rest are on their places page.
HELD_SHOWN = 10


def _held_places(person: int, now: datetime.datetime) -> QuerySet[WaitlistEntry, Any]:
    return (
        held_for(person, now)
        .values("session_id", *WHEN_AND_WHAT, "offered_until")
        .order_by("offered_until", "pk")[:HELD_SHOWN]
    )


def _next_facilitated(person: int, now: datetime.datetime) -> QuerySet[GroupSession, Any]:
    return (
        GroupSession.objects.filter(runs_group(person, via="group__"), status=SessionStatus.SCHEDULED, ends_at__gt=now)
        .values("pk", *_SESSION_WHEN_AND_WHAT)
        .order_by("starts_at", "pk")[:1]
    )


@register_home_panels
def supervision_booking_panels(user: User, roles: Roles) -> list[HomePanel]:
    """Staff whose organisation has a supervision agreement book from here; anyone with a
    session sees the next one; supervisors reach their sessions."""
    has_agreement = roles.facts.get("has_agreement")
    upcoming = (
        fetch_row(("home-next-supervision",), _next_supervision, person=user.pk, now=timezone.now())
        if roles.facts.get("session_ahead")
        else None
    )
    if not has_agreement and upcoming is None:
        return []
    steps = []
    if has_agreement:
        steps.append(NextStep("Book a supervision session", reverse("supervision_home")))
    if upcoming is not None:
        steps.append(
            NextStep(
                f"Next session: {wording.span(upcoming['starts_at'], upcoming['ends_at'])}",
                reverse("supervision_session", args=[upcoming["pk"]]),
            )
        )
    steps.append(NextStep("Your sessions in your own calendar", reverse("calendar")))
    return [HomePanel(role="Supervision", title="Supervision sessions", steps=steps, order=24)]


@register_home_panels
def held_offer_panels(user: User, roles: Roles) -> list[HomePanel]:
    """A place held for the person from a waitlist comes first: it passes to the next person
    when the hold runs out (docs/groups.md, "The waitlist")."""
    if not roles.facts.get("place_held"):
        return []
    now = timezone.now()
    steps = []
    for entry in fetch_named_rows(("home-held-places",), _held_places, person=user.pk, now=now):
        offered_until: datetime.datetime = entry["offered_until"]  # an open offer always has its end
        time_zone = entry["session__group__time_zone"]
        hours_left = int((offered_until - now).total_seconds() // 3600)
        left = f"about {wording.count(hours_left, 'hour')}" if hours_left else "less than an hour"
        steps.append(
            NextStep(
                f"Take your place in {entry['session__group__title']}",
                reverse("group_session", args=[entry["session_id"]]),
                f"{wording.span(entry['session__starts_at'], entry['session__ends_at'], time_zone)}. Held for you "
                f"until {wording.moment(offered_until, time_zone)} ({left} from now); "
                "then it passes to the next person waiting.",
            )
        )
    if not steps:
        return []
    return [
        HomePanel(
            role="Waitlist",
            title="A place is held for you" if len(steps) == 1 else "Places are held for you",
            steps=steps,
            order=1,
            intro="A place has come free in a group you were waiting for. Take it before the hold ends.",
        )
    ]


def held_for(user: User | int, now: datetime.datetime) -> QuerySet[WaitlistEntry]:
    """Places held for the person from a waitlist, still theirs to take."""
    return WaitlistEntry.objects.filter(
        user=user, status=WaitlistStatus.OFFERED, offered_until__gt=now, session__starts_at__gt=now
    )


def sessions_ahead_of(user: User | int, now: datetime.datetime) -> QuerySet[SupervisionBooking]:
    """Supervision sessions the person is in (attending or supervising) that have not ended."""
    return SupervisionBooking.objects.filter(bookings_of(user), status=BookingStatus.BOOKED, ends_at__gt=now)


def places_ahead_of(user: User | int, now: datetime.datetime) -> QuerySet[Place]:
    """The person's group places in sessions still to come."""
    return Place.objects.filter(user=user, status__in=ACTIVE_PLACE_STATUSES, session__starts_at__gt=now)


register_home_fact("place_held", lambda person, now, _today: Exists(held_for(person, now)))
# Most people have no session or place ahead: then the two panels run no query of their own.
register_home_fact("session_ahead", lambda person, now, _today: Exists(sessions_ahead_of(person, now)))
register_home_fact("place_ahead", lambda person, now, _today: Exists(places_ahead_of(person, now)))
register_home_fact(
    "has_agreement",
    lambda person, _now, _today: Exists(
        SupervisionAgreement.objects.filter(
            current_membership("organisation__memberships", user=person),
            status=AgreementStatus.ACTIVE,
        )
    ),
)


@register_home_panels
def group_panels(user: User, roles: Roles) -> list[HomePanel]:
    """Staff find a reflective group and their own places; leads see their organisation's totals."""
    memberships = roles.memberships
    if not memberships:
        return []
    following = (
        places_ahead_of(user, timezone.now())
        .select_related("session__group")
        .only(*WHEN_AND_WHAT)
        .order_by("session__starts_at")
        .first()
        if roles.facts.get("place_ahead")
        else None
    )
    steps = [
        NextStep(
            "Find a reflective group",
            reverse("group_sessions"),
            "A confidential monthly space to talk about the work. Book a place, or join a waitlist.",
        ),
        NextStep(
            "Your places and waitlists",
            reverse("group_my_places"),
            f"Next: {following.session.group.title}, {session_when(following.session)}"
            if following
            else "You have no place booked yet.",
        ),
    ]
    steps += [
        NextStep(
            f"{m.organisation.name}: reflective group totals",
            reverse("group_organisation_totals", args=[m.organisation_id]),
        )
        for m in memberships
        if m.is_lead
    ]
    return [HomePanel(role="Staff", title="Reflective practice groups", steps=steps, order=25)]


@register_home_panels
def facilitator_panels(user: User, roles: Roles) -> list[HomePanel]:
    """A facilitator's next session, with its register, and all their sessions."""
    if not roles.facts.get("facilitator"):
        return []
    upcoming = fetch_row(("home-next-facilitated",), _next_facilitated, person=user.pk, now=timezone.now())
    if upcoming is None:
        return []
    when = wording.span(upcoming["starts_at"], upcoming["ends_at"], upcoming["group__time_zone"])
    return [
        HomePanel(
            role="Facilitator",
            title="Groups you run",
            steps=[
                NextStep(
                    f"Register: {upcoming['group__title']}",
                    reverse("group_register", args=[upcoming["pk"]]),
                    f"Your next session, {when}. Mark who came after it.",
                ),
                NextStep("All the sessions you run", reverse("group_facilitated")),
            ],
            order=17,
        )
    ]


@register_home_panels
def pool_group_panels(user: User, roles: Roles) -> list[HomePanel]:
    """A commissioner sets up their pools' reflective groups and fills cohorts."""
    pools = commissioned_pools(user, roles)
    if not pools:
        return []
    steps = [
        NextStep(
            f"Reflective groups in {pool.name}",
            reverse("group_pool_groups", args=[pool.pk]),
            "Create a group, move or cancel a session, fill cohorts.",
        )
        for pool in pools
    ]
    return [HomePanel(role="Commissioner", title="Reflective groups", steps=steps, order=12)]


# The navigation bar's links for staff, supervisors, facilitators and commissioners (reflect/navigation.py).
register_role("facilitator", lambda: Exists(ReflectiveGroup.objects.filter(runs_group(OuterRef("pk")))))


@register_nav_items
def scheduling_nav(roles: Roles) -> list[NavItem]:
    items = []
    if roles.is_staff_member:
        items += [
            NavItem("Book supervision", reverse("supervision_home"), 20, section="/supervision/"),
            NavItem("Reflective groups", reverse("group_sessions"), 21, section="/groups/"),
            NavItem("My places", reverse("group_my_places"), 22),
        ]
    if roles.facts.get("supervisor"):
        items += [
            NavItem("Availability", reverse("availability_overview"), 30),
            NavItem("Your sessions", reverse("supervisor_sessions"), 31),
        ]
    if roles.facts.get("facilitator"):
        items.append(NavItem("Groups you run", reverse("group_facilitated"), 33))
    if roles.is_staff_member or roles.facts.get("supervisor"):
        items.append(NavItem("Calendar", reverse("calendar"), 40))
    if roles.facts.get("pools") == 1:
        items.append(NavItem("Manage groups", reverse("group_pool_groups", args=[roles.facts["first_pool"]]), 12))
    return items
