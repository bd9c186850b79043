"""Supervision bookings in a person's data: exported, and released when they erase their account."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from reflect.data_protection.erasure import erase_account
from reflect.data_protection.registry import erasure_blockers
from reflect.enums import LedgerKind
from reflect.models import LedgerEntry, Notification
from scheduling.models import BookingAttendee, BookingStatus, CalendarFeed
from scheduling.services.calendar_feed import regenerate_feed
from tests.factories.bookings import NOW, agree, book, supervisor_with_availability, utc

pytestmark = pytest.mark.django_db


def test_my_supervision_sessions_and_calendar_address_are_in_my_data(client, world):
    agreement = agree(world.pool, world.organisation, supervisor_with_availability())
    book(agreement, world.member, utc(8, 10))
    link = regenerate_feed(world.member)
    client.force_login(world.member)
    exported = client.get(reverse("my_data_export_json")).content
    document = json.loads(exported)
    sections = {s["key"]: s["rows"] for s in document["sections"]}
    assert [(r["Supervisor"], r["Starts at"], r["Status"]) for r in sections["scheduling.supervisionbooking"]] == [
        ("Ann Carter", "2027-01-08T10:00:00+00:00", "Booked")
    ]
    assert len(sections["scheduling.calendarfeed"]) == 1
    assert "token" not in json.dumps(sections["scheduling.calendarfeed"])
    assert link.token not in exported.decode()  # the secret address is not in the download
    assert link.feed.token_hash not in exported.decode()  # nor its hash


def test_erasure_cancels_a_future_one_to_one_session_and_leaves_a_group_one(world):
    one_to_one = agree(world.pool, world.organisation, supervisor_with_availability())
    group = agree(world.pool, world.organisation, supervisor_with_availability("Bea"), format="group_supervision")
    mine = book(one_to_one, world.member, utc(8, 10))
    shared = book(group, world.member, utc(11, 10), attendees=[world.member, world.colleague])
    regenerate_feed(world.member)
    erase_account(world.member, acting_user=world.member, now=NOW)
    mine.refresh_from_db()
    shared.refresh_from_db()
    assert mine.status == BookingStatus.CANCELLED
    assert LedgerEntry.objects.filter(kind=LedgerKind.RELEASED, source=f"supervision:{mine.pk}:released").exists()
    assert Notification.objects.filter(kind="supervision_cancelled", recipient=one_to_one.supervisor.user).exists()
    assert shared.status == BookingStatus.BOOKED
    assert list(BookingAttendee.objects.filter(booking=shared).values_list("user_id", flat=True)) == [
        world.colleague.pk
    ]
    assert not CalendarFeed.objects.filter(user=world.member).exists()


def test_erasure_cancels_the_session_of_someone_who_has_left_the_organisation_since(world):
    from reflect.models import Membership

    agreement = agree(world.pool, world.organisation, supervisor_with_availability())
    mine = book(agreement, world.member, utc(8, 10))
    Membership.objects.filter(user=world.member).update(left_at=NOW)  # removed by the lead
    erase_account(world.member, acting_user=world.member, now=NOW)
    mine.refresh_from_db()
    assert mine.status == BookingStatus.CANCELLED
    assert LedgerEntry.objects.filter(kind=LedgerKind.RELEASED, source=f"supervision:{mine.pk}:released").exists()


def test_a_supervisor_with_sessions_to_come_hands_them_on_first(world):
    agreement = agree(world.pool, world.organisation, supervisor_with_availability())
    book(agreement, world.member, utc(8, 10))
    assert [b.message for b in erasure_blockers(agreement.supervisor.user)] == [
        "You supervise under 1 agreement still running. Give notice to end it first.",
        "You have 1 supervision session to come as the supervisor. Cancel or hand it on first.",
    ]


def test_erasure_withdraws_a_cohort_application_and_leaves_the_cohort(world):
    from scheduling.groups.cohorts import apply_for_cohort
    from scheduling.models import CohortApplication, CohortMembership
    from scheduling.models.cohorts import ApplicationStatus
    from tests.factories.groups import make_group

    cohort = make_group(world, kind="cohort")
    application = apply_for_cohort(world.pool, acting_user=world.member, weekdays=[2], now=NOW)
    membership = CohortMembership.objects.create(
        group=cohort, user=world.colleague, organisation=world.organisation, joined_at=NOW
    )
    erase_account(world.member, acting_user=world.member, now=NOW)
    erase_account(world.colleague, acting_user=world.colleague, now=NOW)
    assert CohortApplication.objects.get(pk=application.pk).status == ApplicationStatus.WITHDRAWN
    assert CohortMembership.objects.get(pk=membership.pk).left_at == NOW
