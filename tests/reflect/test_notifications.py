"""The outbox in one process: queueing, claiming, channels, quiet hours, the sweep."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from reflect.enums import Channel, InvitationKind, NotificationStatus
from reflect.models import Invitation, Notification
from reflect.notification_kinds import NotificationKind
from reflect.services.invitations import create_invitation, revoke_invitation
from reflect.services.notifications import (
    DeliveryOutcome,
    deliver_notification,
    queue_notification,
    quiet_hours_end,
    retry_failed_notifications,
    sweep_due_notifications,
)
from reflect.services.preferences import update_preferences
from reflect.tasks import task_dispatch_notification
from tests.conftest import requires_postgresql
from tests.invitation_mail import invitation_in, received

UTC = datetime.UTC


def reminder_context() -> dict[str, str]:
    return {"title": "Reflective practice group", "when": "Thursday 10 December 2026, 14:00", "where": "", "url": ""}


def test_the_outbox_row_commits_with_the_invitation_and_is_sent_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        invitation, token = create_invitation(
            InvitationKind.ORGANISATION_STAFF,
            "New.Person@Example.org",
            acting_user=world.lead,
            organisation=world.organisation,
        )
        # Nothing is sent inside the transaction.
        assert mail.outbox == []

    assert len(callbacks) == 1
    notification = Notification.objects.get()
    assert notification.idempotency_key == f"invitation:{invitation.pk}"
    assert notification.status == NotificationStatus.SENT
    assert notification.channel == Channel.EMAIL
    assert notification.attempts == 1
    # The link carries the raw token: it is wiped once the e-mail has gone.
    assert notification.secret_context == {}
    assert [message.to for message in mail.outbox] == [["new.person@example.org"]]
    message = mail.outbox[0]
    assert message.subject == "You are invited to join Harehills Drama on Reflect"
    assert f"http://127.0.0.1:8000/invitations/{token}/" in message.body
    assert message.body.startswith("Hello,\n\nLeila Example has invited you to join Harehills Drama on Reflect,")
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["Message-ID"] == f"<notification-{notification.pk}@127.0.0.1>"


def test_a_rolled_back_change_leaves_no_outbox_row(world, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        create_invitation(
            InvitationKind.ORGANISATION_STAFF,
            "someone@example.org",
            acting_user=world.lead,
            organisation=world.organisation,
        )
        raise RuntimeError("the use case failed after queueing")
    assert Invitation.objects.count() == 0
    assert Notification.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


def test_queueing_twice_with_one_key_gives_one_row(world):
    first = queue_notification(world.member, NotificationKind.REMINDER, key="reminder:x:1", context=reminder_context())
    second = queue_notification(
        world.member, NotificationKind.REMINDER, key="reminder:x:1", context={"title": "Something else"}
    )
    assert second.pk == first.pk
    assert Notification.objects.get().context == reminder_context()


def test_an_unknown_kind_is_refused_at_once(world):
    with pytest.raises(LookupError):
        queue_notification(world.member, "no_such_kind", key="k")


def test_the_same_dispatch_run_twice_sends_one_message(world):
    notification = queue_notification(world.member, NotificationKind.REMINDER, key="r1", context=reminder_context())
    assert task_dispatch_notification.apply(args=[notification.pk]).get() == "sent"
    assert task_dispatch_notification.apply(args=[notification.pk]).get() == "not claimed"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reminder: Reflective practice group, Thursday 10 December 2026, 14:00"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)


def test_a_task_for_a_row_that_is_gone_returns_quietly(db):
    assert task_dispatch_notification.apply(args=[987654]).get() == "not claimed"


def test_a_row_not_yet_due_is_not_sent(world):
    later = timezone.now() + datetime.timedelta(hours=1)
    notification = queue_notification(world.member, NotificationKind.REMINDER, key="r", due_at=later, context={})
    assert deliver_notification(notification.pk) == DeliveryOutcome.NOT_CLAIMED
    assert mail.outbox == []
    assert deliver_notification(notification.pk, now=later) == DeliveryOutcome.SENT
    assert len(mail.outbox) == 1


def test_the_sweep_sends_due_rows_whose_dispatch_was_lost(world, django_capture_on_commit_callbacks):
    # Queued due now, but its after-commit dispatch never ran (the process died, or Redis
    # was down): only the sweep can send it.
    lost = queue_notification(world.member, NotificationKind.REMINDER, key="a", context=reminder_context())
    later = queue_notification(
        world.member, NotificationKind.REMINDER, key="b", due_at=timezone.now() + datetime.timedelta(days=1), context={}
    )
    Notification.objects.filter(pk=lost.pk).update(dispatched_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_due_notifications() == [lost.pk]
    # In eager mode the sweep's dispatch runs here; with a worker it would run there.
    lost.refresh_from_db()
    later.refresh_from_db()
    assert (lost.status, later.status) == (NotificationStatus.SENT, NotificationStatus.PENDING)
    assert len(mail.outbox) == 1


def test_the_sweep_leaves_a_just_published_row_to_its_task(world):
    notification = queue_notification(world.member, NotificationKind.REMINDER, key="a", context={})
    assert notification.dispatched_at is not None
    assert sweep_due_notifications() == []
    assert sweep_due_notifications(now=timezone.now() + datetime.timedelta(minutes=3)) == [notification.pk]


def test_the_sweep_hands_back_a_row_whose_worker_died(world, settings):
    notification = queue_notification(world.member, NotificationKind.REMINDER, key="a", context={})
    claimed_at = timezone.now() - datetime.timedelta(minutes=11)
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENDING, claimed_at=claimed_at, attempts=1
    )
    assert sweep_due_notifications() == [notification.pk]
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.last_error == "The worker sending it stopped before recording the result; sending again."
    assert deliver_notification(notification.pk) == DeliveryOutcome.SENT
    assert len(mail.outbox) == 1


def test_a_row_sending_within_the_timeout_is_left_alone(world):
    notification = queue_notification(world.member, NotificationKind.REMINDER, key="a", context={})
    Notification.objects.filter(pk=notification.pk).update(status=NotificationStatus.SENDING, claimed_at=timezone.now())
    assert sweep_due_notifications(now=timezone.now() + datetime.timedelta(minutes=3)) == []
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENDING


def test_withdrawing_an_invitation_cancels_its_unsent_e_mail(world):
    with transaction.atomic():
        invitation, _ = create_invitation(
            InvitationKind.ORGANISATION_STAFF, "x@example.org", acting_user=world.lead, organisation=world.organisation
        )
    revoke_invitation(invitation, acting_user=world.lead)
    notification = Notification.objects.get()
    assert (notification.status, notification.secret_context) == (NotificationStatus.CANCELLED, {})
    assert deliver_notification(notification.pk) == DeliveryOutcome.NOT_CLAIMED
    assert mail.outbox == []


# --- Channels and fallback ---------------------------------------------------------------


def test_a_text_message_preference_without_a_notify_key_falls_back_to_e_mail(world, settings):
    settings.NOTIFY_API_KEY = ""
    update_preferences(world.member, channel=Channel.SMS, phone="07700900123")
    noon = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    notification = queue_notification(
        world.member, NotificationKind.REMINDER, key="r", due_at=noon, context=reminder_context()
    )
    assert deliver_notification(notification.pk, now=noon) == DeliveryOutcome.SENT
    notification.refresh_from_db()
    assert notification.channel == Channel.EMAIL
    assert (
        notification.fallback_reason == "No GOV.UK Notify key or text-message template is configured — sent by e-mail."
    )
    assert [message.to for message in mail.outbox] == [[world.member.email]]


def test_a_text_message_preference_without_a_number_falls_back_to_e_mail(world, settings):
    settings.NOTIFY_API_KEY = "test-" + "1" * 36 + "-" + "2" * 36
    settings.NOTIFY_SMS_TEMPLATE_ID = "3" * 36
    update_preferences(world.member, channel=Channel.SMS, phone="")
    noon = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    notification = queue_notification(world.member, NotificationKind.REMINDER, key="r", due_at=noon, context={})
    assert deliver_notification(notification.pk, now=noon) == DeliveryOutcome.SENT
    notification.refresh_from_db()
    assert (notification.channel, notification.fallback_reason) == (
        Channel.EMAIL,
        "No mobile number is on file — sent by e-mail.",
    )


def test_a_letter_preference_with_a_short_address_falls_back_to_e_mail(world, settings):
    settings.NOTIFY_API_KEY = "test-" + "1" * 36 + "-" + "2" * 36
    settings.NOTIFY_LETTER_TEMPLATE_ID = "4" * 36
    update_preferences(world.member, channel=Channel.LETTER, postal_address="1 High Street")
    notification = queue_notification(world.member, NotificationKind.REMINDER, key="r", context={})
    assert deliver_notification(notification.pk) == DeliveryOutcome.SENT
    notification.refresh_from_db()
    assert (
        notification.fallback_reason
        == "The postal address has fewer than the three lines a letter needs — sent by e-mail."
    )


def test_a_person_with_no_usable_channel_fails_visibly_without_crashing(world, settings):
    settings.NOTIFY_API_KEY = ""
    world.member.email = ""
    world.member.save()
    update_preferences(world.member, channel=Channel.SMS, phone="07700900123")
    notification = queue_notification(world.member, NotificationKind.REMINDER, key="r", context={})
    assert deliver_notification(notification.pk) == DeliveryOutcome.FAILED
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert notification.last_error == (
        "No GOV.UK Notify key or text-message template is configured, and there is no e-mail address to fall back to."
    )
    assert mail.outbox == []


def test_invitations_go_by_e_mail_whatever_the_preference(world, settings):
    settings.NOTIFY_API_KEY = ""
    update_preferences(world.member, channel=Channel.LETTER, postal_address="1 High St\nLeeds\nLS1 1AA")
    notification = queue_notification(
        world.member,
        NotificationKind.INVITATION,
        key="i",
        context={"target": "Leeds pool"},
        secret_context={"url": "u"},
    )
    assert deliver_notification(notification.pk) == DeliveryOutcome.SENT
    notification.refresh_from_db()
    assert (notification.channel, notification.fallback_reason) == (Channel.EMAIL, "")


def test_an_invitation_goes_inline_with_its_method_and_as_a_file(world):
    ics = (
        "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:u\r\n"
        'ORGANIZER;CN="Ann Carter":mailto:ann@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
    )
    notification = queue_notification(world.member, NotificationKind.REMINDER, key="r", context={}, ics=ics)
    deliver_notification(notification.pk)
    invitation = invitation_in(mail.outbox[0])
    # Outlook files it as a meeting request only when the method is on the inline part.
    assert (invitation.method, invitation.text, invitation.attached) == ("REQUEST", ics, ics)
    assert invitation.mail["Reply-To"] == "Ann Carter <ann@example.org>"
    parts = [part.get_content_type() for part in invitation.mail.walk()]
    assert parts == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
        "application/ics",
    ]


def test_a_cancellation_says_cancel_and_a_plain_file_is_plain(world):
    cancel = "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n"
    plain = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    for key, ics in (("c", cancel), ("p", plain)):
        notification = queue_notification(world.member, NotificationKind.REMINDER, key=key, context={}, ics=ics)
        deliver_notification(notification.pk)
    invitation = invitation_in(mail.outbox[0])
    assert (invitation.method, invitation.text, invitation.mail["Reply-To"]) == ("CANCEL", cancel, None)
    assert mail.outbox[1].attachments == [("booking.ics", plain, "text/calendar")]
    assert [part.get_content_type() for part in received(mail.outbox[1]).walk() if not part.is_multipart()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]


def test_a_failed_notification_can_be_sent_again(world, django_capture_on_commit_callbacks):
    notification = queue_notification(world.member, NotificationKind.REMINDER, key="r", context={})
    Notification.objects.filter(pk=notification.pk).update(status=NotificationStatus.FAILED, attempts=6, last_error="x")
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_failed_notifications([notification.pk]) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)


# --- Quiet hours for text messages -------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Winter (GMT): 21:00 to 08:00 London is 21:00 to 08:00 UTC.
        (datetime.datetime(2026, 12, 1, 20, 59, tzinfo=UTC), None),
        (datetime.datetime(2026, 12, 1, 21, 0, tzinfo=UTC), datetime.datetime(2026, 12, 2, 8, 0, tzinfo=UTC)),
        (datetime.datetime(2026, 12, 2, 3, 0, tzinfo=UTC), datetime.datetime(2026, 12, 2, 8, 0, tzinfo=UTC)),
        (datetime.datetime(2026, 12, 2, 8, 0, tzinfo=UTC), None),
        # Summer (BST): 21:00 London is 20:00 UTC; 08:00 London is 07:00 UTC.
        (datetime.datetime(2027, 7, 1, 19, 59, tzinfo=UTC), None),
        (datetime.datetime(2027, 7, 1, 20, 0, tzinfo=UTC), datetime.datetime(2027, 7, 2, 7, 0, tzinfo=UTC)),
        # The night the clocks go forward: 22:00 GMT on Saturday, waits to 08:00 BST on Sunday.
        (datetime.datetime(2027, 3, 27, 22, 0, tzinfo=UTC), datetime.datetime(2027, 3, 28, 7, 0, tzinfo=UTC)),
    ],
)
def test_quiet_hours_end(moment, expected):
    assert quiet_hours_end(moment) == expected


def test_a_text_message_due_at_night_waits_until_eight(world, settings):
    settings.NOTIFY_API_KEY = "test-" + "1" * 36 + "-" + "2" * 36
    settings.NOTIFY_SMS_TEMPLATE_ID = "3" * 36
    settings.NOTIFY_BASE_URL = "http://127.0.0.1:9/"  # nothing is sent tonight, so nothing is called
    update_preferences(world.member, channel=Channel.SMS, phone="07700900123")
    night = datetime.datetime(2026, 12, 1, 22, 30, tzinfo=UTC)
    notification = queue_notification(world.member, NotificationKind.REMINDER, key="r", due_at=night, context={})
    assert deliver_notification(notification.pk, now=night) == DeliveryOutcome.DEFERRED
    notification.refresh_from_db()
    assert (notification.status, notification.due_at, notification.attempts) == (
        NotificationStatus.PENDING,
        datetime.datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
        0,
    )
    # Asked again before eight (a duplicate task, the sweep), it is still not due.
    assert deliver_notification(notification.pk, now=night + datetime.timedelta(hours=1)) == DeliveryOutcome.NOT_CLAIMED


def test_an_e_mail_is_not_held_back_by_quiet_hours(world):
    night = datetime.datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    notification = queue_notification(world.member, NotificationKind.REMINDER, key="r", due_at=night, context={})
    assert deliver_notification(notification.pk, now=night) == DeliveryOutcome.SENT


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_take_different_rows(world):
    """SKIP LOCKED: a row another sweep has locked is left to it, not queued twice."""
    import threading

    from django.db import connection as main_connection

    first = queue_notification(world.member, NotificationKind.REMINDER, key="one", context={})
    second = queue_notification(world.colleague, NotificationKind.REMINDER, key="two", context={})
    Notification.objects.update(dispatched_at=None, status=NotificationStatus.PENDING)
    locked, release = threading.Event(), threading.Event()

    def other_sweep() -> None:
        try:
            with transaction.atomic():
                list(Notification.objects.select_for_update().filter(pk=first.pk))
                locked.set()
                release.wait(10)
        finally:
            from django.db import connection

            connection.close()

    thread = threading.Thread(target=other_sweep)
    thread.start()
    try:
        assert locked.wait(10)
        assert main_connection.vendor == "postgresql"
        assert sweep_due_notifications() == [second.pk]
    finally:
        release.set()
        thread.join()
