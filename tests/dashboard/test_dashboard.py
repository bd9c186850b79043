"""The commissioner dashboard: exact figures on a hand-built pool, disclosure control on pages
and exports whatever the filter, no recovery of a hidden figure from totals, query counts at
two sizes, access, audit, rebalancing and the lead's summary."""

from __future__ import annotations

import csv
import datetime
import html
import io
import itertools
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.figures.exports import EXPORTS
from dashboard.figures.groups import (
    group_months,
    sessions_by_group,
    shared_sessions_by_group,
    waits_by_group,
)
from dashboard.figures.money import ledger_months_used
from dashboard.figures.pool import PoolFigures
from dashboard.figures.selection import ledger_month_sums, pool_memberships, recent_ledger
from dashboard.figures.supervision import pool_supervisors_page
from dashboard.filters import group_titles, organisation_names, whole_pool
from dashboard.services import rebalance_allocations
from reflect import statements, wording
from reflect.disclosure import disclosed
from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.models import AuditEvent, LedgerEntry
from reflect.services.ledger import record_ledger_entry
from reflect.statements import fetch_models, fetch_named_rows, fetch_rows
from scheduling.models import (
    BookingStatus,
    GroupSession,
    Place,
    PlaceStatus,
    ReflectiveGroup,
    SupervisionBooking,
    WaitlistEntry,
)
from tests.factories.bookings import agree
from tests.factories.core import (
    OrganisationFactory,
    PoolFactory,
    UserFactory,
    make_commissioner,
    signed_in,
    staff_of,
)
from tests.factories.groups import ReflectiveGroupFactory
from tests.factories.supervision import SupervisorProfileFactory

K = LedgerKind
# The month's share of a 70-hour allocation over 12 months, as the wording writes hours.
SHARE = wording.hours_number(Decimal("70") / 12)


def at(year: int, month: int, day: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, 12, 0, tzinfo=datetime.UTC)


def entry(pool, organisation, kind, *, hours: str = "0", quantity: int = 0, when=None) -> None:
    record_ledger_entry(
        pool, kind, organisation=organisation, hours=Decimal(hours), quantity=quantity, occurred_at=when or at(2026, 5)
    )


def rows_of(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming  # written as it is read, never held whole (reflect/csv_export.py)
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


def column(rows: list[list[str]], name: str) -> list[str]:
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]


@pytest.fixture
def hand_built(world):
    """Two organisations in the world's pool (budget 100 h at £60), with figures worked by hand:

    Harehills Drama: allocated 40 h; reserved 20 h, released 2 h, consumed 13 h → still
    reserved 20 − 2 − 13 = 5 h, remaining 40 − 13 − 5 = 22 h, 13/40 = 32.5 % → 33 %; used
    13 h × £60 = £780; 13 supervision sessions held (→ 15), 8 group places attended (→ 10).
    Beeston Peer Support: allocated 30 h; reserved 1 h, consumed 1 h → reserved 0, remaining
    29 h, 1/30 → 3 %; 1 session held (→ *), 7 places attended (→ *).
    Pool: allocated 70, used 14 (£840), reserved 5, remaining 51, 14/70 = 20 %; 14 sessions
    held (→ 15), 15 places attended (→ 15).
    """
    a = world.organisation
    b = OrganisationFactory(name="Beeston Peer Support", in_pool=world.pool)
    pool = world.pool
    entry(pool, a, K.ALLOCATED, hours="40", when=at(2026, 4, 2))
    entry(pool, b, K.ALLOCATED, hours="30", when=at(2026, 4, 2))
    entry(pool, a, K.RESERVED, hours="20")
    entry(pool, a, K.RELEASED, hours="2")
    entry(pool, a, K.CONSUMED, hours="13", when=at(2026, 6))
    entry(pool, a, K.SUPERVISION_HELD, quantity=13, when=at(2026, 6))
    entry(pool, a, K.PLACE_ATTENDED, quantity=8)
    entry(pool, b, K.RESERVED, hours="1", when=at(2026, 7))
    entry(pool, b, K.CONSUMED, hours="1", when=at(2026, 7, 20))
    entry(pool, b, K.SUPERVISION_HELD, quantity=1, when=at(2026, 7, 20))
    entry(pool, b, K.PLACE_ATTENDED, quantity=7)
    return world, a, b


ORG_HEADERS = [
    "Organisation",
    "Allocated (hours)",
    "Reserved (hours)",
    "Used in period (hours)",
    "Used in period (£)",
    "Remaining (hours)",
    "Used to date",
    "Supervision sessions held",
    "Group places attended",
    "Last activity",
]


