"""A commissioner's pool figures through the API, in a real browser: from their home page to
their account, a token with the pool-figures scope, then the API's tables, equal cell for cell
to the CSV the dashboard (reached by links from the pool's page) downloads, "*" included —
with the axe-core check on every page."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from reflect.enums import LedgerKind
from reflect.services.ledger import record_ledger_entry
from tests.e2e.steps import checked, follow, heading, sign_in, submit, visit
from tests.e2e.test_api_token_journey import SCREENSHOTS, _api
from tests.factories.core import (
    PASSWORD,
    OrganisationFactory,
    PoolFactory,
    UserFactory,
    add_to_pool,
    give_two_factor,
    make_commissioner,
)


@pytest.mark.django_db(transaction=True)
def test_a_commissioner_reads_the_pools_figures_through_the_api(live_server: Any, person: Callable[[], Any]) -> None:
    base = live_server.url
    pool = PoolFactory(name="Leeds pool")
    commissioner = make_commissioner(pool, UserFactory(email="carys@example.org", first_name="Carys"))
    secret_code = give_two_factor(commissioner)
    for name, attended in (("Harehills Drama", 13), ("Otley Care Farm", 3)):
        organisation = OrganisationFactory(name=name)
        add_to_pool(pool, organisation)
        for kind, hours, quantity in ((LedgerKind.ALLOCATED, "30", 0), (LedgerKind.PLACE_ATTENDED, "0", attended)):
            record_ledger_entry(
                pool,
                kind,
                organisation=organisation,
                hours=Decimal(hours),
                quantity=quantity,
                occurred_at=datetime.datetime(2026, 5, 10, 12, tzinfo=datetime.UTC),
            )

    page = person()
    sign_in(page, base, commissioner.email, PASSWORD, secret=secret_code)
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name="Your account").click()
    checked(page)
    follow(page, "Manage API tokens")
    follow(page, "Make a token")
    page.get_by_label("Name").fill("Funder report")
    page.get_by_label("Your pools' usage figures (commissioners): read").check()
    page.get_by_label("After 30 days").check()
    submit(page, "Make the token")
    assert heading(page) == "Your new token"
    token = page.get_by_label("Token").input_value()
    page.locator("main").screenshot(path=str(SCREENSHOTS / "api-usage-token-made.png"))

    status, body = _api(base, f"/api/v1/pools/{pool.pk}/usage/", token)
    assert status == 200
    organisations = next(table for table in body["tables"] if table["key"] == "organisations")
    attended = organisations["columns"].index("Group places attended")
    assert [(row[0], row[attended]) for row in organisations["rows"]] == [
        ("Harehills Drama", "15"),  # 13, rounded to the nearest 5
        ("Otley Care Farm", "*"),  # 3: fewer than 8
    ]
    assert _api(base, "/api/v1/organisations/", token)[0] == 403  # only the scope it was made with

    # The dashboard, from the pool's page by its link: its CSV is the API's table.
    visit(page, f"{base}/pools/{pool.pk}/")
    follow(page, "Dashboard: how the pool is used, by whom, how fairly, and what is left (with CSV exports)")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Money and hours by organisation” (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows == [organisations["columns"], *organisations["rows"], organisations["total"]]
