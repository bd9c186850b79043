"""The Monday summary of the week ahead, for supervisors and organisation leads."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from reflect import wording
from reflect.local_time import LONDON
from reflect.models import Notification, User
from reflect.notification_kinds import NotificationKind
from reflect.services.notifications import queue_notification
from reflect.upcoming import upcoming_items, weekly_audience


def week_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Monday 00:00 to the next Monday 00:00, London time, of the ISO week holding ``day``."""
    monday = day - datetime.timedelta(days=day.weekday())
    starts = datetime.datetime.combine(monday, datetime.time.min, tzinfo=LONDON)
    ends = datetime.datetime.combine(monday + datetime.timedelta(days=7), datetime.time.min, tzinfo=LONDON)
    return starts, ends


def queue_weekly_summaries(day: datetime.date | None = None) -> list[Notification]:
    """Queue one summary per person in the audience who has something in the week.

    The key names the ISO week, so running it twice (beat catching up, a manual run) queues
    nothing more.
    """
    day = day or timezone.localdate()
    starts, ends = week_bounds(day)
    year, week, _ = day.isocalendar()
    queued = []
    for user in User.objects.filter(pk__in=weekly_audience(), is_active=True).order_by("pk"):
        items = upcoming_items(user, starts, ends)
        if not items:
            continue
        context = {
            "week_starting": wording.day(starts),
            "items": [
                {"when": wording.moment_this_year(item.starts_at), "title": item.title, "url": item.url}
                for item in items
            ],
        }
        with transaction.atomic():
            queued.append(
                queue_notification(
                    user,
                    NotificationKind.WEEKLY_SUMMARY,
                    key=f"weekly_summary:{user.pk}:{year}-W{week:02d}",
                    context=context,
                    about=f"reflect.user:{user.pk}",
                )
            )
    return queued
