"""Every API operation × every role × own and other objects: the same rules as the pages,
through the same access helpers. Anything a person may not see is the 404 a missing object
gets; a member who may see an organisation but not change it gets the page's 403."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from api.scopes import ALL_SCOPES
from reflect.models import User
from scheduling.models import GroupSession, SupervisionBooking
from supervision.models import SupervisionAgreement, SupervisorProfile
from tests.api.conftest import token_client
from tests.factories.bookings import NOW, agree, book, supervisor_with_availability, utc
from tests.factories.core import give_two_factor
from tests.factories.groups import make_group

pytestmark = pytest.mark.django_db

PERSONAS = ["lead", "member", "colleague", "outsider", "commissioner", "other_commissioner", "supervisor"]


@dataclass
class Objects:
    agreement: SupervisionAgreement
    other_agreement: SupervisionAgreement
    supervisor: SupervisorProfile
    other_supervisor: SupervisorProfile
    booking: SupervisionBooking  # the member's, with the supervisor
    to_move: SupervisionBooking  # the member's too, moved by whoever may
    other_booking: SupervisionBooking  # the outsider's, in the other pool
    session: GroupSession  # of the world's pool, still to come
    other_session: GroupSession  # of the other pool
    people: dict[str, User]


@pytest.fixture
def objects(world, frozen_now) -> Objects:
    supervisor = supervisor_with_availability("Ann")
    other_supervisor = supervisor_with_availability("Bea")
    agreement = agree(world.pool, world.organisation, supervisor, hours_per_month="20", allocation="40")
    other_agreement = agree(world.other_pool, world.other_organisation, other_supervisor)
    group = make_group(world, capacity=5, now=NOW)
    session = group.sessions.filter(starts_at__gt=NOW).order_by("starts_at").first()
    other_world = type("W", (), {"pool": world.other_pool, "commissioner": world.other_commissioner})
    other_group = make_group(other_world, capacity=5, now=NOW)
    other_session = other_group.sessions.filter(starts_at__gt=NOW).order_by("starts_at").first()
    people = {name: getattr(world, name) for name in PERSONAS[:-1]} | {"supervisor": supervisor.user}
    for person in people.values():
        give_two_factor(person)
    return Objects(
        agreement=agreement,
        other_agreement=other_agreement,
        supervisor=supervisor,
        other_supervisor=other_supervisor,
        booking=book(agreement, world.member, utc(12, 10)),
        to_move=book(agreement, world.member, utc(13, 10)),
        other_booking=book(other_agreement, world.outsider, utc(12, 10)),
        session=session,
        other_session=other_session,
        people=people,
    )


Operation = Callable[[APIClient, Objects, str], int]


def get(path: Callable[[Objects], str]) -> Operation:
    return lambda client, o, persona: client.get(path(o)).status_code


# Each person books at their own time, so a refusal is never the slot being taken.
# (two hours apart: the supervisor keeps a buffer between sessions).
BOOKING_HOUR = {persona: 9 + 2 * (index % 4) for index, persona in enumerate(PERSONAS)}


def book_under(which: str) -> Operation:
    def run(client: APIClient, o: Objects, persona: str) -> int:
        agreement = getattr(o, which)
        body = {"agreement": agreement.pk, "starts_at": utc(14, BOOKING_HOUR[persona]).isoformat(), "minutes": 60}
        return client.post("/api/v1/bookings/", body, format="json").status_code

    return run


def post(path: Callable[[Objects], str], body: dict | None = None) -> Operation:
    return lambda client, o, persona: client.post(path(o), body or {}, format="json").status_code


def move(client: APIClient, o: Objects, persona: str) -> int:
    body = {"starts_at": utc(15, BOOKING_HOUR[persona]).isoformat(), "minutes": 60}
    return client.post(f"/api/v1/bookings/{o.to_move.pk}/move/", body, format="json").status_code


def take_then_give_up(which: str, what: str) -> Operation:
    """POST to a session's ``what`` (its place, its waitlist), then DELETE it: both statuses, as "201/200"."""

    def run(client: APIClient, o: Objects, persona: str) -> int | str:
        url = f"/api/v1/sessions/{getattr(o, which).pk}/{what}/"
        taken = client.post(url, {}, format="json").status_code
        given_up = client.delete(url).status_code
        return f"{taken}/{given_up}"

    return run  # type: ignore[return-value]


