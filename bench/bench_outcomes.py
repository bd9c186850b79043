"""The commissioner dashboard's outcome section at city scale (docs/outcomes.md: ≤ 300 ms), beside
a baseline measured in the same run, as bench_dashboard.py measures the page.

It seeds the city in a throwaway database (bench/city_scale.py; ``seed_demo --scale city``,
whose last step writes every pool's outcome answers: demo/outcomes.py, over a year of them from
1,500 staff). Then, in a fresh process started as the server starts, it times in-process:

- ``dashboard_outcomes_city``: the outcome section alone — its two queries, the pairing of each
  person's answers, the intervals and every cell of both tables presented (HTML and CSV rows);
- the dashboard's outcome page, the section with the filters and the list of the dashboard's
  pages (``dashboard_outcomes_page_city``; until the section had a page of its own, the whole
  dashboard with it in, ``dashboard_page_city``), and the section's two CSV exports, through
  Django's test client, read to their end;
- the baseline, the signed-in trivial view (``/health/signed-in/``).

How each is timed (BENCH_REPEAT, BENCH_REUSE) is bench/city_scale.py's.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.city_scale import database_figure, measure_at_city_scale, print_figures, timing_figures

MEASURE = """
from dashboard.figures.pool import PoolFigures
from dashboard.filters import whole_pool
from outcomes.models import OutcomeResponse


def section():
    built = PoolFigures(pool, whole_pool(pool)).outcome_measures.section()
    for table in built.tables:
        table.body_html()
        list(table.csv_rows())



result = {
    "baseline": timed(page("/health/signed-in/")),
    "dashboard_outcomes_city": timed(section),
    "dashboard_outcomes_page_city": timed(page(f"/pools/{pool.pk}/dashboard/outcomes/")),
    "csv_outcome-change_city": timed(page(f"/pools/{pool.pk}/dashboard/outcome-change.csv")),
    "csv_outcome-attendance_city": timed(page(f"/pools/{pool.pk}/dashboard/outcome-attendance.csv")),
    "responses": OutcomeResponse.objects.filter(pool=pool).count(),
    "people": OutcomeResponse.objects.filter(pool=pool).values("person_id").distinct().count(),
}
print("RESULT " + json.dumps(result))
"""

SEEDED = (
    "from outcomes.models import OutcomeResponse",
    "OutcomeResponse.objects.filter(pool__name=CITY_POOL_NAME).exists()",
)


def main() -> dict[str, tuple[float, str]]:
    measured, description = measure_at_city_scale("outcomes", MEASURE, seeded=SEEDED)
    baseline = measured.pop("baseline")[0]
    result: dict[str, tuple[float, str]] = {
        "baseline_signed_in_trivial_view_median_ms": (round(baseline, 2), "ms"),
        "outcome_responses_city": (measured.pop("responses"), "answers"),
        "outcome_people_city": (measured.pop("people"), "people"),
    }
    result |= timing_figures(measured, baseline, csv_in_seconds=True)
    result |= database_figure("bench_outcomes_database", description)
    print_figures(result)
    return result


if __name__ == "__main__":
    main()