def test_exact_figures_by_organisation_in_the_export(hand_built, client) -> None:
    world, _a, _b = hand_built
    response = signed_in(client, world.commissioner).get(f"/pools/{world.pool.pk}/dashboard/organisations.csv")
    assert rows_of(response) == [
        ORG_HEADERS,
        ["Beeston Peer Support", "30", "0", "1", "60.00", "29", "3", "*", "*", "2026-07-20"],
        ["Harehills Drama", "40", "5", "13", "780.00", "22", "33", "15", "10", "2026-06-10"],
        ["All organisations", "70", "5", "14", "840.00", "51", "20", "15", "15", "2026-07-20"],
    ]


def test_exact_figures_on_the_page_and_the_monthly_table(hand_built, client) -> None:
    world, _a, _b = hand_built
    client = signed_in(client, world.commissioner)
    page = client.get(f"/pools/{world.pool.pk}/dashboard/").content.decode()
    assert "£840" in page and ">51<" in page and "20%" in page
    # The month table on the page names each month in full; the CSV keeps 2026-06 for machines.
    assert ">June 2026<" in page and ">Jun 2026<" not in page
    months = rows_of(client.get(f"/pools/{world.pool.pk}/dashboard/months.csv"))
    # Allocation 70 h over the pool's 12 months: a share of 5.83 h a month.
    assert months[3] == ["2026-06", "13", "780.00", SHARE, "223", "15", "0", "0"]
    assert months[4] == ["2026-07", "1", "60.00", SHARE, "17", "*", "0", "0"]
    # May: 8 + 7 places attended = 15, shown as 15.
    assert months[2] == ["2026-05", "0", "0.00", SHARE, "0", "0", "0", "15"]


SUPPRESSION_TABLE = [(0, "0"), (1, "*"), (7, "*"), (8, "10"), (12, "10"), (13, "15"), (1000, "1000")]


@pytest.fixture
def suppression_pool(world):
    organisations = []
    for count, _ in SUPPRESSION_TABLE:
        organisation = OrganisationFactory(name=f"Org {count:04d}", in_pool=world.pool)
        if count:
            entry(world.pool, organisation, K.PLACE_ATTENDED, quantity=count)
        organisations.append(organisation)
    return world, organisations


def test_the_disclosure_table_in_the_export_and_the_page(suppression_pool, client) -> None:
    world, _organisations = suppression_pool
    client = signed_in(client, world.commissioner)
    rows = rows_of(client.get(f"/pools/{world.pool.pk}/dashboard/organisations.csv"))
    attended = dict(zip(column(rows, "Organisation"), column(rows, "Group places attended"), strict=True))
    for count, shown in SUPPRESSION_TABLE:
        assert attended[f"Org {count:04d}"] == shown
    # The total is the raw sum 1041, disclosed on its own: 1040.
    assert attended["All organisations"] == "1040"
    page = client.get(f"/pools/{world.pool.pk}/dashboard/").content.decode()
    for count, _ in SUPPRESSION_TABLE:
        assert f'<th scope="row" class="govuk-table__header">Org {count:04d}</th>' in page
    assert "1041" not in page and "1000</td>" in page


@pytest.mark.parametrize(("count", "shown"), SUPPRESSION_TABLE)
def test_filtering_to_one_organisation_still_suppresses(suppression_pool, client, count, shown) -> None:
    world, organisations = suppression_pool
    organisation = organisations[[c for c, _ in SUPPRESSION_TABLE].index(count)]
    client = signed_in(client, world.commissioner)
    query = f"?organisation={organisation.pk}&from=2026-05&to=2026-05"
    rows = rows_of(client.get(f"/pools/{world.pool.pk}/dashboard/organisations.csv{query}"))
    assert column(rows, "Group places attended") == [shown, shown]
    months = rows_of(client.get(f"/pools/{world.pool.pk}/dashboard/months.csv{query}"))
    assert column(months, "Group places attended") == [shown]


def possible_hidden_values(rows: list[str], total: str) -> list[set[int]]:
    """For each row shown as "*", the raw values consistent with every figure on the page."""

    def candidates(shown: str) -> range:
        return range(0, 1) if shown == "0" else range(1, 8) if shown == "*" else range(int(shown) - 2, int(shown) + 3)

    possible: list[set[int]] = [set() for _ in rows]
    for values in itertools.product(*(candidates(shown) for shown in rows)):
        if str(disclosed(sum(values))) == total:
            for index, value in enumerate(values):
                possible[index].add(value)
    return [possible[i] for i, shown in enumerate(rows) if shown == "*"]


def test_no_suppressed_figure_can_be_worked_out_from_the_total(hand_built, client) -> None:
    world, _a, _b = hand_built
    rows = rows_of(signed_in(client, world.commissioner).get(f"/pools/{world.pool.pk}/dashboard/organisations.csv"))
    for name in ("Supervision sessions held", "Group places attended"):
        shown = column(rows, name)
        hidden = possible_hidden_values(shown[:-1], shown[-1])
        assert hidden, name
        # Beeston's hidden figure could be any of at least two values, whatever the total says.
        assert all(len(values) >= 2 for values in hidden), (name, hidden)
    # And the page never shows an exact count next to a suppressed one: 14 and 15 are rounded.
    assert column(rows, "Supervision sessions held")[-1] == "15"