# operation: expected status per persona, in PERSONAS order
#                                           lead  member colleague outsider comm  other_comm supervisor
MATRIX: dict[str, tuple[Operation, list[int | str]]] = {
    "supervisors list": (get(lambda o: "/api/v1/supervisors/"), [200, 200, 200, 200, 404, 404, 404]),
    "supervisor": (get(lambda o: f"/api/v1/supervisors/{o.supervisor.pk}/"), [200, 200, 200, 200, 404, 404, 200]),
    "agreements list": (get(lambda o: "/api/v1/agreements/"), [200] * 7),
    "slots, own agreement": (
        get(lambda o: f"/api/v1/agreements/{o.agreement.pk}/slots/"),
        [200, 200, 200, 404, 404, 404, 404],
    ),
    "slots, other agreement": (
        get(lambda o: f"/api/v1/agreements/{o.other_agreement.pk}/slots/"),
        [404, 404, 404, 200, 404, 404, 404],
    ),
    "bookings list": (get(lambda o: "/api/v1/bookings/"), [200] * 7),
    "book, own agreement": (book_under("agreement"), [201, 201, 201, 404, 404, 404, 404]),
    "book, other agreement": (book_under("other_agreement"), [404, 404, 404, 201, 404, 404, 404]),
    "booking": (get(lambda o: f"/api/v1/bookings/{o.booking.pk}/"), [200, 200, 404, 404, 404, 404, 200]),
    "other booking": (get(lambda o: f"/api/v1/bookings/{o.other_booking.pk}/"), [404, 404, 404, 200, 404, 404, 404]),
    # The supervisor may see the session but not move it (the page's rule: 409 in its words).
    "move booking": (move, [200, 200, 404, 404, 404, 404, 409]),
    "move other booking": (
        post(
            lambda o: f"/api/v1/bookings/{o.other_booking.pk}/move/",
            {"starts_at": utc(15, 9).isoformat(), "minutes": 60},
        ),
        [404, 404, 404, 200, 404, 404, 404],
    ),
    "cancel booking": (post(lambda o: f"/api/v1/bookings/{o.booking.pk}/cancel/"), [200, 200, 404, 404, 404, 404, 200]),
    "cancel other booking": (
        post(lambda o: f"/api/v1/bookings/{o.other_booking.pk}/cancel/"),
        [404, 404, 404, 200, 404, 404, 404],
    ),
    "groups list": (get(lambda o: "/api/v1/groups/"), [200] * 7),
    "group": (get(lambda o: f"/api/v1/groups/{o.session.group_id}/"), [200, 200, 200, 404, 404, 404, 404]),
    "other group": (get(lambda o: f"/api/v1/groups/{o.other_session.group_id}/"), [404, 404, 404, 200, 404, 404, 404]),
    "sessions list": (get(lambda o: "/api/v1/sessions/"), [200] * 7),
    "session": (get(lambda o: f"/api/v1/sessions/{o.session.pk}/"), [200, 200, 200, 404, 404, 404, 404]),
    "other session": (get(lambda o: f"/api/v1/sessions/{o.other_session.pk}/"), [404, 404, 404, 200, 404, 404, 404]),
    "place": (
        take_then_give_up("session", "place"),
        ["201/200", "201/200", "201/200", "404/404", "404/404", "404/404", "404/404"],
    ),
    "other place": (
        take_then_give_up("other_session", "place"),
        ["404/404", "404/404", "404/404", "201/200", "404/404", "404/404", "404/404"],
    ),
    # The sessions have room, so staff are told to book instead (the page's words): access first.
    "waitlist": (
        take_then_give_up("session", "waitlist"),
        ["409/409", "409/409", "409/409", "404/404", "404/404", "404/404", "404/404"],
    ),
    "other waitlist": (
        take_then_give_up("other_session", "waitlist"),
        ["404/404", "404/404", "404/404", "409/409", "404/404", "404/404", "404/404"],
    ),
    "places list": (get(lambda o: "/api/v1/places/"), [200] * 7),
    "waitlist list": (get(lambda o: "/api/v1/waitlist/"), [200] * 7),
    "organisations list": (get(lambda o: "/api/v1/organisations/"), [200] * 7),
    "members": (
        get(lambda o: f"/api/v1/organisations/{o.agreement.organisation_id}/members/"),
        [200, 403, 403, 404, 404, 404, 404],
    ),
    "other members": (
        get(lambda o: f"/api/v1/organisations/{o.other_agreement.organisation_id}/members/"),
        [404, 404, 404, 200, 404, 404, 404],
    ),
    # A pool's usage figures: its commissioners only (the dashboard's rule, reflect.access.access_pool).
    "pool usage": (
        get(lambda o: f"/api/v1/pools/{o.agreement.pool_id}/usage/"),
        [404, 404, 404, 404, 200, 404, 404],
    ),
    "other pool usage": (
        get(lambda o: f"/api/v1/pools/{o.other_agreement.pool_id}/usage/"),
        [404, 404, 404, 404, 404, 200, 404],
    ),
    # The questionnaire needs no account, as the public page (a token is ignored).
    "questionnaire": (get(lambda o: "/api/v1/questionnaire/"), [200] * 7),
    "questionnaire submission, empty": (post(lambda o: "/api/v1/questionnaire/submissions/"), [400] * 7),
}


