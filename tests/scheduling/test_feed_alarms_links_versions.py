"""Feeds: hourly refresh, reminders as alarms, video links as CONFERENCE (read alike by three
independent parsers), video links kept to the people in a session, and the feed's version:
every kind of change moves it, and a 304 costs two queries."""

from __future__ import annotations

import datetime

import pytest
import vobject
from django.core.exceptions import ValidationError
from django.urls import reverse
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from reflect.enums import NotificationStatus
from reflect.errors import DomainError
from reflect.models import ContactPreferences, Notification, User
from reflect.notification_kinds import NotificationKind
from reflect.services.preferences import update_preferences
from scheduling.groups.changes import change_group
from scheduling.groups.forms import GroupForm
from scheduling.groups.places import book_place, cancel_place, cancel_someones_place
from scheduling.groups.session_changes import cancel_session, move_session, set_session_link
from scheduling.models import SessionMode, SupervisionBooking
from scheduling.services.booking_links import set_booking_link
from scheduling.services.booking_notices import booking_ics
from scheduling.services.bookings import cancel_supervision, reschedule_supervision
from scheduling.services.calendar_feed import (
    build_feed,
    build_group_schedule,
    feed_version,
    group_schedule_version,
    regenerate_feed,
)
from scheduling.video_links import validate_video_link
from tests.conftest import World
from tests.factories.bookings import NOW, book, utc
from tests.factories.core import signed_in
from tests.factories.groups import NOW as GROUPS_NOW
from tests.factories.groups import make_group

LINK = "https://meet.example.org/ann"
ROOM = "https://meet.example.org/leeds-room"


def feed(user: User, now: datetime.datetime = NOW) -> str:
    """The person's feed as their calendar fetches it: the person read afresh, with their
    preferences, as the feed's address reads them."""
    return build_feed(User.objects.select_related("contact_preferences").get(pk=user.pk), now=now).body


def vevents(body: str) -> dict[str, object]:
    return {str(event["UID"]): event for event in Calendar.from_ical(body).walk("VEVENT")}


def triggers(event) -> list[datetime.timedelta]:
    return [alarm["TRIGGER"].dt for alarm in event.walk("VALARM")]


def test_feeds_ask_to_be_refreshed_hourly_and_invitations_do_not(world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(6, 10))
    body = build_feed(world.member, now=NOW).body
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
    group = make_group(world, now=GROUPS_NOW)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in build_group_schedule(group, now=GROUPS_NOW).body
    invitation = booking_ics(booking, world.member, method="REQUEST")
    assert "REFRESH-INTERVAL" not in invitation and "X-PUBLISHED-TTL" not in invitation


def test_reminders_in_the_feed_follow_each_persons_preferences(world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(6, 10))
    uid = f"supervision-{booking.uid}@reflect"
    update_preferences(world.member, reminder_hours=[2, 24])
    event = vevents(feed(world.member))[uid]
    assert triggers(event) == [-datetime.timedelta(hours=24), -datetime.timedelta(hours=2)]
    assert [(str(alarm["ACTION"]), str(alarm["DESCRIPTION"])) for alarm in event.walk("VALARM")] == [
        ("DISPLAY", "Supervision with Ann Carter"),
        ("DISPLAY", "Supervision with Ann Carter"),
    ]
    # The supervisor's copy follows the supervisor's own preferences, not the attendee's.
    update_preferences(agreement.supervisor.user, reminder_hours=[168])
    supervisor_feed = vevents(feed(agreement.supervisor.user))
    assert triggers(supervisor_feed[uid]) == [-datetime.timedelta(hours=168)]
    # Chose none: no alarm at all.
    update_preferences(world.member, reminder_hours=[])
    assert "BEGIN:VALARM" not in feed(world.member)
    # Never chose: the same defaults as their reminder messages (a week and a day before).
    ContactPreferences.objects.filter(user=world.member).delete()
    assert triggers(vevents(feed(world.member))[uid]) == [
        -datetime.timedelta(hours=168),
        -datetime.timedelta(hours=24),
    ]
    # A cancelled session reminds nobody.
    cancel_supervision(booking, acting_user=world.member, now=NOW)
    assert "BEGIN:VALARM" not in feed(world.member)


