"""A supervisor's own page at a glance: their sessions to come and to mark, this month's hours
against their capacity, and each month's hours as a chart with its table."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from reflect import wording
from scheduling.models import BookingStatus, SupervisionBooking
from scheduling.supervisor_summary import month_list, supervisor_look
from tests.factories.bookings import agree
from tests.factories.core import signed_in
from tests.factories.supervision import SupervisorProfileFactory

NOW = datetime.datetime(2026, 12, 6, 12, tzinfo=datetime.UTC)


def session(agreement, when: datetime.datetime, hours: str, status: str) -> None:
    SupervisionBooking.objects.create(
        agreement=agreement,
        supervisor=agreement.supervisor,
        organisation=agreement.organisation,
        pool=agreement.pool,
        starts_at=when,
        ends_at=when + datetime.timedelta(hours=float(hours)),
        minutes=int(Decimal(hours) * 60),
        hours=Decimal(hours),
        status=status,
    )


def at(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, 10, tzinfo=datetime.UTC)


def test_the_months_run_from_five_before_to_two_after_across_a_new_year() -> None:
    assert month_list(datetime.date(2026, 12, 1)) == [
        datetime.date(2026, 7, 1),
        datetime.date(2026, 8, 1),
        datetime.date(2026, 9, 1),
        datetime.date(2026, 10, 1),
        datetime.date(2026, 11, 1),
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
        datetime.date(2027, 2, 1),
    ]


def test_the_supervisors_hours_each_month_and_headlines(world, client) -> None:
    profile = SupervisorProfileFactory(monthly_capacity_hours=Decimal("10"))
    agreement = agree(world.pool, world.organisation, profile, allocation=None)
    session(agreement, at(2026, 10, 14), "1.5", BookingStatus.ATTENDED)
    session(agreement, at(2026, 11, 18), "1", BookingStatus.ATTENDED)
    session(agreement, at(2026, 12, 2), "1", BookingStatus.ATTENDED)
    session(agreement, at(2026, 12, 16), "2", BookingStatus.BOOKED)
    session(agreement, at(2026, 12, 9), "1", BookingStatus.CANCELLED)  # not counted
    look = supervisor_look(profile, now=NOW, to_come=1, to_mark=0)
    assert [(h.label, h.text, h.hint) for h in look.headlines] == [
        ("Sessions to come", "1 session", "booked with you"),
        ("Waiting for attendance", "0 sessions", "say whether each took place"),
        ("Held this month", "1 session", "December 2026"),
        ("Hours this month", wording.hours(3), f"held or booked, of your {wording.hours(10)} a month"),
    ]
    assert [(m.month.month, m.held, m.hours_held, m.hours_booked) for m in look.months] == [
        (7, 0, 0, 0),
        (8, 0, 0, 0),
        (9, 0, 0, 0),
        (10, 1, Decimal("1.5"), 0),
        (11, 1, Decimal("1"), 0),
        (12, 1, Decimal("1"), Decimal("2")),
        (1, 0, 0, 0),
        (2, 0, 0, 0),
    ]
    assert [c.value_label for c in look.chart.columns] == [
        wording.hours_number(v) for v in (0, 0, 0, Decimal("1.5"), 1, 3, 0, 0)
    ]
    # The capacity line sits at 10 hours on a scale of 0 to 10.
    assert look.chart.ticks[-1].label == "10"

    page = signed_in(client, profile.user).get(reverse("supervisor_sessions")).content.decode()
    assert '<title id="chart-supervisor-hours-title">Your hours each month</title>' in page
    assert 'aria-label="Your hours each month: sessions held and hours held or booked"' in page
    assert '<span class="reflect-headline__label">Sessions to come</span>' in page
