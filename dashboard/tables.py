"""Figures as they may leave the query layer: cells, tables and headline figures.

Privacy by construction (docs/architecture.md, on suppression). The figure modules
(``dashboard.figures``) hand *raw* values to :func:`present` together with what they measure.
A count of people (``PEOPLE``) is passed through :func:`reflect.disclosure.disclosed` there
and only there, whatever the filter — so a filter to one organisation, one group or one month
cannot bypass it — and a rate that has a count of people in it is computed from the *disclosed*
figures, never from the raw ones (a percentage of raw counts would give a hidden count back).
Totals are aggregated by the database from raw rows and disclosed independently, like any other
figure: never summed from disclosed rows, and never shown exact beside suppressed rows
(docs/dashboard.md says why no suppressed figure can be worked back from a total).

Pages and CSV exports both render :class:`Cell`; neither can see a raw count.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cached_property
from html import escape
from typing import Any, NamedTuple

from django.utils.safestring import SafeString, mark_safe

from reflect import wording
from reflect.csv_export import CsvValue, number
from reflect.disclosure import SMALLEST_SHOWN, SUPPRESSED, disclosed
from reflect.local_time import LONDON

CENT = Decimal("0.01")


class Measure(StrEnum):
    TEXT = "text"
    HOURS = "hours"
    # Hours beside what they cost, in a table whose rows add up to its total (the money table):
    # exact to the hundredth, as the pool's own page writes allocations (docs/conventions.md).
    HOURS_EXACT = "hours exact"
    # Hours that can still be booked: the ledger's balance as the booking page writes it,
    # rounded down to the half hour (wording.hours_left), the same figure on every page.
    HOURS_LEFT = "hours left"
    MONEY = "money"
    PEOPLE = "people"  # a count of people (or of one person's sessions): always disclosed
    COUNT = "count"  # a count of things that are not people: sessions, organisations, agreements
    PERCENT = "percent"  # a ready-made percentage of hours or capacity (no people in it)
    DAYS = "days"
    DATE = "date"
    MONTH = "month"
    MEAN = "mean"  # a Mean: a mean score, or change in one, over some people (hidden under 8)


@dataclass(frozen=True)
class Rate:
    """A percentage whose numerator (and maybe denominator) counts people.

    ``present`` discloses each count of people first and divides the disclosed figures.
    """

    numerator: int
    denominator: int | Decimal
    denominator_is_people: bool = True


class Withheld:
    """A figure withheld by secondary suppression (equality/suppression.py): shown as "*" in
    every column, hours included, so that no hidden count can be worked back from a total."""

    def __repr__(self) -> str:
        return "WITHHELD"


WITHHELD = Withheld()


@dataclass(frozen=True)
class Mean:
    """A mean over ``people`` (a score, a change in one, or a 95 % interval's two ends).

    ``present`` shows it only over at least SMALLEST_SHOWN people and when not ``hidden`` (the
    figure module hides it when showing it would let a smaller group be worked back), so no
    average of fewer than 8 people can leave the query layer (docs/outcomes.md)."""

    value: float | None
    people: int
    hidden: bool = False
    signed: bool = False  # a change: written with its sign
    high: float | None = None  # with a value, an interval from value to high


class Cell(NamedTuple):
    """One shown figure. A named tuple, not a dataclass: a city-scale page makes thousands."""

    text: str  # what the page shows
    csv: str  # what the export writes (no £ sign, no thousands separators)
    numeric: bool = False
    suppressed: bool = False


# A row of raw figures as a grouped query returns it (a ``values()`` row): each key a figure's
# name, each value what the database counted, summed or dated, as the figure's Measure says.
RawRow = Mapping[str, Any]


def _hours(value: Decimal | float | int | None) -> Decimal:
    if type(value) is Decimal and value:
        return value.quantize(CENT)
    return Decimal(str(value or 0)).quantize(CENT)


def _percent(numerator: Decimal, denominator: Decimal) -> Cell:
    if denominator <= 0:
        return Cell("–", "", numeric=True)
    value = (numerator * 100 / denominator).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return Cell(f"{value}%", str(value), numeric=True)


def _people(count: int | None) -> int | str:
    return disclosed(int(count or 0))


def _rate(rate: Rate) -> Cell:
    numerator = _people(rate.numerator)
    denominator = _people(int(rate.denominator)) if rate.denominator_is_people else rate.denominator
    if numerator == SUPPRESSED or denominator == SUPPRESSED:
        return Cell(SUPPRESSED, SUPPRESSED, numeric=True, suppressed=True)
    return _percent(Decimal(numerator), Decimal(denominator))


def _mean(mean: Mean) -> Cell:
    if mean.people == 0:  # a mean of no one: nothing to hide, nothing to show
        return Cell("–", "", numeric=True)
    if mean.hidden or mean.people < SMALLEST_SHOWN:
        return Cell(SUPPRESSED, SUPPRESSED, numeric=True, suppressed=True)
    if mean.value is None:
        return Cell("–", "", numeric=True)
    write = wording.change if mean.signed else wording.mean
    if mean.high is not None:
        return Cell(
            f"{write(mean.value)} to {write(mean.high)}", f"{wording.mean(mean.value)} to {wording.mean(mean.high)}"
        )
    return Cell(write(mean.value), wording.mean(mean.value), numeric=True)


def present(value: Any, measure: Measure) -> Cell:
    """The one way a figure leaves the query layer. Counts of people are disclosed here.

    ``value`` is typed Any: what it is follows from ``measure`` (a count, hours or money, a
    (numerator, denominator) pair, a date, a month, text), which a type cannot say."""
    if value is WITHHELD:
        return Cell(SUPPRESSED, SUPPRESSED, numeric=True, suppressed=True)
    if isinstance(value, Rate):
        return _rate(value)
    if isinstance(value, Mean):
        return _mean(value)
    if value is None:  # not applicable (a fill rate for one organisation's share of a group)
        return Cell("–", "", numeric=measure not in (Measure.TEXT, Measure.DATE))
    if measure == Measure.PEOPLE:
        shown = _people(value)
        return Cell(str(shown), str(shown), numeric=True, suppressed=shown == SUPPRESSED)
    if measure == Measure.HOURS:
        # One wording for hours, in cells and CSV alike (docs/conventions.md).
        hours = wording.hours_number(_hours(value))
        return Cell(hours, hours, numeric=True)
    if measure == Measure.HOURS_EXACT:
        hours = wording.hours_exact_number(_hours(value))
        return Cell(hours, hours, numeric=True)
    if measure == Measure.HOURS_LEFT:
        hours = wording.hours_number(wording.bookable_hours(_hours(value)))
        return Cell(hours, hours, numeric=True)
    if measure == Measure.MONEY:
        money = _hours(value)
        return Cell(wording.money(money), str(money), numeric=True)
    if measure == Measure.COUNT:
        return Cell(f"{int(value):,}", str(int(value)), numeric=True)
    if measure == Measure.PERCENT:
        numerator, denominator = value
        return _percent(_hours(numerator), _hours(denominator))
    if measure == Measure.DAYS:
        return Cell(f"{int(value):,}", str(int(value)), numeric=True)
    if measure == Measure.DATE:
        moment = value.astimezone(LONDON) if isinstance(value, datetime.datetime) else value
        return Cell(wording.short_date(moment), f"{moment:%Y-%m-%d}")
    if measure == Measure.MONTH:
        return Cell(wording.month(value), f"{value:%Y-%m}")
    return Cell(str(value), str(value))


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    measure: Measure


# Rows a table shows on the page: at national scale a table has 3,000 organisations, which no
# one reads on a page and which cost most of its time to build; the CSV has every row. As many
# as the fair-share chart draws bars (docs/dashboard.md, "Long tables"): with 50, the city-scale
# overview built about 2,300 cells, most of them in rows nobody scrolled to.
PAGE_ROWS = 20


@dataclass(frozen=True)
class Table:
    """A table of cells: the page shows its first rows, the CSV export writes them all, both the
    same cells. Each row becomes cells only when asked for (the page asks for PAGE_ROWS)."""

    key: str  # the export's name: /pools/<id>/dashboard/<key>.csv
    caption: str
    columns: tuple[Column, ...]
    # Raw values, private (a template cannot read a name starting with "_"): only cells leave.
    _raw_rows: tuple[RawRow, ...] = field(repr=False)
    total: tuple[Cell, ...] | None = None
    note: str = ""
    page_rows: int | None = PAGE_ROWS  # None: every row on the page
    # Built for the page alone (``page_of_table``): only the rows shown were read, and this is
    # how many there are in all. None: every row is here, as the CSV needs.
    rows_in_all: int | None = None

    def _cells(self, raw: RawRow) -> tuple[Cell, ...]:
        return cells_of(self.columns, raw)

    @cached_property
    def rows(self) -> tuple[tuple[Cell, ...], ...]:
        return tuple(self._cells(raw) for raw in self._raw_rows)

    @property
    def row_count(self) -> int:
        return len(self._raw_rows) if self.rows_in_all is None else self.rows_in_all

    @property
    def rows_not_shown(self) -> int:
        """Rows left off the page (every one is in the CSV)."""
        return 0 if self.page_rows is None else max(self.row_count - self.page_rows, 0)

    @property
    def shown_summary(self) -> str:
        """What the page leaves out, in words (only when it leaves some out)."""
        shown = f"The first {self.page_rows:,} of {wording.count(self.row_count, 'row')}"
        return f"{shown} are shown here; the CSV below has every row."

    def body_html(self) -> SafeString:
        """The rows the page shows (and the total) as GOV.UK table rows, escaped; built here
        rather than in a template loop because a page has thousands of cells."""
        shown = [self._cells(raw) for raw in self._raw_rows[: self.page_rows]]
        rows = [*shown, *([self.total] if self.total is not None else [])]
        last = len(shown)
        return mark_safe(  # noqa: S308 - every cell's text is escaped in _cells_html
            "".join(
                f'<tr class="govuk-table__row{" reflect-dashboard-table__total" if index == last else ""}">'
                f"{_cells_html(row)}</tr>"
                for index, row in enumerate(rows)
            )
        )

    @property
    def headers(self) -> list[str]:
        return [column.label for column in self.columns]

    def csv_rows(self) -> Iterable[list[CsvValue]]:
        """The rows for reflect.csv_export, built as they are written: a numeric cell as a
        number (written bare, so a spreadsheet sums it), every other cell as text (escaped
        there against formulas)."""
        yield list(self.headers)
        for raw in self._raw_rows:
            yield self._csv(self._cells(raw))
        if self.total is not None:
            yield self._csv(self.total)

    @staticmethod
    def _csv(row: tuple[Cell, ...]) -> list[CsvValue]:
        return [number(cell.csv) if cell.numeric else cell.csv for cell in row]


def _cells_html(row: tuple[Cell, ...]) -> str:
    """One row's cells, every text escaped (html.escape: the page has thousands of cells, and
    Django's format_html costs several times more per cell for the same result)."""
    first, *others = row
    return f'<th scope="row" class="govuk-table__header">{escape(first.text)}</th>' + "".join(
        f'<td class="govuk-table__cell{" govuk-table__cell--numeric" if cell.numeric else ""}">{escape(cell.text)}</td>'
        for cell in others
    )


def make_table(
    key: str,
    caption: str,
    columns: Sequence[Column],
    raw_rows: Iterable[RawRow],
    *,
    total: RawRow | None = None,
    note: str = "",
    page_rows: int | None = PAGE_ROWS,
) -> Table:
    """Build a table from raw values; every cell goes through :func:`present`."""
    columns = tuple(columns)
    return Table(
        key=key,
        caption=caption,
        columns=columns,
        _raw_rows=tuple(raw_rows),
        total=cells_of(columns, total) if total is not None else None,
        note=note,
        page_rows=page_rows,
    )


def page_of_table(table: Table, rows_in_all: int) -> Table:
    """``table`` as the page shows it when only its shown rows were read (the first
    ``PAGE_ROWS``, in the table's order) and ``rows_in_all`` counted: at national scale a table of
    3,000 supervisors or groups, most of it never shown, cost more than the rest of the page. The
    CSV reads the whole table."""
    assert table.page_rows is not None and len(table._raw_rows) == min(table.page_rows, rows_in_all), (
        "the rows shown, and how many there are in all"
    )
    return replace(table, rows_in_all=rows_in_all)


def cells_of(columns: Sequence[Column], raw: RawRow) -> tuple[Cell, ...]:
    return tuple(present(raw.get(column.key), column.measure) for column in columns)


HOURS_IN_WORDS = {
    Measure.HOURS: wording.hours,
    Measure.HOURS_EXACT: wording.hours_exact,
    Measure.HOURS_LEFT: wording.hours_left,
}


@dataclass(frozen=True)
class Figure:
    label: str
    cell: Cell
    hint: str = ""


def figure(label: str, value: object, measure: Measure, hint: str = "") -> Figure:
    cell = present(value, measure)
    if isinstance(value, Decimal | float | int) and measure in HOURS_IN_WORDS:
        # A headline figure stands alone, so it carries its unit, agreeing with the number
        # ("1 hour", "1.5 hours"); a table's column header carries it for its cells.
        cell = cell._replace(text=HOURS_IN_WORDS[measure](_hours(value)))
    return Figure(label, cell, hint)


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # One plain sentence under the figures, before the notes: what the tables can show at all.
    summary: str = ""
