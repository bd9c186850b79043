"""Demo and city-scale data for ``make demo``, the benchmarks and the tests that need a full pool.

Domain code never imports this package: it only calls the domain's own services and models,
so the demo is built the way a real pool is (docs/architecture.md).
"""

DEMO_PASSWORD = "reflect-demo-2026"
