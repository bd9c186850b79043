"""Payloads carry no more personal data than the receiver's role may see (docs/webhooks.md):
a commissioner's never names a person; a lead's names their own staff only in a supervision
session (as the lead's pages do), never in a reflective group."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from reflect.events import Audience, EventKind
from reflect.services.pools import set_allocation
from scheduling.groups.places import book_place, cancel_place
from scheduling.groups.session_changes import cancel_session
from scheduling.services.booking_events import booking_payload
from scheduling.services.bookings import cancel_supervision, reschedule_supervision
from tests.factories.bookings import NOW, book, utc
from tests.factories.groups import make_group
from tests.factories.webhooks import endpoint_for
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def people_named(text: str, people) -> list[str]:
    """Any first name, last name or e-mail address of these people found in the text."""
    words = set()
    for person in people:
        words |= {person.first_name, person.last_name, person.email}
    return sorted(word for word in words if word and word in text)


def test_a_booking_names_nobody_for_the_commissioner_and_the_people_for_their_lead(world, agreement) -> None:
    booking = book(agreement, world.member, utc(11, 10))
    supervisor = agreement.supervisor.user

    commissioner = json.dumps(booking_payload(booking, Audience.COMMISSIONER))
    lead = booking_payload(booking, Audience.LEAD)

    assert people_named(commissioner, [world.member, supervisor, world.lead]) == []
    assert lead["booking"]["supervisor"] == supervisor.display_name
    assert lead["booking"]["attendees"] == [world.member.display_name]


def test_every_event_of_a_day_reaches_both_audiences_and_the_groups_name_nobody(
    world, agreement, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr("webhooks.services.publish_deliveries", lambda ids, eta=None: None)
    every = [kind.value for kind in EventKind]
    pool_hook, _ = endpoint_for(pool=world.pool, events=every)
    lead_hook, _ = endpoint_for(organisation=world.organisation, events=every)
    group = make_group(world, capacity=1)
    session = group.sessions.filter(starts_at__gt=NOW).order_by("starts_at").first()

    with django_capture_on_commit_callbacks(execute=True):
        booking = book(agreement, world.member, utc(11, 10))
        booking = reschedule_supervision(booking, utc(12, 10), 60, acting_user=world.member, now=NOW)
        cancel_supervision(booking, acting_user=world.member, now=NOW)
        place = book_place(session, acting_user=world.member, now=NOW)
        cancel_place(place, acting_user=world.member, now=NOW)
        book_place(session, acting_user=world.colleague, now=NOW)
        set_allocation(world.pool, world.organisation, Decimal("12"), acting_user=world.commissioner)
        cancel_session(session, acting_user=world.commissioner, now=NOW)

    expected = [
        "booking.created", "booking.changed", "booking.cancelled", "place.taken", "place.freed", "place.taken",
        "allocation.changed", "place.freed", "session.cancelled",
    ]  # fmt: skip
    sent_to_pool = list(WebhookDelivery.objects.filter(endpoint=pool_hook).order_by("pk").values_list("event", "body"))
    sent_to_lead = list(WebhookDelivery.objects.filter(endpoint=lead_hook).order_by("pk").values_list("event", "body"))
    assert [event for event, _ in sent_to_pool] == expected
    # The session as a whole is the pool's news; the lead hears of their organisation's places.
    assert [event for event, _ in sent_to_lead] == [e for e in expected if e != "session.cancelled"]
    everyone = [world.member, world.colleague, world.lead, world.commissioner, agreement.supervisor.user]
    assert people_named(" ".join(body for _, body in sent_to_pool), everyone) == []
    group_bodies = " ".join(body for event, body in sent_to_lead if not event.startswith("booking."))
    assert people_named(group_bodies, everyone) == []
    allocation = json.loads(next(body for event, body in sent_to_pool if event == "allocation.changed"))
    assert allocation["data"]["organisation"] == {"id": world.organisation.pk, "name": world.organisation.name}
    assert allocation["data"]["allocated_hours"] == "12"
    place_taken = json.loads(next(body for event, body in sent_to_lead if event == "place.taken"))
    assert set(place_taken["data"]) == {"session", "pool_id", "organisation"}
    assert place_taken["data"]["session"]["id"] == session.pk
