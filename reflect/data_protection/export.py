"""A person's data, gathered by the registered exporters into one document (JSON or HTML)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from reflect.data_protection.registry import Row, exporters
from reflect.models import User


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: list[Row]


def export_sections(user: User) -> list[Section]:
    return [Section(key=e.key, title=e.title, rows=e.rows(user)) for e in exporters()]


def export_document(user: User, *, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Everything Reflect holds about ``user``, as one JSON-ready document."""
    now = now or timezone.now()
    return {
        "service": "Reflect",
        "about": "Everything Reflect holds about you, as of the time below (UTC).",
        "generated_at": now.isoformat(),
        "account_id": user.pk,
        "sections": [{"key": s.key, "title": s.title, "rows": s.rows} for s in export_sections(user)],
    }