def test_an_online_session_carries_its_link_as_a_conference_and_one_in_person_does_not(world: World, agreement) -> None:
    agreement.supervisor.in_person_areas = ["Leeds"]
    agreement.supervisor.save(update_fields=["in_person_areas"])
    online = book(agreement, world.member, utc(6, 10))
    in_person = book(agreement, world.member, utc(7, 10), mode=SessionMode.IN_PERSON)
    events = vevents(feed(world.member))
    conference = events[f"supervision-{online.uid}@reflect"]["CONFERENCE"]
    assert str(conference) == LINK
    assert dict(conference.params) == {"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": "Join the session"}
    assert str(events[f"supervision-{online.uid}@reflect"]["LOCATION"]) == LINK
    assert "CONFERENCE" not in events[f"supervision-{in_person.uid}@reflect"]
    # The e-mailed invitation carries the Join button too.
    [invited] = vevents(booking_ics(online, world.member, method="REQUEST")).values()
    assert str(invited["CONFERENCE"]) == LINK


def _private_and_group_feeds(world: World, agreement):
    """The member's feed (an online supervision session, a group place with the session's own
    link, reminders a day and two hours before) and the group's own calendar."""
    booking = book(agreement, world.member, utc(6, 10))
    group = make_group(world, online_link=ROOM, now=GROUPS_NOW)
    session = group.sessions.filter(starts_at__gt=utc(1, 0)).order_by("starts_at").first()
    set_session_link(session, "https://meet.example.org/january", acting_user=world.commissioner, now=GROUPS_NOW)
    book_place(session, acting_user=world.member, now=NOW)
    update_preferences(world.member, reminder_hours=[24, 2])
    session.refresh_from_db()
    return booking, group, session


def test_three_independent_parsers_read_the_private_feed_alike(world: World, agreement) -> None:
    booking, _, session = _private_and_group_feeds(world, agreement)
    body = feed(world.member)
    supervision_uid, group_uid = f"supervision-{booking.uid}@reflect", session.ics_uid
    starts = {supervision_uid: "2027-01-06T10:00:00+00:00", group_uid: "2027-01-13T14:00:00+00:00"}
    links = {supervision_uid: LINK, group_uid: "https://meet.example.org/january"}
    two_alarms = [-datetime.timedelta(hours=24), -datetime.timedelta(hours=2)]

    parsed = vevents(body)
    assert set(parsed) == set(starts)
    for uid, event in parsed.items():
        assert event["DTSTART"].dt.isoformat() == starts[uid]
        assert triggers(event) == two_alarms
        assert str(event["CONFERENCE"]) == links[uid]

    calendar = vobject.readOne(body)
    read = {event.uid.value: event for event in calendar.vevent_list}
    assert set(read) == set(starts)
    for uid, event in read.items():
        assert event.dtstart.value.isoformat() == starts[uid]
        assert [alarm.trigger.value for alarm in event.valarm_list] == two_alarms
        assert event.conference.value == links[uid]
        assert event.conference.params["FEATURE"] == ["VIDEO"]

    strict = IcsCalendarStream.calendar_from_ics(body)
    assert strict.refresh_interval == datetime.timedelta(hours=1)
    by_uid = {event.uid: event for event in strict.events}
    assert set(by_uid) == set(starts)
    for uid, event in by_uid.items():
        assert event.dtstart.isoformat() == starts[uid]
        assert [alarm.trigger for alarm in event.alarm] == two_alarms
        assert [alarm.action for alarm in event.alarm] == ["DISPLAY", "DISPLAY"]
        [conference] = event.conference
        assert (conference.uri, conference.label) == (links[uid], "Join the session")
    assert by_uid[group_uid].sequence == session.sequence


def test_three_independent_parsers_read_a_groups_own_calendar_alike(world: World, agreement) -> None:
    _, group, session = _private_and_group_feeds(world, agreement)
    body = build_group_schedule(group, now=GROUPS_NOW).body
    uid = f"schedule-{session.ics_uid}"
    assert "CONFERENCE" not in body and "VALARM" not in body and "meet.example.org" not in body

    [event] = [e for e in Calendar.from_ical(body).walk("VEVENT") if str(e["UID"]) == uid]
    assert event["DTSTART"].dt.isoformat() == "2027-01-13T14:00:00+00:00"
    calendar = vobject.readOne(body)
    assert len(calendar.vevent_list) == 12
    [read] = [e for e in calendar.vevent_list if e.uid.value == uid]
    assert read.dtend.value.isoformat() == "2027-01-13T16:00:00+00:00"
    strict = IcsCalendarStream.calendar_from_ics(body)
    [strict_event] = [e for e in strict.events if e.uid == uid]
    assert (strict_event.dtstart.isoformat(), strict_event.sequence) == ("2027-01-13T14:00:00+00:00", 1)
    assert (strict_event.conference, strict_event.alarm) == ([], [])


