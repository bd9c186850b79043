"""Hostile data posted to every page's forms, as each person who can see them (hypothesis):
never a server error, and a refusal (a 4xx, or the form again with its errors) writes nothing.

The URL patterns are walked, so a new page is covered: each is opened as every persona, the
forms it shows are read from its HTML (their action, their fields and the values offered), and
hostile values are posted to them, each example from the same starting point. A pattern whose page shows no form (an action reached by a
button elsewhere) gets hostile data under the usual field names, from every persona."""

from __future__ import annotations

import contextlib
import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from api.services.tokens import make_token
from records.models import CpdActivity, SignedRecord
from reflect.errors import DomainError
from scheduling.groups.places import book_place
from scheduling.models import DateOverride
from supervision.models import NeedsAssessment, QuestionBankVersion
from tests.factories.bookings import agree, book, supervisor_with_availability, utc
from tests.factories.core import signed_in
from tests.factories.groups import make_group
from tests.factories.supervision import SupervisionRequestFactory
from tests.factories.webhooks import delivery_to, endpoint_for
from tests.hostile.rows import row_counts
from tests.hostile.strategies import hostile_text

PACKAGES = ("reflect.", "supervision.", "scheduling.", "equality.", "dashboard.", "records.", "webhooks.", "outcomes.")
# Names the pages' forms use, for actions that have no page of their own.
USUAL_NAMES = ["reason", "note", "confirm", "auto_accept", "mode", "start", "minutes", "attendees", "ends_on"]
KNOWN = {"pool_id", "organisation_id", "session_id", "group_id", "supervisor_id", "request_id", "agreement_id",
         "booking_id", "override_id", "assessment_id", "number", "kind",
         "entry_id", "activity_id", "practitioner_id", "month", "token", "endpoint_id", "delivery_id"}  # fmt: skip
PACKAGES = ("reflect.", "supervision.", "scheduling.", "dashboard.", "api.")
# Names the pages' forms use, for actions that have no page of their own.
USUAL_NAMES = ["reason", "note", "confirm", "auto_accept", "mode", "start", "minutes", "attendees", "ends_on"]
KNOWN = {"pool_id", "organisation_id", "session_id", "group_id", "supervisor_id", "request_id", "agreement_id",
         "booking_id", "override_id", "assessment_id", "number", "kind", "token_id"}  # fmt: skip


