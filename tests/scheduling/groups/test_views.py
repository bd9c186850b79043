from __future__ import annotations

import datetime
import json
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reflect.enums import LedgerKind
from reflect.models import LedgerEntry, LedgerMonth, Notification
from scheduling.groups.places import book_place, cancel_place
from scheduling.groups.waitlist import join_waitlist
from scheduling.models import GroupSession, Place, PlaceStatus, ReflectiveGroup, WaitlistStatus
from tests.factories.core import give_two_factor, staff_of
from tests.factories.groups import NOW, make_facilitator, make_group, typed_dates
from tests.factories.webhooks import endpoint_for
from webhooks.models import WebhookDelivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def page(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args))


def post(client, user, name, *args, data=None):
    client.force_login(user)
    return client.post(reverse(name, args=args), data or {})


def test_staff_see_each_group_with_its_next_session_and_the_groups_own_page_lists_the_rest(client, world, group):
    response = page(client, world.member, "group_sessions")
    assert response.status_code == 200
    assert [(row["ranked"].option.title, row["when"], row["places_said"]) for row in response.context["ranked"]] == [
        ("Leeds reflective practice", "Wednesday 11 November 2026, 2pm to 4pm", "2 places left")
    ]
    rows = page(client, world.member, "group_detail", group.pk).context["rows"]
    assert len(rows) == 12
    assert [row["when"] for row in rows[:2]] == [
        "Wednesday 11 November 2026, 2pm to 4pm",
        "Wednesday 9 December 2026, 2pm to 4pm",
    ]


def test_a_person_outside_the_pool_sees_no_sessions_and_gets_404_for_one(client, world, session):
    assert page(client, world.outsider, "group_sessions").context["ranked"] == []
    assert page(client, world.outsider, "group_session", session.pk).status_code == 404
    assert page(client, world.outsider, "group_detail", session.group_id).status_code == 404


def test_booking_from_the_session_page_then_cancelling_quietly(client, world, session):
    response = post(client, world.member, "group_session_book", session.pk)
    assert response.status_code == 302
    detail = page(client, world.member, "group_session", session.pk)
    assert detail.context["place"].status == PlaceStatus.BOOKED
    assert "Room 2, Leeds Community Hub" in detail.content.decode()
    post(client, world.member, "group_session_cancel", session.pk)
    assert Place.objects.get(user=world.member).status == PlaceStatus.CANCELLED


def test_the_place_is_not_shown_to_someone_without_one(client, world, session):
    body = page(client, world.member, "group_session", session.pk).content.decode()
    assert "Room 2, Leeds Community Hub" not in body
    assert "What is said here stays here." in body


def test_full_session_page_offers_the_waitlist_and_names_nobody(client, world, session):
    book_place(session, acting_user=world.colleague, now=NOW)
    book_place(session, acting_user=world.lead, now=NOW)
    response = page(client, world.member, "group_session", session.pk)
    body = response.content.decode()
    assert response.context["full"] is True
    assert "Join the waitlist" in body
    assert "Chris" not in body and "Leila" not in body
    post(client, world.member, "group_waitlist_join", session.pk, data={"auto_accept": "on"})
    entry = world.member.group_waitlist.get()
    assert (entry.status, entry.auto_accept) == (WaitlistStatus.WAITING, True)


def test_a_bad_request_shows_the_reason_not_a_500(client, world, session):
    book_place(session, acting_user=world.colleague, now=NOW)
    book_place(session, acting_user=world.lead, now=NOW)
    response = post(client, world.member, "group_session_book", session.pk)
    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert "is full. Join the waitlist" in followed.content.decode()


def test_accepting_an_offer_from_the_page(client, world, session):
    place = book_place(session, acting_user=world.colleague, now=NOW)
    book_place(session, acting_user=world.lead, now=NOW)
    join_waitlist(session, acting_user=world.member, now=NOW)

    cancel_place(place, acting_user=world.colleague, now=NOW)
    assert page(client, world.member, "group_session", session.pk).context["offer_open"] is True
    post(client, world.member, "group_waitlist_accept", session.pk)
    assert Place.objects.get(user=world.member, session=session).status == PlaceStatus.BOOKED


