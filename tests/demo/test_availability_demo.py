"""seed_demo gives every verified demo supervisor weekly hours, settings and one away day."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from scheduling.models import AvailabilitySettings, DateOverride, WeeklyRule
from supervision.models import SupervisorProfile

pytestmark = pytest.mark.django_db


def test_seed_demo_publishes_availability_once():
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    ruth = SupervisorProfile.objects.get(user__email="supervisor@demo.reflect.test")
    assert [rule.label for rule in WeeklyRule.objects.filter(supervisor=ruth)] == [
        "Tuesday 10am to 4pm",
        "Thursday 1pm to 6pm",
    ]
    settings_row = AvailabilitySettings.objects.get(supervisor=ruth)
    assert (settings_row.session_lengths, settings_row.buffer_minutes, settings_row.horizon_weeks) == ([60, 90], 15, 8)
    away = DateOverride.objects.get(supervisor=ruth)
    assert (away.away, away.date.weekday(), away.note) == (True, 1, "Training day")
    assert away.date > datetime.date.today()
    verified = SupervisorProfile.objects.filter(verified_at__isnull=False).count()
    assert AvailabilitySettings.objects.count() == verified == 7
    assert not WeeklyRule.objects.filter(supervisor__verified_at__isnull=True).exists()
    rules = WeeklyRule.objects.count()
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert WeeklyRule.objects.count() == rules


def test_seed_demo_books_the_demo_staff_member_a_past_and_a_coming_session_once():
    from django.utils import timezone

    from reflect.enums import LedgerKind
    from reflect.models import LedgerEntry
    from scheduling.models import BookingStatus, SupervisionBooking

    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    bookings = list(SupervisionBooking.objects.order_by("starts_at"))
    assert [b.status for b in bookings] == [BookingStatus.ATTENDED, BookingStatus.BOOKED]
    assert bookings[0].ends_at < timezone.now() < bookings[1].starts_at
    assert [a.user.email for a in bookings[1].attendees.all()] == ["staff@demo.reflect.test"]
    assert LedgerEntry.objects.filter(kind=LedgerKind.SUPERVISION_HELD).count() == 1
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert SupervisionBooking.objects.count() == 2