def test_a_sessions_own_link_is_shown_only_to_people_with_a_place(client, world: World) -> None:
    group = make_group(world, online_link=ROOM, now=GROUPS_NOW)
    session = group.sessions.filter(starts_at__gt=utc(1, 0)).order_by("starts_at").first()
    set_session_link(session, "https://meet.example.org/january", acting_user=group.facilitator.user, now=GROUPS_NOW)
    book_place(session, acting_user=world.member, now=NOW)
    # The confirmation's words give the same link as its calendar entry.
    [confirmation] = Notification.objects.filter(recipient=world.member, ics__contains="METHOD:REQUEST")
    assert confirmation.context["online_link"] == "https://meet.example.org/january"
    url = reverse("group_session", args=[session.pk])
    client.force_login(world.member)
    page = client.get(url).content.decode()
    assert "https://meet.example.org/january" in page and ROOM not in page
    client.force_login(world.colleague)  # same organisation, no place
    page = client.get(url).content.decode()
    assert "meet.example.org" not in page
    body = build_group_schedule(group, now=GROUPS_NOW).body
    assert "meet.example.org" not in body


def test_someone_taken_off_a_session_is_never_sent_its_link(world: World) -> None:
    """Their cancelled entry stays in their feed for a while, but without the place or a link
    set afterwards; the cancellation e-mailed to them carries none either."""
    group = make_group(world, online_link=ROOM, now=GROUPS_NOW)
    session = group.sessions.filter(starts_at__gt=utc(1, 0)).order_by("starts_at").first()
    place = book_place(session, acting_user=world.member, now=NOW)
    cancel_someones_place(place, acting_user=group.facilitator.user, reason="", now=NOW)
    set_session_link(session, "https://meet.example.org/private", acting_user=group.facilitator.user, now=NOW)
    [event] = [e for e in vevents(feed(world.member)).values() if str(e["UID"]) == session.ics_uid]
    assert str(event["STATUS"]) == "CANCELLED"
    assert "meet.example.org" not in event.to_ical().decode()
    [cancellation] = Notification.objects.filter(recipient=world.member, ics__contains="METHOD:CANCEL")
    assert "meet.example.org" not in cancellation.ics


@pytest.mark.parametrize(
    "link",
    ["http://meet.example.org/room", "javascript:alert(1)", "https://" + "a" * 200 + ".org", "ftp://meet.example.org"],
)
def test_a_video_link_must_be_https_and_bounded(world: World, link: str) -> None:
    with pytest.raises(ValidationError):
        validate_video_link(link)
    group = make_group(world, online_link=ROOM, now=GROUPS_NOW)
    session = group.sessions.order_by("starts_at").first()
    with pytest.raises(DomainError) as refused:
        set_session_link(session, link, acting_user=world.commissioner, now=GROUPS_NOW)
    assert refused.value.message in (
        "Enter a video link that starts with https://, like https://meet.example.org/room.",
        "Enter a video link of at most 200 characters.",
    )
    session.refresh_from_db()
    assert (session.online_link, session.sequence) == ("", 0)


def test_the_group_form_says_plainly_that_a_link_must_be_https(world: World) -> None:
    form = GroupForm(data={"online_link": "http://meet.example.org/room"}, pool=world.pool)
    form.is_valid()
    assert form.errors["online_link"] == [
        "Enter a video link that starts with https://, like https://meet.example.org/room."
    ]


def assert_link_refused_on_the_page(response, typed: str) -> None:
    """A video link refused is shown as every form's error is: the page again, its title and
    error summary saying so, the field's own message, and what was typed, kept."""
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page and "There is a problem" in page
    assert page.count("Enter a video link that starts with https://") == 2  # the summary and the field
    assert f'value="{typed}"' in page


