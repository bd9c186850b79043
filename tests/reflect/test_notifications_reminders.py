"""Reminders in Europe/London wall-clock time: the clocks changing neither skips nor doubles one."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from reflect.models import Notification
from reflect.notification_kinds import NotificationKind
from reflect.services.notifications import queue_reminders, reminder_due_times
from reflect.services.preferences import update_preferences

UTC = datetime.UTC
LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def utc(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def test_a_week_before_across_the_spring_change_keeps_the_wall_clock_time():
    # Monday 29 March 2027, 10:00 BST (09:00 UTC). Clocks went forward on Sunday 28 March.
    starts = london(2027, 3, 29, 10, 0)
    # 7 days before is 10:00 GMT on 22 March (10:00 UTC), and 1 day before is 10:00 BST on
    # 28 March (09:00 UTC): both at 10:00 on the wall, although 167 and 24 hours before.
    assert reminder_due_times(starts, [168, 24]) == [utc(2027, 3, 22, 10, 0), utc(2027, 3, 28, 9, 0)]


def test_a_week_before_across_the_autumn_change_keeps_the_wall_clock_time():
    # Monday 1 November 2027, 10:00 GMT. Clocks went back on Sunday 31 October.
    starts = london(2027, 11, 1, 10, 0)
    assert reminder_due_times(starts, [168, 24]) == [utc(2027, 10, 25, 9, 0), utc(2027, 10, 31, 10, 0)]


def test_a_reminder_falling_in_the_spring_gap_is_moved_on_not_skipped():
    # 01:30 on Monday 29 March 2027 (BST); 24 hours before is 01:30 on Sunday 28 March, a time
    # that does not exist in London: it is sent at 02:30 BST (01:30 UTC) instead.
    assert reminder_due_times(london(2027, 3, 29, 1, 30), [24]) == [utc(2027, 3, 28, 1, 30)]


def test_a_reminder_falling_in_the_autumn_overlap_is_sent_once():
    # 01:30 on Sunday 31 October 2027 happens twice (BST, then GMT): one reminder, the first.
    assert reminder_due_times(london(2027, 11, 1, 1, 30), [24]) == [utc(2027, 10, 31, 0, 30)]


def test_offsets_on_the_same_instant_give_one_reminder():
    assert reminder_due_times(london(2027, 6, 1, 10, 0), [24, 24, 48]) == [
        utc(2027, 5, 30, 9, 0),
        utc(2027, 5, 31, 9, 0),
    ]


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="aware"):
        reminder_due_times(datetime.datetime(2027, 6, 1, 10, 0), [24])


def test_reminders_are_queued_at_the_persons_offsets_once(world):
    update_preferences(world.member, reminder_hours=[168, 24, 2])
    starts = london(2027, 3, 29, 10, 0)
    context = {"title": "Reflective practice group", "when": "Monday 29 March, 10:00", "where": "", "url": ""}
    first = queue_reminders(
        world.member, NotificationKind.REMINDER, about="scheduling.place:7", starts_at=starts, context=context
    )
    again = queue_reminders(
        world.member, NotificationKind.REMINDER, about="scheduling.place:7", starts_at=starts, context=context
    )
    assert [n.pk for n in again] == [n.pk for n in first]
    assert list(Notification.objects.order_by("due_at").values_list("due_at", "about")) == [
        (utc(2027, 3, 22, 10, 0), "scheduling.place:7"),
        (utc(2027, 3, 28, 9, 0), "scheduling.place:7"),
        (utc(2027, 3, 29, 7, 0), "scheduling.place:7"),
    ]


def test_reminders_already_in_the_past_are_not_queued(world):
    update_preferences(world.member, reminder_hours=[168, 24])
    starts = datetime.datetime.now(UTC) + datetime.timedelta(hours=30)
    queued = queue_reminders(
        world.member, NotificationKind.REMINDER, about="scheduling.place:8", starts_at=starts, context={}
    )
    assert len(queued) == 1
