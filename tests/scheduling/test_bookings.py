"""Booking supervision: the use cases, the ledger and what people are told."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from icalendar import Calendar

from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.models import LedgerEntry, Notification
from reflect.services.ledger import hours_balance
from scheduling.models import BookingStatus, SupervisionBooking
from scheduling.services.bookings import (
    SlotRefused,
    cancel_supervision,
    free_slots,
    mark_attendance,
    reschedule_supervision,
)
from scheduling.slots import RefusalReason
from tests.conftest import World
from tests.factories.bookings import NOW, agree, book, supervisor_with_availability, utc
from tests.factories.core import MembershipFactory


def ledger(kind: str) -> list[tuple[str, Decimal, int]]:
    return [
        (entry.organisation.name, entry.hours, entry.quantity)
        for entry in LedgerEntry.objects.filter(kind=kind).order_by("id")
    ]


def test_a_member_books_a_slot_and_its_hours_are_reserved(world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(6, 10), 90)

    assert (booking.starts_at, booking.ends_at, booking.hours, booking.status) == (
        utc(6, 10),
        utc(6, 11, 30),
        Decimal("1.50"),
        BookingStatus.BOOKED,
    )
    assert [a.user for a in booking.attendees.all()] == [world.member]
    assert booking.online_link == "https://meet.example.org/ann"
    assert booking.meeting_place == ""
    assert ledger(LedgerKind.RESERVED) == [("Harehills Drama", Decimal("1.50"), 0)]
    assert ledger(LedgerKind.SUPERVISION_BOOKED) == [("Harehills Drama", Decimal("0.00"), 1)]
    balance = hours_balance(world.pool, world.organisation)
    assert (balance.allocated, balance.reserved, balance.used, balance.left) == (
        Decimal("10.00"),
        Decimal("1.50"),
        Decimal("0"),
        Decimal("8.50"),
    )


def test_confirmations_go_to_the_member_and_the_supervisor_with_an_invitation(world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(6, 10))
    confirmations = Notification.objects.filter(kind="supervision_booked").order_by("recipient_id")
    assert sorted(n.recipient.first_name for n in confirmations) == ["Ann", "Sam"]
    member_copy = confirmations.get(recipient=world.member)
    calendar = Calendar.from_ical(member_copy.ics)
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"supervision-{booking.uid}@reflect"
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].dt == utc(6, 10)
    assert str(event["SUMMARY"]) == "Supervision with Ann Carter"
    assert str(event["ATTENDEE"]) == f"mailto:{world.member.email}"
    assert member_copy.context["where"] == "https://meet.example.org/ann"
    # Reminders at the member's chosen offsets (the default preferences), none in the past.
    assert Notification.objects.filter(kind="reminder", about=f"supervision:{booking.pk}").count() >= 1


def test_a_taken_slot_says_so_and_offers_the_next_free_ones(world: World, agreement) -> None:
    book(agreement, world.member, utc(6, 10))
    with pytest.raises(SlotRefused) as refused:
        book(agreement, world.colleague, utc(6, 10, 30))
    assert refused.value.reason == RefusalReason.TAKEN
    # The earliest free slots are on Tuesday at 09:00, the first time with 24 hours' notice (60 and 90 minutes).
    assert [slot.start for slot in refused.value.next_free][:2] == [utc(5, 9), utc(5, 9)]
    assert SupervisionBooking.objects.count() == 1


def test_too_soon_names_the_notice(world: World, agreement) -> None:
    with pytest.raises(SlotRefused) as refused:
        book(agreement, world.member, utc(4, 15))
    assert refused.value.reason == RefusalReason.NOTICE
    assert "24 hours" in refused.value.message


def test_beyond_the_allocation_says_how_many_hours_are_left(world: World) -> None:
    agreement = agree(world.pool, world.organisation, supervisor_with_availability(), allocation="1")
    with pytest.raises(DomainError) as refused:
        book(agreement, world.member, utc(6, 10), 90)
    assert refused.value.message.startswith(
        "Harehills Drama has 1 hour left of its allocation in Leeds pool, and this session needs 1.5 hours."
    )
    assert not LedgerEntry.objects.filter(kind=LedgerKind.RESERVED).exists()


def test_the_agreements_monthly_hours_hold(world: World, agreement) -> None:
    book(agreement, world.member, utc(5, 9), 90)
    book(agreement, world.member, utc(6, 9), 90)
    with pytest.raises(DomainError) as refused:
        book(agreement, world.member, utc(7, 9), 90)
    assert "4 hours a month; 1 hour of that is left in January 2027" in refused.value.message
    # February is another month.
    assert book(agreement, world.member, utc(2, 9, month=2), 60).status == BookingStatus.BOOKED


def test_staff_book_for_themselves_and_leads_for_their_staff(world: World, agreement) -> None:
    with pytest.raises(DomainError, match="your organisation lead can book for others"):
        book(agreement, world.member, utc(6, 10), attendees=[world.colleague])
    booking = book(agreement, world.lead, utc(6, 10), attendees=[world.colleague])
    assert [a.user for a in booking.attendees.all()] == [world.colleague]
    with pytest.raises(DomainError, match="Only staff of Harehills Drama"):
        book(agreement, world.outsider, utc(7, 10))


def test_group_supervision_books_named_colleagues(world: World) -> None:
    agreement = agree(world.pool, world.organisation, supervisor_with_availability(), format="group_supervision")
    booking = book(agreement, world.member, utc(6, 10), attendees=[world.member, world.colleague])
    assert booking.is_group
    ics = Notification.objects.get(kind="supervision_booked", recipient=world.colleague).ics
    # Each copy names only its own recipient, never the colleague.
    assert world.member.email not in ics and world.member.first_name not in ics
    with pytest.raises(DomainError, match="Group supervision is for 2 to 8 people"):
        book(agreement, world.member, utc(7, 10))


def test_cancelling_in_time_releases_the_hours_and_tells_everyone(world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(8, 10))
    cancel_supervision(booking, acting_user=world.member, reason="Clash", now=NOW)
    booking.refresh_from_db()
    assert (booking.status, booking.sequence, booking.cancel_reason) == (BookingStatus.CANCELLED, 1, "Clash")
    assert ledger(LedgerKind.RELEASED) == [("Harehills Drama", Decimal("1.00"), 0)]
    assert hours_balance(world.pool, world.organisation).left == Decimal("10.00")
    cancellation = Notification.objects.get(kind="supervision_cancelled", recipient=world.member)
    calendar = Calendar.from_ical(cancellation.ics)
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["SEQUENCE"] == 1
    assert not Notification.objects.filter(kind="reminder", about=f"supervision:{booking.pk}", status="pending")
    # A second click changes nothing.
    cancel_supervision(booking, acting_user=world.member, now=NOW)
    assert LedgerEntry.objects.filter(kind=LedgerKind.RELEASED).count() == 1


def test_cancelling_late_uses_the_hours(world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(6, 10))
    cancel_supervision(booking, acting_user=world.member, now=utc(6, 1))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.LATE_CANCELLED
    assert ledger(LedgerKind.CONSUMED) == [("Harehills Drama", Decimal("1.00"), 0)]
    assert ledger(LedgerKind.SUPERVISION_LATE_CANCELLED) == [("Harehills Drama", Decimal("0.00"), 1)]
    balance = hours_balance(world.pool, world.organisation)
    assert (balance.reserved, balance.used, balance.left) == (Decimal("0.00"), Decimal("1.00"), Decimal("9.00"))


def test_a_supervisor_cancelling_late_still_gives_the_hours_back(world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(6, 10))
    cancel_supervision(booking, acting_user=agreement.supervisor.user, reason="Unwell", now=utc(6, 8))
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by_supervisor) == (BookingStatus.CANCELLED, True)
    assert hours_balance(world.pool, world.organisation).left == Decimal("10.00")


def test_an_outsider_cannot_cancel(world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(6, 10))
    with pytest.raises(DomainError):
        cancel_supervision(booking, acting_user=world.outsider, now=NOW)
    # A colleague who is not booked cannot either; the lead can.
    with pytest.raises(DomainError):
        cancel_supervision(booking, acting_user=world.colleague, now=NOW)
    cancel_supervision(booking, acting_user=world.lead, now=NOW)


def test_rescheduling_keeps_the_uid_and_bumps_the_sequence(world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(6, 10))
    uid = booking.uid
    moved = reschedule_supervision(booking, utc(7, 14), 90, acting_user=world.member, now=NOW)
    assert (moved.uid, moved.sequence, moved.starts_at, moved.hours) == (uid, 1, utc(7, 14), Decimal("1.50"))
    assert SupervisionBooking.objects.count() == 1
    # Half an hour more reserved, as a new entry; nothing edited.
    assert ledger(LedgerKind.RESERVED) == [
        ("Harehills Drama", Decimal("1.00"), 0),
        ("Harehills Drama", Decimal("0.50"), 0),
    ]
    change = Notification.objects.get(kind="supervision_changed", recipient=world.member)
    assert change.context["old_when"] == "Wednesday 6 January 2027, 10am to 11am"
    assert Calendar.from_ical(change.ics).walk("VEVENT")[0]["SEQUENCE"] == 1
    # The old time is free again for someone else.
    assert book(agreement, world.colleague, utc(6, 10), attendees=None).status == BookingStatus.BOOKED


def test_rescheduling_onto_its_own_time_shifted_by_half_an_hour_is_allowed(world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(6, 10))
    moved = reschedule_supervision(booking, utc(6, 10, 30), 60, acting_user=world.member, now=NOW)
    assert moved.starts_at == utc(6, 10, 30)


def test_attendance_consumes_the_hours(world: World, agreement) -> None:
    held = book(agreement, world.member, utc(6, 10))
    missed = book(agreement, world.member, utc(7, 10))
    supervisor = agreement.supervisor.user
    with pytest.raises(DomainError, match="once the session has started"):
        mark_attendance(held, attended=True, acting_user=supervisor, now=NOW)
    with pytest.raises(DomainError, match="Only the supervisor"):
        mark_attendance(held, attended=True, acting_user=world.member, now=utc(8, 9))
    mark_attendance(held, attended=True, acting_user=supervisor, now=utc(8, 9))
    mark_attendance(missed, attended=False, acting_user=supervisor, now=utc(8, 9))
    assert ledger(LedgerKind.SUPERVISION_HELD) == [("Harehills Drama", Decimal("0.00"), 1)]
    assert ledger(LedgerKind.SUPERVISION_NO_SHOW) == [("Harehills Drama", Decimal("0.00"), 1)]
    balance = hours_balance(world.pool, world.organisation)
    assert (balance.reserved, balance.used, balance.left) == (Decimal("0.00"), Decimal("2.00"), Decimal("8.00"))


def test_free_slots_respect_the_bookers_no_sessions_before(world: World, agreement) -> None:
    from reflect.services.preferences import update_preferences

    update_preferences(world.member, no_sessions_before=datetime.time(11))
    slots = free_slots(agreement, [world.member], now=NOW)
    assert slots and min(slot.start.time() for slot in slots) == datetime.time(11)


def test_a_member_who_left_cannot_book(world: World, agreement) -> None:
    leaver = MembershipFactory(organisation=world.organisation, left_at=NOW).user
    with pytest.raises(DomainError, match="Only staff of Harehills Drama"):
        book(agreement, leaver, utc(6, 10))


def test_the_weekly_summary_lists_sessions_without_other_names(world: World) -> None:
    from reflect.upcoming import upcoming_items

    agreement = agree(world.pool, world.organisation, supervisor_with_availability(), format="group_supervision")
    book(agreement, world.lead, utc(6, 10), attendees=[world.lead, world.member])
    week = (utc(4, 0), utc(11, 0))
    assert [(i.starts_at, i.title) for i in upcoming_items(world.member, *week)] == [
        (utc(6, 10), "Group supervision with Ann Carter")
    ]
    assert [i.title for i in upcoming_items(agreement.supervisor.user, *week)] == ["Group supervision: Harehills Drama"]
    assert upcoming_items(world.colleague, *week) == []


def test_reminders_survive_a_move_back_to_the_same_time(world: World, agreement) -> None:
    """The withdrawn reminders of the first version must not be mistaken for the new ones."""
    booking = book(agreement, world.member, utc(20, 10))
    reschedule_supervision(booking, utc(20, 14), 60, acting_user=world.member, now=NOW)
    reschedule_supervision(booking, utc(20, 10), 90, acting_user=world.member, now=NOW)
    pending = Notification.objects.filter(kind="reminder", about=f"supervision:{booking.pk}", status="pending")
    assert pending.exists()
    assert all(n.idempotency_key.endswith(":v2") for n in pending)


def test_a_cancellation_withdraws_a_confirmation_still_waiting(world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(8, 10))
    Notification.objects.filter(kind="supervision_booked").update(status="pending")  # held until morning
    cancel_supervision(booking, acting_user=world.member, now=NOW)
    assert set(Notification.objects.filter(kind="supervision_booked").values_list("status", flat=True)) == {"cancelled"}