def test_a_filter_value_that_does_not_exist_is_ignored_with_a_message(hand_built, client) -> None:
    world, _a, _b = hand_built
    client = signed_in(client, world.commissioner)
    page = client.get(
        f"/pools/{world.pool.pk}/dashboard/?organisation={world.other_organisation.pk}&group=999&from=2031-01"
    ).content.decode()
    assert "That organisation is not in this pool, so all organisations are shown." in page
    assert "That reflective group is not in this pool, so all groups are shown." in page
    assert "January 2031 is not in this pool&#x27;s period" in page
    assert "Beeston Peer Support" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        # Typed outside the period: the month in the page's words, never echoed as "2031-01".
        (
            "from=2031-01",
            "January 2031 is not in this pool's period, which runs from April 2026 to March 2027, "
            "so the period starts in April 2026.",
        ),
        (
            "to=2025-12",
            "December 2025 is not in this pool's period, which runs from April 2026 to March 2027, "
            "so the period ends in March 2027.",
        ),
        # Typed as the page writes months: read, and used when it is in the period.
        ("from=March 2027", None),
        ("to=Jan  2027", None),
        (
            "from=May 2031",
            "May 2031 is not in this pool's period, which runs from April 2026 to March 2027, "
            "so the period starts in April 2026.",
        ),
        # Not a month at all: what was typed, quoted as typed, and the months that can be chosen.
        (
            "to=soon",
            "“soon” is not a month: choose one from April 2026 to March 2027, so the period ends in March 2027.",
        ),
    ],
)
def test_a_month_typed_by_hand_is_read_or_refused_in_words(hand_built, client, query, message) -> None:
    world, _a, _b = hand_built
    response = signed_in(client, world.commissioner).get(f"/pools/{world.pool.pk}/dashboard/?{query}")
    filters = response.context["filters"]
    assert list(filters.messages) == ([message] if message else [])
    if message:
        assert html.escape(message) in response.content.decode()
    if query == "from=March 2027":
        assert filters.summary == "Showing March 2027 to March 2027, all organisations, all groups"
    if query == "to=Jan  2027":
        assert filters.summary == "Showing April 2026 to January 2027, all organisations, all groups"


def test_a_period_with_no_data_says_so(hand_built, client) -> None:
    world, _a, _b = hand_built
    client = signed_in(client, world.commissioner)
    page = client.get(f"/pools/{world.pool.pk}/dashboard/?from=2026-09&to=2026-10").content.decode()
    assert "Nothing was recorded from September 2026 to October 2026: no hours used" in page
    page = client.get(f"/pools/{world.pool.pk}/dashboard/?from=2026-06&to=2026-06").content.decode()
    assert "Nothing was recorded" not in page


def test_an_empty_pool_shows_zeros_and_guidance(world, client) -> None:
    pool = PoolFactory(name="New pool")
    commissioner = make_commissioner(pool)
    page = signed_in(client, commissioner).get(f"/pools/{pool.pk}/dashboard/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "No organisations have joined this pool yet, so every figure is zero." in text
    assert "Invite organisations" in text


def test_only_the_pools_commissioner_sees_the_dashboard_and_exports(hand_built, client) -> None:
    world, _a, _b = hand_built
    for person in (world.other_commissioner, world.lead, world.member, world.outsider):
        client.logout()
        signed_in(client, person)
        for page in DASHBOARD_PAGES:
            assert client.get(f"/pools/{world.pool.pk}/dashboard/{page}").status_code == 404, page
        assert client.get(f"/pools/{world.pool.pk}/dashboard/organisations.csv").status_code == 404
        assert client.get(f"/pools/{world.pool.pk}/dashboard/reach-sex.csv").status_code == 404
    client.logout()
    for page in DASHBOARD_PAGES:
        response = client.get(f"/pools/{world.pool.pk}/dashboard/{page}")
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), page
    # A commissioner of one pool is refused another's pages, object by object.
    signed_in(client, world.other_commissioner)
    for page in DASHBOARD_PAGES:
        assert client.get(f"/pools/{world.other_pool.pk}/dashboard/{page}").status_code == 200, page
    signed_in(client, world.commissioner)
    assert client.get(f"/pools/{world.pool.pk}/dashboard/nonsense.csv").status_code == 404


