"""Retention with time travel: each function takes ``now``; the periods come from the settings."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.urls import reverse

from reflect.data_protection.retention import (
    anonymise_people_who_left,
    departed_people,
    drop_old_audit_events,
    drop_old_notification_bodies,
)
from reflect.data_protection.tasks import (
    task_anonymise_people_who_left,
    task_drop_old_audit_events,
    task_drop_old_notification_bodies,
)
from reflect.enums import NotificationStatus
from reflect.models import AuditEvent, Membership, Notification, User
from reflect.notification_kinds import NotificationKind
from reflect.services.audit import record_audit
from tests.factories.core import MembershipFactory, UserFactory, make_commissioner
from tests.factories.supervision import SupervisorProfileFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2029, 6, 1, 12, 0, tzinfo=datetime.UTC)


def left(months: int, **user_fields) -> User:
    membership = MembershipFactory(**{f"user__{k}": v for k, v in user_fields.items()})
    Membership.objects.filter(pk=membership.pk).update(left_at=NOW - relativedelta(months=months))
    return membership.user


def test_people_who_left_all_their_organisations_long_ago_are_anonymised(world):
    gone = left(25, first_name="Gwen")
    recent = left(23, first_name="Rhys")
    still_elsewhere = left(25, first_name="Ianto")
    MembershipFactory(user=still_elsewhere)
    signed_in_since = left(25, first_name="Tosh", last_login=NOW - relativedelta(months=1))
    commissioner = make_commissioner(world.pool, left(25, first_name="Jack"))
    supervisor = SupervisorProfileFactory(user=left(25, first_name="Owen")).user
    assert departed_people(NOW) == [gone.pk]
    assert anonymise_people_who_left(now=NOW) == 1
    assert [u.first_name for u in User.objects.filter(erased_at=NOW)] == [""]
    assert User.objects.get(pk=gone.pk).email == f"erased-{gone.pk}@erased.invalid"
    kept = [recent, still_elsewhere, signed_in_since, commissioner, supervisor]
    assert [User.objects.get(pk=u.pk).first_name for u in kept] == ["Rhys", "Ianto", "Tosh", "Jack", "Owen"]
    event = AuditEvent.objects.get(action="account.erased")
    assert (event.actor_id, event.details["reason"]) == (None, "retention")
    # A second run finds nobody new.
    assert anonymise_people_who_left(now=NOW) == 0


def test_the_period_is_a_setting(settings):
    settings.RETENTION_LEFT_MONTHS = 12
    recent = left(13)
    assert departed_people(NOW) == [recent.pk]
    settings.RETENTION_LEFT_MONTHS = 24
    assert departed_people(NOW) == []


def test_time_travel_the_same_person_goes_once_the_period_has_passed():
    person = left(0)
    assert departed_people(NOW + relativedelta(months=23)) == []
    assert departed_people(NOW + relativedelta(months=24, days=1)) == [person.pk]


def notification(key: str, status: str, when: datetime.datetime, user: User) -> Notification:
    row = Notification.objects.create(
        recipient=user,
        kind=NotificationKind.ACCOUNT_MESSAGE,
        idempotency_key=key,
        due_at=when,
        status=status,
        sent_at=when if status == NotificationStatus.SENT else None,
        context={"title": "Leeds reflective practice"},
        secret_context={"url": "https://reflect.test/secret-link"},
        ics="BEGIN:VCALENDAR",
    )
    return row


def test_old_messages_keep_only_the_fact_of_sending():
    user = UserFactory()
    cutoff = NOW - datetime.timedelta(days=90)
    old_sent = notification("old-sent", NotificationStatus.SENT, cutoff - datetime.timedelta(hours=1), user)
    new_sent = notification("new-sent", NotificationStatus.SENT, cutoff + datetime.timedelta(hours=1), user)
    old_failed = notification("old-failed", NotificationStatus.FAILED, cutoff - datetime.timedelta(days=1), user)
    old_pending = notification("old-pending", NotificationStatus.PENDING, cutoff - datetime.timedelta(days=1), user)
    assert drop_old_notification_bodies(now=NOW) == 2
    rows = {n.idempotency_key: n for n in Notification.objects.all()}
    for row in (old_sent, old_failed):
        kept = rows[row.idempotency_key]
        assert (kept.context, kept.secret_context, kept.ics) == ({}, {}, "")
        assert (kept.status, kept.sent_at, kept.recipient_id, kept.kind) == (
            row.status,
            row.sent_at,
            user.pk,
            NotificationKind.ACCOUNT_MESSAGE,
        )
    for row in (new_sent, old_pending):
        assert rows[row.idempotency_key].context == {"title": "Leeds reflective practice"}
    assert drop_old_notification_bodies(now=NOW) == 0


def test_the_audit_log_follows_its_own_retention_period(settings):
    old = record_audit("pool.created", actor=None)
    new = record_audit("pool.created", actor=None)
    AuditEvent.objects.filter(pk=old.pk).update(occurred_at=NOW - relativedelta(months=72, days=1))
    AuditEvent.objects.filter(pk=new.pk).update(occurred_at=NOW - relativedelta(months=71))
    assert drop_old_audit_events(now=NOW) == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [new.pk]
    settings.AUDIT_RETENTION_MONTHS = 12
    assert drop_old_audit_events(now=NOW) == 1


def test_the_address_of_someone_invited_who_never_joined_goes_after_the_period(world):
    from reflect.data_protection.retention import REMOVED_ADDRESS, forget_unanswered_invitations
    from reflect.models import Invitation
    from reflect.services.organisations import invite_staff

    def invite(email: str, expired_days_ago: int, **fields) -> Invitation:
        invitation = invite_staff(world.organisation, email, acting_user=world.lead)
        Notification.objects.filter(about=f"reflect.invitation:{invitation.pk}").update(
            status=NotificationStatus.SENT, sent_at=NOW - datetime.timedelta(days=100)
        )
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=NOW - datetime.timedelta(days=expired_days_ago), **fields
        )
        return invitation

    never = invite("never.joined@example.org", 91)
    recent = invite("recently.invited@example.org", 89)
    joined = invite("joined@example.org", 91, accepted_at=NOW - datetime.timedelta(days=200))
    assert forget_unanswered_invitations(now=NOW) == 1
    emails = dict(Invitation.objects.values_list("pk", "email"))
    assert [emails[i.pk] for i in (never, recent, joined)] == [
        REMOVED_ADDRESS,
        "recently.invited@example.org",
        "joined@example.org",
    ]
    message = Notification.objects.get(about=f"reflect.invitation:{never.pk}")
    assert message.recipient_email == REMOVED_ADDRESS
    assert forget_unanswered_invitations(now=NOW) == 0


def test_the_tasks_are_scheduled_daily_and_run():
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "reflect.anonymise_people_who_left",
        "reflect.drop_old_notification_bodies",
        "reflect.drop_old_audit_events",
        "reflect.forget_unanswered_invitations",
    } <= names
    assert task_anonymise_people_who_left.delay().get() == 0
    assert task_drop_old_notification_bodies.delay().get() == 0
    assert task_drop_old_audit_events.delay().get() == 0
    # …and a task does its work: an audit row past the period goes (the body returns a count,
    # not a constant).
    from django.utils import timezone

    old = record_audit("pool.created", actor=None)
    AuditEvent.objects.filter(pk=old.pk).update(occurred_at=timezone.now() - relativedelta(months=73))
    assert task_drop_old_audit_events.delay().get() == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_the_privacy_page_states_the_periods_from_the_settings(client, settings):
    page = client.get(reverse("privacy")).content.decode()
    assert "not signed in for 24 months (2 years)" in page
    assert "90 days after they were sent" in page
    assert "The audit log: 72 months (6 years)" in page
    settings.RETENTION_LEFT_MONTHS = 18
    settings.NOTIFICATION_BODY_RETENTION_DAYS = 30
    settings.AUDIT_RETENTION_MONTHS = 84
    page = client.get(reverse("privacy")).content.decode()
    assert "not signed in for 18 months," in page
    assert "30 days after they were sent" in page
    assert "The audit log: 84 months (7 years)" in page


def test_the_privacy_page_words_the_webhook_retention_through_wording(client, settings):
    assert "(webhooks), which may name the staff booked into a supervision session: 30 days after it was delivered" in (
        client.get(reverse("privacy")).content.decode()
    )
    settings.WEBHOOK_PAYLOAD_RETENTION_DAYS = 1
    assert "1 day after it was delivered (or failed)" in client.get(reverse("privacy")).content.decode()
