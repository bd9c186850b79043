"""The private calendar feed and .ics files: valid RFC 5545, stable UIDs, no other names, 304s."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from icalendar import Calendar

from reflect.models import Membership
from scheduling.groups.places import book_place
from scheduling.ical import CalendarEvent, Party, calendar_text, fold
from scheduling.services.bookings import BookingChoice, SlotRefused, book_supervision, cancel_supervision
from scheduling.services.calendar_feed import build_feed, feed_version, person_feed_version, regenerate_feed
from tests.conftest import World
from tests.factories.bookings import NOW, agree, book, supervisor_with_availability, utc
from tests.factories.groups import make_group


def events_of(body: str) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def test_folding_keeps_lines_short_and_characters_whole() -> None:
    line = "DESCRIPTION:" + "é" * 80
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_a_calendar_parses_back_exactly() -> None:
    event = CalendarEvent(
        uid="x@reflect",
        sequence=3,
        starts_at=utc(28, 9, month=3),  # 10:00 BST, the morning the clocks go forward
        ends_at=utc(28, 10, month=3),
        summary="Supervision; with, commas\\ and a \n newline",
        stamp=NOW,
    )
    organizer = Party('Dr "Ann" Carter; MSc, Leeds', "a@b.test")
    attendee = Party("Sam Reid", "c@d.test", role="CHAIR")
    [parsed] = events_of(calendar_text([event], method="CANCEL", organizer=organizer, attendee=attendee))
    assert str(parsed["SUMMARY"]) == "Supervision; with, commas\\ and a \n newline"
    # A name with a semicolon or a comma stays one quoted parameter; a double quote cannot be in one.
    assert (str(parsed["ORGANIZER"]), parsed["ORGANIZER"].params["CN"]) == (
        "mailto:a@b.test",
        "Dr Ann Carter; MSc, Leeds",
    )
    assert dict(parsed["ATTENDEE"].params) == {
        "CN": "Sam Reid",
        "ROLE": "CHAIR",
        "PARTSTAT": "ACCEPTED",
        "RSVP": "FALSE",
    }
    assert parsed["DTSTART"].dt.isoformat() == "2027-03-28T10:00:00+01:00"
    assert parsed["SEQUENCE"] == 3 and str(parsed["STATUS"]) == "CANCELLED"


def test_the_feed_holds_the_persons_sessions_and_names_no_one_else(world: World, agreement) -> None:
    group_agreement = agree(
        world.pool, world.organisation, supervisor_with_availability("Bea"), format="group_supervision", allocation=None
    )
    own = book(agreement, world.member, utc(6, 10))
    shared = book(group_agreement, world.member, utc(7, 10), attendees=[world.member, world.colleague])
    book(agreement, world.colleague, utc(8, 10))  # the colleague's own: not in the member's feed
    group = make_group(world, capacity=4, now=NOW - datetime.timedelta(days=60))
    session = group.sessions.filter(starts_at__gt=NOW).order_by("starts_at").first()
    book_place(session, acting_user=world.member, now=NOW)
    book_place(session, acting_user=world.colleague, now=NOW)

    body = build_feed(world.member, now=NOW).body
    events = {str(e["UID"]): e for e in events_of(body)}
    assert set(events) == {
        f"supervision-{own.uid}@reflect",
        f"supervision-{shared.uid}@reflect",
        f"group-session-{session.pk}@reflect",
    }
    assert str(events[f"group-session-{session.pk}@reflect"]["SUMMARY"]) == "Leeds reflective practice"
    assert world.colleague.first_name not in body and world.colleague.email not in body
    assert "Europe/London" in body and "BEGIN:VTIMEZONE" in body


def test_a_cancelled_session_stays_for_30_days_as_cancelled(world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(20, 10))
    cancel_supervision(booking, acting_user=world.member, now=NOW)
    [event] = events_of(build_feed(world.member, now=NOW + datetime.timedelta(days=29)).body)
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 1)
    assert events_of(build_feed(world.member, now=NOW + datetime.timedelta(days=31)).body) == []


def test_the_feed_answers_304_when_nothing_changed(client, world: World, agreement) -> None:
    book(agreement, world.member, utc(6, 10))
    url = reverse("calendar_feed", args=[regenerate_feed(world.member).token])
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "text/calendar; charset=utf-8"
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    book(agreement, world.member, utc(7, 10))
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_token_and_the_version_read_together_agree_with_the_person_s_version(
    client, world: World, agreement, django_assert_num_queries
) -> None:
    book(agreement, world.member, utc(6, 10))
    link = regenerate_feed(world.member)
    url = reverse("calendar_feed", args=[link.token])
    etag = client.get(url)["ETag"]
    found = person_feed_version(link.token, now=NOW)
    assert found is not None
    assert found == (world.member.pk, feed_version(world.member, now=NOW))
    assert person_feed_version(link.feed.token_hash) is None  # the hash is not a key
    assert person_feed_version("") is None
    regenerate_feed(world.member)
    assert person_feed_version(link.token) is None  # a revoked token opens nothing
    with django_assert_num_queries(1):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404


def test_regenerating_revokes_the_old_address(client, world: World) -> None:
    client.force_login(world.member)
    old = client.post(reverse("calendar_regenerate")).context["feed_url"]
    new = client.post(reverse("calendar_regenerate")).context["feed_url"]
    assert new != old
    client.logout()
    assert client.get(old.removeprefix(settings.SITE_URL)).status_code == 404
    assert client.get(new.removeprefix(settings.SITE_URL)).status_code == 200
    assert client.get(reverse("calendar_feed", args=["nonsense"])).status_code == 404


def test_the_session_ics_download_is_the_persons_copy(client, world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(6, 10))
    client.force_login(world.member)
    response = client.get(reverse("supervision_session_ics", args=[booking.pk]))
    calendar = Calendar.from_ical(response.content)
    assert "METHOD" not in calendar
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"supervision-{booking.uid}@reflect"


@pytest.mark.parametrize("sessions", [1, 4])
def test_the_feed_runs_five_queries_whatever_it_holds(
    client, world: World, agreement, sessions, django_assert_num_queries
) -> None:
    for day in (5, 6, 7, 8, 11, 12)[:sessions]:  # weekdays in January 2027
        book(agreement, world.member, utc(day, 10))
    url = reverse("calendar_feed", args=[regenerate_feed(world.member).token])
    # The feed by its token and its version, in one statement; then, built: the person with their
    # preferences, supervision sessions, group places, groups facilitated.
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.content.decode().count("BEGIN:VEVENT") == sessions
    # The same version again is the text already built: the token and the version only.
    with django_assert_num_queries(1):
        again = client.get(url)
    assert again.content == response.content


MARCH = datetime.datetime(2027, 3, 15, 9, tzinfo=datetime.UTC)


def book_in_march(agreement, user, start):
    choice = BookingChoice(starts_at=start, minutes=60, attendees=[user])
    return book_supervision(agreement, choice, acting_user=user, now=MARCH)


def test_a_second_independent_parser_reads_the_feed_the_same_way(world: World, agreement) -> None:
    """vobject shares no code with icalendar: both must read our files alike."""
    import vobject

    summer = book_in_march(agreement, world.member, utc(30, 9, month=3))  # 10:00 BST
    cancelled = book_in_march(agreement, world.member, utc(31, 9, month=3))
    cancel_supervision(cancelled, acting_user=world.member, now=MARCH)
    calendar = vobject.readOne(build_feed(world.member, now=MARCH).body)
    events = {event.uid.value: event for event in calendar.vevent_list}
    first = events[f"supervision-{summer.uid}@reflect"]
    assert first.dtstart.value.isoformat() == "2027-03-30T10:00:00+01:00"
    assert first.summary.value == "Supervision with Ann Carter"
    assert (first.sequence.value, first.status.value) == ("0", "CONFIRMED")
    second = events[f"supervision-{cancelled.uid}@reflect"]
    assert (second.sequence.value, second.status.value) == ("1", "CANCELLED")
    assert calendar.vtimezone.tzid.value == "Europe/London"


def test_booking_across_the_clock_change_keeps_the_wall_clock_time(world: World, agreement) -> None:
    """The supervisor's 10:00 is 10:00 GMT on Friday 26 March 2027 and 10:00 BST on Monday
    29 March (the clocks go forward on Sunday 28 March): different UTC hours, the same 10:00."""
    before = book_in_march(agreement, world.member, utc(26, 10, month=3))
    after = book_in_march(agreement, world.member, utc(29, 9, month=3))
    # 08:00 UTC on the 29th is 09:00 BST, but it would end inside the 15 minutes kept before
    # the 10:00 session; 07:00 UTC is 08:00 BST, before the supervisor's 09:00 start.
    for too_early in (utc(29, 8, month=3), utc(29, 7, month=3)):
        with pytest.raises(SlotRefused):
            book_in_march(agreement, world.member, too_early)
    starts = [(e["DTSTART"].dt.strftime("%d %H:%M %Z")) for e in events_of(build_feed(world.member, now=MARCH).body)]
    assert sorted(starts) == ["26 10:00 GMT", "29 10:00 BST"]
    assert (before.starts_at.hour, after.starts_at.hour) == (10, 9)


def test_the_repeated_october_hour_is_written_in_utc_so_it_is_not_an_hour_early() -> None:
    first = datetime.datetime(2027, 10, 31, 0, 30, tzinfo=datetime.UTC)  # 01:30 BST
    second = datetime.datetime(2027, 10, 31, 1, 30, tzinfo=datetime.UTC)  # 01:30 GMT, the second pass
    text = calendar_text(
        [
            CalendarEvent(
                uid=f"{n}@reflect",
                sequence=0,
                starts_at=s,
                ends_at=s + datetime.timedelta(minutes=20),
                summary="x",
                stamp=NOW,
            )
            for n, s in enumerate((first, second))
        ]
    )
    assert "DTSTART;TZID=Europe/London:20271031T013000" in text
    assert "DTSTART:20271031T013000Z" in text
    starts = sorted(e["DTSTART"].dt.astimezone(datetime.UTC) for e in events_of(text))
    assert starts == [first, second]


def test_booking_a_group_place_again_after_cancelling_moves_the_sequence_forward(world: World) -> None:
    from scheduling.groups.places import cancel_place

    group = make_group(world, capacity=4, now=NOW - datetime.timedelta(days=60))
    session = group.sessions.filter(starts_at__gt=NOW).order_by("starts_at").first()
    place = book_place(session, acting_user=world.member, now=NOW)
    [booked] = events_of(build_feed(world.member, now=NOW).body)
    cancel_place(place, acting_user=world.member, now=NOW)
    [cancelled] = events_of(build_feed(world.member, now=NOW).body)
    book_place(session, acting_user=world.member, now=NOW)
    [again] = events_of(build_feed(world.member, now=NOW).body)
    assert [(e["SEQUENCE"], str(e["STATUS"])) for e in (booked, cancelled, again)] == [
        (0, "CONFIRMED"),
        (1, "CANCELLED"),
        (1, "CONFIRMED"),
    ]


def test_a_groups_dates_are_published_to_its_pools_staff_without_place_link_or_names(client, world: World) -> None:
    from scheduling.groups.session_changes import cancel_session
    from scheduling.services.calendar_feed import group_schedule_url

    group = make_group(world, online_link="https://meet.example.org/secret-room", now=NOW)
    first, second = list(group.sessions.order_by("starts_at"))[:2]
    book_place(first, acting_user=world.colleague, now=NOW)
    cancel_session(second, acting_user=world.commissioner, now=NOW)
    client.force_login(world.member)
    page = client.post(reverse("calendar_regenerate"))
    token = page.context["feed_url"].rsplit("/", 1)[-1].removesuffix(".ics")
    [schedule] = page.context["schedules"]
    assert schedule == {"group": group, "url": group_schedule_url(token, group)}
    client.logout()

    url = reverse("calendar_group_schedule", args=[token, group.pk])
    response = client.get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "text/calendar; charset=utf-8")
    body = response.content.decode()
    events = events_of(body)
    assert len(events) == 12
    # Entries of their own, apart from the same sessions in a person's own calendar.
    assert [(str(e["UID"]), str(e["STATUS"])) for e in events[:2]] == [
        (f"schedule-{first.ics_uid}", "CONFIRMED"),
        (f"schedule-{second.ics_uid}", "CANCELLED"),
    ]
    assert all("LOCATION" not in event for event in events)
    for secret in ("Room 2", "secret-room", "Chris", world.colleague.email, world.member.email):
        assert secret not in body
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304

    # Only the staff of the group's pool; and a new address ends the old one.
    outsider_token = regenerate_feed(world.outsider).token
    assert client.get(reverse("calendar_group_schedule", args=[outsider_token, group.pk])).status_code == 404
    client.force_login(world.member)
    client.post(reverse("calendar_regenerate"))
    assert client.get(url).status_code == 404
    assert client.get(reverse("calendar_group_schedule", args=["nonsense", group.pk])).status_code == 404
    # Someone who has left the pool's organisations no longer reads its groups' dates.
    colleague_url = reverse("calendar_group_schedule", args=[regenerate_feed(world.colleague).token, group.pk])
    assert client.get(colleague_url).status_code == 200
    Membership.objects.filter(user=world.colleague).update(left_at=NOW)
    assert client.get(colleague_url).status_code == 404
