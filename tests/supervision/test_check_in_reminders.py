"""Check-ins reach people by their chosen channel (issue 18): when a review date comes, the daily
task queues one message per person who may check in and has not, with a link that works for
them, and never anything they answered."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reflect.enums import Channel
from reflect.models import Notification
from reflect.services.notifications import DeliveryOutcome, deliver_notification
from reflect.services.preferences import update_preferences
from supervision.services.check_ins import queue_check_in_reminders, record_check_in
from supervision.tasks import task_queue_check_in_reminders
from tests.factories.core import signed_in
from tests.factories.supervision import SupervisionAgreementFactory
from tests.reflect.test_notifications_notify import notify  # noqa: F401  (the GOV.UK Notify stand-in)

pytestmark = pytest.mark.django_db

KIND = "supervision_check_in_due"


def _agreement(world, review_on):
    return SupervisionAgreementFactory(
        organisation=world.organisation,
        supervisor__user__first_name="Ruth",
        supervisor__user__last_name="Okafor",
        pool=world.pool,
        hours_per_month=Decimal("1.5"),
        starts_on=review_on - datetime.timedelta(days=90),
        review_on=review_on,
    )


def queued() -> list[tuple[str, str, str]]:
    return sorted(
        (n.recipient.first_name, n.context["other_side"], n.context["url"])
        for n in Notification.objects.filter(kind=KIND).select_related("recipient")
    )


def test_a_due_check_in_is_queued_once_for_each_person_who_has_not_answered(world):
    today = timezone.localdate()
    due = _agreement(world, today)
    _agreement(world, today + datetime.timedelta(days=1))  # not yet
    _agreement(world, today - datetime.timedelta(days=40))  # long past: left to the home page
    record_check_in(due, acting_user=world.colleague, normative=3, formative=3, restorative=3)

    queue_check_in_reminders()
    url = settings.SITE_URL + reverse("agreement_check_in", args=[due.pk])
    assert queued() == [
        ("Leila", "Ruth Okafor", url),
        ("Ruth", "Harehills Drama", url),
        ("Sam", "Ruth Okafor", url),
    ]
    # A second run (or the task itself) queues nothing more.
    assert task_queue_check_in_reminders() == 3
    assert Notification.objects.filter(kind=KIND).count() == 3


def test_the_link_opens_the_check_in_for_each_person(client, world):
    due = _agreement(world, timezone.localdate())
    queue_check_in_reminders()
    for notification in Notification.objects.filter(kind=KIND).select_related("recipient"):
        signed_in(client, notification.recipient)
        page = client.get(notification.context["url"].removeprefix(settings.SITE_URL))
        assert page.status_code == 200, notification.recipient
        assert page.context["agreement"] == due


def test_the_message_goes_by_text_to_someone_who_chose_texts_and_holds_no_answers(world, notify):  # noqa: F811
    due = _agreement(world, timezone.localdate())
    update_preferences(world.member, channel=Channel.SMS, phone="07700 900123")
    record_check_in(due, acting_user=world.lead, normative=1, formative=2, restorative=4)
    queue_check_in_reminders()
    to_member = Notification.objects.get(kind=KIND, recipient=world.member)
    # Texts wait for daytime: deliver at noon tomorrow (after the row fell due, whatever the hour now).
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    noon = datetime.datetime.combine(tomorrow, datetime.time(12), tzinfo=datetime.UTC)
    assert deliver_notification(to_member.pk, now=noon) == DeliveryOutcome.SENT
    [request] = notify.requests
    url = settings.SITE_URL + reverse("agreement_check_in", args=[due.pk])
    assert request["path"] == "/v2/notifications/sms"
    assert request["body"]["personalisation"] == {
        "message": "Reflect: supervision with Ruth Okafor has reached its review date. Three optional questions "
        f"on how it is going: {url}"
    }
    # The supervisor's comes by e-mail, their default, and says nothing anyone answered.
    to_supervisor = Notification.objects.get(kind=KIND, recipient=due.supervisor.user)
    assert deliver_notification(to_supervisor.pk, now=noon) == DeliveryOutcome.SENT
    [email] = mail.outbox
    assert email.subject == "How is supervision with Harehills Drama going? Three quick questions"
    assert url in email.body
    assert "Leila" not in email.body and not Notification.objects.filter(kind=KIND, recipient=world.lead).exists()
