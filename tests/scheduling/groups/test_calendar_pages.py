"""A group session's calendar file, and the facilitator cancelling someone's place from the register."""

from __future__ import annotations

import pytest
from django.urls import reverse
from icalendar import Calendar

from reflect.errors import DomainError
from reflect.models import Notification
from scheduling.groups.places import book_place, cancel_place, cancel_someones_place
from scheduling.models import Place, PlaceStatus
from scheduling.notification_kinds import GroupNotificationKind
from scheduling.services.calendar_feed import build_feed
from tests.factories.groups import NOW, make_facilitator, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args))


def the_event(body: str):
    [event] = Calendar.from_ical(body).walk("VEVENT")
    return event


def test_the_calendar_file_is_for_people_with_a_place_and_the_facilitator_and_matches_the_feed(client, world, session):
    place = book_place(session, acting_user=world.member, now=NOW)
    cancel_place(place, acting_user=world.member, now=NOW)
    book_place(session, acting_user=world.member, now=NOW)  # booked again: their copy is at SEQUENCE 1
    detail = get(client, world.member, "group_session", session.pk).content.decode()
    link = reverse("group_session_ics", args=[session.pk])
    assert f'href="{link}"' in detail

    response = get(client, world.member, "group_session_ics", session.pk)
    assert (response.status_code, response["Content-Type"]) == (200, "text/calendar; charset=utf-8")
    assert response["Content-Disposition"] == 'attachment; filename="group-session-2026-11-11.ics"'
    event = the_event(response.content.decode())
    [feed] = Calendar.from_ical(build_feed(world.member, now=NOW).body).walk("VEVENT")
    assert (str(event["UID"]), event["SEQUENCE"]) == (str(feed["UID"]), feed["SEQUENCE"]) == (session.ics_uid, 1)
    assert str(event["LOCATION"]) == "Room 2, Leeds Community Hub"
    assert "METHOD" not in Calendar.from_ical(response.content.decode())

    facilitator = session.group.facilitator.user
    assert the_event(get(client, facilitator, "group_session_ics", session.pk).content.decode())["SEQUENCE"] == 0
    assert f'href="{link}"' in get(client, facilitator, "group_register", session.pk).content.decode()
    # Staff of the pool without a place, and an outsider, get what a missing session gets.
    assert get(client, world.colleague, "group_session_ics", session.pk).status_code == 404
    assert f'href="{link}"' not in get(client, world.colleague, "group_session", session.pk).content.decode()
    assert get(client, world.outsider, "group_session_ics", session.pk).status_code == 404


def test_the_facilitator_cancels_a_place_from_the_register_and_the_person_is_told_why(client, world, session):
    place = book_place(session, acting_user=world.member, now=NOW)
    facilitator = session.group.facilitator.user
    register = get(client, facilitator, "group_register", session.pk).content.decode()
    address = reverse("group_register_cancel_place", args=[session.pk, place.pk])
    assert f'href="{address}"' in register
    asked = get(client, facilitator, "group_register_cancel_place", session.pk, place.pk)
    assert "Cancel Sam's place on Wednesday 11 November 2026, 2pm to 4pm?" in asked.content.decode()

    response = client.post(address, {"reason": "The room is smaller that day."})
    assert response.status_code == 302 and response["Location"] == reverse("group_register", args=[session.pk])
    place.refresh_from_db()
    assert (place.status, place.cancel_reason) == (PlaceStatus.CANCELLED, "The room is smaller that day.")
    [told] = Notification.objects.filter(kind=GroupNotificationKind.PLACE_CANCELLED)
    assert (told.recipient, told.context["by"], told.context["reason"]) == (
        world.member,
        "facilitator",
        "The room is smaller that day.",
    )
    assert "\r\nMETHOD:CANCEL\r\n" in told.ics
    # A second try finds nothing to cancel: back to the register, nothing more sent.
    assert get(client, facilitator, "group_register_cancel_place", session.pk, place.pk).status_code == 302
    assert Notification.objects.filter(kind=GroupNotificationKind.PLACE_CANCELLED).count() == 1


def test_only_the_facilitator_and_the_pools_commissioners_may_cancel_someones_place(client, world, session):
    place = book_place(session, acting_user=world.member, now=NOW)
    other = make_group(world, title="Other", facilitator=make_facilitator("Bo")).facilitator.user
    address = reverse("group_register_cancel_place", args=[session.pk, place.pk])
    for person in (other, world.member, world.colleague):
        client.force_login(person)
        assert client.post(address, {"reason": ""}).status_code == 404
    for person in (world.colleague, world.lead, world.other_commissioner, other):
        with pytest.raises(DomainError, match="Only the group's facilitator or the pool's commissioners"):
            cancel_someones_place(place, acting_user=person, now=NOW)
    assert Place.objects.get(pk=place.pk).status == PlaceStatus.BOOKED
    assert not Notification.objects.filter(kind=GroupNotificationKind.PLACE_CANCELLED).exists()
