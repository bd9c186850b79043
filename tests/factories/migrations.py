"""Running a data migration in a test: back to before it, rows in the old shape, forward again."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

Target = list[tuple[str, str]]


def migrated_back(before: Target) -> Apps:
    """Migrate back to ``before``; its models (the old shape) to create rows with."""
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    return executor.loader.project_state(before).apps


def migrated_forward(after: Target) -> None:
    """Run the migrations up to ``after``, then the rest, to where the tests began."""
    for target in (after, None):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(target if target is not None else executor.loader.graph.leaf_nodes())
