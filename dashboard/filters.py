"""The dashboard's filters: a month range within the pool's period, an organisation, a group.

A value that does not exist in this pool is ignored with a message in plain words, never an
error (issue 8, "Bad input").
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

from dashboard.tables import LONDON
from reflect import wording
from reflect.models import Organisation, Pool
from scheduling.models import ReflectiveGroup


def _is_id(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²", which int() refuses."""
    return text.isascii() and text.isdigit() and len(text) < 12


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=LONDON)


@dataclass(frozen=True)
class Period:
    first_month: datetime.date
    last_month: datetime.date

    @property
    def start(self) -> datetime.datetime:
        return local_midnight(self.first_month)

    @property
    def end(self) -> datetime.datetime:
        """The first moment after the period (exclusive)."""
        return local_midnight(next_month(self.last_month))

    @property
    def months(self) -> list[datetime.date]:
        return months_between(self.first_month, self.last_month)


def pool_months(pool: Pool) -> list[datetime.date]:
    return months_between(pool.starts_on, pool.ends_on)


@dataclass(frozen=True)
class Filters:
    period: Period
    organisation: Organisation | None = None
    group_id: int | None = None
    group_title: str = ""
    messages: tuple[str, ...] = field(default=())

    @property
    def is_whole_pool(self) -> bool:
        return self.organisation is None and self.group_id is None

    @property
    def summary(self) -> str:
        """What the page shows, in words: "Showing April 2026 to March 2027, all organisations,
        all groups"."""
        period = f"{wording.month(self.period.first_month)} to {wording.month(self.period.last_month)}"
        organisation = self.organisation.name if self.organisation else "all organisations"
        return f"Showing {period}, {organisation}, {self.group_title or 'all groups'}"

    def as_audit(self) -> dict[str, object]:
        return {
            "from": f"{self.period.first_month:%Y-%m}",
            "to": f"{self.period.last_month:%Y-%m}",
            "organisation": self.organisation.pk if self.organisation else None,
            "group": self.group_id,
        }

    def as_query(self) -> str:

        values = {"from": f"{self.period.first_month:%Y-%m}", "to": f"{self.period.last_month:%Y-%m}"}
        if self.organisation:
            values["organisation"] = str(self.organisation.pk)
        if self.group_id:
            values["group"] = str(self.group_id)
        return urlencode(values)


# The form sends "2026-04"; a month typed by hand may be in the words the page shows it in
# ("April 2026", "Apr 2026").
MONTH_FORMATS = ("%Y-%m", "%B %Y", "%b %Y")


def _month(text: str) -> datetime.date | None:
    for pattern in MONTH_FORMATS:
        try:
            return datetime.datetime.strptime(" ".join(text.split()), pattern).date()
        except ValueError:
            continue
    return None


def month_not_in_period(text: str, month: datetime.date | None, first: datetime.date, last: datetime.date) -> str:
    """Why a month typed for the period was not used, in words: the month as the page writes
    months ("January 2030", never "2030-01"), or what was typed, quoted, when it cannot be read
    as a month; and the months that can be chosen."""
    allowed = f"from {wording.month(first)} to {wording.month(last)}"
    if month is None:
        return f"“{text}” is not a month: choose one {allowed}"
    return f"{wording.month(month)} is not in this pool's period, which runs {allowed}"


def organisation_names(*, pool_id: int) -> QuerySet[Organisation, tuple[int, str]]:
    """The pool's organisations, (id, name), by name: the filter's choices (kept once per process by the views)."""
    return Organisation.objects.filter(pool_memberships__pool_id=pool_id).order_by("name").values_list("pk", "name")


def group_titles(*, pool_id: int) -> QuerySet[ReflectiveGroup, tuple[int, str]]:
    """The pool's reflective groups, (id, title), by title: the filter's choices (kept once per process by the views)."""
    return ReflectiveGroup.objects.filter(pool_id=pool_id).order_by("title").values_list("pk", "title")


def parse_filters(pool: Pool, data: QueryDict, *, organisations: dict[int, str], groups: dict[int, str]) -> Filters:
    """Read ``from``, ``to`` (YYYY-MM), ``organisation`` and ``group`` from a GET query.

    ``organisations`` and ``groups`` are the pool's own, each id with its name (fetched once by
    the caller), so a value from another pool is treated exactly like one that does not exist.
    """
    messages: list[str] = []
    months = pool_months(pool)
    first, last = months[0], months[-1]
    for name, default in (("from", first), ("to", last)):
        text = data.get(name, "").strip()
        if not text:
            continue
        month = _month(text)
        if month is None or not (first <= month <= last):
            messages.append(
                f"{month_not_in_period(text, month, months[0], months[-1])}, "
                f"so the period {'starts' if name == 'from' else 'ends'} in {wording.month(default)}."
            )
        elif name == "from":
            first = month
        else:
            last = month
    if first > last:
        messages.append("The period ended before it started, so the two months are swapped.")
        first, last = last, first

    organisation = None
    text = data.get("organisation", "").strip()
    if text:
        organisation_id = int(text) if _is_id(text) else None
        if organisation_id in organisations:
            # The one organisation chosen, as a query for its id and name would read it: the
            # others stay names (hundreds at city scale, 3,000 nationally, each an instance before).
            organisation = Organisation.from_db(
                DEFAULT_DB_ALIAS, ["id", "name"], [organisation_id, organisations[organisation_id]]
            )
        else:
            messages.append("That organisation is not in this pool, so all organisations are shown.")

    group_id, group_title = None, ""
    text = data.get("group", "").strip()
    if text:
        group_id = int(text) if _is_id(text) and int(text) in groups else None
        if group_id is None:
            messages.append("That reflective group is not in this pool, so all groups are shown.")
        else:
            group_title = groups[group_id]
    return Filters(Period(first, last), organisation, group_id, group_title, tuple(messages))


def whole_pool(pool: Pool) -> Filters:
    """No filter: the pool's whole period, every organisation and group."""
    months = pool_months(pool)
    return Filters(Period(months[0], months[-1]))


def options_html(choices: Iterable[tuple[object, str]], selected: object) -> SafeString:
    """A select's options, escaped, built here rather than in a template loop: at city scale the
    filters offer hundreds of organisations and groups, and the loop cost more than every table."""
    return mark_safe(  # noqa: S308 - every value and label is escaped
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if value == selected else ""}>{escape(label)}</option>'
            for value, label in choices
        )
    )


def filter_options(
    pool: Pool, filters: Filters, organisations: Iterable[tuple[int, str]], groups: Iterable[tuple[int, str]]
) -> dict[str, SafeString]:
    """The filter form's options: the pool's months (from and to), organisations and groups."""
    months = [(f"{month:%Y-%m}", wording.month(month)) for month in pool_months(pool)]
    return {
        "from": options_html(months, f"{filters.period.first_month:%Y-%m}"),
        "to": options_html(months, f"{filters.period.last_month:%Y-%m}"),
        "organisation": options_html(organisations, filters.organisation.pk if filters.organisation else None),
        "group": options_html(groups, filters.group_id),
    }
