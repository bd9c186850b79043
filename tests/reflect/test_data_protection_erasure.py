"""Erasure: nothing that identifies the person is left anywhere in the database, and no total moves."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client

from reflect.data_protection.erasure import erase_account
from reflect.data_protection.registry import erasure_blockers
from reflect.errors import DomainError
from reflect.models import AuditEvent, ContactPreferences, Invitation, LedgerEntry, Membership, Notification, User
from reflect.notification_kinds import NotificationKind
from reflect.services.audit import record_audit
from reflect.services.notifications import queue_notification
from reflect.services.organisations import invite_staff
from scheduling.groups.attendance import mark_place_attendance
from scheduling.groups.places import book_place
from scheduling.groups.waitlist import join_waitlist
from scheduling.models import DateOverride, Place, PlaceStatus, WaitlistEntry, WaitlistStatus, WeeklyRule
from scheduling.notification_kinds import GroupNotificationKind
from supervision.models import NeedsAssessment, QuestionBankVersion, SupervisorProfile
from tests.factories.core import UserFactory, give_two_factor, staff_of
from tests.factories.groups import NOW, make_group
from tests.factories.supervision import SupervisionAgreementFactory, SupervisionRequestFactory, SupervisorProfileFactory

pytestmark = pytest.mark.django_db

EMAIL = "ottoline.q@example.net"
PHONE = "07700 900123"
ADDRESS = "12 Marsh Lane\nLeeds LS9 8AB"
REGISTRATION = "PYL123987"
IDENTIFYING = [EMAIL, "Ottoline", "Quarrington", PHONE, "12 Marsh Lane", "LS9 8AB", REGISTRATION]
# After the first session (11 November 2026, which she attended), before the second (9 December).
ERASED_AT = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)


def database_dump() -> str:
    """Every row of every table, as text."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 (names from introspection)
            lines.extend(row[0] for row in cursor.fetchall())
    return "\n".join(lines)


def found_in_dump() -> list[str]:
    dump = database_dump().lower()
    return [text for text in IDENTIFYING if text.lower() in dump]


def ledger_totals(before: datetime.datetime | None = None) -> Counter:
    entries = LedgerEntry.objects.all()
    if before is not None:
        entries = entries.filter(occurred_at__lt=before)
    totals: Counter = Counter()
    for kind, quantity, hours in entries.values_list("kind", "quantity", "hours"):
        totals[(kind, "quantity")] += quantity
        totals[(kind, "hours")] += hours
    return totals


@pytest.fixture
def ottoline(world) -> User:
    """A lead (with a co-lead), staff in a reflective group, a supervisor, and a questionnaire taker."""
    user = staff_of(world.organisation, lead=True, first_name="Ottoline", last_name="Quarrington", email=EMAIL)
    ContactPreferences.objects.create(user=user, phone=PHONE, postal_address=ADDRESS)
    give_two_factor(user)
    Client().force_login(user)  # a session row
    return user


@pytest.fixture
def her_world(world, ottoline):
    group = make_group(world, capacity=1, booking_opens_days=60)
    first, second = group.sessions.order_by("starts_at")[:2]
    attended = book_place(first, acting_user=ottoline, now=NOW)
    mark_place_attendance(attended, True, acting_user=group.facilitator.user, now=first.ends_at)
    future = book_place(second, acting_user=ottoline, now=NOW)
    waiting = join_waitlist(second, acting_user=world.colleague, now=NOW)
    invite_staff(world.organisation, "new.person@example.org", acting_user=ottoline)
    queue_notification(
        None,
        NotificationKind.INVITATION,
        key="invitation:before-she-joined",
        email=EMAIL,
        context={"invited_by": "Leila Example", "target": "Harehills Drama", "greeting": "Dear Ottoline"},
    )
    Invitation.objects.create(
        kind="organisation_staff",
        email=EMAIL,
        organisation=world.organisation,
        token_hash="x" * 64,
        expires_at=NOW,
        accepted_at=NOW,
        accepted_by=ottoline,
    )
    queue_notification(
        ottoline,
        NotificationKind.ACCOUNT_MESSAGE,
        key="account:reset:1",
        email=EMAIL,
        secret_context={"subject": "Reset", "text": "Hello Ottoline, reset your password", "html": ""},
    )
    profile = SupervisorProfileFactory(
        user=ottoline, registration_number=REGISTRATION, bio="Ottoline trained in Leeds.", in_person_areas=["LS9"]
    )
    WeeklyRule.objects.create(supervisor=profile, weekday=1, start=datetime.time(10), end=datetime.time(12))
    DateOverride.objects.create(supervisor=profile, date=datetime.date(2026, 12, 1), note="Ottoline's conference")
    other_supervisor = SupervisorProfileFactory()
    SupervisionRequestFactory(
        organisation=world.organisation,
        supervisor=other_supervisor,
        pool=world.pool,
        requested_by=ottoline,
        hours_per_month=1,
        starts_on=datetime.date(2026, 12, 1),
        review_on=datetime.date(2027, 3, 1),
        message="Hello, Ottoline here: we run drama groups.",
    )
    version = QuestionBankVersion.objects.order_by("number").first()
    NeedsAssessment.objects.create(version=version, owner=ottoline, organisation_name="Ottoline's own group")
    NeedsAssessment.objects.create(
        version=version, owner=ottoline, organisation=world.organisation, about="Ottoline Quarrington leads it."
    )
    record_audit(
        "supervisor_profile.verified",
        actor=None,
        target=profile,
        note="Found Ottoline Quarrington on the HCPC register",
    )
    admin = UserFactory(is_staff=True)
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(ottoline.pk),
        object_repr=str(ottoline),
        action_flag=CHANGE,
        change_message=f"Changed the address to {EMAIL}.",
    )
    return {"attended": attended, "future": future, "waiting": waiting, "second": second}


