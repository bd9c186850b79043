"""Charts as plain geometry for server-side SVG: columns by month (with an optional line) and
horizontal bars with a mark. Pure: plain values in, frozen dataclasses out; the templates in
``templates/includes/chart_*.html`` draw them (docs/dashboard.md, "Charts").

It lives in the core because three apps draw charts (the commissioner's dashboard, the lead's
summary, the supervisor's own page) and none may import another's.

A column's value may be a mark (a string) instead of a number: the column is then a gap with
the mark written in its place. A suppressed count of people (reflect/disclosure.py) is such a
gap, marked with the same "*" the tables use and explained in the legend: it is never drawn,
not even as a height, so a chart cannot leak what the table hides. "–" marks a month with
nothing to measure. The caller passes figures already disclosed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum

from reflect import wording
from reflect.disclosure import SUPPRESSED

PLOT_HEIGHT = 200
LEFT_MARGIN = 48  # room for the scale's numbers
BOTTOM_MARGIN = 36  # room for the month labels
TOP_MARGIN = 20  # room for the value over the tallest column
COLUMN_STEP = 56
COLUMN_WIDTH = 36
BAR_HEIGHT = 18
BAR_ROW = 46  # a label line above each bar, then the bar
BAR_LENGTH = 520
BAR_LABEL_ROOM = 180  # to the right of the longest bar, for its value and its mark's
TICKS = 4
# Columns carry their value over them only while they fit.
MOST_VALUE_LABELS = 13


@dataclass(frozen=True)
class Headline:
    """A figure at the top of a page, drawn as a card (templates/includes/headlines.html): the
    figure already in words ("70 hours", "35 people", or the suppression mark "*")."""

    label: str
    text: str
    hint: str = ""
    suppressed: bool = False


class Unit(StrEnum):
    HOURS = "hours"
    PERCENT = "percent"


def value_words(value: Decimal, unit: Unit) -> str:
    """A value as the chart writes it: hours through reflect.wording, a percentage whole."""
    if unit == Unit.HOURS:
        return wording.hours_number(value)
    return f"{value.quantize(Decimal('1'), rounding=ROUND_HALF_UP)}%"


def nice_scale(largest: Decimal, unit: Unit) -> tuple[Decimal, Decimal]:
    """The top of the scale and the step between its lines: a step of 1, 2, 2.5 or 5 times a
    power of ten, so the lines fall on round numbers. Nothing to show gives a scale of 0 to 4
    hours (or 0 to 100 %), so an empty chart still has an axis."""
    if unit == Unit.PERCENT and largest <= 100:
        return Decimal(100), Decimal(25)
    if largest <= 0:
        return Decimal(TICKS), Decimal(1)
    rough = largest / TICKS
    power = Decimal(10) ** (rough.adjusted())
    for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        step = factor * power
        if step >= rough:
            break
    top = (largest / step).to_integral_value(rounding=ROUND_CEILING) * step
    return top, step


def _y(value: Decimal, top: Decimal) -> float:
    return round(TOP_MARGIN + PLOT_HEIGHT - float(value / top) * PLOT_HEIGHT, 1)


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Column:
    label: str  # the month, short ("Apr 26")
    x: float
    width: float
    y: float
    height: float
    value_label: str  # written over the column; "*" over a gap
    gap: bool  # a suppressed value: nothing drawn but the mark

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class ColumnChart:
    key: str  # makes the ids of the title and description unique on the page
    title: str
    description: str
    width: int
    height: int
    plot_left: int
    plot_right: int
    baseline: float
    ticks: tuple[Tick, ...]
    columns: tuple[Column, ...]
    line: str  # an SVG polyline's points ("x,y x,y"), or "" for none
    line_label: str
    column_label: str
    show_values: bool
    has_gaps: bool


def column_chart(
    key: str,
    title: str,
    points: Sequence[tuple[str, Decimal | str]],
    *,
    unit: Unit,
    column_label: str,
    line: Sequence[Decimal] | None = None,
    line_label: str = "",
    summary: str = "",
) -> ColumnChart:
    """Columns, one for each labelled value (a mark instead of a value leaves a gap: "*" for a
    suppressed count), and perhaps a line through a second series (the month's share of the
    allocation, say)."""
    known = [value for _, value in points if isinstance(value, Decimal)]
    top, step = nice_scale(max([*known, *(line or [])], default=Decimal(0)), unit)
    columns = []
    for index, (label, value) in enumerate(points):
        x = LEFT_MARGIN + index * COLUMN_STEP + (COLUMN_STEP - COLUMN_WIDTH) / 2
        if not isinstance(value, Decimal):
            base = TOP_MARGIN + PLOT_HEIGHT
            columns.append(Column(label, x, COLUMN_WIDTH, base, 0, value, gap=True))
            continue
        y = _y(value, top)
        columns.append(
            Column(label, x, COLUMN_WIDTH, y, round(TOP_MARGIN + PLOT_HEIGHT - y, 1), value_words(value, unit), False)
        )
    ticks = []
    value = Decimal(0)
    while value <= top:
        ticks.append(Tick(_y(value, top), value_words(value, unit)))
        value += step
    polyline = ""
    if line:
        polyline = " ".join(
            f"{LEFT_MARGIN + index * COLUMN_STEP + COLUMN_STEP / 2:g},{_y(share, top):g}"
            for index, share in enumerate(line)
        )
    width = LEFT_MARGIN + max(len(points), 1) * COLUMN_STEP + 8
    gaps = any(column.value_label == SUPPRESSED for column in columns if column.gap)
    description = _describe(points, unit, column_label, summary, gaps)
    return ColumnChart(
        key=key,
        title=title,
        description=description,
        width=width,
        height=TOP_MARGIN + PLOT_HEIGHT + BOTTOM_MARGIN,
        plot_left=LEFT_MARGIN,
        plot_right=width - 4,
        baseline=TOP_MARGIN + PLOT_HEIGHT,
        ticks=tuple(ticks),
        columns=tuple(columns),
        line=polyline,
        line_label=line_label,
        column_label=column_label,
        show_values=len(points) <= MOST_VALUE_LABELS,
        has_gaps=gaps,
    )


def _describe(points: Sequence[tuple[str, Decimal | str]], unit: Unit, what: str, summary: str, gaps: bool) -> str:
    """The chart in a sentence or two for a screen reader: its extent, its highest and lowest."""
    known = [(label, value) for label, value in points if isinstance(value, Decimal)]
    if not points:
        return f"{what}: nothing to show."
    parts = [f"{what}, {wording.count(len(points), 'column')}, from {points[0][0]} to {points[-1][0]}."]
    if known:
        high = max(known, key=lambda point: point[1])
        low = min(known, key=lambda point: point[1])
        parts.append(
            f"Highest {value_words(high[1], unit)} ({high[0]}); lowest {value_words(low[1], unit)} ({low[0]})."
        )
    if gaps:
        parts.append(f"Columns marked {SUPPRESSED} are not drawn: they count fewer than 8 people.")
    if summary:
        parts.append(summary)
    parts.append("The table after the chart gives every figure.")
    return " ".join(parts)


@dataclass(frozen=True)
class Bar:
    label: str
    label_y: float
    y: float
    length: float
    value_label: str
    mark_x: float | None  # where the mark falls (a fair share, say), or None for no mark
    value_x: float


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    description: str
    width: int
    height: int
    left: int
    bar_height: int
    bars: tuple[Bar, ...]
    bar_label: str
    mark_label: str


def bar_chart(
    key: str,
    title: str,
    rows: Sequence[tuple[str, Decimal, Decimal | None]],
    *,
    unit: Unit,
    bar_label: str,
    mark_label: str,
    mark_words: str = "",
    summary: str = "",
) -> BarChart:
    """A horizontal bar for each labelled value, with a mark on each (its fair share, say), all on
    one scale. The label sits over its bar so long names need no room beside it; each bar's
    value is written after it, with its mark's value after ``mark_words`` ("share 12.5")."""
    values = [value for _, value, _ in rows] + [mark for _, _, mark in rows if mark is not None]
    top, _ = nice_scale(max(values, default=Decimal(0)), unit)
    left = 4
    bars = []
    for index, (label, value, mark) in enumerate(rows):
        row_top = index * BAR_ROW
        length = round(float(value / top) * BAR_LENGTH, 1)
        bars.append(
            Bar(
                label=label,
                label_y=row_top + 14,
                y=row_top + 20,
                length=length,
                value_label=value_words(value, unit)
                + (f" ({mark_words.lower()} {value_words(mark, unit)})" if mark is not None else ""),
                mark_x=round(left + float(mark / top) * BAR_LENGTH, 1) if mark is not None else None,
                value_x=round(left + max(length, float((mark or 0) / top) * BAR_LENGTH) + 8, 1),
            )
        )
    parts = [f"{bar_label} against {mark_label.lower()}, {wording.count(len(rows), 'bar')}."]
    if summary:
        parts.append(summary)
    parts.append("The table after the chart gives every figure.")
    return BarChart(
        key=key,
        title=title,
        description=" ".join(parts),
        width=left + BAR_LENGTH + BAR_LABEL_ROOM,
        height=max(len(rows), 1) * BAR_ROW + 6,
        left=left,
        bar_height=BAR_HEIGHT,
        bars=tuple(bars),
        bar_label=bar_label,
        mark_label=mark_label,
    )
