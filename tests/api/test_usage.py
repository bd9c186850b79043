"""A pool's usage figures through the API: the dashboard's own cells, "*" and all, for the
pool's commissioners only, with the dashboard's period checked in its words, and a query count
that does not grow with the pool."""

from __future__ import annotations

import pytest

from api.scopes import ALL_SCOPES
from reflect.models import AuditEvent
from scheduling.groups.attendance import mark_place_attendance
from scheduling.groups.places import book_place
from tests.api.conftest import token_client
from tests.dashboard.test_dashboard import (  # noqa: F401 - fixtures, used by name
    column,
    grow,
    hand_built,
    rows_of,
    suppression_pool,
)
from tests.factories.core import give_two_factor, signed_in
from tests.factories.groups import NOW, make_group

pytestmark = pytest.mark.django_db


def usage(world, query: str = ""):
    give_two_factor(world.commissioner)
    return token_client(world.commissioner, ["usage:read"]).get(f"/api/v1/pools/{world.pool.pk}/usage/{query}")


def as_csv(table: dict) -> list[list[str]]:
    return [table["columns"], *table["rows"], *([table["total"]] if table["total"] is not None else [])]


def test_the_tables_are_the_dashboards_csv_cell_for_cell(hand_built, client):  # noqa: F811
    world, _a, _b = hand_built
    response = usage(world)
    assert response.status_code == 200
    body = response.json()
    assert (body["pool"], body["from"], body["to"]) == (
        {"id": world.pool.pk, "name": "Leeds pool"},
        f"{world.pool.starts_on:%Y-%m}",
        f"{world.pool.ends_on:%Y-%m}",
    )
    tables = {table["key"]: table for table in body["tables"]}
    assert list(tables) == ["organisations", "months"]
    page = signed_in(client, world.commissioner)
    for key, table in tables.items():
        assert as_csv(table) == rows_of(page.get(f"/pools/{world.pool.pk}/dashboard/{key}.csv")), key
    # The hand-worked figures (tests/dashboard/test_dashboard.py), "*" where the page hides them.
    assert tables["organisations"]["rows"][0] == [
        "Beeston Peer Support", "30", "0", "1", "60.00", "29", "3", "*", "*", "2026-07-20",
    ]  # fmt: skip
    assert tables["organisations"]["total"] == [
        "All organisations",
        "70",
        "5",
        "14",
        "840.00",
        "51",
        "20",
        "15",
        "15",
        "2026-07-20",
    ]


def test_the_headlines_are_the_pages(hand_built, client):  # noqa: F811
    world, _a, _b = hand_built
    body = usage(world).json()
    page = signed_in(client, world.commissioner).get(f"/pools/{world.pool.pk}/dashboard/")
    # The page's, and people reached in the period where the overview once showed it (the page
    # now shows it on its reach page, over the pool's months): the API has no reach page.
    reached = body["headlines"].pop(3)
    assert reached == {
        "label": "People reached",
        "text": "0 people",
        "hint": "attended a group or a supervision session",
        "suppressed": False,
    }
    assert body["headlines"] == [
        {"label": h.label, "text": h.text, "hint": h.hint, "suppressed": h.suppressed}
        for h in page.context["headlines"]
    ]
    assert {"label": "Hours used", "text": "14 hours", "hint": "in the period", "suppressed": False} in body[
        "headlines"
    ]


def test_every_suppressed_cell_is_suppressed(suppression_pool, client):  # noqa: F811
    world, _organisations = suppression_pool
    [organisations, _months] = usage(world).json()["tables"]
    rows = as_csv(organisations)
    attended = dict(zip(column(rows, "Organisation"), column(rows, "Group places attended"), strict=True))
    assert attended == {
        "Org 0000": "0", "Org 0001": "*", "Org 0007": "*", "Org 0008": "10", "Org 0012": "10",
        "Org 0013": "15", "Org 1000": "1000", "Harehills Drama": "0", "All organisations": "1040",
    }  # fmt: skip
    page = signed_in(client, world.commissioner)
    assert rows == rows_of(page.get(f"/pools/{world.pool.pk}/dashboard/organisations.csv"))


