"""Two clicks (or tabs) countersigning the same month at once, on PostgreSQL
(docs/supervision-records.md, "Countersigning").

Each thread reads the month's sessions, waits at a barrier until every thread has read them
unsigned, then signs. The unique constraints keep one countersignature per session; the count each click
reports and audits must add up to the sessions signed, not once per click. The control shows
the harness really reaches the race: every click read the month unsigned.
"""

from __future__ import annotations

import datetime
import threading

import pytest

from records.entries import supervisees_entries
from records.models import Countersignature
from records.services import record as record_service
from reflect.models import AuditEvent
from tests.concurrency.lock_waits import all_at_once
from tests.conftest import requires_postgresql
from tests.records.conftest import Scene, at, build_scene

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

CLICKS = 4


@pytest.fixture
def scene(world) -> Scene:
    return build_scene(world)


def test_clicks_at_once_count_each_session_once(scene, monkeypatch) -> None:
    unsigned_reads: list[int] = []
    # Every click waits here until all have read the month (before any signs: the read is
    # outside the signing transaction, so nobody holds a lock while waiting). No timing: the
    # race is made, not hoped for.
    all_have_read = threading.Barrier(CLICKS, timeout=30)

    def read_then_wait(*args, **kwargs):
        pairs = supervisees_entries(*args, **kwargs)
        unsigned_reads.append(
            sum(1 for person, e in pairs if person == scene.practitioner.pk and not e.countersigned_at)
        )
        all_have_read.wait()
        return pairs

    monkeypatch.setattr(record_service, "supervisees_entries", read_then_wait)
    counts: list[int] = []

    def click() -> None:
        counts.append(
            record_service.countersign_month(
                scene.supervisor.user, scene.practitioner.pk, datetime.date(2026, 11, 1), now=at(30)
            )
        )

    assert all_at_once([click] * CLICKS) == ["done"] * CLICKS
    # Control: every click read Sam's two sessions unsigned, so each meant to sign them both.
    assert unsigned_reads == [2] * CLICKS
    assert Countersignature.objects.count() == 2
    assert sum(counts) == 2
    assert sum(e.details["sessions"] for e in AuditEvent.objects.filter(action="records.countersigned")) == 2