def test_the_register_shows_first_name_and_organisation_only(client, world, session):
    book_place(session, acting_user=world.member, now=NOW)
    facilitator = session.group.facilitator.user
    response = page(client, facilitator, "group_register", session.pk)
    assert response.status_code == 200
    assert [(r["first_name"], r["organisation"]) for r in response.context["rows"]] == [("Sam", "Harehills Drama")]
    body = response.content.decode()
    assert world.member.email not in body and world.member.last_name not in body


def test_marking_attendance_from_the_register(client, world, session):
    place = book_place(session, acting_user=world.member, now=NOW)
    facilitator = session.group.facilitator.user
    with mock.patch("django.utils.timezone.now", return_value=session.starts_at + datetime.timedelta(hours=2)):
        post(client, facilitator, "group_register", session.pk, data={"place": place.pk, "attended": "no"})
    place.refresh_from_db()
    assert place.status == PlaceStatus.ABSENT


def test_another_groups_facilitator_gets_404(client, world, session):
    other = make_group(world, title="Other", facilitator=make_facilitator("Bo"))
    place = book_place(session, acting_user=world.member, now=NOW)
    outsider = other.facilitator.user
    assert page(client, outsider, "group_register", session.pk).status_code == 404
    assert post(client, outsider, "group_register", session.pk, data={"place": place.pk}).status_code == 404
    assert page(client, world.member, "group_register", session.pk).status_code == 404


def test_the_lead_sees_no_attendee_on_any_group_page(client, world, session):
    book_place(session, acting_user=world.member, now=NOW)
    for name, args in [("group_sessions", ()), ("group_session", (session.pk,)), ("group_my_places", ())]:
        body = page(client, world.lead, name, *args).content.decode()
        assert "Sam" not in body
    assert page(client, world.lead, "group_register", session.pk).status_code == 404


def group_form_data(facilitator, **changes: str) -> dict[str, object]:
    return typed_dates(
        {
            "title": "Balint group",
            "description": "",
            "kind": "drop_in",
            "facilitator": facilitator.pk,
            "rrule": "FREQ=MONTHLY;BYDAY=+2WE",
            "first_date": timezone.localdate().isoformat(),  # a group starts today or later
            "start_time": "14:00",
            "duration_minutes": "120",
            "time_zone": "Europe/London",
            "capacity": "10",
            "overbooking_percent": "0",
            "booking_opens_days": "28",
            "all_pool_organisations": "on",
            "ground_rules": "Stays in the room.",
            "confidentiality_statement": "Nothing written down.",
            **changes,
        }
    )


def test_a_cohort_term_ending_before_it_starts_is_a_message_and_no_group(client, world):
    give_two_factor(world.commissioner)
    data = group_form_data(make_facilitator(), kind="cohort", first_date="2027-01-01", last_date="2026-12-31")
    response = post(client, world.commissioner, "group_create", world.pool.pk, data=data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"last_date": ["The last date must be on or after the first date."]}
    assert ReflectiveGroup.objects.count() == 0


def test_commissioner_creates_a_group(client, world):
    give_two_factor(world.commissioner)
    staff_of(world.organisation)
    facilitator = make_facilitator()
    response = post(
        client,
        world.commissioner,
        "group_create",
        world.pool.pk,
        data=group_form_data(facilitator),
    )
    assert response.status_code == 302, response.context["form"].errors
    group = ReflectiveGroup.objects.get(title="Balint group")
    assert GroupSession.objects.filter(group=group).count() == 12
    assert LedgerEntry.objects.count() == 0


def test_another_pools_commissioner_gets_404(client, world):
    give_two_factor(world.other_commissioner)
    assert page(client, world.other_commissioner, "group_create", world.pool.pk).status_code == 404


def test_group_pages_need_signing_in(client, session):
    response = client.get(reverse("group_session", args=[session.pk]))
    assert response.status_code == 302


def test_a_register_post_with_a_place_that_is_not_a_number_is_a_404(client, world, session):
    facilitator = session.group.facilitator.user
    for value in ("abc", "²", ""):
        assert post(client, facilitator, "group_register", session.pk, data={"place": value}).status_code == 404


