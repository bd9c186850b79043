"""A pool's usage figures for its commissioners: the dashboard's own cells, never a raw count.

The figures come from the dashboard's figure modules (``dashboard.figures``), the one place
where every count of people is disclosed (``dashboard.tables.present``), so the API returns
exactly the cells the page and its CSV exports show, "*" where they hide one. The period is
read by the dashboard's own filter parser, so it is checked in the same way and in the same
words; where the page ignores a bad month with a message, the API refuses it (400), because a
program cannot read a message beside an answer it did not ask for.

Only the figure modules that read no equality or outcome answers are imported (the money and
group figures and the headlines): the import contracts in pyproject.toml hold this.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers
from api.scopes import ResourceGroup
from api.views.base import ApiView, acting_user
from api.views.schema import id_parameter, problems
from dashboard.figures.groups import GroupFigures
from dashboard.figures.money import MoneyFigures
from dashboard.figures.overview import OverviewFigures
from dashboard.figures.selection import Selection
from dashboard.filters import Filters, Period, parse_filters
from dashboard.tables import Cell, Table
from reflect.access import access_pool, has_two_factor, is_exempt_from_two_factor
from reflect.models import Pool, User
from reflect.services.audit import record_audit

TWO_FACTOR_NEEDED = (
    "A pool's figures need two-factor authentication, as on the dashboard: set it up on your account page."
)

PERIOD_PARAMETERS = [
    OpenApiParameter(
        name,
        OpenApiTypes.STR,
        description=f"The period's {which} month, YYYY-MM, within the pool's period (default: the pool's {which}).",
    )
    for name, which in (("from", "first"), ("to", "last"))
]


def period_filters(pool: Pool, request: Request) -> Filters:
    """The dashboard's parser, one month at a time so each message lands on its own field. The
    page carries on with a default and says so ("…, so the period starts in April 2026"); the
    API refuses instead, so only the reason is kept."""
    errors: dict[str, list[str]] = {}
    months = {}
    for name in ("from", "to"):
        one = QueryDict(mutable=True)
        one[name] = request.query_params.get(name, "")
        parsed = parse_filters(pool, one, organisations={}, groups={})
        months[name] = parsed.period.first_month if name == "from" else parsed.period.last_month
        if parsed.messages:
            errors[name] = [message.split(", so the period")[0] + "." for message in parsed.messages]
    if not errors and months["from"] > months["to"]:
        errors["to"] = ["The period ends before it starts: give a “to” month on or after the “from” month."]
    if errors:
        raise ValidationError(errors)
    return Filters(Period(months["from"], months["to"]))


def cells(row: tuple[Cell, ...]) -> list[str]:
    """A row as the CSV export writes it: numbers without £ or separators, "*" where hidden."""
    return [cell.csv for cell in row]


def table_data(table: Table) -> dict[str, Any]:
    return {
        "key": table.key,
        "caption": table.caption,
        "columns": table.headers,
        "rows": [cells(row) for row in table.rows],
        "total": cells(table.total) if table.total is not None else None,
        "note": table.note,
    }


def needs_two_factor(user: User) -> bool:
    return not (is_exempt_from_two_factor(user) or has_two_factor(user))


class PoolUsage(ApiView):
    resource_group = ResourceGroup.USAGE

    @extend_schema(
        summary="A pool's usage figures (its commissioners)",
        description=(
            "The commissioner dashboard's headline figures and its tables by organisation and by month, "
            "for a period of whole months. Every cell is the one the dashboard and its CSV export show: "
            "a count of people under 8 is “*”, others are rounded to the nearest 5."
        ),
        parameters=[id_parameter("pool_id", "pool"), *PERIOD_PARAMETERS],
        responses={200: serializers.PoolUsage, **problems(400, 404)},
    )
    def get(self, request: Request, pool_id: int, **kwargs: Any) -> Response:
        user = acting_user(request)
        pool = access_pool(user, pool_id)  # the pool's commissioners; anyone else a 404
        if needs_two_factor(user):
            raise PermissionDenied(TWO_FACTOR_NEEDED)
        filters = period_filters(pool, request)
        selection = Selection(pool, filters)
        money = MoneyFigures(selection)
        overview = OverviewFigures(selection, money, GroupFigures(selection))
        body = {
            "pool": {"id": pool.pk, "name": pool.name},
            "from": f"{filters.period.first_month:%Y-%m}",
            "to": f"{filters.period.last_month:%Y-%m}",
            "headlines": [
                {"label": h.label, "text": h.text, "hint": h.hint, "suppressed": h.suppressed}
                for h in overview.headlines(people_reached=True)
            ],
            "tables": [table_data(money.organisations_table()), table_data(money.months_table())],
        }
        record_audit("dashboard.viewed", actor=user, target=pool, filters=filters.as_audit(), via="api")
        return Response(body)
