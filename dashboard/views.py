"""The commissioner's dashboard and exports, and the lead's summary. Views parse the filters,
ask the query layer, audit the look, and render; every figure arrives already disclosed."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dashboard import services
from dashboard.figures.exports import EXPORTS
from dashboard.figures.lead_summary import lead_look, organisation_summary_table, summary_rows
from dashboard.figures.learning_demand import learning_demand
from dashboard.figures.moves import move_inputs_html, moves_table
from dashboard.figures.pool import PoolFigures
from dashboard.filters import Filters, filter_options, group_titles, organisation_names, parse_filters
from reflect import wording
from reflect.access import access_led_organisation, acting_user, commissioner_area
from reflect.csv_export import csv_response
from reflect.errors import DomainError
from reflect.models import Pool
from reflect.services.audit import record_audit
from reflect.statements import fetch_rows


def _filters(request: HttpRequest, pool: Pool) -> tuple[Filters, dict[int, str], dict[int, str]]:
    # Only what the filters show and use, as names: hundreds of organisations at city scale.
    # Every dashboard page asks, so the two statements are kept once per process.
    organisations = dict(fetch_rows(("dashboard.organisation_names",), organisation_names, pool_id=pool.pk))
    groups = dict(fetch_rows(("dashboard.group_titles",), group_titles, pool_id=pool.pk))
    return parse_filters(pool, request.GET, organisations=organisations, groups=groups), organisations, groups


@commissioner_area
def pool_dashboard(request: HttpRequest, pool: Pool) -> HttpResponse:
    filters, organisations, groups = _filters(request, pool)
    figures = PoolFigures(pool, filters)
    moves = figures.rebalancing()
    record_audit("dashboard.viewed", actor=acting_user(request), target=pool, filters=filters.as_audit())
    return render(
        request,
        "dashboard/pool.html",
        {
            "pool": pool,
            "filters": filters,
            "options": filter_options(pool, filters, organisations.items(), groups.items()),
            "empty": not organisations,
            # Asked whether or not the pool has organisations, so the page's queries are constant.
            "no_data": not figures.period_has_data and bool(organisations),
            "headlines": figures.overview.headlines(),
            "charts": figures.overview.charts(),
            "sections": figures.sections(),
            "moves": moves,
            "moves_table": moves_table(moves),
            "move_inputs": move_inputs_html(moves),
            "moves_summary": f"{wording.count(len(moves), 'move')}, "
            f"{wording.hours(sum((move.hours for move in moves), Decimal('0')))} in all.",
            "query": filters.as_query(),
        },
    )


@commissioner_area
def pool_reach(request: HttpRequest, pool: Pool) -> HttpResponse:
    """Reach and equality, a page of its own (docs/equality.md). Its tables ignore the filters;
    the filters are read only so that the links back to the other pages keep them."""
    filters, _, _ = _filters(request, pool)
    section = PoolFigures(pool, filters).reach.section()
    record_audit("dashboard.viewed", actor=acting_user(request), target=pool, page="reach", filters=filters.as_audit())
    return render(
        request,
        "dashboard/section_page.html",
        {"pool": pool, "filters": filters, "section": section, "current": "reach", "query": filters.as_query()},
    )


@commissioner_area
def pool_outcomes(request: HttpRequest, pool: Pool) -> HttpResponse:
    """Outcomes: how staff are doing, a page of its own (docs/outcomes.md), for the filters chosen."""
    filters, organisations, groups = _filters(request, pool)
    section = PoolFigures(pool, filters).outcome_measures.section()
    record_audit(
        "dashboard.viewed", actor=acting_user(request), target=pool, page="outcomes", filters=filters.as_audit()
    )
    return render(
        request,
        "dashboard/section_page.html",
        {
            "pool": pool,
            "filters": filters,
            "follows_filters": True,
            "options": filter_options(pool, filters, organisations.items(), groups.items()),
            "section": section,
            "current": "outcomes",
            "query": filters.as_query(),
        },
    )


@commissioner_area
def pool_export(request: HttpRequest, pool: Pool, table: str) -> StreamingHttpResponse:
    build = EXPORTS.get(table)
    if build is None:
        raise Http404("No such table.")
    filters, _, _ = _filters(request, pool)
    result = build(PoolFigures(pool, filters))
    record_audit("dashboard.exported", actor=acting_user(request), target=pool, table=table, filters=filters.as_audit())
    period = f"{filters.period.first_month:%Y-%m}-to-{filters.period.last_month:%Y-%m}"
    return csv_response(f"pool-{pool.pk}-{table}-{period}.csv", result.csv_rows())


@require_POST
@commissioner_area
def pool_rebalance(request: HttpRequest, pool: Pool) -> HttpResponse:
    try:
        moves = services.rebalance_allocations(pool, request.POST.getlist("move"), acting_user=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        hours = sum(move.hours for move in moves)
        messages.success(
            request,
            f"{wording.hours(hours)} moved in {wording.count(len(moves), 'step')}, recorded in the ledger.",
        )
    return redirect("pool_dashboard", pool.pk)


def organisation_usage(request: HttpRequest, organisation_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organisation, _ = access_led_organisation(acting_user(request), organisation_id)
    rows = summary_rows(organisation)
    table = organisation_summary_table(organisation, rows)
    look = lead_look(organisation, rows, today=timezone.localdate())
    record_audit("dashboard.lead_viewed", actor=acting_user(request), target=organisation)
    return render(request, "dashboard/organisation.html", {"organisation": organisation, "table": table, "look": look})


@commissioner_area
def pool_learning_needs(request: HttpRequest, pool: Pool) -> HttpResponse:
    """Demand for learning by topic (docs/learning.md), every count of people disclosed: one of
    the dashboard's pages. Its table covers the whole pool; the filters are read only so that the
    links back to the other pages keep them."""
    filters, _, _ = _filters(request, pool)
    demand = learning_demand(pool)
    record_audit("dashboard.viewed", actor=acting_user(request), target=pool, table="learning-demand")
    return render(request, "dashboard/learning.html", {"pool": pool, "demand": demand, "query": filters.as_query()})


@commissioner_area
def pool_learning_export(request: HttpRequest, pool: Pool) -> StreamingHttpResponse:
    demand = learning_demand(pool)
    record_audit("dashboard.exported", actor=acting_user(request), target=pool, table="learning-demand")
    return csv_response(f"pool-{pool.pk}-learning-demand.csv", demand.table.csv_rows())
