"""The slot picker offers only times that booking will accept (issue 18).

offer_times (what the picker shows) and book_supervision (what it accepts) share the slot
engine's inputs and one statement of the hours rules (hours_refusal). The property test books
what the picker offered, in every state hypothesis draws; the tests after it show, one rule at a
time, what the picker says when that rule stops it.
"""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reflect import wording
from reflect.errors import DomainError
from reflect.services.preferences import update_preferences
from scheduling import slots
from scheduling.models import AvailabilitySettings, WeeklyRule
from scheduling.services.booking_notices import booking_when
from scheduling.services.bookings import (
    Explanation,
    HoursRule,
    explain_offering,
    offer_times,
)
from tests.conftest import World
from tests.factories.bookings import NOW, agree, book, supervisor_with_availability, utc
from tests.factories.core import staff_of
from tests.factories.supervision import allocate


class Rollback(Exception):
    pass


# Existing sessions: day of January 2027 (weekdays from the 5th), hour (London = UTC), length.
EXISTING = st.lists(
    st.tuples(st.sampled_from([5, 6, 7, 12, 13, 19, 26]), st.integers(9, 15), st.sampled_from([60, 90])),
    max_size=4,
)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    allocation=st.sampled_from(["0", "0.5", "1", "2.5", "6", "20"]),
    per_month=st.sampled_from(["1", "2", "3"]),
    capacity=st.sampled_from([None, Decimal("1"), Decimal("2"), Decimal("4")]),
    earliest=st.sampled_from([None, datetime.time(10), datetime.time(15, 30)]),
    existing=EXISTING,
    notice=st.sampled_from([24, 72]),
    horizon=st.sampled_from([2, 6]),
)
def test_every_time_the_picker_offers_is_accepted_and_every_time_it_holds_back_is_refused(
    world: World, allocation, per_month, capacity, earliest, existing, notice, horizon
) -> None:
    try:
        with transaction.atomic():
            supervisor = supervisor_with_availability(monthly_capacity_hours=capacity)
            AvailabilitySettings.objects.filter(supervisor=supervisor).update(
                minimum_notice_hours=notice, horizon_weeks=horizon
            )
            agreement = agree(world.pool, world.organisation, supervisor, hours_per_month=per_month, allocation="40")
            for day, hour, minutes in existing:
                # A clash among the drawn sessions: that one is simply not there.
                with contextlib.suppress(DomainError):
                    book(agreement, world.colleague, utc(day, hour), minutes, now=NOW - datetime.timedelta(days=3))
            # Then the allocation drawn: what is left may be anything from nothing up.
            allocate(world.pool, world.organisation, str(Decimal(allocation) - Decimal("40")))
            if earliest is not None:
                update_preferences(world.member, no_sessions_before=earliest)

            offering = offer_times(agreement, [world.member], now=NOW)
            # Bounded: the first offered times of each length, and the first few held back.
            tried = [s for s in offering.offered if s.minutes == 60][:4] + [
                s for s in offering.offered if s.minutes == 90
            ][:4]
            for slot in tried:
                booking = _try(agreement, world, slot)
                assert booking is None, f"offered {slot} but booking refused it: {booking}"
            for slot, refusal in offering.withheld[:3]:
                message = _try(agreement, world, slot)
                assert message is not None, f"held back {slot} ({refusal.rule}) but booking accepted it"
            raise Rollback
    except Rollback:
        pass


def _try(agreement, world: World, slot: slots.Slot) -> str | None:
    """Book the slot in a savepoint taken back afterwards: None if accepted, else the refusal."""
    try:
        with transaction.atomic():
            book(agreement, world.member, slot.start, slot.minutes)
            raise Rollback
    except Rollback:
        return None
    except DomainError as error:
        return error.message


def test_the_property_meets_both_outcomes(world: World) -> None:
    """A fixed case where the picker both offers and holds back (the property is not vacuous)."""
    agreement = agree(world.pool, world.organisation, supervisor_with_availability(), hours_per_month="1")
    book(agreement, world.colleague, utc(5, 10), now=NOW - datetime.timedelta(days=3))
    offering = offer_times(agreement, [world.member], now=NOW)
    assert offering.offered[0].start == utc(1, 9, month=2)
    assert {refusal.rule for _, refusal in offering.withheld} == {HoursRule.AGREEMENT_MONTH}
    assert offering.withheld[0][0].start == utc(5, 11, 30)  # after the booked 10:00 and its buffer


# --- What the picker says, one rule at a time -------------------------------------------------


def explained(agreement, user, minutes: int = 60) -> Explanation | None:
    return explain_offering(agreement, offer_times(agreement, [user], now=NOW), minutes, user=user)


def test_no_hours_left_in_the_pool_offers_nothing_and_says_whom_to_ask(world: World) -> None:
    agreement = agree(world.pool, world.organisation, supervisor_with_availability(), allocation="0")
    offering = offer_times(agreement, [world.member], now=NOW)
    assert offering.offered == []
    assert explained(agreement, world.member) == Explanation(
        f"Harehills Drama has {wording.hours(0)} of supervision left in Leeds pool, and a 60-minute session "
        f"needs {wording.hours(1)}.",
        "Ask your organisation lead to ask the commissioner of Leeds pool for more hours for Harehills Drama.",
    )
    # The lead is told to ask the commissioner themselves.
    assert explained(agreement, world.lead).action == (
        "Ask the commissioner of Leeds pool for more hours for Harehills Drama."
    )