@pytest.mark.parametrize("operation", list(MATRIX))
def test_every_operation_for_every_role(objects, operation):
    run, expected = MATRIX[operation]
    seen = []
    for persona in PERSONAS:
        client = token_client(objects.people[persona], list(ALL_SCOPES))
        seen.append(run(client, objects, persona))
    assert seen == expected, dict(zip(PERSONAS, seen, strict=True))


def test_signed_out_every_operation_is_401_with_the_scheme(objects):
    client = APIClient()
    for path in [
        "/api/v1/supervisors/",
        f"/api/v1/bookings/{objects.booking.pk}/",
        "/api/v1/bookings/",
        f"/api/v1/sessions/{objects.session.pk}/place/",
        f"/api/v1/pools/{objects.agreement.pool_id}/usage/",
    ]:
        response = client.get(path)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="Reflect API"'
        assert response["Content-Type"] == "application/problem+json"


def _ids(client: APIClient, path: str) -> set[int]:
    return {row["id"] for row in client.get(path).json()["results"]}


def test_lists_hold_only_the_persons_own(objects, world):
    o = objects
    member, colleague, outsider = (token_client(o.people[p]) for p in ("member", "colleague", "outsider"))
    supervisor, lead = token_client(o.people["supervisor"]), token_client(o.people["lead"])
    # Supervision sessions: the attendee's and the supervisor's; never a colleague's, nor another pool's.
    assert _ids(member, "/api/v1/bookings/") == {o.booking.pk, o.to_move.pk}
    assert _ids(supervisor, "/api/v1/bookings/") == {o.booking.pk, o.to_move.pk}
    assert _ids(colleague, "/api/v1/bookings/") == set()
    assert _ids(outsider, "/api/v1/bookings/") == {o.other_booking.pk}
    # Agreements: those of the person's organisations.
    assert _ids(member, "/api/v1/agreements/") == {o.agreement.pk}
    assert _ids(outsider, "/api/v1/agreements/") == {o.other_agreement.pk}
    assert _ids(supervisor, "/api/v1/agreements/") == set()
    # Groups: those of the person's pools.
    assert _ids(member, "/api/v1/groups/") == {o.session.group_id}
    assert _ids(outsider, "/api/v1/groups/") == {o.other_session.group_id}
    assert _ids(token_client(world.commissioner), "/api/v1/groups/") == set()
    # Places and waits: the person's own.
    member.post(f"/api/v1/sessions/{o.session.pk}/place/")
    place_ids = _ids(member, "/api/v1/places/")
    assert len(place_ids) == 1
    assert _ids(colleague, "/api/v1/places/") == set()
    assert _ids(lead, "/api/v1/places/") == set()  # a lead never sees their staff's places
    # Organisations: the person's own memberships.
    assert {row["name"] for row in lead.get("/api/v1/organisations/").json()["results"]} == {"Harehills Drama"}
    assert token_client(world.commissioner).get("/api/v1/organisations/").json()["results"] == []