def test_the_facilitator_is_shown_a_refused_link_on_the_register(client, world: World) -> None:
    group = make_group(world, now=GROUPS_NOW)
    session = group.sessions.filter(starts_at__gt=utc(1, 0)).order_by("starts_at").first()
    signed_in(client, group.facilitator.user)
    refused = client.post(reverse("group_register_link", args=[session.pk]), {"online_link": "javascript:alert(1)"})
    assert "Register, " in refused.content.decode()
    assert_link_refused_on_the_page(refused, "javascript:alert(1)")
    session.refresh_from_db()
    assert (session.online_link, session.sequence) == ("", 0)


def test_only_the_facilitator_or_a_commissioner_sets_a_sessions_link(world: World) -> None:
    group = make_group(world, now=GROUPS_NOW)
    session = group.sessions.order_by("starts_at").first()
    with pytest.raises(DomainError):
        set_session_link(session, "https://meet.example.org/x", acting_user=world.member, now=GROUPS_NOW)
    changed = set_session_link(
        session, "https://meet.example.org/x", acting_user=group.facilitator.user, now=GROUPS_NOW
    )
    assert (changed.online_link, changed.sequence) == ("https://meet.example.org/x", 1)


# --- The version: every change moves it ---


def test_every_kind_of_change_gives_the_persons_feed_a_new_version(world: World, agreement) -> None:
    facilitator_feed: list[str] = []
    group = make_group(world, capacity=4, now=GROUPS_NOW)
    facilitator = group.facilitator.user
    session = group.sessions.filter(starts_at__gt=utc(1, 0)).order_by("starts_at").first()
    seen = {feed_version(world.member).etag}

    def changed() -> bool:
        etag = feed_version(world.member).etag
        facilitator_feed.append(feed_version(facilitator).etag)
        new = etag not in seen
        seen.add(etag)
        return new

    booking = book(agreement, world.member, utc(6, 10))
    assert changed(), "a booking made"
    reschedule_supervision(booking, utc(7, 11), 60, acting_user=world.member, now=NOW)
    assert changed(), "a booking moved"
    cancel_supervision(booking, acting_user=world.member, now=NOW)
    assert changed(), "a booking cancelled"
    place = book_place(session, acting_user=world.member, now=NOW)
    assert changed(), "a place booked"
    cancel_place(place, acting_user=world.member, now=NOW)
    assert changed(), "a place cancelled"
    book_place(session, acting_user=world.member, now=NOW)
    assert changed(), "a place booked again"
    move_session(
        session, acting_user=world.commissioner, starts_on=datetime.date(2027, 1, 14), start_time=datetime.time(15)
    )
    assert changed(), "the session moved"
    change_group(group, acting_user=world.commissioner, title="Leeds reflective circle", now=GROUPS_NOW)
    assert changed(), "the group renamed"
    set_session_link(session, "https://meet.example.org/january", acting_user=facilitator, now=GROUPS_NOW)
    assert changed(), "the session's own link"
    update_preferences(world.member, reminder_hours=[2])
    assert changed(), "the person's reminders"
    update_preferences(world.member, reminder_hours=[24])
    assert changed(), "the person's reminders again"
    cancel_session(session, acting_user=world.commissioner, now=GROUPS_NOW)
    assert changed(), "the session cancelled"
    assert len(set(facilitator_feed)) >= 5  # the facilitator's own feed followed the session's changes
    tomorrow = feed_version(world.member, now=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1))
    assert tomorrow.etag not in seen, "a new day: the feed's window moves"
    SupervisionBooking.objects.filter(pk=booking.pk).delete()
    assert changed(), "a booking removed"


def test_a_groups_own_calendar_has_a_new_version_after_each_change(world: World) -> None:
    group = make_group(world, now=GROUPS_NOW)
    session = group.sessions.filter(starts_at__gt=utc(1, 0)).order_by("starts_at").first()
    first = group_schedule_version(group).etag
    move_session(
        session, acting_user=world.commissioner, starts_on=datetime.date(2027, 1, 14), start_time=datetime.time(15)
    )
    second = group_schedule_version(group).etag
    cancel_session(session, acting_user=world.commissioner, now=GROUPS_NOW)
    assert len({first, second, group_schedule_version(group).etag}) == 3