def test_each_view_and_export_is_audited_with_its_filters(hand_built, client) -> None:
    world, a, _b = hand_built
    client = signed_in(client, world.commissioner)
    chosen = f"?organisation={a.pk}&from=2026-05&to=2026-08"
    client.get(f"/pools/{world.pool.pk}/dashboard/{chosen}")
    client.get(f"/pools/{world.pool.pk}/dashboard/groups.csv")
    client.get(f"/pools/{world.pool.pk}/dashboard/reach/{chosen}")
    client.get(f"/pools/{world.pool.pk}/dashboard/outcomes/{chosen}")
    events = list(AuditEvent.objects.filter(action__startswith="dashboard.").order_by("pk"))
    assert [(e.action, e.actor, e.target) for e in events] == [
        ("dashboard.viewed", world.commissioner, f"reflect.pool:{world.pool.pk}"),
        ("dashboard.exported", world.commissioner, f"reflect.pool:{world.pool.pk}"),
        ("dashboard.viewed", world.commissioner, f"reflect.pool:{world.pool.pk}"),
        ("dashboard.viewed", world.commissioner, f"reflect.pool:{world.pool.pk}"),
    ]
    filters = {"from": "2026-05", "to": "2026-08", "organisation": a.pk, "group": None}
    assert events[0].details == {"filters": filters}
    assert events[1].details == {
        "table": "groups",
        "filters": {"from": "2026-04", "to": "2027-03", "organisation": None, "group": None},
    }
    assert events[2].details == {"page": "reach", "filters": filters}
    assert events[3].details == {"page": "outcomes", "filters": filters}


def test_each_dashboard_page_links_to_the_others_keeping_the_filters(hand_built, client) -> None:
    """The overview, reach, outcome and learning pages share one list of the dashboard's pages
    (docs/dashboard.md, "Pages"); every link carries the filters chosen."""
    world, a, _b = hand_built
    client = signed_in(client, world.commissioner)
    base = f"/pools/{world.pool.pk}/dashboard/"
    query = f"from=2026-05&amp;to=2026-08&amp;organisation={a.pk}"
    learning = f"/pools/{world.pool.pk}/learning/"
    for page, current in (
        ("", "Overview"),
        ("reach/", "Reach and equality"),
        ("outcomes/", "Outcomes: how staff are doing"),
        (learning, "Learning needs"),
    ):
        address = page if page.startswith("/") else f"{base}{page}"
        text = client.get(f"{address}?organisation={a.pk}&from=2026-05&to=2026-08").content.decode()
        nav = text.split('id="dashboard-pages-title"', 1)[1].split("</nav>", 1)[0]
        assert re.findall(r'href="([^"]+)"(?: aria-current="page")?>([^<]+)</a>', nav) == [
            (f"{base}?{query}", "Overview"),
            (f"{base}reach/?{query}", "Reach and equality"),
            (f"{base}outcomes/?{query}", "Outcomes: how staff are doing"),
            (f"/pools/{world.pool.pk}/learning/?{query}", "Learning needs"),
        ]
        assert re.findall(r'aria-current="page">([^<]+)</a>', nav) == [current]
        # Each table's CSV keeps them too (learning demand's covers the whole pool, whatever they are).
        if page != learning:
            assert all(query in link for link in re.findall(r'href="([^"]+\.csv[^"]*)"', text)), page


def grow(pool, organisations: int) -> None:
    """Organisations with ledger figures, and for each a reflective group with a session held
    (a place attended, someone who waited) and a supervisor with an agreement and a session, so
    that every table of the dashboard has as many rows as there are organisations."""
    for n in range(organisations):
        organisation = OrganisationFactory(in_pool=pool)
        for kind in (K.ALLOCATED, K.RESERVED, K.CONSUMED):
            entry(pool, organisation, kind, hours="3", when=at(2026, 4 + n % 6))
        entry(pool, organisation, K.PLACE_ATTENDED, quantity=n, when=at(2026, 5))
        session = GroupSession.objects.create(
            group=ReflectiveGroupFactory(pool=pool, title=f"Group {n}"),
            starts_at=at(2026, 6),
            ends_at=at(2026, 6, 11),
            place_limit=12,
            places_taken=1,
            places_attended=1,
        )
        person = staff_of(organisation)
        Place.objects.create(
            session=session, user=person, organisation=organisation, status=PlaceStatus.ATTENDED, booked_at=at(2026, 5)
        )
        WaitlistEntry.objects.create(
            session=session,
            user=person,
            organisation=organisation,
            joined_at=at(2026, 5),
            first_offered_at=at(2026, 5, 12),
        )
        agreement = agree(pool, organisation, SupervisorProfileFactory(), allocation=None)
        SupervisionBooking.objects.create(
            agreement=agreement,
            supervisor=agreement.supervisor,
            organisation=organisation,
            pool=pool,
            starts_at=at(2026, 6),
            ends_at=at(2026, 6) + datetime.timedelta(hours=1),
            minutes=60,
            hours=Decimal("1"),
            status=BookingStatus.ATTENDED,
        )


