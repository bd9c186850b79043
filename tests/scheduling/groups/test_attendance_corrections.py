"""A mark on the register can be corrected, and the ledger stays exact: each correction is two
new, dated entries (the old mark taken back, the new one counted), never an edit (issue 18)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db.models import Sum
from django.urls import reverse

from reflect.enums import LedgerKind, NotificationStatus
from reflect.models import LedgerEntry, Notification
from reflect.services.notifications import DeliveryOutcome, deliver_notification
from scheduling.groups.attendance import mark_place_attendance
from scheduling.groups.places import book_place
from scheduling.models import GroupSession, PlaceStatus
from scheduling.notification_kinds import GroupNotificationKind
from tests.factories.groups import NOW

pytestmark = pytest.mark.django_db


def totals() -> tuple[int, int]:
    """Places attended and missed, as the dashboard adds them up: the sum of the entries' quantities."""

    def total(kind: str) -> int:
        return LedgerEntry.objects.filter(kind=kind).aggregate(total=Sum("quantity"))["total"] or 0

    return total(LedgerKind.PLACE_ATTENDED), total(LedgerKind.PLACE_MISSED)


def test_attended_then_missed_then_attended_again_keeps_every_total_exact(world, session):
    place = book_place(session, acting_user=world.member, now=NOW)
    facilitator = session.group.facilitator.user
    after = session.starts_at + datetime.timedelta(hours=2)

    mark_place_attendance(place, True, acting_user=facilitator, now=after)
    assert totals() == (1, 0)
    corrected = after + datetime.timedelta(minutes=5)
    mark_place_attendance(place, False, acting_user=facilitator, now=corrected)
    assert totals() == (0, 1)
    back = after + datetime.timedelta(minutes=9)
    mark_place_attendance(place, True, acting_user=facilitator, now=back)
    assert totals() == (1, 0)
    # The same mark again changes nothing.
    mark_place_attendance(place, True, acting_user=facilitator, now=back + datetime.timedelta(minutes=1))
    assert totals() == (1, 0)

    pk = place.pk
    entries = list(
        LedgerEntry.objects.order_by("occurred_at", "source").values_list("source", "kind", "quantity", "occurred_at")
    )
    booked = [e for e in entries if e[1] == LedgerKind.PLACE_BOOKED]
    assert len(booked) == 1
    assert [e for e in entries if e[1] != LedgerKind.PLACE_BOOKED] == [
        (f"group-place:{pk}:attendance", LedgerKind.PLACE_ATTENDED, 1, after),
        (f"group-place:{pk}:attendance-correction:1:marked", LedgerKind.PLACE_MISSED, 1, corrected),
        (f"group-place:{pk}:attendance-correction:1:taken-back", LedgerKind.PLACE_ATTENDED, -1, corrected),
        (f"group-place:{pk}:attendance-correction:2:marked", LedgerKind.PLACE_ATTENDED, 1, back),
        (f"group-place:{pk}:attendance-correction:2:taken-back", LedgerKind.PLACE_MISSED, -1, back),
    ]
    session = GroupSession.objects.get(pk=session.pk)
    place.refresh_from_db()
    assert (place.status, session.places_attended, session.places_absent) == (PlaceStatus.ATTENDED, 1, 0)


def test_the_register_page_offers_the_change_and_says_it_was_corrected(client, world, session):
    place = book_place(session, acting_user=world.member, now=NOW)
    started = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=30)
    GroupSession.objects.filter(pk=session.pk).update(starts_at=started, ends_at=started + datetime.timedelta(hours=2))
    client.force_login(session.group.facilitator.user)
    url = reverse("group_register", args=[session.pk])

    client.post(url, {"place": place.pk, "attended": "yes"})
    page = client.get(url)
    body = page.content.decode()
    assert "Sam marked attended." in body
    assert "Change to absent" in body and "Change to attended" not in body

    client.post(url, {"place": place.pk, "attended": "no"})
    body = client.get(url).content.decode()
    assert "Sam changed to absent." in body
    assert "Change to attended" in body and "Change to absent" not in body
    place.refresh_from_db()
    assert place.status == PlaceStatus.ABSENT
    assert totals() == (0, 1)


def missed_messages(place) -> list[tuple[str, str]]:
    rows = Notification.objects.filter(kind=GroupNotificationKind.MISSED_SESSION, recipient=place.user)
    return list(rows.order_by("pk").values_list("idempotency_key", "status"))


def test_absent_corrected_to_attended_withdraws_the_missed_message_not_yet_sent(world, session):
    place = book_place(session, acting_user=world.member, now=NOW)
    facilitator = session.group.facilitator.user
    after = session.starts_at + datetime.timedelta(hours=2)
    mark_place_attendance(place, False, acting_user=facilitator, now=after)
    key = f"group-place:{place.pk}:missed"
    assert missed_messages(place) == [(key, NotificationStatus.PENDING)]

    mark_place_attendance(place, True, acting_user=facilitator, now=after + datetime.timedelta(minutes=5))
    assert missed_messages(place) == [(key, NotificationStatus.CANCELLED)]
    (withdrawn,) = Notification.objects.filter(kind=GroupNotificationKind.MISSED_SESSION)
    assert deliver_notification(withdrawn.pk) == DeliveryOutcome.NOT_CLAIMED and mail.outbox == []

    # Marked absent again after all: the message is queued afresh, once.
    mark_place_attendance(place, False, acting_user=facilitator, now=after + datetime.timedelta(minutes=9))
    assert missed_messages(place) == [(key, NotificationStatus.CANCELLED), (f"{key}:1", NotificationStatus.PENDING)]


def test_a_missed_message_already_sent_stays_sent_and_nothing_more_is_said(world, session):
    place = book_place(session, acting_user=world.member, now=NOW)
    facilitator = session.group.facilitator.user
    after = session.starts_at + datetime.timedelta(hours=2)
    mark_place_attendance(place, False, acting_user=facilitator, now=after)
    (message,) = Notification.objects.filter(kind=GroupNotificationKind.MISSED_SESSION)
    assert deliver_notification(message.pk) == DeliveryOutcome.SENT
    assert len(mail.outbox) == 1
    messages_before = Notification.objects.filter(recipient=place.user).count()

    mark_place_attendance(place, True, acting_user=facilitator, now=after + datetime.timedelta(minutes=5))
    mark_place_attendance(place, False, acting_user=facilitator, now=after + datetime.timedelta(minutes=9))
    key = f"group-place:{place.pk}:missed"
    assert missed_messages(place) == [(key, NotificationStatus.SENT)]
    # No apology, no second "we missed you": nothing new for this person at all.
    assert Notification.objects.filter(recipient=place.user).count() == messages_before
    assert len(mail.outbox) == 1