def test_a_304_costs_one_query_and_builds_nothing(client, world: World, agreement, django_assert_num_queries) -> None:
    for day in (5, 6, 7):
        book(agreement, world.member, utc(day, 10))
    url = reverse("calendar_feed", args=[regenerate_feed(world.member).token])
    first = client.get(url)
    # The feed by its token and its version, in one statement: nothing is built or read from
    # the cache, not even the person.
    with django_assert_num_queries(1):
        unchanged = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    with django_assert_num_queries(1):
        assert client.head(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    update_preferences(world.member, reminder_hours=[2])
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert changed.content.decode().count("TRIGGER:-PT2H") == 3


# --- A supervision session's own link ---


def test_the_supervisor_gives_one_session_its_own_link_and_calendars_take_it(client, world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(6, 10))
    before = feed_version(world.member).etag
    signed_in(client, agreement.supervisor.user)
    url = reverse("supervision_session_link", args=[booking.pk])

    refused = client.post(url, {"online_link": "http://meet.example.org/ann-tuesday"})
    assert_link_refused_on_the_page(refused, "http://meet.example.org/ann-tuesday")
    booking.refresh_from_db()
    assert (booking.online_link, booking.sequence) == (LINK, 0)

    client.post(url, {"online_link": "https://meet.example.org/ann-tuesday"})
    booking.refresh_from_db()
    assert (booking.online_link, booking.sequence) == ("https://meet.example.org/ann-tuesday", 1)
    assert feed_version(world.member).etag != before
    [event] = vevents(feed(world.member)).values()
    assert (str(event["CONFERENCE"]), event["SEQUENCE"]) == ("https://meet.example.org/ann-tuesday", 1)
    # The person booked sees it on the session's page; they cannot change it.
    client.force_login(world.member)
    assert (
        "https://meet.example.org/ann-tuesday"
        in client.get(reverse("supervision_session", args=[booking.pk])).content.decode()
    )
    with pytest.raises(DomainError):
        set_booking_link(booking, "https://meet.example.org/mine", acting_user=world.member)


def test_a_sessions_new_link_reaches_the_reminders_still_to_be_sent(world: World, agreement) -> None:
    booking = book(agreement, world.member, utc(20, 10))
    about = f"supervision:{booking.pk}"

    def waiting() -> list[str]:
        pending = Notification.objects.filter(
            about=about, kind=NotificationKind.REMINDER, status=NotificationStatus.PENDING
        )
        return sorted(row.context["where"] for row in pending)

    before = waiting()
    assert before and set(before) == {LINK}
    set_booking_link(booking, "https://meet.example.org/ann-tuesday", acting_user=agreement.supervisor.user)
    assert waiting() == ["https://meet.example.org/ann-tuesday"] * len(before)


def test_an_in_person_session_has_no_video_link_to_set(world: World, agreement) -> None:
    agreement.supervisor.in_person_areas = ["Leeds"]
    agreement.supervisor.save(update_fields=["in_person_areas"])
    booking = book(agreement, world.member, utc(7, 10), mode=SessionMode.IN_PERSON)
    with pytest.raises(DomainError) as refused:
        set_booking_link(booking, "https://meet.example.org/x", acting_user=agreement.supervisor.user)
    assert refused.value.message == "This session is in person, so it has no video link."


def test_the_commissioner_gives_a_session_its_own_link_from_the_groups_page(client, world: World) -> None:
    group = make_group(world, online_link=ROOM, now=GROUPS_NOW)
    session = group.sessions.filter(starts_at__gt=utc(1, 0)).order_by("starts_at").first()
    signed_in(client, world.commissioner)
    manage = client.get(reverse("group_manage", args=[world.pool.pk, group.pk])).content.decode()
    url = reverse("group_session_link", args=[world.pool.pk, session.pk])
    assert f'href="{url}"' in manage
    refused = client.post(url, {"online_link": "http://meet.example.org/room"})
    assert refused.status_code == 200
    assert "Enter a video link that starts with https://" in refused.content.decode()
    saved = client.post(url, {"online_link": "https://meet.example.org/january"})
    assert saved["Location"] == reverse("group_manage", args=[world.pool.pk, group.pk])
    session.refresh_from_db()
    assert (session.online_link, session.sequence) == ("https://meet.example.org/january", 1)
    # Empty: back to the group's own link, another change for calendars.
    client.post(url, {"online_link": ""})
    session.refresh_from_db()
    assert (session.online_link, session.sequence) == ("", 2)
    # Another pool's commissioner finds no such page.
    signed_in(client, world.other_commissioner)
    assert client.get(url).status_code == 404
