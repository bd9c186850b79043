"""Server time of the dashboard's reach and equality section at city scale, beside a baseline
measured in the same run (docs/equality.md: ≤ 300 ms median at city scale).

It seeds the city in a throwaway database (bench/city_scale.py; ``seed_demo --scale city``,
which also gives about seven in ten staff equality answers: demo/equality.py). Then, in a fresh
process started as the server starts, it times building the section (its four queries, the tally, suppression, and every cell of its seven tables, as the
page and the CSVs render them): warmed once, then BENCH_REPEAT times (default 7), median and
95th percentile, with the query count. The baseline is the signed-in trivial view
(``/health/signed-in/``) timed the same way, and the section is also given as a ratio to it.
With BENCH_REUSE=1 a PostgreSQL database that already holds the city's equality answers is kept
and reused.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.city_scale import measure_at_city_scale

MEASURE = """
from dashboard.figures.pool import PoolFigures
from dashboard.filters import whole_pool
from equality.models import EqualityAnswers


def reach():
    section = PoolFigures(pool, whole_pool(pool)).reach.section()
    # Every cell, as the page and the CSVs make them.
    return sum(len(list(table.csv_rows())) + len(table.body_html()) for table in section.tables)


result = {
    "baseline": timed(page("/health/signed-in/")),
    "reach": timed(reach),
    "answers": EqualityAnswers.objects.count(),
}
print("RESULT " + json.dumps(result))
"""

SEEDED = ("from equality.models import EqualityAnswers", "EqualityAnswers.objects.exists()")


def main() -> dict[str, tuple[float, str]]:
    result, _ = measure_at_city_scale("reach", MEASURE, seeded=SEEDED)
    baseline, reach = result["baseline"], result["reach"]
    return {
        "dashboard_reach_city_median_ms": (round(reach[0], 1), "ms"),
        "dashboard_reach_city_p95_ms": (round(reach[1], 1), "ms"),
        "dashboard_reach_city_queries": (reach[2], "queries"),
        "dashboard_reach_city_baseline_median_ms": (round(baseline[0], 1), "ms"),
        "dashboard_reach_city_ratio_to_baseline": (round(reach[0] / baseline[0], 1), "x"),
        "dashboard_reach_city_staff_answered": (result["answers"], "people"),
    }