def test_hours_left_for_a_short_session_only_point_to_it(world: World) -> None:
    agreement = agree(world.pool, world.organisation, supervisor_with_availability(), allocation="1")
    offering = offer_times(agreement, [world.member], now=NOW)
    assert {slot.minutes for slot in offering.offered} == {60}
    assert explained(agreement, world.member, 90) == Explanation(
        f"Harehills Drama has {wording.hours(1)} of supervision left in Leeds pool, and a 90-minute session "
        f"needs {wording.hours(Decimal('1.5'))}.",
        "Choose a 60-minute session, or: ask your organisation lead to ask the commissioner of Leeds pool for "
        "more hours for Harehills Drama.",
    )
    assert explained(agreement, world.member, 60) is None


def test_an_agreements_month_that_is_booked_points_to_the_next_month(world: World) -> None:
    agreement = agree(world.pool, world.organisation, supervisor_with_availability(), hours_per_month="2")
    book(agreement, world.colleague, utc(5, 10), now=NOW - datetime.timedelta(days=3))
    book(agreement, world.colleague, utc(6, 10), now=NOW - datetime.timedelta(days=3))
    offering = offer_times(agreement, [world.member], now=NOW)
    first = offering.offered[0]
    assert first.start == utc(1, 9, month=2)  # Monday 1 February, 09:00
    assert explain_offering(agreement, offering, 60, user=world.member) == Explanation(
        f"This agreement's {wording.hours(2)} for January are booked.",
        f"The next time you can book is in February: {booking_when(first)}.",
    )


def test_a_supervisor_at_their_monthly_capacity_is_fully_booked_for_the_month(world: World) -> None:
    supervisor = supervisor_with_availability(monthly_capacity_hours=Decimal("2"))
    agreement = agree(world.pool, world.organisation, supervisor)
    other = agree(world.other_pool, world.other_organisation, supervisor, allocation="5")
    outsider_staff = staff_of(world.other_organisation)
    book(other, outsider_staff, utc(5, 10), now=NOW - datetime.timedelta(days=3))
    book(agreement, world.colleague, utc(6, 13), now=NOW - datetime.timedelta(days=3))
    offering = offer_times(agreement, [world.member], now=NOW)
    assert offering.offered[0].start == utc(1, 9, month=2)
    assert explain_offering(agreement, offering, 60, user=world.member) == Explanation(
        "Ann Carter is fully booked for January.",
        f"The next time you can book is in February: {booking_when(offering.offered[0])}.",
    )


def test_a_booker_whose_earliest_time_is_after_every_free_time_is_told_so(world: World, agreement) -> None:
    update_preferences(world.member, no_sessions_before=datetime.time(17))
    assert offer_times(agreement, [world.member], now=NOW).offered == []
    assert explained(agreement, world.member) == Explanation(
        f"All of Ann Carter's free times of 60 minutes start before {wording.clock(datetime.time(17))}, the "
        "earliest time set in the contact preferences of the people the session is for.",
        "Change the earliest time in your contact preferences, or choose another length.",
    )


def test_an_agreement_ending_before_the_notice_period_offers_nothing(world: World, agreement) -> None:
    agreement.ends_on = datetime.date(2027, 1, 4)
    agreement.save()
    assert offer_times(agreement, [world.member], now=NOW).offered == []
    assert explained(agreement, world.member) == Explanation(
        f"The agreement runs from {wording.date(datetime.date(2026, 12, 1))} to "
        f"{wording.date(datetime.date(2027, 1, 4))}, and Ann Carter has no free times of 60 minutes inside "
        "those dates.",
        "Your organisation lead can ask for a new agreement from the supervisors page.",
    )


def test_no_free_times_within_notice_and_horizon_names_both(world: World) -> None:
    supervisor = supervisor_with_availability()
    WeeklyRule.objects.filter(supervisor=supervisor).delete()
    AvailabilitySettings.objects.filter(supervisor=supervisor).update(minimum_notice_hours=48, horizon_weeks=4)
    agreement = agree(world.pool, world.organisation, supervisor)
    assert explained(agreement, world.member) == Explanation(
        "Ann Carter has no free times of 60 minutes in the next 4 weeks. Sessions are booked at least 48 hours "
        "ahead and at most 4 weeks ahead.",
        "Try another length, or ask Ann Carter whether they can add more hours.",
    )


def test_times_taken_by_other_bookings_are_not_offered(world: World, agreement) -> None:
    book(agreement, world.colleague, utc(5, 10), now=NOW - datetime.timedelta(days=3))
    starts = {slot.start for slot in offer_times(agreement, [world.member], now=NOW).offered if slot.minutes == 60}
    # 10:00–11:00 is booked, with a 15-minute buffer either side.
    assert utc(5, 9) not in starts and utc(5, 10) not in starts and utc(5, 11) not in starts
    assert utc(5, 11, 30) in starts and utc(5, 13) in starts


# --- The page ----------------------------------------------------------------------------------


def test_the_picker_page_shows_the_explanation_instead_of_times(client, world: World) -> None:
    agreement = agree(world.pool, world.organisation, supervisor_with_availability(), allocation="0")
    client.force_login(world.member)
    response = client.get(reverse("supervision_book", args=[agreement.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["any_free"] is False
    assert "reflect-slot-list" not in body
    assert (
        f"Harehills Drama has {wording.hours(0)} of supervision left in Leeds pool, and a 60-minute session "
        f"needs {wording.hours(1)}." in body
    )
    assert "Ask your organisation lead to ask the commissioner of Leeds pool for more hours" in body
