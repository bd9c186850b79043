"""A group given an earlier last date and another group's session cancelled at the same moment,
with places from the same organisations: both finish, and the ledger's months add up (PostgreSQL).

Each cancelled place adds to its organisation's month of cancelled places, and that row stays
locked until the transaction ends. One session's cancellation takes its organisations' months in
organisation order; ``change_group`` cancels several sessions one after another, so on its own it
would take them in no overall order: here the December session (a place from Otley) before the
January one (a place from Harehills), while the other group's cancellation takes Harehills, then
Otley. ``change_group`` therefore holds all the months it will add to first, in organisation
order. The race is forced every time: ``change_group`` stops after its first place is counted
and goes on only once the other cancellation waits for a lock. The control takes the up-front
hold away and sees PostgreSQL kill one of the two as a deadlock (a 500 for somebody).
"""

from __future__ import annotations

import contextlib
import datetime
import threading

import pytest

from reflect.enums import LedgerKind
from reflect.models import LedgerMonth
from reflect.services.ledger import record_ledger_entry
from scheduling.groups import capacity, changes
from scheduling.groups.changes import change_group
from scheduling.groups.places import book_place
from scheduling.groups.session_changes import cancel_session
from scheduling.models import GroupSession, SessionStatus
from tests.concurrency.lock_waits import first_pauses_then_second, harehills_and_otley
from tests.conftest import requires_postgresql
from tests.factories.core import staff_of
from tests.factories.groups import NOW, make_group
from tests.ledger_months import assert_months_agree_with_the_ledger

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

NOVEMBER = datetime.date(2026, 11, 1)


def cancel_two_ways_at_once(world, monkeypatch, *, months_exist: bool) -> tuple[dict[str, str], bool, list]:
    """Harehills Drama (``world.organisation``) and Otley Care Farm, in that id order. The
    ending group has a place from Otley in December and one from Harehills in January; the
    other group's November session has one from each. Returns how the group change and the
    cancellation ended, whether the cancellation had to wait, and the three sessions."""
    harehills, otley = harehills_and_otley(world)
    ending = make_group(world, title="Ending group", capacity=4, booking_opens_days=365)
    december, january = GroupSession.objects.filter(group=ending).order_by("starts_at")[1:3]
    assert december.pk < january.pk  # the order change_group cancels them in
    book_place(december, acting_user=staff_of(otley), now=NOW)
    book_place(january, acting_user=staff_of(harehills), now=NOW)
    other = make_group(world, title="Other group", rrule="FREQ=MONTHLY;BYDAY=+2TU", capacity=4)
    tuesday = GroupSession.objects.filter(group=other).order_by("starts_at").first()
    for organisation in (otley, harehills):
        book_place(tuesday, acting_user=staff_of(organisation), now=NOW)
    if months_exist:
        # Earlier cancellations this month: the months' rows are there already.
        for organisation in (harehills, otley):
            record_ledger_entry(
                world.pool, LedgerKind.PLACE_CANCELLED, organisation=organisation, quantity=1, occurred_at=NOW
            )

    first_counted, go_on = threading.Event(), threading.Event()
    give_back = capacity.record_place_given_back

    def give_back_then_stop_once(*args, **kwargs) -> None:
        give_back(*args, **kwargs)
        if threading.current_thread().name == "change" and not first_counted.is_set():
            first_counted.set()
            go_on.wait(10)

    monkeypatch.setattr(capacity, "record_place_given_back", give_back_then_stop_once)

    def end_in_november() -> None:
        change_group(ending, acting_user=world.commissioner, last_date=datetime.date(2026, 11, 30), now=NOW)

    def cancel_tuesday() -> None:
        cancel_session(tuesday, acting_user=world.commissioner, now=NOW)

    outcomes, cancel_waited = first_pauses_then_second(
        ("change", end_in_november),
        ("cancel", cancel_tuesday),
        first_counted,
        go_on,
        pause_means="counted its first cancelled place",
    )
    return outcomes, cancel_waited, [december, january, tuesday]


def cancelled_places_in_november() -> dict[str, tuple[int, int]]:
    """Organisation → (entries, places) of its month of cancelled places."""
    months = LedgerMonth.objects.filter(kind=LedgerKind.PLACE_CANCELLED, month=NOVEMBER)
    return {m.organisation.name: (m.entries, m.quantity) for m in months.select_related("organisation")}


@pytest.mark.parametrize("months_exist", [False, True], ids=["new-months", "months-already-there"])
def test_a_group_ending_earlier_and_a_cancellation_elsewhere_both_finish(world, monkeypatch, months_exist):
    outcomes, cancel_waited, sessions = cancel_two_ways_at_once(world, monkeypatch, months_exist=months_exist)
    assert outcomes == {"change": "done", "cancel": "done"}
    assert cancel_waited  # for a month the group change held from the start
    assert {s.status for s in GroupSession.objects.filter(pk__in=[s.pk for s in sessions])} == {SessionStatus.CANCELLED}
    before = 1 if months_exist else 0
    assert cancelled_places_in_november() == {
        "Harehills Drama": (2 + before, 2 + before),
        "Otley Care Farm": (2 + before, 2 + before),
    }
    assert_months_agree_with_the_ledger()


@pytest.mark.parametrize("months_exist", [False, True], ids=["new-months", "months-already-there"])
def test_control_without_holding_the_months_first_they_deadlock(world, monkeypatch, months_exist):
    """Proof the harness can catch a regression: the group change holds Otley's month and waits
    for Harehills', which the other cancellation holds while it waits for Otley's."""
    monkeypatch.setattr(changes, "ledger_months_held_for", lambda *args, **kwargs: contextlib.nullcontext())
    outcomes, cancel_waited, _ = cancel_two_ways_at_once(world, monkeypatch, months_exist=months_exist)
    assert cancel_waited
    assert sorted(outcome.split(":")[0] for outcome in outcomes.values()) == ["DeadlockDetected", "done"]
    [deadlock] = [outcome for outcome in outcomes.values() if outcome != "done"]
    assert "reflect_ledgermonth" in deadlock or "ledger_month_organisation" in deadlock
    # The one killed wrote nothing: the months hold what the other one counted.
    assert_months_agree_with_the_ledger()
