"""Demo data for notifications: two reminders that fall due a minute or two after seeding,
so that the demo shows them being delivered (printed to the console) without anyone asking."""

from __future__ import annotations

import datetime
from io import TextIOBase

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reflect import wording
from reflect.models import Membership
from reflect.notification_kinds import NotificationKind
from reflect.services.notifications import queue_notification


def demo_reminders(out: TextIOBase) -> None:
    membership = (
        Membership.objects.select_related("user")
        .leads()
        .filter(user__email__endswith="@" + settings.DEMO_EMAIL_DOMAIN)
        .order_by("pk")
        .first()
    )
    if membership is None:
        return
    now = timezone.now().replace(second=0, microsecond=0)
    with transaction.atomic():
        for minutes in (1, 2):
            due_at = now + datetime.timedelta(minutes=minutes)
            starts = timezone.localtime(due_at + datetime.timedelta(days=1))
            queue_notification(
                membership.user,
                NotificationKind.REMINDER,
                key=f"demo-reminder:{due_at:%Y%m%dT%H%M}",
                due_at=due_at,
                about="demo",
                context={
                    "title": "Reflective practice group",
                    "when": wording.moment_this_year(starts),
                    "where": "Online – the link is on your bookings page",
                    "url": settings.SITE_URL + "/",
                },
            )
    out.write(f"Queued two demo reminders for {membership.user.email}, due in 1 and 2 minutes.\n")
