"""What goes through the outbox: allauth's messages, the weekly summary; and the admin's view of it."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from reflect import upcoming
from reflect.enums import NotificationStatus
from reflect.models import Notification
from reflect.notification_kinds import NotificationKind, all_kinds
from reflect.services.notifications import deliver_notification, queue_notification
from reflect.services.weekly_summary import queue_weekly_summaries, week_bounds
from reflect.upcoming import UpcomingItem
from tests.factories.core import UserFactory

LONDON = ZoneInfo("Europe/London")


# --- allauth's e-mails -------------------------------------------------------------------


def test_a_password_reset_e_mail_is_queued_in_the_outbox_then_sent(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("account_reset_password"), {"email": world.member.email})
    assert response.status_code == 302
    # Queued, not sent, by the request.
    assert mail.outbox == []
    notification = Notification.objects.get()
    assert (notification.kind, notification.recipient, notification.recipient_email, notification.about) == (
        NotificationKind.ACCOUNT_MESSAGE,
        world.member,
        world.member.email,
        "account/email/password_reset_key",
    )
    assert notification.secret_context["subject"] == "Reflect: Password reset email"
    for callback in callbacks:
        callback()
    notification.refresh_from_db()
    assert (notification.status, notification.secret_context) == (NotificationStatus.SENT, {})
    [message] = mail.outbox
    assert (message.subject, message.to) == ("Reflect: Password reset email", [world.member.email])
    assert "/accounts/password/reset/key/" in message.body


def test_signing_up_queues_the_address_check(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "new.member@example.org",
                "password1": "a-long-test-password-1",
                "password2": "a-long-test-password-1",
                "first_name": "Nia",
                "last_name": "Okafor",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    notification = Notification.objects.get()
    assert (notification.kind, notification.recipient_email, notification.status) == (
        NotificationKind.ACCOUNT_MESSAGE,
        "new.member@example.org",
        NotificationStatus.SENT,
    )
    [message] = mail.outbox
    assert message.subject == "Reflect: Please confirm your email address"


# --- The weekly summary ------------------------------------------------------------------


@pytest.fixture
def sessions_this_week(world):
    """Stand in for the scheduling app: the lead has two things in the week of Monday 7 December 2026."""

    def provider(user, starts, ends):
        if user == world.lead:
            return [
                UpcomingItem(datetime.datetime(2026, 12, 10, 14, 0, tzinfo=LONDON), "Reflective practice group"),
                UpcomingItem(
                    datetime.datetime(2026, 12, 8, 10, 0, tzinfo=LONDON), "Supervision (1 hour)", "http://x/1"
                ),
                # Next week: not in this summary.
                UpcomingItem(datetime.datetime(2026, 12, 14, 10, 0, tzinfo=LONDON), "Next week"),
            ]
        return []

    upcoming.register_upcoming_items(provider)
    yield
    upcoming._item_providers.remove(provider)


def test_the_week_runs_monday_to_monday_in_london():
    assert week_bounds(datetime.date(2026, 12, 10)) == (
        datetime.datetime(2026, 12, 7, 0, 0, tzinfo=LONDON),
        datetime.datetime(2026, 12, 14, 0, 0, tzinfo=LONDON),
    )


def test_the_weekly_summary_goes_once_to_leads_with_something_on(world, sessions_this_week):
    queued = queue_weekly_summaries(datetime.date(2026, 12, 7))
    again = queue_weekly_summaries(datetime.date(2026, 12, 9))
    assert [n.pk for n in again] == [n.pk for n in queued]
    # The outsider leads another organisation but has nothing on: nothing is sent to them.
    [summary] = Notification.objects.all()
    assert (summary.recipient, summary.idempotency_key) == (world.lead, f"weekly_summary:{world.lead.pk}:2026-W50")
    assert summary.context == {
        "week_starting": "Monday 7 December 2026",
        "items": [
            {"when": "Tuesday 8 December, 10am", "title": "Supervision (1 hour)", "url": "http://x/1"},
            {"when": "Thursday 10 December, 2pm", "title": "Reflective practice group", "url": ""},
        ],
    }
    deliver_notification(summary.pk)
    [message] = mail.outbox
    assert message.subject == "Your week ahead on Reflect, from Monday 7 December 2026"
    assert "- Tuesday 8 December, 10am: Supervision (1 hour)\n  http://x/1\n" in message.body
    assert message.body.startswith("Hello Leila,\n")


def test_no_summary_when_nobody_has_anything_on(world):
    assert queue_weekly_summaries(datetime.date(2026, 12, 7)) == []


# --- The admin ---------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, db):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    return client


def test_the_preview_page_lists_every_kind(staff_client):
    response = staff_client.get(reverse("admin:reflect_notification_preview"))
    assert response.status_code == 200
    page = response.content.decode()
    for spec in all_kinds():
        assert reverse("admin:reflect_notification_preview_kind", args=[spec.code]) in page


@pytest.mark.parametrize("kind", [spec.code for spec in all_kinds()])
def test_every_kind_renders_with_sample_data(staff_client, kind):
    response = staff_client.get(reverse("admin:reflect_notification_preview_kind", args=[kind]))
    assert response.status_code == 200
    assert response.context["selected"]["message"].subject != ""
    html = staff_client.get(reverse("admin:reflect_notification_preview_kind", args=[kind]) + "?format=html")
    assert html.status_code == 200


def test_the_reminder_preview_shows_its_text(staff_client):
    response = staff_client.get(reverse("admin:reflect_notification_preview_kind", args=["reminder"]))
    assert response.context["selected"]["message"].subject == (
        "Reminder: Reflective practice group, Thursday 10 December 2026, 2pm"
    )


def test_the_preview_is_for_staff_only(client, world):
    client.force_login(world.member)
    response = client.get(reverse("admin:reflect_notification_preview"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_admin_shows_failed_notifications_with_their_reason(staff_client, world):
    failed = queue_notification(world.member, NotificationKind.REMINDER, key="f", context={})
    Notification.objects.filter(pk=failed.pk).update(
        status=NotificationStatus.FAILED, last_error="GOV.UK Notify 400: phone_number Not a UK mobile number"
    )
    queue_notification(world.colleague, NotificationKind.REMINDER, key="p", context={})
    response = staff_client.get(reverse("admin:reflect_notification_changelist") + "?status__exact=failed")
    assert response.status_code == 200
    assert [n.pk for n in response.context["cl"].result_list] == [failed.pk]
    assert "phone_number Not a UK mobile number" in response.content.decode()
