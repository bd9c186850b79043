"""Booking supervision through the pages: choose, book, see, move, cancel, mark, log, access."""

from __future__ import annotations

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from reflect.errors import DomainError
from reflect.models import Notification
from scheduling.booking_forms import PeopleChoiceField
from scheduling.models import BookingStatus, SupervisionBooking
from scheduling.services.bookings import BookingChoice, book_supervision, mark_attendance
from supervision.enums import AgreementStatus
from tests.conftest import World
from tests.factories.bookings import agree, supervisor_with_availability
from tests.factories.core import give_two_factor, signed_in

LONDON = ZoneInfo("Europe/London")


def next_week_at(weekday: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A time on the London clock in a week or two: always bookable under 24 hours' notice."""
    today = timezone.now().astimezone(LONDON).date()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    day = monday + datetime.timedelta(days=7 + weekday)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON).astimezone(datetime.UTC)


def iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%MZ")


def confirm_url(agreement, start, minutes=60) -> str:
    return reverse("supervision_book_confirm", args=[agreement.pk]) + f"?start={iso(start)}&minutes={minutes}"


def test_a_member_sees_the_agreement_and_the_weeks_free_times(client, world: World, agreement) -> None:
    client.force_login(world.member)
    home = client.get(reverse("supervision_home"))
    assert [a.pk for a in home.context["agreements"]] == [agreement.pk]
    week = next_week_at(0, 9).astimezone(LONDON).date()
    response = client.get(reverse("supervision_book", args=[agreement.pk]) + f"?week={week}&minutes=90")
    assert response.status_code == 200
    monday = response.context["days"][0]
    assert monday["day"] == week
    # 09:00–17:00 with 90-minute sessions on a half-hour grid: the last starts at 15:30.
    times = [slot["local"].strftime("%H:%M") for slot in monday["slots"]]
    assert times[0] == "09:00" and times[-1] == "15:30" and len(times) == 14


def test_booking_from_the_page(client, world: World, agreement) -> None:
    start = next_week_at(1, 10)
    client.force_login(world.member)
    page = client.get(confirm_url(agreement, start))
    assert page.status_code == 200
    response = client.post(
        confirm_url(agreement, start),
        {"start": iso(start), "minutes": "60", "attendees": [world.member.pk], "mode": "online"},
    )
    booking = SupervisionBooking.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("supervision_session", args=[booking.pk])
    detail = client.get(response["Location"])
    body = detail.content.decode()
    assert "https://meet.example.org/ann" in body
    assert detail.context["can_move"] is True


def test_a_slot_taken_meanwhile_says_so_and_offers_the_next(client, world: World, agreement) -> None:
    start = next_week_at(1, 10)
    book_supervision(
        agreement, BookingChoice(starts_at=start, minutes=60, attendees=[world.colleague]), acting_user=world.colleague
    )
    client.force_login(world.member)
    response = client.post(
        confirm_url(agreement, start),
        {"start": iso(start), "minutes": "60", "attendees": [world.member.pk], "mode": "online"},
    )
    assert response.status_code == 200
    assert "That time has already been booked." in response.content.decode()
    assert len(response.context["next_free"]) == 3
    assert SupervisionBooking.objects.count() == 1


def test_an_unreadable_time_is_a_message_not_a_500(client, world: World, agreement) -> None:
    client.force_login(world.member)
    url = reverse("supervision_book_confirm", args=[agreement.pk]) + "?start=tomorrow&minutes=sixty"
    response = client.get(url)
    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert "That time could not be read" in followed.content.decode()


