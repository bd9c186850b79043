"""Looking rather than reading (issue 18): a commissioner goes from their home page to the pool's
dashboard, sees the headline figures and three charts each with its table, changes a filter and
sees the summary line follow, and the page never scrolls sideways; a lead goes from their home
page to their organisation's summary. axe-core checks every page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from reflect.enums import LedgerKind
from reflect.services.ledger import record_ledger_entry
from tests.e2e.steps import checked, follow, heading, lines_of_sign_out, sign_in, visit
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

HEADLINES = [
    "Hours allocated",
    "Hours used",
    "Hours left",
    "Supervision sessions held",
    "Group sessions held",
    "Group fill rate",
    "People waiting",
    "Organisations behind their share",
]
CHARTS = [
    "Hours used each month",
    "Hours used against fair share, by organisation",
    "Reflective-group fill rate each month",
]


def a_pool_in_use() -> tuple[Any, Any, Any]:
    pool = PoolFactory(name="Leeds pool")
    harehills = OrganisationFactory(name="Harehills Drama")
    otley = OrganisationFactory(name="Otley Care Farm")
    # Otley's 2.6 hours are not a whole half hour: the pool has 60 − 14.6 = 45.4 hours left.
    for organisation, used, held in ((harehills, "12", 13), (otley, "2.6", 3)):
        add_to_pool(pool, organisation)
        for kind, hours, quantity, month in (
            (LedgerKind.ALLOCATED, "30", 0, 4),
            (LedgerKind.RESERVED, used, 0, 5),
            (LedgerKind.CONSUMED, used, 0, 6),
            (LedgerKind.SUPERVISION_HELD, "0", held, 6),
        ):
            record_ledger_entry(
                pool,
                kind,
                organisation=organisation,
                hours=Decimal(hours),
                quantity=quantity,
                occurred_at=datetime.datetime(2026, month, 10, 12, tzinfo=datetime.UTC),
            )
    return pool, harehills, otley


def scroll_width(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.django_db(transaction=True)
def test_a_commissioner_sees_the_pool_at_a_glance_and_filters_it(live_server: Any, person: Callable[[], Any]) -> None:
    base = live_server.url
    pool, _harehills, _otley = a_pool_in_use()
    commissioner = make_commissioner(pool, UserFactory(email="carys@example.org", first_name="Carys"))
    secret = give_two_factor(commissioner)

    page = person()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, commissioner.email, PASSWORD, secret=secret)
    follow(page, "Leeds pool")
    follow(page, "Dashboard: how the pool is used, by whom, how fairly, and what is left (with CSV exports)")
    assert heading(page) == "Leeds pool"
    summary = page.locator("#filter-summary")
    assert summary.inner_text() == "Showing April 2026 to March 2027, all organisations, all groups"

    # Headline figures first, each with its label and a figure.
    labels = page.locator(".reflect-headline__label").all_inner_texts()
    assert labels == HEADLINES
    values = page.locator(".reflect-headline__value").all_inner_texts()
    assert all(value.strip() for value in values)
    assert values[HEADLINES.index("Supervision sessions held")] == "15"  # 13 + 3 = 16 → 15
    # Hours left as booking counts them (45.4 → 45, rounded down), and the money table's hours
    # exact beside their cost (14.6 hours, £876), its Remaining the headline's figure.
    assert values[HEADLINES.index("Hours left")] == "45 hours"
    total = page.locator("#table-organisations tr", has=page.get_by_role("rowheader", name="All organisations"))
    cells = total.locator("td").all_inner_texts()
    assert cells[:5] == ["60", "0", "14.6", "£876", "45"]

    # Each chart is an image with a title and a description, and its table follows it.
    charts = page.locator("svg[role=img]")
    assert charts.count() == 3
    for index, title in enumerate(CHARTS):
        chart = charts.nth(index)
        labelled_by = chart.get_attribute("aria-labelledby").split()
        assert page.locator(f"#{labelled_by[0]}").text_content() == title
        assert (
            page.locator(f"#{labelled_by[1]}").text_content().endswith("The table after the chart gives every figure.")
        )
        pair = chart.locator("xpath=ancestor::div[contains(@class, 'reflect-chart-pair')]")
        region = pair.locator(".reflect-table-scroll")
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("tabindex") == "0"
        assert region.get_attribute("aria-label")
        assert region.locator("table").count() == 1
    assert "means 1 to 7 people" in page.locator(".reflect-suppression-legend").inner_text()
    assert scroll_width(page) <= 1280

    # A filter, and the summary line says what the figures are now for.
    assert page.locator("legend").first.inner_text() == "Show figures for"
    page.get_by_label("Organisation", exact=True).select_option(label="Otley Care Farm")
    page.get_by_label("From", exact=True).select_option(label="May 2026")
    page.get_by_label("To", exact=True).select_option(label="July 2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Show figures").click()
    checked(page)
    assert summary.inner_text() == "Showing May 2026 to July 2026, Otley Care Farm, all groups"
    # Otley's 3 sessions are too few to show: the mark, and the legend that explains it.
    values = page.locator(".reflect-headline__value").all_inner_texts()
    assert values[HEADLINES.index("Supervision sessions held")] == "*"
    assert scroll_width(page) <= 1280

    # Text at 200 % (GOV.UK Frontend sizes its text in rem), then narrow (320 px) and as wide as
    # 200 % zoom leaves it (640 px): the page itself never scrolls sideways; wide tables scroll
    # inside their labelled regions.
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert scroll_width(page) <= 1280
    page.evaluate("document.documentElement.style.fontSize = ''")
    for width in (320, 640):
        page.set_viewport_size({"width": width, "height": 900})
        assert scroll_width(page) <= width, width
    regions = page.locator(".reflect-table-scroll")
    assert regions.count() >= 3
    for index in range(regions.count()):
        region = regions.nth(index)
        assert (region.get_attribute("role"), region.get_attribute("tabindex")) == ("region", "0")
        assert region.get_attribute("aria-label")
    checked(page)

    # At 320 px: the reach and outcome pages, each reached from the list of the dashboard's
    # pages with the filters kept, and back to the overview.
    page.set_viewport_size({"width": 320, "height": 900})
    pages = page.get_by_role("navigation", name="Dashboard pages")
    assert pages.get_by_role("link", name="Overview", exact=True).get_attribute("aria-current") == "page"
    follow(page, "Reach and equality")
    assert heading(page) == "Reach and equality"
    assert scroll_width(page) <= 320
    follow(page, "Outcomes: how staff are doing")
    assert heading(page) == "Outcomes: how staff are doing"
    assert summary.inner_text() == "Showing May 2026 to July 2026, Otley Care Farm, all groups"
    assert scroll_width(page) <= 320
    follow(page, "Overview")
    assert heading(page) == "Leeds pool"
    assert summary.inner_text() == "Showing May 2026 to July 2026, Otley Care Farm, all groups"


@pytest.mark.django_db(transaction=True)
def test_a_lead_sees_their_organisations_use_at_a_glance(live_server: Any, person: Callable[[], Any]) -> None:
    base = live_server.url
    _pool, harehills, _otley = a_pool_in_use()
    lead = staff_of(harehills, lead=True, email="leila@example.org", first_name="Leila")

    page = person()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, lead.email, PASSWORD)
    follow(page, "See Harehills Drama")
    follow(page, "Your use of your allocations")
    assert heading(page) == "Your use of your allocations"
    assert page.locator(".reflect-headline__label").all_inner_texts() == [
        "Hours allocated",
        "Hours used",
        "Hours left",
        "Supervision sessions held",
        "Group places attended",
    ]
    chart = page.locator("svg[role=img]")
    assert chart.count() == 1
    assert page.locator("#chart-lead-usage-title").text_content() == "Hours used each month in Leeds pool"
    assert page.locator("#chart-lead-usage .reflect-table-scroll table").count() == 1
    assert scroll_width(page) <= 1280
    # The lead's menu fills more than a row: "Sign out" moves whole, never "Sign" / "out".
    assert lines_of_sign_out(page) == 1
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert lines_of_sign_out(page) == 1
    page.evaluate("document.documentElement.style.fontSize = ''")
    page.set_viewport_size({"width": 320, "height": 900})
    assert scroll_width(page) <= 320
    visit(page, page.url)
