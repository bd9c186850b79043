"""Payloads carry no more personal data than the receiver's role may see (docs/webhooks.md):
a commissioner's never names a person; a lead's names their own staff only in a supervision
session (as the lead's pages do), and a lead hears nothing of reflective groups."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from reflect.errors import DomainError
from reflect.events import Audience, Event, EventKind
from reflect.services.pools import set_allocation
from scheduling.groups.places import book_place, cancel_place
from scheduling.groups.session_changes import cancel_session
from scheduling.groups.waitlist import join_waitlist
from scheduling.services.booking_events import booking_payload
from scheduling.services.bookings import cancel_supervision, reschedule_supervision
from tests.factories.bookings import NOW, book, utc
from tests.factories.groups import make_group
from tests.factories.webhooks import endpoint_for
from webhooks.forms import EndpointForm
from webhooks.models import WebhookDelivery
from webhooks.services import register_endpoint

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


def _a_day_of_every_event(world, agreement, capture) -> None:
    """Every kind of event, once or more: bookings made, moved and cancelled; group places taken
    and given back, a place offered from the waitlist; an allocation changed; a session
    cancelled."""
    group = make_group(world, capacity=1)
    session = group.sessions.filter(starts_at__gt=NOW).order_by("starts_at").first()
    with capture(execute=True):
        booking = book(agreement, world.member, utc(11, 10))
        booking = reschedule_supervision(booking, utc(12, 10), 60, acting_user=world.member, now=NOW)
        cancel_supervision(booking, acting_user=world.member, now=NOW)
        place = book_place(session, acting_user=world.member, now=NOW)
        join_waitlist(session, acting_user=world.colleague, now=NOW)
        cancel_place(place, acting_user=world.member, now=NOW)  # offered to the colleague waiting
        set_allocation(world.pool, world.organisation, Decimal("12"), acting_user=world.commissioner)
        cancel_session(session, acting_user=world.commissioner, now=NOW)


EVERY_EVENT_OF_THE_DAY = [
    "booking.created", "booking.changed", "booking.cancelled", "place.taken", "place.freed", "waitlist.offered",
    "allocation.changed", "session.cancelled",
]  # fmt: skip


def test_every_kind_of_event_is_in_the_day(world, agreement, django_capture_on_commit_callbacks, monkeypatch) -> None:
    """The control for the tests below: the pool hears of every kind, so the day covers them all."""
    monkeypatch.setattr("webhooks.services.publish_deliveries", lambda ids, eta=None: None)
    pool_hook, _ = endpoint_for(pool=world.pool, events=[kind.value for kind in EventKind])
    _a_day_of_every_event(world, agreement, django_capture_on_commit_callbacks)
    heard = list(WebhookDelivery.objects.filter(endpoint=pool_hook).order_by("pk").values_list("event", flat=True))
    assert heard == EVERY_EVENT_OF_THE_DAY
    assert sorted(set(heard)) == sorted(kind.value for kind in EventKind)


# What each audience hears of (docs/webhooks.md, "Who hears what").
HEARS = {
    "commissioner": set(EVERY_EVENT_OF_THE_DAY),
    "lead": {"booking.created", "booking.changed", "booking.cancelled", "allocation.changed"},
}


@pytest.mark.parametrize("kind", [kind.value for kind in EventKind])
@pytest.mark.parametrize("audience", ["commissioner", "lead"])
def test_each_event_reaches_each_kind_of_endpoint_only_as_its_audience_may_learn(
    world, agreement, django_capture_on_commit_callbacks, monkeypatch, kind, audience
) -> None:
    """A lead hears nothing of reflective groups (which of their staff took a place is not
    theirs to know); a commissioner hears of everything, never with a person, and of a group
    place without the organisation either."""
    monkeypatch.setattr("webhooks.services.publish_deliveries", lambda ids, eta=None: None)
    owner = {"pool": world.pool} if audience == "commissioner" else {"organisation": world.organisation}
    hook, _ = endpoint_for(**owner, events=[kind])
    _a_day_of_every_event(world, agreement, django_capture_on_commit_callbacks)

    bodies = [json.loads(body) for body in WebhookDelivery.objects.filter(endpoint=hook).values_list("body", flat=True)]
    expected = EVERY_EVENT_OF_THE_DAY.count(kind) if kind in HEARS[audience] else 0
    assert len(bodies) == expected
    assert [body["type"] for body in bodies] == [kind] * expected
    everyone = [world.member, world.colleague, world.lead, world.commissioner, agreement.supervisor.user]
    named = people_named(json.dumps(bodies), everyone)
    if audience == "lead" and kind.startswith("booking."):
        assert named == sorted({agreement.supervisor.user.first_name, agreement.supervisor.user.last_name} | {
            world.member.first_name, world.member.last_name})  # fmt: skip
    else:
        assert named == []
    for body in bodies:
        if kind.startswith(("place.", "waitlist.", "session.")):
            assert "organisation" not in body["data"]
            assert world.organisation.name not in json.dumps(body)
            assert body["data"]["pool_id"] == world.pool.pk
        else:
            assert body["data"]["organisation"] == {"id": world.organisation.pk, "name": world.organisation.name}


def test_a_lead_is_not_offered_group_events_nor_can_choose_them(world) -> None:
    lead_form = EndpointForm(audience=Audience.LEAD)
    pool_form = EndpointForm(audience=Audience.COMMISSIONER)
    assert [value for value, _ in lead_form.fields["events"].choices] == [
        "booking.created", "booking.changed", "booking.cancelled", "allocation.changed"
    ]  # fmt: skip
    assert [value for value, _ in pool_form.fields["events"].choices] == [kind.value for kind in EventKind]
    with pytest.raises(DomainError, match="Choose at least one event to send"):
        register_endpoint(
            world.organisation, acting_user=world.lead, url="https://93.184.216.34/hooks", events=["place.taken"]
        )


def test_an_event_will_not_make_a_payload_for_an_audience_that_may_not_hear_of_it(world) -> None:
    event = Event(EventKind.PLACE_TAKEN, world.pool.pk, None, NOW, lambda audience: {"said": "to " + audience})
    assert event.payload(Audience.COMMISSIONER) == {"said": "to commissioner"}
    with pytest.raises(ValueError, match=r"^place\.taken is not told to a lead\.$"):
        event.payload(Audience.LEAD)