def test_strangers_get_404s(client, world: World, agreement) -> None:
    booking = book_supervision(
        agreement,
        BookingChoice(starts_at=next_week_at(1, 10), minutes=60, attendees=[world.member]),
        acting_user=world.member,
    )
    client.force_login(world.outsider)
    for name, args in [
        ("supervision_book", [agreement.pk]),
        ("supervision_book_confirm", [agreement.pk]),
        ("supervision_session", [booking.pk]),
        ("supervision_session_cancel", [booking.pk]),
        ("supervision_session_move", [booking.pk]),
        ("supervision_session_ics", [booking.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    # A colleague in the same organisation sees neither the session nor its link.
    client.force_login(world.colleague)
    assert client.get(reverse("supervision_session", args=[booking.pk])).status_code == 404
    # The lead sees it but not where it happens (the link is for the people in it).
    client.force_login(world.lead)
    lead_view = client.get(reverse("supervision_session", args=[booking.pk]))
    assert lead_view.status_code == 200 and "meet.example.org" not in lead_view.content.decode()


def test_cancelling_from_the_page(client, world: World, agreement) -> None:
    booking = book_supervision(
        agreement,
        BookingChoice(starts_at=next_week_at(2, 10), minutes=60, attendees=[world.member]),
        acting_user=world.member,
    )
    client.force_login(world.member)
    response = client.post(reverse("supervision_session_cancel", args=[booking.pk]), {"reason": "Clash"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == (BookingStatus.CANCELLED, "Clash")
    assert sorted(
        Notification.objects.filter(kind="supervision_cancelled").values_list("recipient", flat=True)
    ) == sorted([world.member.pk, booking.supervisor.user_id])
    # The cancelled session's page offers another time, as the e-mail says one can be booked.
    page = client.get(reverse("supervision_session", args=[booking.pk])).content.decode()
    book = reverse("supervision_book", args=[agreement.pk])
    assert f'href="{book}">Book another time with {booking.supervisor.user.display_name}</a>' in page
    assert "that marks this session cancelled in your calendar" in page
    # Not to the supervisor, and not once the agreement has ended.
    supervisors_page = signed_in(client, booking.supervisor.user).get(reverse("supervision_session", args=[booking.pk]))
    assert supervisors_page.status_code == 200 and "Book another time" not in supervisors_page.content.decode()
    agreement.status = AgreementStatus.ENDED
    agreement.save(update_fields=["status"])
    client.force_login(world.member)
    assert "Book another time" not in client.get(reverse("supervision_session", args=[booking.pk])).content.decode()


def test_moving_from_the_page(client, world: World, agreement) -> None:
    booking = book_supervision(
        agreement,
        BookingChoice(starts_at=next_week_at(2, 10), minutes=60, attendees=[world.member]),
        acting_user=world.member,
    )
    new_start = next_week_at(3, 14)
    client.force_login(world.member)
    assert client.get(reverse("supervision_session_move", args=[booking.pk])).status_code == 200
    response = client.post(
        reverse("supervision_session_move", args=[booking.pk]), {"start": iso(new_start), "minutes": "60"}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.starts_at, booking.sequence) == (new_start, 1)


def test_the_supervisor_marks_attendance_and_the_member_downloads_the_log(client, world: World, agreement) -> None:
    start = next_week_at(0, 10)
    booking = book_supervision(
        agreement, BookingChoice(starts_at=start, minutes=90, attendees=[world.member]), acting_user=world.member
    )
    # The session has happened (moved back in time, as a clock would have).
    SupervisionBooking.objects.filter(pk=booking.pk).update(
        starts_at=start - datetime.timedelta(days=30), ends_at=start - datetime.timedelta(days=30, minutes=-90)
    )
    supervisor = agreement.supervisor.user
    signed_in(client, supervisor)
    sessions = client.get(reverse("supervisor_sessions"))
    assert [row["booking"].pk for row in sessions.context["to_mark"]] == [booking.pk]
    assert sessions.context["to_mark"][0]["names"] == [world.member.display_name]
    client.post(reverse("supervision_session_attendance", args=[booking.pk]), {"attended": "yes"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ATTENDED

    client.force_login(world.member)
    log = client.get(reverse("supervision_log_csv"))
    rows = list(csv.reader(io.StringIO(log.getvalue().decode())))
    day = (start - datetime.timedelta(days=30)).astimezone(LONDON).date()
    assert rows == [
        ["Date", "Minutes", "Supervisor", "Supervisor's profession", "Format", "Online or in person"],
        [day.isoformat(), "90", "Ann Carter", "Counselling psychologist", "1:1 supervision", "Online"],
    ]
    # Nobody else's log holds it.
    client.force_login(world.colleague)
    assert list(csv.reader(io.StringIO(client.get(reverse("supervision_log_csv")).getvalue().decode())))[1:] == []


def test_attendance_for_another_supervisors_session_is_a_404(client, world: World, agreement) -> None:
    booking = book_supervision(
        agreement,
        BookingChoice(starts_at=next_week_at(1, 10), minutes=60, attendees=[world.member]),
        acting_user=world.member,
    )
    other = supervisor_with_availability("Bea")
    signed_in(client, other.user)
    response = client.post(reverse("supervision_session_attendance", args=[booking.pk]), {"attended": "yes"})
    assert response.status_code == 404
    # The service refuses too, for the right reason (after the session has started).
    with pytest.raises(DomainError, match="Only the supervisor can mark attendance"):
        mark_attendance(
            booking, attended=True, acting_user=other.user, now=booking.starts_at + datetime.timedelta(hours=1)
        )


def test_a_member_without_an_agreement_is_told_how_to_get_one(client, world: World) -> None:
    client.force_login(world.member)
    body = client.get(reverse("supervision_home")).content.decode()
    assert "Your organisation has no supervision agreement yet" in body


def test_the_home_page_offers_booking_and_the_next_session(client, world: World, agreement) -> None:
    start = next_week_at(1, 10)
    booking = book_supervision(
        agreement, BookingChoice(starts_at=start, minutes=60, attendees=[world.member]), acting_user=world.member
    )
    client.force_login(world.member)
    body = client.get(reverse("home")).content.decode()
    assert "Book a supervision session" in body
    assert reverse("supervision_session", args=[booking.pk]) in body
    client.force_login(world.outsider)
    assert "Book a supervision session" not in client.get(reverse("home")).content.decode()


def queries_for(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_session_lists_run_the_same_queries_for_two_sessions_or_six(client, world: World) -> None:
    agreement = agree(world.pool, world.organisation, supervisor_with_availability(), hours_per_month="20")
    supervisor = agreement.supervisor.user
    give_two_factor(supervisor)
    urls = {
        world.member: [reverse("supervision_home"), reverse("supervision_log")],
        supervisor: [reverse("supervisor_sessions"), reverse("availability_week")],
    }

    def counts() -> list[int]:
        found = []
        for user, pages in urls.items():
            client.force_login(user)
            found += [queries_for(client, url) for url in pages]
        return found

    def book_pair(weekday: int) -> None:
        """One session to come, and one that has happened and was attended."""
        for hour, attended in ((10, False), (14, True)):
            booking = book_supervision(
                agreement,
                BookingChoice(starts_at=next_week_at(weekday, hour), minutes=60, attendees=[world.member]),
                acting_user=world.member,
            )
            if attended:
                past = booking.starts_at - datetime.timedelta(days=40)
                SupervisionBooking.objects.filter(pk=booking.pk).update(
                    starts_at=past, ends_at=past + datetime.timedelta(hours=1)
                )
                mark_attendance(booking, attended=True, acting_user=supervisor)

    book_pair(0)
    two = counts()
    book_pair(1)
    book_pair(2)
    assert len(client.get(reverse("supervision_log")).context["rows"]) == 0  # signed in as the supervisor
    client.force_login(world.member)
    assert len(client.get(reverse("supervision_log")).context["rows"]) == 3
    assert counts() == two


# --- Found in review ---------------------------------------------------------------------------


def _booked(agreement, world, *, by=None, attendees=None, start=None):
    by = by or world.member
    return book_supervision(
        agreement,
        BookingChoice(starts_at=start or next_week_at(1, 10), minutes=60, attendees=attendees or [world.member]),
        acting_user=by,
    )


def test_a_leads_calendar_file_has_the_time_but_not_the_link(client, world: World, agreement) -> None:
    booking = _booked(agreement, world, by=world.lead)
    client.force_login(world.lead)
    lead_copy = client.get(reverse("supervision_session_ics", args=[booking.pk])).content.decode()
    assert "BEGIN:VEVENT" in lead_copy and "meet.example.org" not in lead_copy
    client.force_login(world.member)
    assert "meet.example.org" in client.get(reverse("supervision_session_ics", args=[booking.pk])).content.decode()


def test_a_lead_who_left_no_longer_sees_or_changes_what_they_booked(client, world: World, agreement) -> None:
    from reflect.models import Membership

    booking = _booked(agreement, world, by=world.lead)
    Membership.objects.filter(user=world.lead).update(left_at=timezone.now())
    client.force_login(world.lead)
    assert client.get(reverse("supervision_session", args=[booking.pk])).status_code == 404
    assert client.post(reverse("supervision_session_cancel", args=[booking.pk])).status_code == 404


def test_one_attendee_cannot_cancel_a_group_session_for_everyone(client, world: World) -> None:
    from scheduling.services.bookings import cancel_supervision

    group = agree(world.pool, world.organisation, supervisor_with_availability("Bea"), format="group_supervision")
    booking = _booked(group, world, by=world.member, attendees=[world.member, world.colleague])
    with pytest.raises(DomainError):
        cancel_supervision(booking, acting_user=world.colleague)
    cancel_supervision(booking, acting_user=world.member)  # who booked it may
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


@pytest.mark.parametrize(
    "start, minutes", [("tomorrow", "60"), ("2031-01-01T10:00Z", "60"), ("2020-01-01T10:00Z", "60"), (None, "sixty")]
)
def test_a_posted_time_that_cannot_be_read_goes_back_to_the_list(
    client, world: World, agreement, start, minutes
) -> None:
    """On a POST the slot's fields are read from the booking form when it is valid
    (confirm_booking): a time it refuses still sends the person back to the list, as a GET
    would, and nothing is booked."""
    start = iso(next_week_at(1, 10)) if start is None else start
    client.force_login(world.member)
    data = {"start": start, "minutes": minutes, "attendees": [world.member.pk], "mode": "online"}
    response = client.post(confirm_url(agreement, next_week_at(1, 10)), data)
    assert (response.status_code, response["Location"]) == (302, reverse("supervision_book", args=[agreement.pk]))
    assert "That time could not be read" in client.get(response["Location"]).content.decode()
    assert not SupervisionBooking.objects.exists()


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:30Z", "0001-01-01T00:30+01:00", "2031-01-01T10:00Z", "2020-01-01T10:00Z"]
)
def test_times_out_of_range_are_a_message_not_a_500(client, world: World, agreement, start) -> None:
    client.force_login(world.member)
    url = reverse("supervision_book_confirm", args=[agreement.pk]) + f"?start={start.replace('+', '%2B')}&minutes=60"
    response = client.get(url)
    assert response.status_code == 302
    assert "That time could not be read" in client.get(response["Location"]).content.decode()


def test_a_supervisor_without_two_factor_is_sent_to_set_it_up_before_seeing_a_session(
    client, world: World, agreement
) -> None:
    booking = _booked(agreement, world)
    supervisor = agreement.supervisor.user
    client.force_login(supervisor)  # no authenticator yet
    response = client.get(reverse("supervision_session", args=[booking.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_required"))
    give_two_factor(supervisor)
    assert client.get(reverse("supervision_session", args=[booking.pk])).status_code == 200


def test_booking_for_oneself_asks_nothing_about_who(client, world: World, agreement) -> None:
    client.force_login(world.member)
    body = client.get(confirm_url(agreement, next_week_at(1, 10))).content.decode()
    assert "For: Sam Example" in body
    assert 'type="checkbox"' not in body and f'name="attendees" value="{world.member.pk}"' in body
    client.force_login(world.lead)  # a lead chooses among their staff
    assert 'type="checkbox"' in client.get(confirm_url(agreement, next_week_at(1, 10))).content.decode()


def test_booking_for_oneself_refuses_anyone_else_as_the_list_did(client, world: World, agreement) -> None:
    """The one person offered is checked without a query (PeopleChoiceField.only_person): a
    colleague's id, an id nobody has and the person's own id beside another's are each refused
    as a choice not offered, and nothing is booked; the person's own id books."""
    start = next_week_at(1, 10)
    client.force_login(world.member)
    for posted in ([world.colleague.pk], [999_999], [world.member.pk, world.colleague.pk]):
        page = client.post(
            confirm_url(agreement, start), {"start": iso(start), "minutes": "60", "attendees": posted, "mode": "online"}
        )
        form = page.context["form"]
        refused = next(p for p in posted if p != world.member.pk)
        message = form.fields["attendees"].error_messages["invalid_choice"] % {"value": refused}
        assert page.status_code == 200 and form.errors["attendees"] == [message]
        assert isinstance(form.fields["attendees"], PeopleChoiceField) and form.fields["attendees"].only_person
    assert not SupervisionBooking.objects.exists()
    client.post(
        confirm_url(agreement, start),
        {"start": iso(start), "minutes": "60", "attendees": [world.member.pk, world.member.pk], "mode": "online"},
    )
    assert list(SupervisionBooking.objects.get().attendees.values_list("user_id", flat=True)) == [world.member.pk]
