"""A week before a month ends, tell each person whose month is heading below their body's
minimum (sessions still booked for the month counted as planned), by the channel they chose."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from records.bodies import Body, bodies, body
from records.entries import people_entries_in
from records.notification_kinds import RecordNotificationKind
from records.summary import minutes_words, start_of
from reflect import wording
from reflect.models import Notification, User
from reflect.services.notifications import queue_notification

# "A week before it ends": from the day after which 7 days or fewer are left (the 24th of December).
WARN_DAYS = 7


def last_day_of(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def queue_shortfall_flags(today: datetime.date | None = None) -> list[Notification]:
    """Once per person and month (the key): a second run, or a run the next day, sends nothing new."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    ends_on = last_day_of(month)
    if (ends_on - today).days > WARN_DAYS:
        return []
    # Only bodies with a minimum that each month must meet on its own: where averaging is
    # allowed, one light month is not a shortfall.
    strict = [b.code for b in bodies().values() if b.monthly_minimum_minutes is not None and not b.averaging_allowed]
    people = list(
        User.objects.filter(record_settings__body__in=strict, is_active=True, erased_at__isnull=True)
        .select_related("record_settings")
        .order_by("pk")
    )
    if not people:
        return []
    rule_of: dict[int, Body] = {p.pk: body(p.record_settings.body) for p in people}
    entries = people_entries_in(
        rule_of, rule_of, since=start_of(month), until=start_of(ends_on + datetime.timedelta(days=1))
    )
    url = settings.SITE_URL + reverse("records_home")
    queued = []
    for person in people:
        rule = rule_of[person.pk]
        minimum = rule.monthly_minimum_minutes or 0
        so_far = sum(e.claimable for e in entries[person.pk])
        if so_far >= minimum:
            continue
        with transaction.atomic():
            queued.append(
                queue_notification(
                    person,
                    RecordNotificationKind.SHORTFALL,
                    key=f"records:shortfall:{person.pk}:{month:%Y-%m}",
                    context={
                        "month": wording.month(month),
                        "body": rule.short_name,
                        "minimum": minutes_words(minimum),
                        "so_far": minutes_words(so_far),
                        "short_by": minutes_words(minimum - so_far),
                        "ends_on": wording.day(ends_on),
                        "url": url,
                    },
                    about=f"records.recordsettings:{person.record_settings.pk}",
                )
            )
    return queued
