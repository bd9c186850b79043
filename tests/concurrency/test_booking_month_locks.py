"""Places booked, taken from a waitlist or offered for several organisations in one transaction,
two such transactions at the same moment: both finish, and the ledger's months add up (PostgreSQL).

Each place booked (or waitlist place taken, or offered) adds to its organisation's month of
those, a row locked until the transaction ends. Session after session the organisations come in
no overall order: a group given more room offers its waitlists a place one session at a time,
and a cohort's members are booked session by session, member by member. Two of these touching
different groups' sessions have nothing else keeping them apart, so one taking Otley's month
and then Harehills' while the other takes Harehills' and then Otley's deadlock. So
``change_group`` and ``book_members`` hold every month they may add to first, in (kind,
organisation) order. The race is forced every time: the first stops after its first such entry
is counted and goes on only once the second waits for a lock. Each control takes the up-front
hold away and sees PostgreSQL kill one of the two as a deadlock (a 500 for somebody, or a failed
year-ahead task).

The pairs, and why each is real (the session locks do not keep them apart):
- two groups given more room at once: each locks its own group's sessions only;
- a group given more room and a cohort's members booked (its year-ahead sessions, or cohorts
  filled): the cohort's sessions are not the group's;
- two cohorts' members booked at once: each locks its own sessions (and its members, or the
  pool's waiting applications), none of the other's.
A single booking elsewhere is no partner: it adds to one month of each kind, for one
organisation, and waits for no month after that.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
from collections.abc import Callable

import pytest

from reflect.enums import LedgerKind
from reflect.models import LedgerMonth, Organisation
from scheduling.groups import capacity, changes, cohorts, waitlist
from scheduling.groups.changes import change_group
from scheduling.groups.cohorts import book_members_into_new_sessions
from scheduling.groups.places import book_place
from scheduling.groups.waitlist import join_waitlist
from scheduling.models import CohortMembership, GroupKind, GroupSession, ReflectiveGroup, WaitlistEntry, WaitlistStatus
from tests.concurrency.lock_waits import first_pauses_then_second, harehills_and_otley
from tests.conftest import requires_postgresql
from tests.factories.core import staff_of
from tests.factories.groups import NOW, make_group
from tests.ledger_months import assert_months_agree_with_the_ledger

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

NOVEMBER = datetime.date(2026, 11, 1)
WEDNESDAYS, TUESDAYS = "FREQ=MONTHLY;BYDAY=+2WE", "FREQ=MONTHLY;BYDAY=+2TU"


def full_group_with_waitlists(world, title, rrule, waiting: tuple[Organisation, ...], *, auto_accept: bool):
    """A group with room for one; each of its first sessions full (a Harehills place) and with
    one person waiting, from ``waiting`` in session order."""
    group = make_group(world, title=title, rrule=rrule, capacity=1, booking_opens_days=365)
    sessions = list(GroupSession.objects.filter(group=group).order_by("pk")[: len(waiting)])
    assert [s.place_limit for s in sessions] == [1] * len(waiting)
    for session, organisation in zip(sessions, waiting, strict=True):
        book_place(session, acting_user=staff_of(world.organisation), now=NOW)
        waiter = staff_of(organisation)
        join_waitlist(session, acting_user=waiter, auto_accept=auto_accept, now=NOW)
    return group


def cohort_with_members(world, title, rrule, members: tuple[Organisation, ...]):
    """A cohort, its members from ``members`` in membership order, not booked yet; and its first
    session (as if the year-ahead task had just made it)."""
    group = make_group(world, title=title, rrule=rrule, kind=GroupKind.COHORT, capacity=4)
    for organisation in members:
        user = staff_of(organisation)
        CohortMembership.objects.create(group=group, user=user, organisation=organisation, joined_at=NOW)
    return group, GroupSession.objects.filter(group=group).order_by("pk").first()


def more_room(world, group: ReflectiveGroup) -> Callable[[], object]:
    return lambda: change_group(group, acting_user=world.commissioner, capacity=2, now=NOW)


def book_the_members(group: ReflectiveGroup, session: GroupSession) -> Callable[[], object]:
    return lambda: book_members_into_new_sessions(group, [session], NOW)


def race(monkeypatch, first: Callable[[], object], second: Callable[[], object], *, stop_after: str):
    """Run ``first`` until it has counted its first ``stop_after`` entry, then ``second`` until
    it waits for a lock (or ends), then let ``first`` go on. Returns how each ended, and whether
    the second had to wait."""
    counted, go_on = threading.Event(), threading.Event()
    record = capacity.record_ledger_entry

    def record_then_stop_once(pool, kind, **kwargs):
        entry = record(pool, kind, **kwargs)
        if threading.current_thread().name == "first" and kind == stop_after and not counted.is_set():
            counted.set()
            go_on.wait(10)
        return entry

    # Places booked are counted by capacity, waitlist offers and places taken by the waitlist.
    for module in (capacity, waitlist):
        monkeypatch.setattr(module, "record_ledger_entry", record_then_stop_once)
    return first_pauses_then_second(
        ("first", first), ("second", second), counted, go_on, pause_means=f"counted a {stop_after} entry"
    )


def in_november(kind: str) -> dict[str, tuple[int, int]]:
    """Organisation → (entries, quantity) of its November month of ``kind``."""
    months = LedgerMonth.objects.filter(kind=kind, month=NOVEMBER).select_related("organisation")
    return {m.organisation.name: (m.entries, m.quantity) for m in months}


def two_groups_given_more_room(world, monkeypatch, *, auto_accept: bool):
    """The first group's waitlists are Otley then Harehills, the second's Harehills then Otley."""
    harehills, otley = harehills_and_otley(world)
    first = full_group_with_waitlists(world, "First group", WEDNESDAYS, (otley, harehills), auto_accept=auto_accept)
    second = full_group_with_waitlists(world, "Second group", TUESDAYS, (harehills, otley), auto_accept=auto_accept)
    kind = LedgerKind.PLACE_BOOKED if auto_accept else LedgerKind.WAITLIST_OFFERED
    return race(monkeypatch, more_room(world, first), more_room(world, second), stop_after=kind)


def more_room_and_a_cohort_booked(world, monkeypatch):
    """The group's waitlists (taking a place at once) are Otley then Harehills; the cohort's
    members Harehills then Otley."""
    harehills, otley = harehills_and_otley(world)
    group = full_group_with_waitlists(world, "Drop-in group", WEDNESDAYS, (otley, harehills), auto_accept=True)
    cohort, session = cohort_with_members(world, "Cohort", TUESDAYS, (harehills, otley))
    first, second = more_room(world, group), book_the_members(cohort, session)
    return race(monkeypatch, first, second, stop_after=LedgerKind.PLACE_BOOKED)


def two_cohorts_booked(world, monkeypatch):
    """The first cohort's members are Otley then Harehills, the second's Harehills then Otley."""
    harehills, otley = harehills_and_otley(world)
    first = cohort_with_members(world, "First cohort", WEDNESDAYS, (otley, harehills))
    second = cohort_with_members(world, "Second cohort", TUESDAYS, (harehills, otley))
    return race(monkeypatch, book_the_members(*first), book_the_members(*second), stop_after=LedgerKind.PLACE_BOOKED)


EACH_TWICE = {"Harehills Drama": (2, 2), "Otley Care Farm": (2, 2)}


@pytest.mark.parametrize("auto_accept", [False, True], ids=["offered", "taken-at-once"])
def test_two_groups_given_more_room_at_once_both_finish(world, monkeypatch, auto_accept):
    outcomes, second_waited = two_groups_given_more_room(world, monkeypatch, auto_accept=auto_accept)
    assert outcomes == {"first": "done", "second": "done"}
    assert second_waited  # for a month the first change held from the start
    if auto_accept:
        assert in_november(LedgerKind.WAITLIST_TAKEN) == EACH_TWICE
        assert in_november(LedgerKind.WAITLIST_OFFERED) == {}
        # The four places that filled the sessions first, all Harehills, and the four taken now.
        assert in_november(LedgerKind.PLACE_BOOKED) == {"Harehills Drama": (6, 6), "Otley Care Farm": (2, 2)}
        assert WaitlistEntry.objects.filter(status=WaitlistStatus.TAKEN).count() == 4
    else:
        assert in_november(LedgerKind.WAITLIST_OFFERED) == EACH_TWICE
        assert in_november(LedgerKind.WAITLIST_TAKEN) == {}
        # Each was offered a place (the eager expiry task, run on today's clock, may since
        # have expired the offers: they are dated NOW).
        assert WaitlistEntry.objects.exclude(first_offered_at=None).count() == 4
    assert_months_agree_with_the_ledger()


def test_a_group_given_more_room_and_a_cohort_booked_at_once_both_finish(world, monkeypatch):
    outcomes, second_waited = more_room_and_a_cohort_booked(world, monkeypatch)
    assert outcomes == {"first": "done", "second": "done"}
    assert second_waited
    assert in_november(LedgerKind.WAITLIST_TAKEN) == {"Harehills Drama": (1, 1), "Otley Care Farm": (1, 1)}
    # Two places that filled the group's sessions (Harehills), two taken from its waitlists and
    # the cohort's two members.
    assert in_november(LedgerKind.PLACE_BOOKED) == {"Harehills Drama": (4, 4), "Otley Care Farm": (2, 2)}
    assert_months_agree_with_the_ledger()


def test_two_cohorts_booked_at_once_both_finish(world, monkeypatch):
    outcomes, second_waited = two_cohorts_booked(world, monkeypatch)
    assert outcomes == {"first": "done", "second": "done"}
    assert second_waited
    assert in_november(LedgerKind.PLACE_BOOKED) == EACH_TWICE
    assert_months_agree_with_the_ledger()


def without_holding_months_first(monkeypatch, module) -> None:
    name = "ledger_months_held_for" if module is changes else "ledger_months_held"
    monkeypatch.setattr(module, name, lambda *args, **kwargs: contextlib.nullcontext())


def assert_one_deadlocked(outcomes: dict[str, str], second_waited: bool) -> None:
    """The first holds Otley's month and waits for Harehills', which the second holds while it
    waits for Otley's: PostgreSQL kills one. The one killed wrote nothing."""
    assert second_waited
    assert sorted(outcome.split(":")[0] for outcome in outcomes.values()) == ["DeadlockDetected", "done"]
    [deadlock] = [outcome for outcome in outcomes.values() if outcome != "done"]
    assert "reflect_ledgermonth" in deadlock or "ledger_month_organisation" in deadlock
    assert_months_agree_with_the_ledger()


@pytest.mark.parametrize("auto_accept", [False, True], ids=["offered", "taken-at-once"])
def test_control_two_groups_given_more_room_deadlock_without_the_hold(world, monkeypatch, auto_accept):
    without_holding_months_first(monkeypatch, changes)
    assert_one_deadlocked(*two_groups_given_more_room(world, monkeypatch, auto_accept=auto_accept))


def test_control_more_room_and_a_cohort_booked_deadlock_without_the_group_hold(world, monkeypatch):
    """The cohort still holds its members' months in order; the group change does not."""
    without_holding_months_first(monkeypatch, changes)
    assert_one_deadlocked(*more_room_and_a_cohort_booked(world, monkeypatch))


def test_control_two_cohorts_booked_deadlock_without_the_hold(world, monkeypatch):
    without_holding_months_first(monkeypatch, cohorts)
    assert_one_deadlocked(*two_cohorts_booked(world, monkeypatch))