def test_before_erasure_the_dump_holds_every_identifying_string(her_world):
    # The control: the search below would find them if they were left anywhere.
    assert found_in_dump() == IDENTIFYING


def test_erasure_leaves_no_identifying_string_anywhere_in_the_database(ottoline, her_world):
    assert erase_account(ottoline, acting_user=ottoline, now=ERASED_AT) is True
    assert found_in_dump() == []


def test_erasure_leaves_the_totals_as_they_were_and_releases_the_future_place(world, ottoline, her_world):
    before = ledger_totals()
    count_before = LedgerEntry.objects.count()
    erase_account(ottoline, acting_user=ottoline, now=ERASED_AT)
    # Everything counted before is still counted, to the hour.
    assert ledger_totals(before=ERASED_AT) == before
    # The only new facts are her future place given up and offered to the person waiting.
    new = LedgerEntry.objects.order_by("pk")[count_before:]
    assert [(e.kind, e.quantity, e.occurred_at) for e in new] == [
        ("place_cancelled", 1, ERASED_AT),
        ("waitlist_offered", 1, ERASED_AT),
    ]
    attended, future, waiting = (Place.objects.get(pk=her_world["attended"].pk), Place.objects.get(pk=her_world["future"].pk), WaitlistEntry.objects.get(pk=her_world["waiting"].pk))  # fmt: skip
    assert (attended.status, attended.user_id) == (PlaceStatus.ATTENDED, ottoline.pk)
    assert future.status == PlaceStatus.CANCELLED
    assert waiting.status == WaitlistStatus.OFFERED
    assert Notification.objects.filter(recipient=world.colleague, kind=GroupNotificationKind.PLACE_OFFERED).count() == 1


def test_the_account_is_anonymised_and_its_sign_in_records_are_gone(world, ottoline, her_world):
    erase_account(ottoline, acting_user=ottoline, now=ERASED_AT)
    user = User.objects.get(pk=ottoline.pk)
    assert (user.email, user.first_name, user.last_name, user.is_active, user.has_usable_password()) == (
        f"erased-{user.pk}@erased.invalid",
        "",
        "",
        False,
        False,
    )
    assert (user.erased_at, user.display_name) == (ERASED_AT, f"Erased account {user.pk}")
    assert list(Membership.objects.filter(user=user).values_list("left_at", flat=True)) == [ERASED_AT]
    assert not ContactPreferences.objects.filter(user=user).exists()
    assert user.emailaddress_set.count() == 0
    assert not NeedsAssessment.objects.filter(organisation__isnull=True).exists()
    assert NeedsAssessment.objects.filter(organisation=world.organisation).count() == 1
    profile = SupervisorProfile.objects.get(user=user)
    assert (profile.registration_number, profile.bio, profile.is_listed) == ("", "", False)
    assert WeeklyRule.objects.count() == 0
    # The audit row says it happened, about an opaque id, with counts and no names.
    event = AuditEvent.objects.get(action="account.erased")
    assert (event.actor_id, event.target, event.details) == (
        user.pk,
        f"reflect.user:{user.pk}",
        {
            "reason": "request",
            "memberships_ended": 1,
            # an invitation, a reset e-mail, a confirmation and the place's calendar cancellation
            # (queued as the place is given up, withdrawn unsent with the rest): unsent in tests
            "notifications_cancelled": 4,
            "places_cancelled": 1,
            "questionnaires_deleted": 1,
        },
    )


def test_a_second_erasure_is_harmless(ottoline, her_world):
    assert erase_account(ottoline, acting_user=ottoline, now=ERASED_AT) is True
    assert erase_account(ottoline, acting_user=ottoline, now=ERASED_AT) is False
    assert AuditEvent.objects.filter(action="account.erased").count() == 1


def test_the_last_lead_is_asked_to_hand_the_role_on_first_and_nothing_changes(world):
    blockers = erasure_blockers(world.lead)
    assert [(b.message, b.link) for b in blockers] == [
        (
            "You are the only lead of Harehills Drama. Hand the lead role to a colleague first, so that the "
            "organisation is not left without one.",
            f"/organisations/{world.organisation.pk}/hand-on-lead/",
        )
    ]
    with pytest.raises(DomainError):
        erase_account(world.lead, acting_user=world.lead)
    lead = User.objects.get(pk=world.lead.pk)
    assert (lead.erased_at, lead.first_name, Membership.objects.get(user=lead).left_at) == (None, "Leila", None)


def test_a_supervisor_with_running_agreements_or_groups_to_facilitate_is_asked_to_hand_them_on(world):
    from django.utils import timezone

    profile = SupervisorProfileFactory()
    SupervisionAgreementFactory(organisation=world.organisation, supervisor=profile, pool=world.pool, hours_per_month=2)
    make_group(world, facilitator=profile, now=timezone.now(), first_date=timezone.localdate())
    assert [(b.message, b.link) for b in erasure_blockers(profile.user)] == [
        ("You supervise under 1 agreement still running. Give notice to end it first.", "/supervisor/agreements/"),
        (
            "You facilitate “Leeds reflective practice”, which has sessions to come. Ask the pool's "
            "commissioner to choose another facilitator first.",
            "",
        ),
    ]
    with pytest.raises(DomainError):
        erase_account(profile.user, acting_user=profile.user)
    assert SupervisorProfile.objects.get(pk=profile.pk).registration_number == profile.registration_number
