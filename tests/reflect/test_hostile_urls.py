"""Every URL pattern, every role, hostile ids, dates and query values: never a server error
(issue 17; docs/security.md, "Hostile input").

Each path parameter is replaced by out-of-range and malformed values, and each page is asked
with hostile query strings. Bounded: every pattern meets each role with one hostile id set and
one hostile query (rotating through the lists), so the test runs in seconds.
"""

from __future__ import annotations

import itertools
import re

import pytest
from django.test import Client

from tests.factories.core import UserFactory, give_two_factor
from tests.reflect.test_two_factor_everywhere import is_sign_in_flow, url_patterns

pytestmark = pytest.mark.django_db

HOSTILE_IDS = ["0", "-1", str(2**63), str(2**64), "9" * 40, "abc", "é", "..%2F", "1"]
HOSTILE_QUERIES = [
    "week=9999-12-31", "week=0001-01-01", "date=9999-12-31", "date=0001-01-01", "page=-1",
    "page=99999999999999999999", "pool=99999999999999999999", "organisation=-1", "format=%00",
    "hours=1e400", "next=//evil.example", "week=abc&date=%FF&page=%F0%9F%98%80", "minutes=99999999999999999999",
]  # fmt: skip
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def hostile_paths(route: str, rotation: int) -> list[str]:
    """The route with each parameter replaced by hostile values (two per pattern)."""
    if "(?P<" in route or route.startswith("^"):
        return []  # the admin's regex catch-all: the admin answers for itself
    if not PARAMETER.search(route):
        return ["/" + route]
    values = HOSTILE_IDS[rotation % len(HOSTILE_IDS) :] + HOSTILE_IDS[: rotation % len(HOSTILE_IDS)]
    return ["/" + PARAMETER.sub(value, route) for value in values[:2]]


def roles(world) -> dict[str, object]:
    admin = UserFactory(is_staff=True, is_superuser=True)
    supervisor = UserFactory()
    give_two_factor(world.commissioner)
    return {
        "anonymous": None,
        "staff": world.member,
        "lead": world.lead,
        "supervisor": supervisor,
        "commissioner": world.commissioner,
        "admin": admin,
    }


def test_no_hostile_address_gives_a_server_error_for_any_role(world):
    patterns = [(ns, route) for ns, route, p in url_patterns() if ns != "admin" and not is_sign_in_flow(p)]
    queries = itertools.cycle(HOSTILE_QUERIES)
    server_errors = []
    requests = 0
    for role, user in roles(world).items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        for rotation, (_, route) in enumerate(patterns):
            for path in hostile_paths(route, rotation):
                query = next(queries)
                for method in (client.get, client.post):
                    response = method(f"{path}?{query}")
                    requests += 1
                    if response.status_code >= 500:
                        server_errors.append(f"{role} {method.__name__.upper()} {path}?{query}: {response.status_code}")
    assert requests > 500
    assert not server_errors, "\n".join(server_errors)
