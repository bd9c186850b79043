"""Charts as inline SVG, written here rather than by a template loop: ``{% load charts %}`` then
``{% column_chart chart %}`` or ``{% bar_chart chart %}`` (templates/includes/chart_columns.html
and chart_bars.html, which every page with a chart includes). The geometry comes from
reflect/charts.py; this only writes it out, every text escaped. A chart's few hundred elements
cost a template several milliseconds each look (a variable look-up, a localised number and an
escape for each of thousands of attributes); the same markup as strings costs a fraction of one.

The markup is what the templates wrote: ``role="img"`` with its title and description, a legend
in words and shapes, a gap marked "*" where a suppressed value would be (docs/dashboard.md,
"Charts"). Coordinates are written as Python writes them, as the templates' ``{{ }}`` did; where
the templates added with ``|add`` (which works in whole numbers), so does this.
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from reflect.charts import BarChart, ColumnChart
from reflect.disclosure import SMALLEST_SHOWN, SUPPRESSED

register = template.Library()


def _ids(key: str) -> tuple[str, str, str]:
    return f"chart-{key}-caption", f"chart-{key}-title", f"chart-{key}-desc"


def _opening(chart: ColumnChart | BarChart) -> list[str]:
    caption, title, desc = _ids(chart.key)
    return [
        f'<figure class="reflect-chart" aria-labelledby="{caption}">',
        f'  <figcaption class="govuk-heading-s govuk-!-margin-bottom-2" id="{caption}">{escape(chart.title)}</figcaption>',
        f'  <svg class="reflect-chart__svg" role="img" aria-labelledby="{title} {desc}" '
        f'viewBox="0 0 {chart.width} {chart.height}" width="{chart.width}" height="{chart.height}" focusable="false">',
        f'    <title id="{title}">{escape(chart.title)}</title>',
        f'    <desc id="{desc}">{escape(chart.description)}</desc>',
    ]


def _legend(items: list[str]) -> list[str]:
    return ["  </svg>", '  <ul class="reflect-chart__legend govuk-body-s">', *items, "  </ul>", "</figure>"]


@register.simple_tag
def column_chart(chart: ColumnChart) -> SafeString:
    """Columns by month, with their values, gaps, scale lines and the optional dashed line."""
    left, right, baseline = chart.plot_left, chart.plot_right, chart.baseline
    parts = _opening(chart)
    for tick in chart.ticks:
        parts.append(
            f'    <line class="reflect-chart__grid" x1="{left}" y1="{tick.y}" x2="{right}" y2="{tick.y}"></line>'
            f'<text class="reflect-chart__tick" x="{int(left) - 6}" y="{tick.y}" dy="4" text-anchor="end">'
            f"{escape(tick.label)}</text>"
        )
    for column in chart.columns:
        centre, value = column.centre, escape(column.value_label)
        if column.gap:
            parts.append(
                f'    <text class="reflect-chart__gap" x="{centre}" y="{baseline}" dy="-6" text-anchor="middle">{value}</text>'
            )
        else:
            parts.append(
                f'    <rect class="reflect-chart__column" x="{column.x}" y="{column.y}" width="{column.width}" '
                f'height="{column.height}"></rect>'
            )
            if chart.show_values:
                parts.append(
                    f'    <text class="reflect-chart__value" x="{centre}" y="{column.y}" dy="-5" text-anchor="middle">'
                    f"{value}</text>"
                )
        parts.append(
            f'    <text class="reflect-chart__label" x="{centre}" y="{baseline}" dy="18" text-anchor="middle">'
            f"{escape(column.label)}</text>"
        )
    parts.append(
        f'    <line class="reflect-chart__axis" x1="{left}" y1="{baseline}" x2="{right}" y2="{baseline}"></line>'
    )
    if chart.line:
        parts.append(f'    <polyline class="reflect-chart__line" points="{escape(chart.line)}"></polyline>')
    legend = [
        '    <li><span class="reflect-chart__key reflect-chart__key--column" aria-hidden="true"></span>'
        f"Columns: {escape(chart.column_label.lower())}</li>"
    ]
    if chart.line:
        legend.append(
            '    <li><span class="reflect-chart__key reflect-chart__key--line" aria-hidden="true"></span>'
            f"Dashed line: {escape(chart.line_label.lower())}</li>"
        )
    if chart.has_gaps:
        legend.append(
            f'    <li><span class="reflect-chart__key-mark" aria-hidden="true">{SUPPRESSED}</span>'
            f"No column drawn: fewer than {SMALLEST_SHOWN} people, too few to show</li>"
        )
    return mark_safe("\n".join(parts + _legend(legend)))  # noqa: S308 - every text is escaped above


@register.simple_tag
def bar_chart(chart: BarChart) -> SafeString:
    """A bar for each row with its value written beside it and an upright mark across it."""
    left, height = chart.left, chart.bar_height
    parts = _opening(chart)
    for bar in chart.bars:
        parts.append(
            f'    <text class="reflect-chart__label" x="{left}" y="{bar.label_y}">{escape(bar.label)}</text>'
            f'<rect class="reflect-chart__bar" x="{left}" y="{bar.y}" width="{bar.length}" height="{height}"></rect>'
        )
        if bar.mark_x is not None:
            top = int(bar.y)
            parts.append(
                f'    <line class="reflect-chart__mark" x1="{bar.mark_x}" y1="{top - 4}" x2="{bar.mark_x}" '
                f'y2="{top + int(height) + 4}"></line>'
            )
        parts.append(
            f'    <text class="reflect-chart__value" x="{bar.value_x}" y="{bar.y}" dy="14">{escape(bar.value_label)}</text>'
        )
    legend = [
        '    <li><span class="reflect-chart__key reflect-chart__key--column" aria-hidden="true"></span>'
        f"Bars: {escape(chart.bar_label.lower())}</li>",
        '    <li><span class="reflect-chart__key reflect-chart__key--mark" aria-hidden="true"></span>'
        f"Upright mark: {escape(chart.mark_label.lower())}</li>",
    ]
    return mark_safe("\n".join(parts + _legend(legend)))  # noqa: S308 - every text is escaped above
