"""Webhooks hear the core's events (reflect/events.py) through this sink."""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection
from django.db.models import Field

from reflect.events import AUDIENCES, Audience, Event, EventKind, register_event_sink
from webhooks.models import WebhookEndpoint
from webhooks.services import record_event


def may_hear(kind: EventKind, pool_id: int, organisation_id: int | None) -> tuple[str, list[Any]]:
    """SQL for "has the pool (or the organisation, where its lead may hear of ``kind``) an active
    endpoint?": ``record_event``'s own first question (``_any_endpoint_may_hear``), for a use
    case to ask inside a statement of its own (reflect.events.listeners_question). Exact under
    ``LISTENERS_LOCK``: every insert of an endpoint, and every update of whether it is active or
    whose it is, takes it (a trigger, migration 0003)."""
    audiences = AUDIENCES[kind]
    to_pool = Audience.COMMISSIONER in audiences
    to_organisation = Audience.LEAD in audiences and organisation_id is not None
    params: list[Any] = ([pool_id] if to_pool else []) + ([organisation_id] if to_organisation else [])
    return _may_hear_sql(to_pool, to_organisation), params


@functools.cache
def _may_hear_sql(to_pool: bool, to_organisation: bool) -> str:
    """The question's SQL, written once per process from the model's own names."""
    if not (to_pool or to_organisation):
        return "FALSE"
    owners = [
        f"{_column(name)} = %s" for name, wanted in (("pool", to_pool), ("organisation", to_organisation)) if wanted
    ]
    table = connection.ops.quote_name(WebhookEndpoint._meta.db_table)
    return f"EXISTS (SELECT 1 FROM {table} WHERE {_column('is_active')} AND ({' OR '.join(owners)}))"  # noqa: S608


def _column(name: str) -> str:
    """An endpoint column's name, quoted for a statement written out."""
    field = WebhookEndpoint._meta.get_field(name)
    assert isinstance(field, Field) and field.column is not None  # a concrete field of a built model
    return connection.ops.quote_name(field.column)


def webhook_sink(event: Event) -> None:
    record_event(event)


register_event_sink(webhook_sink, question=may_hear)