# The dashboard's pages, after /pools/<id>/dashboard/ (docs/dashboard.md, "Pages").
DASHBOARD_PAGES = ("", "reach/", "outcomes/")


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_and_exports_take_the_same_number_of_queries_at_two_sizes(world, client) -> None:
    client = signed_in(client, world.commissioner)
    base = f"/pools/{world.pool.pk}/dashboard/"
    urls = [f"{base}{page}" for page in DASHBOARD_PAGES] + [f"{base}{key}.csv" for key in EXPORTS]
    grow(world.pool, 2)
    small = [queries_for(client, url) for url in urls]
    grow(world.pool, 25)
    large = [queries_for(client, url) for url in urls]
    assert small == large
    # The larger pool's tables have their rows (a table left empty would prove nothing): a header,
    # 27 grown supervisors and groups, and 28 organisations (the world's own too) and a total.
    for key, rows in (("supervisors", 28), ("groups", 28), ("organisations", 30)):
        assert len(rows_of(client.get(f"{base}{key}.csv"))) == rows, key
    assert dict(zip(urls, small, strict=True)) == {f"{base}{page}": PAGE_QUERIES[page] for page in DASHBOARD_PAGES} | {
        f"{base}{key}.csv": count for key, count in EXPORT_QUERIES.items()
    }


# The overview: 24 before the headline figures and charts, which add two: people waiting and
# each month's group sessions (docs/dashboard.md, "At a glance"); and the learning sessions'
# answers (one query). People reached (one query) moved to the reach page, where the reach
# section's own reads already count them. It had 34 while the reach section (four: the staff,
# their places, their supervision sessions and the equality totals, docs/equality.md) and the
# outcome measures' (two: the pool's schedule and its answers, docs/outcomes.md) were on it;
# each now has a page of its own, which reads the filters as the overview does: the 9 queries
# such a page runs whatever it shows (the session, the person, the pool, their second factor,
# the pool's organisations and groups for the filters, the audit row, and the navigation's
# memberships and roles) and the section's own. 26 since the questionnaire outcomes' table counts
# the memberships the page reads anyway (their latest outcome and agreement) instead of asking again.
PAGE_QUERIES = {"": 26, "reach/": 9 + 4, "outcomes/": 9 + 2}
EXPORT_QUERIES = {
    "organisations": 10,
    "months": 9,
    "fair-share": 10,
    "group-months": 8,
    "supervisors": 8,
    "groups": 10,
    "quiet": 10,
    "first-sessions": 10,
    "communities": 9,
    "outcomes": 8,
    **{
        f"reach-{key}": 11
        for key in (
            "age-band",
            "sex",
            "gender-identity",
            "sexual-orientation",
            "ethnic-group",
            "disability",
            "religion",
        )
    },
    "outcome-change": 9,
    "outcome-attendance": 9,
    "learning-feedback": 8,
}


def test_rebalancing_moves_unused_hours_as_dated_ledger_entries(world) -> None:
    pool, quiet = world.pool, world.organisation
    busy = OrganisationFactory(name="Beeston Peer Support", in_pool=pool)
    entry(pool, quiet, K.ALLOCATED, hours="40", when=at(2026, 4, 2))
    entry(pool, quiet, K.CONSUMED, hours="2", when=at(2026, 6))
    entry(pool, busy, K.ALLOCATED, hours="30", when=at(2026, 4, 2))
    now = at(2027, 2, 1)
    entry(pool, busy, K.WAITLIST_JOINED, quantity=1, when=at(2027, 1, 15))
    assert PoolFigures(pool, whole_pool(pool), now=at(2026, 11, 1)).rebalancing() == []  # not near the end
    moves = PoolFigures(pool, whole_pool(pool), now=now).rebalancing()
    # Half of (40 − 2) = 19 h from the quiet organisation to the one with a waitlist.
    assert [(m.from_name, m.to_name, m.hours) for m in moves] == [
        ("Harehills Drama", "Beeston Peer Support", Decimal("19.00"))
    ]
    rebalance_allocations(pool, [m.token for m in moves], acting_user=world.commissioner, now=now)
    changes = LedgerEntry.objects.filter(pool=pool, kind=K.ALLOCATED, occurred_at=now).order_by("hours")
    assert [(e.organisation, e.hours, e.note) for e in changes] == [
        (quiet, Decimal("-19.00"), "Rebalanced to Beeston Peer Support"),
        (busy, Decimal("19.00"), "Rebalanced from Harehills Drama"),
    ]
    assert AuditEvent.objects.filter(action="pool.rebalanced").get().details == {"moves": [m.token for m in moves]}
    # Sent again, the suggestion has changed (9 h now): nothing moves twice.
    with pytest.raises(DomainError, match="The figures changed"):
        rebalance_allocations(pool, [m.token for m in moves], acting_user=world.commissioner, now=now)
    assert LedgerEntry.objects.filter(pool=pool, kind=K.ALLOCATED).count() == 4


