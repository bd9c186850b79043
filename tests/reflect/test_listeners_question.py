"""A use case may ask, inside its own statement, whether any sink could hear of an event
(reflect.events.listeners_question; docs/webhooks.md): only when every sink can say so as SQL."""

from __future__ import annotations

import pytest

from reflect import events
from reflect.events import EventKind, listeners_question


@pytest.fixture
def sinks(monkeypatch):
    """The registry's sinks and questions, restored afterwards."""
    monkeypatch.setattr(events, "_sinks", list(events._sinks))
    monkeypatch.setattr(events, "_questions", dict(events._questions))
    return events


def test_the_webhooks_sink_asks_for_an_active_endpoint_of_the_pool_only_for_a_group_event():
    sql, params = listeners_question(EventKind.PLACE_TAKEN, pool_id=7, organisation_id=None)
    assert "webhooks_webhookendpoint" in sql and "is_active" in sql and "organisation_id" not in sql
    assert params == [7]


def test_a_lead_may_hear_of_a_supervision_booking_so_the_organisation_is_asked_too():
    sql, params = listeners_question(EventKind.BOOKING_CREATED, pool_id=7, organisation_id=9)
    assert '"pool_id" = %s OR "organisation_id" = %s' in sql
    assert params == [7, 9]


def test_a_sink_that_cannot_say_leaves_the_question_to_after_the_commit(sinks):
    sinks.register_event_sink(lambda event: None)
    assert listeners_question(EventKind.PLACE_TAKEN, pool_id=7, organisation_id=None) is None


def test_an_event_nobody_could_hear_is_not_kept_for_the_commit(sinks, monkeypatch):
    kept = []
    monkeypatch.setattr(events.transaction, "on_commit", lambda *args, **kwargs: kept.append(args))
    events.emit(EventKind.PLACE_TAKEN, pool_id=7, organisation_id=None, payload_for_role=dict, heard=False)
    assert kept == []
    events.emit(EventKind.PLACE_TAKEN, pool_id=7, organisation_id=None, payload_for_role=dict)
    assert len(kept) == 1


def test_the_trigger_takes_the_same_lock_the_bookings_take() -> None:
    """The migration freezes the lock's number, as a migration must: it may never drift from the
    one the bookings take (reflect/locks.py)."""
    import importlib

    from reflect.locks import LISTENERS_LOCK

    migration = importlib.import_module("webhooks.migrations.0003_endpoint_changes_take_listeners_lock")
    assert migration.LISTENERS_LOCK == LISTENERS_LOCK
    assert f"pg_advisory_xact_lock({LISTENERS_LOCK})" in migration.CREATE[0]


@pytest.mark.django_db
def test_the_question_in_the_write_answers_as_record_events_own_question(world) -> None:
    """The SQL a use case asks inside its write (webhooks.sink.may_hear) and the question the sink
    asks after the commit (webhooks.services._any_endpoint_may_hear) give the same answer, for a
    pool event and an event a lead may hear, as endpoints come and go: two ways of asking one
    rule, held together here."""
    from django.db import connection
    from django.utils import timezone

    from reflect.events import AUDIENCES, Audience, Event
    from tests.factories.webhooks import endpoint_for
    from webhooks.services import _any_endpoint_may_hear
    from webhooks.sink import may_hear

    def answers(kind: EventKind) -> tuple[bool, bool]:
        sql, params = may_hear(kind, world.pool.pk, world.organisation.pk)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {sql}", params)
            in_the_write = bool(cursor.fetchone()[0])
        audiences = AUDIENCES[kind]
        event = Event(kind, world.pool.pk, world.organisation.pk, timezone.now(), dict)
        after_the_commit = _any_endpoint_may_hear(
            event, to_pool=Audience.COMMISSIONER in audiences, to_organisation=Audience.LEAD in audiences
        )
        return in_the_write, after_the_commit

    kinds = (EventKind.PLACE_TAKEN, EventKind.BOOKING_CREATED)
    seen = []
    for step in ("none", "another pool's", "the organisation's", "the pool's, off", "the pool's"):
        if step == "another pool's":
            endpoint_for(pool=world.other_pool)
        elif step == "the organisation's":
            endpoint_for(organisation=world.organisation)
        elif step == "the pool's, off":
            endpoint, _ = endpoint_for(pool=world.pool, url="https://hooks.example.org/off")
            endpoint.is_active = False
            endpoint.save(update_fields=["is_active"])
        elif step == "the pool's":
            endpoint_for(pool=world.pool, url="https://hooks.example.org/on")
        for kind in kinds:
            in_the_write, after_the_commit = answers(kind)
            assert in_the_write == after_the_commit, (step, kind)
            seen.append(in_the_write)
    # The control: both answers were given, yes and no (a question always no would pass above).
    assert seen == [False, False, False, False, False, True, False, True, True, True]
