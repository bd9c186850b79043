"""What every operation shares: problem+json errors in the pages' words, rate limits with
Retry-After, cursor pages, date ranges, ETags; and the services' own results (ledger, notices)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from api.throttling import PerTokenThrottle
from reflect.models import LedgerEntry, Membership, Notification
from scheduling.models import BookingStatus, SupervisionBooking
from tests.api.conftest import token_client
from tests.factories.bookings import book, utc
from tests.factories.core import UserFactory, staff_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/nothing/", "/api/v1/bookings/%0A/cancel/", "/api/v1/%0A"])
def test_an_address_under_the_api_that_is_nothing_is_a_problem_not_a_page(world, path):
    """Schemathesis found a line break in an id answered with the site's HTML page: the catch-all's
    "." matched no line break."""
    response = token_client(world.member).post(path)
    assert (response.status_code, response["Content-Type"]) == (404, "application/problem+json")


def test_bad_input_is_a_problem_in_plain_words(world, agreement, frozen_now):
    client = token_client(world.member)
    response = client.post("/api/v1/bookings/", {"agreement": agreement.pk, "minutes": 5}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "https://reflect.invalid/problems/invalid-request"
    assert body["title"] == "Your request could not be used"
    assert body["status"] == 400
    assert set(body["errors"]) == {"starts_at", "minutes"}
    assert SupervisionBooking.objects.count() == 0


def test_a_refusal_has_the_pages_words(world, agreement, frozen_now):
    book(agreement, world.colleague, utc(5, 10))
    client = token_client(world.member)
    body = {"agreement": agreement.pk, "starts_at": utc(5, 10).isoformat(), "minutes": 60}
    response = client.post("/api/v1/bookings/", body, format="json")
    assert response.status_code == 409
    problem = response.json()
    assert problem["title"] == "That could not be done"
    assert problem["detail"] == "That time has already been booked."
    assert problem["errors"] == {"starts_at": ["That time has already been booked."]}
    assert problem["next_free"][:2] == [
        {"starts_at": "2027-01-05T11:30:00Z", "minutes": 60},
        {"starts_at": "2027-01-05T11:30:00Z", "minutes": 90},
    ]
    assert SupervisionBooking.objects.count() == 1


def test_booking_through_the_api_is_the_pages_booking(world, agreement, frozen_now):
    client = token_client(world.member)
    body = {"agreement": agreement.pk, "starts_at": utc(5, 10).isoformat(), "minutes": 90}
    response = client.post("/api/v1/bookings/", body, format="json")
    assert response.status_code == 201
    booking = SupervisionBooking.objects.get(pk=response.json()["id"])
    assert response.json()["hours"] == "1.50"
    assert [a.user for a in booking.attendees.all()] == [world.member]
    # The same ledger entry and notices as the booking page's.
    assert LedgerEntry.objects.filter(source=f"supervision:{booking.pk}:booked").count() == 1
    assert Notification.objects.filter(recipient=world.member).exists()
    cancelled = client.post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "Ill"}, format="json")
    assert cancelled.json()["status"] == BookingStatus.CANCELLED
    booking.refresh_from_db()
    assert booking.cancel_reason == "Ill"


def test_waiting_for_a_place_in_a_full_session(world, frozen_now):
    from scheduling.groups.places import book_place
    from tests.factories.bookings import NOW
    from tests.factories.groups import make_group

    session = make_group(world, capacity=1, now=NOW).sessions.filter(starts_at__gt=NOW).order_by("starts_at").first()
    book_place(session, acting_user=world.colleague, now=NOW)
    client = token_client(world.member)
    url = f"/api/v1/sessions/{session.pk}/waitlist/"
    joined = client.post(url, {"auto_accept": True}, format="json")
    assert joined.status_code == 201
    assert client.post(url, {}, format="json").json()["id"] == joined.json()["id"]  # a second request: the same wait
    assert [row["status"] for row in client.get("/api/v1/waitlist/").json()["results"]] == ["waiting"]
    full = client.post(f"/api/v1/sessions/{session.pk}/place/")
    assert full.status_code == 409
    left = client.delete(url)
    assert left.json()["status"] == "left"
    again = client.delete(url)
    assert again.status_code == 409
    assert again.json()["detail"] == "You are not on the waitlist for this session."


def test_over_the_rate_limit_is_429_with_retry_after(world, monkeypatch):
    monkeypatch.setattr(PerTokenThrottle, "THROTTLE_RATES", {"token": "3/min"})
    client = token_client(world.lead, ["organisations:read"])
    statuses = [client.get("/api/v1/organisations/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/organisations/")
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another token of the same person counts on its own.
    assert token_client(world.lead, ["organisations:read"]).get("/api/v1/organisations/").status_code == 200


def test_etag_and_if_none_match(world, agreement, frozen_now):
    client = token_client(world.member)
    book(agreement, world.member, utc(5, 10))
    first = client.get("/api/v1/bookings/")
    assert first.status_code == 200
    etag = first["ETag"]
    unchanged = client.get("/api/v1/bookings/", HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    book(agreement, world.member, utc(6, 10))
    changed = client.get("/api/v1/bookings/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_cursor_pages_and_date_range(world, agreement, frozen_now):
    starts = [utc(day, 10) for day in (5, 6, 7, 8)]  # the agreement's 4 hours
    for start in starts:
        book(agreement, world.member, start)
    client = token_client(world.member)
    seen, url = [], "/api/v1/bookings/?page_size=2"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 2
        seen += [row["starts_at"] for row in page["results"]]
        url = page["next"]
    assert seen == [start.isoformat().replace("+00:00", "Z") for start in starts]
    within = client.get("/api/v1/bookings/?from=2027-01-06&to=2027-01-08").json()["results"]
    assert [row["starts_at"] for row in within] == [
        "2027-01-06T10:00:00Z",
        "2027-01-07T10:00:00Z",
        "2027-01-08T10:00:00Z",
    ]
    backwards = client.get("/api/v1/bookings/?from=2027-01-08&to=2027-01-06")
    assert backwards.status_code == 400
    assert backwards.json()["errors"] == {"to": ["The last day must be the same as the first day or after it."]}


def test_slots_filtered_by_day_and_length(world, agreement, frozen_now):
    client = token_client(world.member)
    slots = client.get(f"/api/v1/agreements/{agreement.pk}/slots/?from=2027-01-05&to=2027-01-05&minutes=90").json()
    assert slots[0] == {"starts_at": "2027-01-05T09:00:00Z", "ends_at": "2027-01-05T10:30:00Z", "minutes": 90}
    assert {slot["minutes"] for slot in slots} == {90}
    assert all(slot["starts_at"].startswith("2027-01-05") for slot in slots)
    assert client.get(f"/api/v1/agreements/{agreement.pk}/slots/?minutes=5").status_code == 400


def test_an_unknown_address_is_a_problem_too():
    response = APIClient().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_schema_is_openapi_3_1_and_the_docs_use_our_static_files(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert schema["openapi"] == "3.1.0"
    assert len([op for path in schema["paths"].values() for op in path]) == 24
    page = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert "<style>" not in page and "<script>" not in page  # the Content Security Policy forbids inline


def test_a_lead_books_the_member_the_members_list_gave_them(world, agreement, frozen_now):
    """One kind of id for a person: the members list's id is what a booking's attendees take."""
    UserFactory()  # an account with no membership: people's and memberships' ids part ways
    newcomer = staff_of(world.organisation, first_name="Nia")
    membership = Membership.objects.get(user=newcomer)
    assert membership.pk != newcomer.pk  # the control: the two kinds of id differ here
    client = token_client(world.lead)

    members = client.get(f"/api/v1/organisations/{world.organisation.pk}/members/").json()["results"]
    nia = next(member for member in members if member["name"] == newcomer.display_name)
    assert nia["id"] == newcomer.pk
    body = {"agreement": agreement.pk, "starts_at": utc(11, 10).isoformat(), "minutes": 60, "attendees": [nia["id"]]}
    response = client.post("/api/v1/bookings/", body, format="json")

    assert response.status_code == 201, response.content
    booking = SupervisionBooking.objects.get(pk=response.json()["id"])
    assert [attendee.user for attendee in booking.attendees.all()] == [newcomer]


def test_the_schema_says_which_id_attendees_take(client):
    schema = client.get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    assert "GET /organisations/{id}/members/" in schema["NewBookingRequest"]["properties"]["attendees"]["description"]
    assert schema["Member"]["properties"]["id"]["description"].startswith("The person's id")


@pytest.mark.parametrize("path", ["/api/v1/bookings/", "/api/v1/sessions/"])
@pytest.mark.parametrize("query", ["to=9999-12-31", "from=9999-12-31&to=9999-12-31", "from=0001-01-01&to=0001-01-01"])
def test_the_calendars_first_and_last_days_are_a_range_like_any_other(world, agreement, frozen_now, path, query):
    """Not an HTML 400 from date arithmetic past 9999-12-31: the list, as for any range."""
    book(agreement, world.member, utc(11, 10))
    response = token_client(world.member).get(f"{path}?{query}")
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    expected = 1 if (path, query) == ("/api/v1/bookings/", "to=9999-12-31") else 0
    assert len(response.json()["results"]) == expected


def test_a_number_or_date_too_large_anywhere_is_a_problem_not_a_page(world, agreement, frozen_now, monkeypatch):
    def too_large(request):
        raise OverflowError("date value out of range")

    monkeypatch.setattr("api.views.supervision.date_range", too_large)
    response = token_client(world.member).get("/api/v1/bookings/")
    assert (response.status_code, response["Content-Type"]) == (400, "application/problem+json")
    assert response.json()["detail"] == "A number or date in the request is too large. Give a smaller one."
