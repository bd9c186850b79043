"""Webhooks hear the core's events (reflect/events.py) through this sink."""

from __future__ import annotations

from reflect.events import Event, register_event_sink
from webhooks.services import record_event


@register_event_sink
def webhook_sink(event: Event) -> None:
    record_event(event)
