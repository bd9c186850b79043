"""A commissioner opens the pool's dashboard, filters it to one organisation and a few months,
and downloads a table as CSV, from the overview and from the reach page — axe-core checked on
every page."""

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
from reflect.models import Membership
from reflect.services.ledger import record_ledger_entry
from tests.e2e.steps import checked, follow, heading, sign_in
from tests.factories.core import (
    PASSWORD,
    OrganisationFactory,
    PoolFactory,
    UserFactory,
    add_to_pool,
    give_two_factor,
    make_commissioner,
    staff_of,
)


def open_dashboard(page: Any, base: str, pool: Any, commissioner: Any, secret: str) -> None:
    """From the commissioner's home page to the pool's dashboard, following links."""
    sign_in(page, base, commissioner.email, PASSWORD, secret=secret)
    follow(page, pool.name)
    follow(page, "Dashboard: how the pool is used, by whom, how fairly, and what is left (with CSV exports)")
    assert heading(page) == "Leeds pool"


@pytest.mark.django_db(transaction=True)
def test_a_commissioner_filters_the_dashboard_and_downloads_a_csv(live_server: Any, person: Callable[[], Any]) -> None:
    base = live_server.url
    pool = PoolFactory(name="Leeds pool")
    commissioner = make_commissioner(pool, UserFactory(email="carys@example.org", first_name="Carys"))
    secret = give_two_factor(commissioner)
    harehills = OrganisationFactory(name="Harehills Drama")
    otley = OrganisationFactory(name="Otley Care Farm")
    for organisation, attended in ((harehills, 13), (otley, 3)):
        add_to_pool(pool, organisation)
        record_ledger_entry(
            pool,
            LedgerKind.ALLOCATED,
            organisation=organisation,
            hours=Decimal("30"),
            occurred_at=datetime.datetime(2026, 4, 2, 9, tzinfo=datetime.UTC),
        )
        record_ledger_entry(
            pool,
            LedgerKind.PLACE_ATTENDED,
            organisation=organisation,
            quantity=attended,
            occurred_at=datetime.datetime(2026, 5, 10, 12, tzinfo=datetime.UTC),
        )

    for organisation in (harehills, otley):
        staff_of(organisation)
    # At work since the pool began, so counted on the reach page (whole months to the last).
    Membership.objects.filter(organisation__in=(harehills, otley)).update(
        joined_at=datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC)
    )

    page = person()
    open_dashboard(page, base, pool, commissioner, secret)

    page.get_by_label("Organisation", exact=True).select_option(label="Otley Care Farm")
    page.get_by_label("From", exact=True).select_option(label="May 2026")
    page.get_by_label("To", exact=True).select_option(label="July 2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Show figures").click()
    checked(page)
    assert "Showing May 2026 to July 2026, Otley Care Farm, all groups" in page.locator("main").inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Money and hours by organisation” (CSV)").click()
    # Read as a spreadsheet would: text cells are quoted (reflect/csv_export.py).
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[1][:2] == ["Otley Care Farm", "30"]
    # 3 places attended: shown as * in the export, even filtered down to one organisation.
    assert rows[1][8] == "*"
    assert rows[2][8] == "*"

    # Reach and equality has a page of its own, with its tables' CSVs; it covers the whole pool.
    follow(page, "Reach and equality")
    assert heading(page) == "Reach and equality"
    assert "The whole pool, whatever the filters chosen" in page.locator("main").inner_text()
    # Two staff in the pool: the tables are all "*" and 0, and one sentence says why first.
    assert page.locator("#reach-summary").inner_text() == (
        "This pool is too small to show its answers: every answer given is hidden (*), as answers from fewer "
        "than 8 people, and any that would give one of those away, are hidden so that no one can be recognised."
    )
    # People reached is a reach figure: on this page, not among the overview's headlines.
    assert page.locator("dt", has_text="People reached").count() == 1
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Sex: staff and use of the pool” (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[0][:2] == ["Sex", "Staff"]
    assert rows[-1][0] == "All staff"

    # Learning needs is one of the dashboard's pages too: its list of pages stays, and going
    # back to the overview keeps the filters chosen.
    follow(page, "Learning needs")
    assert heading(page) == "Learning needs"
    follow(page, "Dashboard")
    assert "Showing May 2026 to July 2026, Otley Care Farm, all groups" in page.locator("main").inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_commissioner_sees_the_first_rows_of_a_long_table_and_every_row_in_its_csv(
    live_server: Any, person: Callable[[], Any]
) -> None:
    base = live_server.url
    pool = PoolFactory(name="Leeds pool")
    commissioner = make_commissioner(pool, UserFactory(email="carys@example.org", first_name="Carys"))
    secret = give_two_factor(commissioner)
    for number in range(1, 53):
        add_to_pool(pool, OrganisationFactory(name=f"Organisation {number:02d}"))

    page = person()
    open_dashboard(page, base, pool, commissioner, secret)
    table = page.locator("#table-organisations")
    # 20 organisations and the total; the page says what it leaves out.
    assert table.locator("tbody tr").count() == 21
    assert table.locator("tbody th").nth(19).inner_text() == "Organisation 20"
    main = page.locator("main").inner_text()
    assert "The first 20 of 52 rows are shown here; the CSV below has every row." in main

    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Money and hours by organisation” (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    # A header, 52 organisations and the total.
    assert [row[0] for row in rows[51:]] == ["Organisation 51", "Organisation 52", "All organisations"]
    assert len(rows) == 54