def _patterns(resolvers: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            found += _patterns(entry.url_patterns, prefix + (f"{entry.namespace}:" if entry.namespace else ""))
        elif entry.name and getattr(entry.callback, "__module__", "").startswith(PACKAGES):
            found.append((prefix + entry.name, entry))
    return found


PATTERNS = sorted(
    {name: pattern for name, pattern in _patterns(get_resolver().url_patterns)}.items(),
)


def test_the_pages_are_found() -> None:
    names = {name for name, _ in PATTERNS}
    assert {"group_create", "supervisor_profile_edit", "request_supervisor", "group_session_cancel"} <= names


class Forms(HTMLParser):
    """The POST forms of a page: action, field names and the values the page offers."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, set[str]]]] = []
        self._current: dict[str, set[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._current = {}
            self.forms.append((attributes.get("action") or "", self._current))
        elif tag in {"input", "textarea", "select", "option"} and self._current is not None:
            name = attributes.get("name")
            if name and name != "csrfmiddlewaretoken":
                values = self._current.setdefault(name, set())
                if attributes.get("value"):
                    values.add(attributes["value"] or "")
                self._last = name
            elif tag == "option" and attributes.get("value") and getattr(self, "_last", None) in self._current:
                self._current[self._last].add(attributes["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


@pytest.fixture
def scene(world) -> dict[str, Any]:
    supervisor = supervisor_with_availability()
    agreement = agree(world.pool, world.organisation, supervisor)
    group = make_group(world)
    upcoming = group.sessions.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    with contextlib.suppress(DomainError):  # booking may not be open yet on the day the test runs
        book_place(upcoming, acting_user=world.member)
    booking = book(agreement, world.member, utc(11, 10), now=datetime.datetime(2027, 1, 4, 9, tzinfo=datetime.UTC))
    request = SupervisionRequestFactory(organisation=world.organisation, pool=world.pool, supervisor=supervisor)
    override = DateOverride.objects.create(supervisor=supervisor, date=datetime.date(2027, 2, 1))
    version = QuestionBankVersion.objects.exclude(published_at=None).order_by("-number").first()
    assessment = NeedsAssessment.objects.create(version=version, owner=world.lead, organisation=world.organisation)
    endpoint, _secret = endpoint_for(organisation=world.organisation, by=world.lead)
    delivery = delivery_to(endpoint)
    ids = {
        "endpoint_id": endpoint.pk,
        "delivery_id": delivery.pk,
        "pool_id": world.pool.pk,
        "organisation_id": world.organisation.pk,
        "session_id": upcoming.pk,
        "group_id": group.pk,
        "supervisor_id": supervisor.pk,
        "request_id": request.pk,
        "agreement_id": agreement.pk,
        "booking_id": booking.pk,
        "override_id": override.pk,
        "assessment_id": assessment.pk,
        "number": 1,
        "kind": "reminder",
        "token_id": make_token(world.member, name="Sync", scopes=["groups:read"], days=7).token.pk,
    }
    # Supervision records: a CPD line and a signed copy of the member's, a month to countersign.
    activity = CpdActivity.objects.create(
        owner=world.member, activity="Reading", done_on=datetime.date(2027, 1, 4), hours=1, learnt="Much."
    )
    signed = SignedRecord.objects.create(
        holder=world.member, payload={}, digest="0" * 64, signature="0" * 64, created_at=timezone.now()
    )
    ids |= {"entry_id": booking.pk, "activity_id": activity.pk, "practitioner_id": world.member.pk, "month": "2027-01",
            "token": signed.token}  # fmt: skip
    people = [world.member, world.lead, world.commissioner, supervisor.user]
    return {"ids": ids, "clients": [signed_in(Client(), person) for person in people]}


def _refused(response: Any) -> bool:
    # A streamed answer (a CSV export) is a download, never a form sent back with errors.
    return 400 <= response.status_code < 500 or (
        response.status_code == 200 and not response.streaming and b"govuk-error-summary" in response.content
    )


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[name for name, _ in PATTERNS])
def test_hostile_posts_never_break_a_page(name: str, pattern: URLPattern, scene: dict[str, Any]) -> None:
    wanted = set(pattern.pattern.regex.groupindex)
    if not wanted <= KNOWN:
        pytest.skip(f"{name} takes {wanted - KNOWN}, which no persona has a value for")
    url = reverse(name, kwargs={key: scene["ids"][key] for key in wanted})
    targets: list[tuple[Client, str, dict[str, set[str]]]] = []
    for client in scene["clients"]:
        response = client.get(url)
        assert response.status_code < 500, f"GET {url}"
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = Forms()
            parser.feed(response.content.decode())
            for action, fields in parser.forms:
                target = urljoin(url, action)
                if target.startswith("/") and not target.startswith(("/accounts/", "/admin/")):
                    targets.append((client, target, fields))
    if not targets:
        targets = [(client, url, {field: set() for field in USUAL_NAMES}) for client in scene["clients"]]

    @given(st.data())
    def post(data: st.DataObject) -> None:
        client, target, fields = data.draw(st.sampled_from(targets))
        body = {}
        for field, offered in fields.items():
            value = st.one_of(st.sampled_from(sorted(offered)), hostile_text) if offered else hostile_text
            chosen = data.draw(st.one_of(st.none(), value, st.lists(value, max_size=3)), label=field)
            if chosen is not None:
                body[field] = chosen
        # Each example starts from the same scene: what a POST wrote is taken back after it.
        saved = transaction.savepoint()
        try:
            before = row_counts()
            response = client.post(target, body)
            assert response.status_code < 500, f"POST {target}"
            if _refused(response):
                assert row_counts() == before, f"a refused POST to {target} wrote to the database"
        finally:
            transaction.savepoint_rollback(saved)

    post()