def test_the_lead_sees_their_organisations_suppressed_summary(hand_built, client) -> None:
    world, a, _b = hand_built
    client.force_login(world.lead)
    response = client.get(f"/organisations/{a.pk}/usage/")
    text = response.content.decode()
    assert response.status_code == 200
    assert ">40<" in text and ">22<" in text
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">10</td>' in text  # 8 places → 10
    assert AuditEvent.objects.filter(action="dashboard.lead_viewed", actor=world.lead).count() == 1
    client.force_login(world.member)
    assert client.get(f"/organisations/{a.pk}/usage/").status_code == 403
    client.force_login(world.outsider)
    assert client.get(f"/organisations/{a.pk}/usage/").status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/organisations/{a.pk}/usage/").status_code == 404


def test_the_supervisors_table_shows_hours_booked_in_the_pool(world, client) -> None:
    """Bookings made through the booking service: 1.5 h to come and 1 h held count; a session
    cancelled in time does not."""
    from scheduling.services.bookings import BookingChoice, book_supervision, cancel_supervision, mark_attendance
    from tests.factories.bookings import NOW, agree, supervisor_with_availability, utc

    pool = world.pool
    pool.starts_on, pool.ends_on = datetime.date(2026, 12, 1), datetime.date(2027, 11, 30)
    pool.save()
    agreement = agree(pool, world.organisation, supervisor_with_availability(), hours_per_month="8")

    def book(start, minutes):
        choice = BookingChoice(starts_at=start, minutes=minutes, attendees=[world.member])
        return book_supervision(agreement, choice, acting_user=world.member, now=NOW)

    book(utc(6, 10), 90)
    held = book(utc(7, 10), 60)
    mark_attendance(held, attended=True, acting_user=agreement.supervisor.user, now=utc(8, 9))
    cancel_supervision(book(utc(8, 14), 60), acting_user=world.member, now=NOW)
    response = signed_in(client, world.commissioner).get(f"/pools/{pool.pk}/dashboard/supervisors.csv")
    rows = rows_of(response)
    assert column(rows, "Supervisor") == ["Ann Carter"]
    assert column(rows, "Booked in this pool in the period (hours)") == [wording.hours_number(Decimal("2.5"))]
    assert column(rows, "Agreed in this pool") == ["8"]


def test_a_filter_with_unicode_digits_is_ignored_with_a_message_not_a_500(hand_built, client) -> None:
    world, _a, _b = hand_built
    signed_in(client, world.commissioner)
    for query in ("organisation=%C2%B2", "group=%C2%B2", "organisation=99999999999999999999"):
        response = client.get(f"/pools/{world.pool.pk}/dashboard/?{query}")
        assert response.status_code == 200
        assert "so all" in response.content.decode()


def test_the_pages_headline_counts_of_people_are_disclosed(hand_built, client) -> None:
    """Sessions held are 13 + 1 = 14, shown as 15; one organisation's 1 is shown as "*"."""
    world, _a, beeston = hand_built
    client = signed_in(client, world.commissioner)

    def supervision_figures(query: str = "") -> dict[str, str]:
        response = client.get(f"/pools/{world.pool.pk}/dashboard/{query}")
        [section] = [s for s in response.context["sections"] if s.key == "supervision"]
        return {f.label: f.cell.text for f in section.figures}

    assert supervision_figures()["Sessions held"] == "15"
    assert supervision_figures(f"?organisation={beeston.pk}")["Sessions held"] == "*"


def test_the_page_opens_with_a_list_of_its_sections_and_tables_each_linked_to_its_place(hand_built, client) -> None:
    world, _a, _b = hand_built
    page = signed_in(client, world.commissioner).get(f"/pools/{world.pool.pk}/dashboard/").content.decode()
    contents = page.split('id="contents-title"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'href="#([^"]+)">([^<]+)</a>', contents)
    assert [title for _, title in links] == [
        "At a glance",
        "Charts",
        "Hours used each month",
        "Hours used against fair share, by organisation",
        "Reflective-group fill rate each month",
        "Money and hours",
        "Money and hours by organisation",
        "Supervision",
        "Supervisors&#x27; capacity against hours agreed (hours a month)",
        "Reflective groups",
        "Each reflective group",
        "Access and equity",
        "Organisations with no use in the last 90 days",
        "Time from joining to a first session",
        "Use by the communities organisations serve",
        "Questionnaire outcomes across the pool (latest result of each organisation)",
        "Learning sessions: did they meet the need?",
        "Did learning sessions meet the need? Attendees&#x27; answers by topic",
    ]
    # Every link leads somewhere on the page.
    assert all(f'id="{target}"' in page for target, _ in links)