def test_booking_a_place_takes_a_fixed_number_of_queries(client, world, session, django_assert_num_queries):
    # docs/performance.md ("booking under load"; "Booking a group place at the framework's
    # floor"): every booking of a session queues behind its row lock, so the request is kept to
    # these: the session and the person (middleware); ONE read before the lock (the session
    # with its group, pool and facilitator, the access check, the person's own places and the
    # organisation they join through, and on PostgreSQL the new place's key); then, in one
    # transaction (a savepoint and its release here, as the test runs in a transaction of its
    # own), the conditional UPDATE that counts the place and takes the lock, and the writes: on
    # PostgreSQL ONE statement for the place, its ledger entry, its month's totals and the
    # confirmation, which itself asks that nobody holds an offer or waits ("Booking a group
    # place: the waitlist's question in the write"); on SQLite (no data-modifying CTEs) the
    # waitlist, then an insert each. A colleague booked first, so the organisation's month of
    # places exists.
    client.force_login(world.colleague)
    client.post(reverse("group_session_book", args=[session.pk]))
    client.cookies.pop("messages")  # the colleague's "booked", in the browser they share
    client.force_login(world.member)
    writes = ["WITH"] if connection.vendor == "postgresql" else ["SELECT", "INSERT", "INSERT", "INSERT", "INSERT"]
    expected = ["SELECT", "SELECT", "SELECT", "SAVEPOINT", "UPDATE", *writes, "RELEASE"]
    with django_assert_num_queries(len(expected)) as captured:
        response = client.post(reverse("group_session_book", args=[session.pk]))
    assert [query["sql"].split(" ", 1)[0] for query in captured.captured_queries] == expected
    assert (response.status_code, response["Location"]) == (302, reverse("group_session", args=[session.pk]))
    place = Place.objects.get(session=session, user=world.member)
    assert (place.status, place.organisation) == (PlaceStatus.BOOKED, world.organisation)
    session.refresh_from_db()
    assert session.places_taken == 2
    entry = LedgerEntry.objects.get(source=f"group-place:{place.pk}:booked")
    assert (entry.kind, entry.quantity, entry.organisation, entry.occurred_at) == (
        LedgerKind.PLACE_BOOKED,
        1,
        world.organisation,
        place.booked_at,
    )
    month = LedgerMonth.objects.get(organisation=world.organisation, kind=LedgerKind.PLACE_BOOKED)
    assert (month.entries, month.quantity) == (2, 2)
    confirmation = Notification.objects.get(idempotency_key=f"group-place:{place.pk}:booked")
    assert (confirmation.recipient, confirmation.about, confirmation.context["facilitator"]) == (
        world.member,
        f"group-place:{place.pk}",
        session.group.facilitator_name,
    )
    assert confirmation.ics.startswith("BEGIN:VCALENDAR")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Your place is booked. We have sent you the details."
    ]


def webhook_questions(queries) -> list[str]:
    """The statements that asked whether the pool has a webhook endpoint, by first word."""
    return [query["sql"].split(" ", 1)[0] for query in queries if "webhooks_webhookendpoint" in query["sql"]]


@pytest.mark.parametrize("listening", [False, True])
def test_a_booking_asks_for_webhook_endpoints_in_its_write_not_after_its_commit(
    client, world, session, listening, django_capture_on_commit_callbacks, settings
):
    # docs/performance.md ("the webhooks' question in the write"): on PostgreSQL the write that
    # books the place also asks whether the pool has an endpoint (under the listeners' lock the
    # conditional UPDATE took), and a pool with none is asked nothing after the commit: the
    # served request's 9th statement is gone. A pool with one still hears of the place.
    settings.WEBHOOK_ALLOW_LOOPBACK = True  # the endpoint below refuses at once: nothing to look up
    if listening:
        endpoint, _ = endpoint_for(pool=world.pool, url="http://127.0.0.1:9/hooks", events=["place.taken"])
    client.force_login(world.member)
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("group_session_book", args=[session.pk]))
    assert response.status_code == 302
    place = Place.objects.get(session=session, user=world.member)
    # On SQLite the sink asks after the commit, as before. Where the pool listens, the sink's own
    # reads (and the delivery, run here by the eager worker) follow.
    asked = webhook_questions(captured.captured_queries)
    first = "WITH" if connection.vendor == "postgresql" else "SELECT"
    assert (asked if not listening else asked[:1]) == [first]
    deliveries = WebhookDelivery.objects.filter(event="place.taken")
    assert [(d.endpoint, json.loads(d.body)["data"]["session"]["id"]) for d in deliveries] == (
        [(endpoint, place.session_id)] if listening else []
    )
