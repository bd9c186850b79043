"""The pure chart geometry (reflect/charts.py): scales, zero data, one month, and suppressed
values left as gaps that are never drawn."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reflect import charts, wording
from reflect.charts import (
    BAR_LENGTH,
    COLUMN_STEP,
    COLUMN_WIDTH,
    LEFT_MARGIN,
    PLOT_HEIGHT,
    TOP_MARGIN,
    Unit,
    bar_chart,
    column_chart,
    nice_scale,
)

BASE = TOP_MARGIN + PLOT_HEIGHT


@pytest.mark.parametrize(
    ("largest", "top", "step"),
    [
        (Decimal("0"), Decimal(4), Decimal(1)),
        (Decimal("3"), Decimal(3), Decimal(1)),
        (Decimal("7"), Decimal(8), Decimal(2)),
        (Decimal("9"), Decimal("10"), Decimal("2.5")),
        (Decimal("49.99"), Decimal(60), Decimal(20)),
        (Decimal("120"), Decimal(150), Decimal(50)),
        (Decimal("1234"), Decimal(1500), Decimal(500)),
    ],
)
def test_the_scale_ends_on_a_round_number_just_above_the_largest_value(largest, top, step) -> None:
    assert nice_scale(largest, Unit.HOURS) == (top, step)


def test_a_percentage_scale_is_0_to_100_unless_a_value_is_over() -> None:
    assert nice_scale(Decimal("37"), Unit.PERCENT) == (Decimal(100), Decimal(25))
    assert nice_scale(Decimal("0"), Unit.PERCENT) == (Decimal(100), Decimal(25))
    assert nice_scale(Decimal("130"), Unit.PERCENT) == (Decimal(150), Decimal(50))


def test_columns_are_scaled_to_the_top_of_the_scale_with_a_line_through_the_share() -> None:
    chart = column_chart(
        "usage",
        "Hours used each month",
        [("Apr 26", Decimal("10")), ("May 26", Decimal("20")), ("Jun 26", Decimal("0"))],
        unit=Unit.HOURS,
        column_label="Hours used",
        line=[Decimal("15")] * 3,
        line_label="Share",
    )
    # Largest 20 → a scale of 0 to 20 in steps of 5.
    assert [tick.label for tick in chart.ticks] == ["0", "5", "10", "15", "20"]
    assert [tick.y for tick in chart.ticks] == [BASE, BASE - 50, BASE - 100, BASE - 150, TOP_MARGIN]
    assert [(c.y, c.height, c.value_label, c.gap) for c in chart.columns] == [
        (BASE - 100, 100, "10", False),
        (TOP_MARGIN, PLOT_HEIGHT, "20", False),
        (BASE, 0, "0", False),
    ]
    x0 = LEFT_MARGIN + (COLUMN_STEP - COLUMN_WIDTH) / 2
    assert [c.x for c in chart.columns] == [x0, x0 + COLUMN_STEP, x0 + 2 * COLUMN_STEP]
    assert chart.columns[0].centre == x0 + COLUMN_WIDTH / 2
    share_y = BASE - 150
    assert chart.line == " ".join(f"{LEFT_MARGIN + i * COLUMN_STEP + COLUMN_STEP / 2:g},{share_y:g}" for i in range(3))
    assert chart.width == LEFT_MARGIN + 3 * COLUMN_STEP + 8
    assert chart.description == (
        "Hours used, 3 columns, from Apr 26 to Jun 26. Highest 20 (May 26); lowest 0 (Jun 26). "
        "The table after the chart gives every figure."
    )
    assert not chart.has_gaps


def test_no_data_still_draws_an_axis_and_says_so() -> None:
    chart = column_chart("empty", "Nothing", [], unit=Unit.HOURS, column_label="Hours used")
    assert chart.columns == ()
    assert [tick.label for tick in chart.ticks] == ["0", "1", "2", "3", "4"]
    assert chart.line == ""
    assert chart.description == "Hours used: nothing to show."
    zeros = column_chart("zeros", "Zeros", [("Apr 26", Decimal(0))], unit=Unit.HOURS, column_label="Hours used")
    assert [(c.height, c.value_label) for c in zeros.columns] == [(0, "0")]


def test_one_month_is_one_column_on_a_scale_just_above_it() -> None:
    chart = column_chart("one", "One month", [("Apr 26", Decimal("2.5"))], unit=Unit.HOURS, column_label="Hours used")
    # 2.5 hours on a scale of 0 to 3: five sixths of the plot's height.
    assert [tick.label for tick in chart.ticks] == ["0", "1", "2", "3"]
    assert [(c.label, c.y, c.height, c.value_label) for c in chart.columns] == [
        ("Apr 26", 53.3, 166.7, wording.hours_number(Decimal("2.5")))
    ]
    assert chart.width == LEFT_MARGIN + COLUMN_STEP + 8


def test_a_suppressed_value_is_a_marked_gap_with_no_height_and_the_legend_explains_it() -> None:
    chart = column_chart(
        "fill",
        "Fill rate",
        [("Apr 26", Decimal("75")), ("May 26", "*"), ("Jun 26", "–")],
        unit=Unit.PERCENT,
        column_label="Places taken against capacity",
    )
    assert [(c.value_label, c.gap, c.height, c.y) for c in chart.columns] == [
        ("75%", False, 150, BASE - 150),
        ("*", True, 0, BASE),
        ("–", True, 0, BASE),
    ]
    assert chart.has_gaps
    assert "Columns marked * are not drawn: they count fewer than 8 people." in chart.description
    # Nothing in the chart carries the hidden value: it was never given one.
    only_dash = column_chart("f", "F", [("Apr 26", "–")], unit=Unit.PERCENT, column_label="Fill")
    assert not only_dash.has_gaps


def test_the_template_draws_no_rectangle_for_a_gap() -> None:
    from django.template.loader import render_to_string

    chart = column_chart(
        "fill", "Fill rate", [("Apr 26", Decimal("50")), ("May 26", "*")], unit=Unit.PERCENT, column_label="Fill"
    )
    html = render_to_string("includes/chart_columns.html", {"chart": chart})
    assert html.count("<rect") == 1
    assert 'role="img"' in html
    assert 'aria-labelledby="chart-fill-title chart-fill-desc"' in html
    assert '<title id="chart-fill-title">Fill rate</title>' in html
    assert "No column drawn: fewer than 8 people, too few to show" in html


def test_bars_share_one_scale_and_carry_their_mark() -> None:
    chart = bar_chart(
        "share",
        "Use against fair share",
        [("Harehills Drama", Decimal("30"), Decimal("20")), ("Otley Care Farm", Decimal("0"), Decimal("10"))],
        unit=Unit.HOURS,
        bar_label="Hours used",
        mark_label="Fair share",
        mark_words="share",
    )
    # Largest 30 → scale 0 to 30 (steps of 10).
    first, second = chart.bars
    assert (first.length, second.length) == (BAR_LENGTH, 0)
    assert first.mark_x == round(chart.left + BAR_LENGTH * 20 / 30, 1)
    assert second.mark_x == round(chart.left + BAR_LENGTH / 3, 1)
    assert (first.value_label, second.value_label) == ("30 (share 20)", "0 (share 10)")
    assert second.value_x == round(second.mark_x + 8, 1)
    assert chart.description == ("Hours used against fair share, 2 bars. The table after the chart gives every figure.")


def test_a_bar_chart_of_nothing_has_no_bars() -> None:
    chart = bar_chart("none", "None", [], unit=Unit.HOURS, bar_label="Hours used", mark_label="Share")
    assert chart.bars == ()
    assert chart.height == charts.BAR_ROW + 6


def test_the_column_markup_escapes_every_text_and_draws_each_part_once() -> None:
    from django.template.loader import render_to_string

    chart = column_chart(
        "use",
        "Hours & <others>",
        [("Apr 26", Decimal("4")), ("May 26", "*")],
        unit=Unit.HOURS,
        column_label="Hours USED",
        line=[Decimal(2), Decimal(2)],
        line_label="The month's share",
    )
    html = render_to_string("includes/chart_columns.html", {"chart": chart})
    first, gap = chart.columns
    assert html.count("<figure") == html.count("</figure>") == 1
    assert '<figcaption class="govuk-heading-s govuk-!-margin-bottom-2" id="chart-use-caption">' in html
    assert '<title id="chart-use-title">Hours &amp; &lt;others&gt;</title>' in html
    assert f'<desc id="chart-use-desc">{chart.description}</desc>' in html
    assert f'viewBox="0 0 {chart.width} {chart.height}"' in html
    assert (
        f'<rect class="reflect-chart__column" x="{first.x}" y="{first.y}" width="{first.width}" '
        f'height="{first.height}"></rect>'
    ) in html
    assert f'<text class="reflect-chart__value" x="{first.centre}" y="{first.y}" dy="-5"' in html
    assert (
        f'<text class="reflect-chart__gap" x="{gap.centre}" y="{chart.baseline}" dy="-6" text-anchor="middle">*</text>'
    ) in html
    # One grid line and label per tick, the tick labels 6 units left of the plot (in whole units).
    assert html.count('class="reflect-chart__grid"') == html.count('class="reflect-chart__tick"') == len(chart.ticks)
    assert f'class="reflect-chart__tick" x="{chart.plot_left - 6}"' in html
    assert f'<polyline class="reflect-chart__line" points="{chart.line}"></polyline>' in html
    assert "Columns: hours used</li>" in html
    assert "Dashed line: the month&#x27;s share</li>" in html
    assert "No column drawn: fewer than 8 people, too few to show</li>" in html


def test_the_bar_markup_draws_a_mark_only_where_there_is_one() -> None:
    from django.template.loader import render_to_string

    chart = bar_chart(
        "share",
        "Use",
        [("O'Brien & Co", Decimal("30"), Decimal("20")), ("Otley", Decimal("5"), None)],
        unit=Unit.HOURS,
        bar_label="Hours used",
        mark_label="Fair share",
        mark_words="share",
    )
    html = render_to_string("includes/chart_bars.html", {"chart": chart})
    first, second = chart.bars
    assert (
        f'<text class="reflect-chart__label" x="{chart.left}" y="{first.label_y}">O&#x27;Brien &amp; Co</text>' in html
    )
    assert html.count("<rect") == 2
    assert html.count('class="reflect-chart__mark"') == 1
    # The mark reaches 4 units above and below the bar, in whole units as the template's |add did.
    top = int(first.y)
    assert (
        f'<line class="reflect-chart__mark" x1="{first.mark_x}" y1="{top - 4}" x2="{first.mark_x}" '
        f'y2="{top + chart.bar_height + 4}"></line>'
    ) in html
    assert f'<text class="reflect-chart__value" x="{second.value_x}" y="{second.y}" dy="14">5</text>' in html
    assert "Bars: hours used</li>" in html and "Upright mark: fair share</li>" in html