def test_the_kept_ledger_sums_answer_as_the_orm_does(hand_built, monkeypatch) -> None:
    """The overview's one read of the ledger's monthly totals is SQL the ORM built once per
    process (reflect/statements.py): kept, in both of its shapes (the whole pool, one
    organisation), and answering every period, organisation and month as the ORM's own query."""
    world, a, b = hand_built
    monkeypatch.setattr(statements, "_kept", {})
    months = {"first_month": datetime.date(2026, 4, 1), "last_month": datetime.date(2027, 3, 1)}
    cases = [
        {"pool_id": world.pool.pk, **months, "this_month": datetime.date(2026, 12, 1)},
        {"pool_id": world.pool.pk, **months, "this_month": datetime.date(2026, 7, 1)},
        {"pool_id": world.pool.pk, "first_month": datetime.date(2026, 6, 1), "last_month": datetime.date(2026, 6, 1),
         "this_month": datetime.date(2026, 12, 1)},
        {"pool_id": world.other_pool.pk, **months, "this_month": datetime.date(2026, 12, 1)},
        {"pool_id": world.pool.pk, **months, "this_month": datetime.date(2026, 12, 1), "organisation_id": a.pk},
        {"pool_id": world.pool.pk, **months, "this_month": datetime.date(2026, 7, 1), "organisation_id": b.pk},
    ]  # fmt: skip
    answers = []
    for values in cases:
        kept = fetch_named_rows(("sums", *values), ledger_month_sums, **values)
        assert sorted(kept, key=repr) == sorted(ledger_month_sums(**values), key=repr), values
        assert statements._kept[("sums", *values)] is not None, values
        answers.append({row["organisation_id"]: (row["used"], row["places_attended"], row["last_use"]) for row in kept})
    # The cases differ, so the values went where they belong: 13 h used by Harehills in June.
    assert answers[2][a.pk][:2] == (Decimal("13.00"), 0)
    assert answers[3] == {}
    assert set(answers[4]) == {a.pk} and set(answers[5]) == {b.pk}
    assert answers[0][b.pk][2] != answers[1][b.pk][2]  # last use: July counts only before this month


def test_the_overviews_other_kept_statements_answer_as_the_orms(world, monkeypatch) -> None:
    """The overview's other statements kept once per process (its memberships, recent entries,
    months, groups' sessions and waitlists, supervisors): each kept, in each of its shapes, and
    answering each pool, organisation, group and period as the ORM's own query, every value of
    the same type (on PostgreSQL the converters that would give a value back unchanged are left
    out: a sum of hours is already a Decimal there)."""
    for name in ("_kept", "_kept_rows", "_kept_models"):
        monkeypatch.setattr(statements, name, {})
    grow(world.pool, 3)
    pool, organisation = world.pool.pk, world.organisation.pk
    group = ReflectiveGroup.objects.filter(pool=world.pool).order_by("pk").first().pk
    later = datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)
    period = {"starts": at(2026, 4), "ends": later}
    held = {"pool_id": pool, "starts": at(2026, 4), "until": later}
    months = {"first_month": datetime.date(2026, 4, 1), "last_month": datetime.date(2026, 8, 1)}
    recent = {"pool_id": pool, "since": at(2026, 4), "month_began": at(2026, 6), "now": later}
    cases = [
        (fetch_rows, pool_memberships, {"pool_id": pool, "today": datetime.date(2026, 6, 1)}),
        (fetch_rows, pool_memberships, {"pool_id": pool, "today": datetime.date(2026, 6, 1), "organisation_id": organisation}),
        (fetch_rows, pool_memberships, {"pool_id": world.other_pool.pk, "today": datetime.date(2026, 6, 1)}),
        (fetch_rows, organisation_names, {"pool_id": pool}),
        (fetch_rows, organisation_names, {"pool_id": world.other_pool.pk}),
        (fetch_rows, group_titles, {"pool_id": pool}),
        (fetch_named_rows, recent_ledger, recent),
        (fetch_named_rows, recent_ledger, recent | {"organisation_id": organisation}),
        (fetch_named_rows, ledger_months_used, {"pool_id": pool, **months}),
        (fetch_named_rows, ledger_months_used, {"pool_id": pool, **months, "organisation_id": organisation}),
        (fetch_named_rows, sessions_by_group, held),
        (fetch_named_rows, sessions_by_group, held | {"group_id": group}),
        (fetch_named_rows, shared_sessions_by_group, held),
        (fetch_named_rows, group_months, held),
        (fetch_named_rows, waits_by_group, {"pool_id": pool, **period}),
        (fetch_named_rows, waits_by_group, {"pool_id": pool, **period, "group_id": group, "organisation_id": organisation}),
    ]  # fmt: skip
    for fetch, build, values in cases:
        key = (build.__name__, *values)
        kept = fetch(key, build, **values)
        assert repr(sorted(kept, key=repr)) == repr(sorted(build(**values), key=repr)), (build.__name__, values)
        assert {**statements._kept, **statements._kept_rows}[key] is not None, (build.__name__, values)
    assert len(fetch_named_rows(("sessions_by_group", *held), sessions_by_group, **held)) == 3
    if connection.vendor == "postgresql":
        # Every column of the groups' sums is read as the type the ORM would make of it: no converter runs.
        assert statements._needed[id(statements._kept[("sessions_by_group", *held)])][1] == {}
    supervisors = {"pool_id": pool, "today": datetime.date(2026, 6, 1), **period}
    for values in (supervisors, supervisors | {"organisation_id": organisation}):
        kept_supervisors = fetch_models(("supervisors", *values), pool_supervisors_page, **values)
        columns = ("pk", "user_id", "booked_here", "agreed_here", "agreed_all", "organisations", "rows_in_all")
        assert [[repr(getattr(s, c)) for c in columns] + [s.user.display_name] for s in kept_supervisors] == [
            [repr(getattr(s, c)) for c in columns] + [s.user.display_name] for s in pool_supervisors_page(**values)
        ]
        assert statements._kept_models[("supervisors", *values)] is not None


