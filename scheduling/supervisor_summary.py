"""The top of a supervisor's own page: their sessions at a glance and the hours of each month
against their capacity, as a chart with its table (docs/dashboard.md, "A supervisor's own page").

A supervisor sees only their own sessions, which they already know, so nothing here needs
disclosure control; nothing names anyone either.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from reflect import wording
from reflect.charts import ColumnChart, Headline, Unit, column_chart
from reflect.local_time import LONDON
from scheduling.queries import SupervisorMonth, supervisor_months
from supervision.models import SupervisorProfile

MONTHS_BEFORE = 5  # the months shown before this one
MONTHS_AFTER = 2  # and after it


def month_list(this_month: datetime.date) -> list[datetime.date]:
    """``MONTHS_BEFORE`` months before ``this_month`` to ``MONTHS_AFTER`` after, first days."""
    index = this_month.year * 12 + this_month.month - 1
    return [datetime.date(i // 12, i % 12 + 1, 1) for i in range(index - MONTHS_BEFORE, index + MONTHS_AFTER + 1)]


@dataclass(frozen=True)
class SupervisorLook:
    headlines: list[Headline]
    chart: ColumnChart
    months: list[SupervisorMonth]
    caption: str


def supervisor_look(
    supervisor: SupervisorProfile, *, now: datetime.datetime, to_come: int, to_mark: int
) -> SupervisorLook:
    this_month = now.astimezone(LONDON).date().replace(day=1)
    months = supervisor_months(supervisor, month_list(this_month))
    current = next(m for m in months if m.month == this_month)
    capacity = supervisor.monthly_capacity_hours
    headlines = [
        Headline("Sessions to come", wording.count(to_come, "session"), "booked with you"),
        Headline("Waiting for attendance", wording.count(to_mark, "session"), "say whether each took place"),
        Headline("Held this month", wording.count(current.held, "session"), wording.month(this_month)),
        Headline(
            "Hours this month",
            wording.hours(current.hours_held + current.hours_booked),
            f"held or booked, of your {wording.hours(capacity)} a month",
        ),
    ]
    title = "Your hours each month"
    chart = column_chart(
        "supervisor-hours",
        title,
        [(wording.month_on_axis(m.month), m.hours_held + m.hours_booked) for m in months],
        unit=Unit.HOURS,
        column_label="Hours of sessions held or booked",
        line=[capacity] * len(months),
        line_label=f"Your capacity ({wording.hours(capacity)} a month)",
    )
    return SupervisorLook(headlines, chart, months, f"{title}: sessions held and hours held or booked")
