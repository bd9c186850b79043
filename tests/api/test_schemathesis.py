"""Property tests of every API operation against the live OpenAPI document (schemathesis):
positive and negative cases, generated from the schema, sent to the app in process. No answer
may be a server error, and every answer must match what the schema says (status, content type,
headers, body). Examples per operation follow the hypothesis profile ("ci": 25, derandomised).

The document is the one /api/v1/schema/ serves (the same generator; the last test compares
them), made at collection so that schemathesis can name one test per operation.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.scopes import ALL_SCOPES
from api.services.tokens import make_token
from tests.factories.bookings import book, utc
from tests.factories.core import give_two_factor
from tests.supervision.conftest import profile_answers

pytestmark = pytest.mark.django_db


def _document() -> dict:
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


HANDLER = get_wsgi_application()


def app(environ: dict, start_response: Callable) -> list[bytes]:
    """The site's WSGI application, in process, inside the test's database transaction: as
    Django's test client does, the connection is not closed at the request's end (on PostgreSQL
    that would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = HANDLER(environ, start_response)
        try:
            return list(response)
        finally:
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_dict(_document())
schema.app = app  # served in process, as schemathesis.openapi.from_wsgi does


@pytest.fixture
def api_token(world, agreement, session, frozen_now) -> str:
    """The lead's token with every scope, over data every operation can find: an agreement, a
    booking, a group with a session still to come."""
    book(agreement, world.member, utc(12, 10))
    return make_token(world.lead, name="schemathesis", scopes=list(ALL_SCOPES), days=30).secret


# The fixture's data are shared by an operation's examples on purpose: each example acts on
# what the others left (a booking made, a place taken), as a client would. Examples per
# operation: the loaded profile's.
@schema.parametrize()
@hypothesis.settings(
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture, hypothesis.HealthCheck.too_slow]
)
def test_every_operation_keeps_to_its_schema(case, api_token):
    # Every check but "a schema-valid request must be accepted": some requests a schema cannot
    # tell apart are refused with a documented 400 in plain words (a cursor this API did not
    # write, a date range over 400 days, a person who is not the booker's staff).
    case.call_and_validate(headers={"Authorization": f"Bearer {api_token}"}, excluded_checks=[positive_data_acceptance])


def test_the_document_tested_is_the_one_served(client):
    assert client.get("/api/v1/schema/?format=json").json() == _document()


# Answers the generated requests cannot find: a commissioner's own pool, and a whole questionnaire.
# Each known-good request is checked against the document by the same checks.
def test_a_commissioners_usage_figures_keep_to_the_schema(world):
    give_two_factor(world.commissioner)
    token = make_token(world.commissioner, name="figures", scopes=["usage:read"], days=30).secret
    operation = schema["/api/v1/pools/{pool_id}/usage/"]["GET"]
    for query, expected in (({}, 200), ({"from": "2026-06", "to": "2026-07"}, 200), ({"from": "1999-01"}, 400)):
        case = operation.Case(path_parameters={"pool_id": world.pool.pk}, query=query)
        response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == expected, query


def test_a_whole_questionnaire_keeps_to_the_schema(db):
    operation = schema["/api/v1/questionnaire/submissions/"]["POST"]
    case = operation.Case(body={"answers": profile_answers("harehills-drama"), "months": 6, "rate": "75"})
    response = case.call_and_validate()
    assert response.status_code == 201
