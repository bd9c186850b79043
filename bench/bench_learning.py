"""The commissioner's demand for learning by topic at city scale (docs/learning.md: < 300 ms),
beside a baseline measured in the same run, as bench_outcomes.py measures the outcome section.

It seeds the city in a throwaway database (bench/city_scale.py; ``seed_demo --scale city``,
whose last step writes every pool's learning needs: demo/learning.py, a year of them from the
city pool's staff). Then, in a fresh process started as the server starts, it times in-process:

- ``learning_demand_city``: the demand figures alone (its queries and every cell presented);
- the page (``learning_page_city``) and its CSV (``csv_learning-demand_city``), through Django's
  test client, read to their end;
- the baseline, the signed-in trivial view (``/health/signed-in/``).

How each is timed (BENCH_REPEAT, BENCH_REUSE) is bench/city_scale.py's.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.city_scale import database_figure, measure_at_city_scale, print_figures, timing_figures

MEASURE = """
from dashboard.figures.learning_demand import learning_demand
from learning.queries import open_needs


def figures():
    demand = learning_demand(pool)
    list(demand.table.csv_rows())


result = {
    "baseline": timed(page("/health/signed-in/")),
    "learning_demand_city": timed(figures),
    "learning_page_city": timed(page(f"/pools/{pool.pk}/learning/")),
    "csv_learning-demand_city": timed(page(f"/pools/{pool.pk}/learning/demand.csv")),
    "needs": open_needs().filter(pool=pool).count(),
    "people": open_needs().filter(pool=pool).values("person_id").distinct().count(),
}
print("RESULT " + json.dumps(result))
"""

SEEDED = (
    "from learning.models import LearningNeed",
    "LearningNeed.objects.filter(pool__name=CITY_POOL_NAME).exists()",
)


def main() -> dict[str, tuple[float, str]]:
    measured, description = measure_at_city_scale("learning", MEASURE, seeded=SEEDED)
    baseline = measured.pop("baseline")[0]
    result: dict[str, tuple[float, str]] = {
        "baseline_signed_in_trivial_view_median_ms": (round(baseline, 2), "ms"),
        "learning_needs_open_city": (measured.pop("needs"), "needs"),
        "learning_people_asking_city": (measured.pop("people"), "people"),
    }
    result |= timing_figures(measured, baseline)
    result |= database_figure("bench_learning_database", description)
    print_figures(result)
    return result


if __name__ == "__main__":
    main()
