"""Verified supervisors get the weekly summary of their upcoming week (reflect/upcoming.py)."""

from __future__ import annotations

from collections.abc import Iterable

from reflect.upcoming import register_weekly_audience
from supervision.models import SupervisorProfile


@register_weekly_audience
def verified_supervisors() -> Iterable[int]:
    return SupervisorProfile.objects.filter(verified_at__isnull=False).values_list("user_id", flat=True)