def test_the_period_is_the_dashboards_in_its_words(hand_built, client):  # noqa: F811
    world, _a, _b = hand_built
    body = usage(world, "?from=2026-06&to=2026-07").json()
    assert (body["from"], body["to"]) == ("2026-06", "2026-07")
    [months] = [t for t in body["tables"] if t["key"] == "months"]
    page = signed_in(client, world.commissioner).get(
        f"/pools/{world.pool.pk}/dashboard/months.csv?from=2026-06&to=2026-07"
    )
    assert as_csv(months) == rows_of(page)
    assert [row[0] for row in months["rows"]] == ["2026-06", "2026-07"]
    for query, field, message in [
        (
            "?from=1999-01",
            "from",
            "January 1999 is not in this pool's period, which runs from April 2026 to March 2027.",
        ),
        ("?to=soon", "to", "“soon” is not a month: choose one from April 2026 to March 2027."),
        (
            "?from=2026-09&to=2026-05",
            "to",
            "The period ends before it starts: give a “to” month on or after the “from” month.",
        ),
    ]:
        response = usage(world, query)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["errors"] == {field: [message]}, query


def test_only_the_pools_commissioners_with_two_factor_and_the_scope(world):
    url = f"/api/v1/pools/{world.pool.pk}/usage/"
    for person in (world.other_commissioner, world.lead, world.member, world.outsider):
        give_two_factor(person)
        assert token_client(person).get(url).status_code == 404
    assert token_client(world.commissioner).get(f"/api/v1/pools/{world.other_pool.pk}/usage/").status_code == 404
    # A token made with two-factor, used after it was removed: the dashboard's rule, a 403.
    response = token_client(world.commissioner).get(url)
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]
    give_two_factor(world.commissioner)
    other_scopes = [scope for scope in ALL_SCOPES if not scope.startswith("usage")]
    assert token_client(world.commissioner, other_scopes).get(url).status_code == 403
    assert token_client(world.commissioner, ["usage:read"]).get(url).status_code == 200
    assert AuditEvent.objects.filter(action="dashboard.viewed", actor=world.commissioner).get().details == {
        "filters": {
            "from": f"{world.pool.starts_on:%Y-%m}",
            "to": f"{world.pool.ends_on:%Y-%m}",
            "organisation": None,
            "group": None,
        },
        "via": "api",
    }


# The token, the two-factor check, the pool, then the figures (the ledger's sums and months, the
# memberships, the group sessions, people reached and waiting, ...), and the audit row. The
# token's last use is written at most once a minute: a first request, not counted, writes it.
USAGE_QUERIES = 13


def test_the_query_count_does_not_grow_with_the_pool(world, django_assert_num_queries):
    give_two_factor(world.commissioner)
    client = token_client(world.commissioner, ["usage:read"])
    url = f"/api/v1/pools/{world.pool.pk}/usage/"
    assert client.get(url).status_code == 200  # the token's last use, written once a minute
    grow(world.pool, 2)
    with django_assert_num_queries(USAGE_QUERIES):
        assert client.get(url).status_code == 200
    grow(world.pool, 25)
    with django_assert_num_queries(USAGE_QUERIES):
        body = client.get(url).json()
    # The tables have their rows (an empty table would prove nothing): the world's organisation
    # and the 27 grown.
    assert len(body["tables"][0]["rows"]) == 28


def test_people_reached_counts_the_people_who_came_in_the_period(world) -> None:
    group = make_group(world)
    session = group.sessions.order_by("starts_at").first()
    for person in (world.member, world.colleague):
        mark_place_attendance(
            book_place(session, acting_user=person, now=NOW),
            True,
            acting_user=group.facilitator.user,
            now=session.ends_at,
        )
    month = f"{session.starts_at:%Y-%m}"
    reached = usage(world, f"?from={month}&to={month}").json()["headlines"][3]
    # Two people: fewer than the rule for counting people shows, so hidden, never "0 people".
    assert reached == {
        "label": "People reached",
        "text": "*",
        "hint": "attended a group or a supervision session",
        "suppressed": True,
    }
