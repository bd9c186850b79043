"""A month heading below the body's minimum is flagged a week before it ends, once."""

from __future__ import annotations

import datetime

import pytest

from records.notification_kinds import RecordNotificationKind
from records.services.record import choose_body
from records.services.shortfall import queue_shortfall_flags
from reflect.models import Notification
from scheduling.models import BookingStatus
from tests.records.conftest import at, attended_session

pytestmark = pytest.mark.django_db


def flags() -> list[tuple[int, str]]:
    return list(
        Notification.objects.filter(kind=RecordNotificationKind.SHORTFALL).values_list(
            "recipient_id", "idempotency_key"
        )
    )


def test_a_short_month_is_flagged_a_week_before_it_ends_and_only_once(scene, world):
    choose_body(scene.practitioner, "bacp")
    # November: the 1:1 hour (60) + 120 ÷ 3 … half of the group (60) + 120 ÷ 6 (20) = 140: met.
    assert queue_shortfall_flags(datetime.date(2026, 11, 24)) == []
    # December: one hour so far, and one still booked: 60 + 20 → heading for 80 < 90.
    attended_session(scene.agreement, [scene.practitioner], at(2, month=12), 60)
    booked = attended_session(scene.agreement, [scene.practitioner], at(28, month=12), 20)
    booked.status = BookingStatus.BOOKED
    booked.save()
    assert queue_shortfall_flags(datetime.date(2026, 12, 23)) == []  # eight days left: not yet
    sent = queue_shortfall_flags(datetime.date(2026, 12, 24))
    assert [(n.recipient_id, n.context["so_far"], n.context["short_by"]) for n in sent] == [
        (scene.practitioner.pk, "1 hour 20 minutes", "10 minutes")
    ]
    queue_shortfall_flags(datetime.date(2026, 12, 24))
    queue_shortfall_flags(datetime.date(2026, 12, 27))
    assert flags() == [(scene.practitioner.pk, f"records:shortfall:{scene.practitioner.pk}:2026-12")]


def test_bodies_that_average_or_set_no_minimum_are_not_flagged(scene, world):
    choose_body(scene.practitioner, "babcp")
    choose_body(world.lead, "none")
    assert queue_shortfall_flags(datetime.date(2026, 12, 28)) == []


def test_a_met_month_is_not_flagged(scene):
    choose_body(scene.practitioner, "bacp")
    attended_session(scene.agreement, [scene.practitioner], at(2, month=12), 90)
    assert queue_shortfall_flags(datetime.date(2026, 12, 31)) == []