def _shown_rows(page: str, key: str) -> list[str]:
    """The row headers of one of the page's tables (the first cell of each row)."""
    table = re.search(rf'<table [^>]*id="table-{key}".*?</table>', page, re.S)
    assert table is not None
    return re.findall(r'<th scope="row" class="govuk-table__header">(.*?)</th>', table.group(0))


def test_the_supervisors_and_groups_tables_read_only_the_rows_the_page_shows(world, client) -> None:
    """The page reads the first 20 supervisors and groups, in the CSV's order, and counts the
    rest in the same query; the CSV has every row. Made in an order the tables do not keep."""
    for number in (23, *range(1, 23)):
        user = UserFactory(first_name=f"Supervisor {number:02d}", last_name="Carter")
        agree(world.pool, world.organisation, SupervisorProfileFactory(user=user), allocation=None)
        ReflectiveGroupFactory(pool=world.pool, title=f"Group {number:02d}")
    client = signed_in(client, world.commissioner)
    with CaptureQueriesContext(connection) as page_queries:
        page = client.get(f"/pools/{world.pool.pk}/dashboard/").content.decode()
    # The supervisors' 23 rows and the groups' 23 are never all read for the page: each is read
    # to its 20th row, with a window counting every row (read before the next request's reset).
    limited = [query["sql"] for query in page_queries.captured_queries if "OVER ()" in query["sql"]]
    assert [sql[-8:] for sql in limited] == ["LIMIT 20"] * 2

    for key, name, surname in (("supervisors", "Supervisor", " Carter"), ("groups", "Group", "")):
        every_row = column(rows_of(client.get(f"/pools/{world.pool.pk}/dashboard/{key}.csv")), name)
        assert every_row == [f"{name} {number:02d}{surname}" for number in range(1, 24)]
        assert _shown_rows(page, key) == every_row[:20]
    assert page.count("The first 20 of 23 rows are shown here; the CSV below has every row.") == 2


@pytest.fixture
def hours_not_in_halves(world):
    """One organisation (the pool at £60 an hour): allocated 63.82 h; reserved 61 h, of which
    60.82 h used (£3,649.20) → 0.18 h still reserved; left 63.82 − 60.82 − 0.18 = 2.82 h, of
    which 2.5 h may be booked (the booking page's rounding down to the half hour)."""
    pool, organisation = world.pool, world.organisation
    entry(pool, organisation, K.ALLOCATED, hours="63.82", when=at(2026, 4, 2))
    entry(pool, organisation, K.RESERVED, hours="61", when=at(2026, 6))
    entry(pool, organisation, K.CONSUMED, hours="60.82", when=at(2026, 6))
    return world


def words_of(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_hours_beside_money_are_exact_and_hours_left_are_what_may_be_booked(hours_not_in_halves, client) -> None:
    world = hours_not_in_halves
    client = signed_in(client, world.commissioner)
    rows = rows_of(client.get(f"/pools/{world.pool.pk}/dashboard/organisations.csv"))
    # Rounded to the half hour these read 64, 61 and 3 beside £3,649.20 (60.82 × £60).
    assert [row[:6] for row in rows[1:]] == [
        [world.organisation.name, "63.82", "0.18", "60.82", "3649.20", "2.5"],
        ["All organisations", "63.82", "0.18", "60.82", "3649.20", "2.5"],
    ]
    months = rows_of(client.get(f"/pools/{world.pool.pk}/dashboard/months.csv"))
    assert months[3][:3] == ["2026-06", "60.82", "3649.20"]
    page = words_of(client.get(f"/pools/{world.pool.pk}/dashboard/").content.decode())
    # The headline, and the money section's figures, say what the table's total row says.
    assert "Hours left 2.5 hours of the allocation, after what is booked" in page
    assert "Used in the period 60.82 hours Value used in the period £3,649.20" in page
    assert "Allocated to the pool 63.82 hours by the end of the period" in page
    assert "Remaining 2.5 hours of the allocation, to book" in page
