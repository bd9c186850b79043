"""The top of the commissioner's dashboard (issue 18, "Look, rather than read"): headline
figures in words, three charts each with its table, suppressed counts left as gaps, a summary
line that says what the filters show, and a first-session wait that cannot be negative."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from dashboard.figures.lead_summary import lead_look, summary_rows
from dashboard.figures.pool import PoolFigures
from dashboard.filters import whole_pool
from reflect import wording
from reflect.enums import LedgerKind
from reflect.services.ledger import record_ledger_entry
from scheduling.models import GroupSession, Place, PlaceStatus, WaitlistEntry
from scheduling.models.groups import WaitlistStatus
from tests.factories.core import OrganisationFactory, signed_in, staff_of
from tests.factories.groups import ReflectiveGroupFactory

K = LedgerKind
NOW = datetime.datetime(2026, 12, 6, 12, tzinfo=datetime.UTC)  # the 9th of the pool's 12 months


def at(month: int, day: int = 10, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, 12, tzinfo=datetime.UTC)


def entry(pool, organisation, kind, *, hours: str = "0", quantity: int = 0, when: datetime.datetime) -> None:
    record_ledger_entry(
        pool, kind, organisation=organisation, hours=Decimal(hours), quantity=quantity, occurred_at=when
    )


def held_session(group, organisation, when: datetime.datetime, *, places: int, attended: bool) -> GroupSession:
    """A session with ``places`` places of different people, attended (a session held) or booked
    (one to come), its counts kept as the register keeps them."""
    session = GroupSession.objects.create(
        group=group,
        starts_at=when,
        ends_at=when + datetime.timedelta(hours=2),
        place_limit=12,
        places_taken=places,
        places_attended=places if attended else 0,
    )
    for _ in range(places):
        Place.objects.create(
            session=session,
            user=staff_of(organisation),
            organisation=organisation,
            status=PlaceStatus.ATTENDED if attended else PlaceStatus.BOOKED,
            booked_at=when - datetime.timedelta(days=20),
        )
    return session


@pytest.fixture
def pool_in_use(world):
    """Harehills Drama (the world's) and Beeston Peer Support in the world's pool, Apr 2026 to
    Mar 2027, worked by hand:

    Allocated 48 + 24 = 72 h; used 30 h (Harehills, June) + 1 h (Beeston, July) = 31 h; 2 h still
    reserved by Harehills → left 72 − 31 − 2 = 39 h. Fair share so far (9 of 12 months): 36 h and
    18 h → Harehills (30 h) and Beeston (1 h) are both behind. 12 supervision sessions held
    (→ 10). One group of capacity 10: June's session has 9 places taken, attended by 9 people
    (→ 10 of 10 = 100 %); July's has 3, attended (→ *, a gap in the chart). People reached, on
    the reach page: 12 (→ 10). 2 people wait for January's
    session (→ *).
    """
    pool = world.pool
    harehills = world.organisation
    beeston = OrganisationFactory(name="Beeston Peer Support", in_pool=pool)
    entry(pool, harehills, K.ALLOCATED, hours="48", when=at(4, 2))
    entry(pool, beeston, K.ALLOCATED, hours="24", when=at(4, 2))
    entry(pool, harehills, K.RESERVED, hours="32", when=at(5))
    entry(pool, harehills, K.CONSUMED, hours="30", when=at(6))
    entry(pool, harehills, K.SUPERVISION_HELD, quantity=12, when=at(6))
    entry(pool, beeston, K.RESERVED, hours="1", when=at(7))
    entry(pool, beeston, K.CONSUMED, hours="1", when=at(7))
    group = ReflectiveGroupFactory(pool=pool, title="Harehills circle", capacity=10)
    held_session(group, harehills, at(6), places=9, attended=True)
    held_session(group, harehills, at(7), places=3, attended=True)
    january = held_session(group, harehills, at(1, year=2027), places=10, attended=False)
    for _ in range(2):
        WaitlistEntry.objects.create(
            session=january,
            user=staff_of(beeston),
            organisation=beeston,
            joined_at=at(11),
            status=WaitlistStatus.WAITING,
        )
    return world, harehills, beeston


def test_the_headline_figures_are_in_words_with_counts_of_people_disclosed(pool_in_use) -> None:
    world, _harehills, _beeston = pool_in_use
    figures = PoolFigures(world.pool, whole_pool(world.pool), now=NOW)
    assert [(h.label, h.text, h.suppressed) for h in figures.overview.headlines()] == [
        ("Hours allocated", wording.hours(72), False),
        ("Hours used", wording.hours(31), False),
        ("Hours left", wording.hours(39), False),
        ("Supervision sessions held", "10", False),  # 12 → 10
        ("Group sessions held", "2 sessions", False),  # June and July; January is to come
        ("Group fill rate", "50%", False),  # 9 + 3 = 12 places taken (→ 10) of 20
        ("People waiting", "*", True),  # 2 people
        ("Organisations behind their share", "2 of 2", False),
    ]


def test_people_reached_is_on_the_reach_page_disclosed_and_not_on_the_overview(pool_in_use) -> None:
    world, _harehills, _beeston = pool_in_use
    figures = PoolFigures(world.pool, whole_pool(world.pool), now=NOW)
    assert "People reached" not in [h.label for h in figures.overview.headlines()]
    reach = {f.label: (f.cell.text, f.hint) for f in figures.reach.section().figures}
    # 9 + 3 people attended June's and July's sessions, within April to November: 12 → 10.
    assert reach["People reached"] == ("10", "attended a reflective group or a supervision session")


def test_the_fill_chart_leaves_a_suppressed_month_as_a_gap_and_draws_nothing_for_it(pool_in_use) -> None:
    world, _harehills, _beeston = pool_in_use
    figures = PoolFigures(world.pool, whole_pool(world.pool), now=NOW)
    fill = figures.overview.fill_chart()
    columns = {c.label: c for c in fill.chart.columns}
    assert (columns["Jun 26"].value_label, columns["Jun 26"].gap) == ("100%", False)  # 9 → 10 of 10
    # July: 3 places of 10. Its rate would be 30 %; the chart has no height and no number for it.
    assert (columns["Jul 26"].value_label, columns["Jul 26"].gap, columns["Jul 26"].height) == ("*", True, 0)
    assert (columns["Aug 26"].value_label, columns["Aug 26"].gap) == ("–", True)  # no session held
    assert "30%" not in fill.chart.description
    months = {row[0].csv: [cell.text for cell in row[1:]] for row in fill.table.rows}
    assert months["2026-06"] == ["1", "10", "10", "100%"]
    assert months["2026-07"] == ["1", "*", "10", "*"]
    assert months["2026-08"] == ["0", "0", "0", "–"]


def test_the_usage_chart_and_the_fair_share_chart_read_the_ledger(pool_in_use) -> None:
    world, _harehills, _beeston = pool_in_use
    figures = PoolFigures(world.pool, whole_pool(world.pool), now=NOW)
    usage = {c.label: c.value_label for c in figures.overview.usage_chart().chart.columns}
    assert (usage["Jun 26"], usage["Jul 26"], usage["Aug 26"]) == ("30", "1", "0")
    share = figures.overview.share_chart()
    assert [(bar.label, bar.value_label) for bar in share.chart.bars] == [
        ("Beeston Peer Support", "1 (share 18)"),
        ("Harehills Drama", "30 (share 36)"),
    ]
    assert [[cell.text for cell in row] for row in share.table.rows] == [
        ["Beeston Peer Support", "24", "18", "1", "6%"],
        ["Harehills Drama", "48", "36", "30", "83%"],
    ]


def test_the_page_shows_the_headlines_each_chart_with_its_table_and_the_legend(pool_in_use, client) -> None:
    world, _harehills, _beeston = pool_in_use
    page = signed_in(client, world.commissioner).get(f"/pools/{world.pool.pk}/dashboard/").content.decode()
    assert (
        '<p class="govuk-body-l" id="filter-summary">Showing April 2026 to March 2027, all organisations, all groups</p>'
        in page
    )
    assert page.count('role="img"') == 3
    for key, title in (
        ("usage", "Hours used each month"),
        ("share", "Hours used against fair share, by organisation"),
        ("fill", "Reflective-group fill rate each month"),
    ):
        assert f'aria-labelledby="chart-{key}-title chart-{key}-desc"' in page
        assert f'<title id="chart-{key}-title">{title}</title>' in page
        # The table alternative follows the chart, in a labelled scroll region.
        pair = page.split(f'id="chart-{key}"', 1)[1].split('class="reflect-chart-pair"', 1)[0]
        assert 'class="reflect-table-scroll" role="region" aria-label=' in pair
    assert '<strong class="reflect-suppression-legend__mark">*</strong> means 1 to 7 people' in page
    assert "<legend" in page and "Show figures for" in page


def test_the_summary_line_says_what_the_filters_show(pool_in_use, client) -> None:
    world, _harehills, beeston = pool_in_use
    client = signed_in(client, world.commissioner)
    group = world.pool.reflective_groups.get()
    page = client.get(
        f"/pools/{world.pool.pk}/dashboard/",
        {"from": "2026-05", "to": "2026-07", "organisation": beeston.pk, "group": group.pk},
    ).content.decode()
    assert "Showing May 2026 to July 2026, Beeston Peer Support, Harehills circle" in page
    # Three months of hours used are drawn; the fill chart draws nothing, as one organisation's
    # share of a group's places is not a fill rate.
    assert page.count('class="reflect-chart__column"') == 3


def test_days_to_a_first_session_are_never_negative(world, client) -> None:
    """Beeston's membership was recorded in July, after the place it attended in May: the old
    measure gave −61 days. It now has no wait to measure, and the median is Otley's 38 days."""
    pool = world.pool
    beeston = OrganisationFactory(name="Beeston Peer Support", in_pool=pool)
    otley = OrganisationFactory(name="Otley Care Farm", in_pool=pool)
    entry(pool, beeston, K.ORGANISATION_JOINED, quantity=1, when=at(7, 10))
    entry(pool, beeston, K.PLACE_ATTENDED, quantity=1, when=at(5, 10))
    entry(pool, otley, K.ORGANISATION_JOINED, quantity=1, when=at(4, 2))
    entry(pool, otley, K.PLACE_ATTENDED, quantity=1, when=at(5, 10))
    figures = PoolFigures(pool, whole_pool(pool), now=NOW)
    rows = {row[0].text: [cell.text for cell in row[1:]] for row in figures.equity.first_session_table().rows}
    assert rows["Beeston Peer Support"][2] == "–"
    assert rows["Otley Care Farm"][2] == "38"
    [section] = [s for s in figures.sections() if s.key == "equity"]
    median = {f.label: f for f in section.figures}["Median days from joining to a first session"]
    assert median.cell.text == "38"
    assert median.hint == "1 of 3 organisations have had one since joining"
    csv = signed_in(client, world.commissioner).get(f"/pools/{pool.pk}/dashboard/first-sessions.csv")
    assert not re.search(r",-\d", csv.getvalue().decode())


def test_the_leads_summary_opens_with_its_figures_and_a_chart_of_its_months(pool_in_use, client) -> None:
    world, harehills, _beeston = pool_in_use
    rows = summary_rows(harehills)
    look = lead_look(harehills, rows, today=datetime.date(2026, 12, 6))
    assert look is not None
    assert look.pool_name == world.pool.name
    # Harehills: 48 h allocated, 30 used, 2 still reserved → 16 left; 12 sessions held → 10;
    # no places attended recorded in the ledger.
    assert [(h.label, h.text) for h in look.headlines] == [
        ("Hours allocated", wording.hours(48)),
        ("Hours used", wording.hours(30)),
        ("Hours left", wording.hours(16)),
        ("Supervision sessions held", "10"),
        ("Group places attended", "0"),
    ]
    used = {c.label: c.value_label for c in look.chart.columns}
    assert (used["May 26"], used["Jun 26"], used["Jul 26"]) == ("0", "30", "0")
    assert look.chart.line  # the allocation spread over the months: 4 hours a month
    assert look.chart.line_label == f"Your allocation spread evenly over the months ({wording.hours(4)} a month)"
    months = {row[0].csv: [cell.text for cell in row[1:]] for row in look.table.rows}
    assert months["2026-06"] == ["30", "10", "0"]

    client.force_login(world.lead)
    page = client.get(f"/organisations/{harehills.pk}/usage/").content.decode()
    assert f"At a glance: {world.pool.name}" in page
    assert 'aria-labelledby="chart-lead-usage-title chart-lead-usage-desc"' in page
    assert '<strong class="reflect-suppression-legend__mark">*</strong> means 1 to 7 people' in page
