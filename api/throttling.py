"""Rate limits per token (per person for a browser session), counted in the Django cache.

Over the limit, DRF answers 429 with ``Retry-After`` (seconds until a request is allowed again).
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import PersonalAccessToken


class PerTokenThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        if isinstance(token, PersonalAccessToken):
            return f"api-throttle:token:{token.pk}"
        if request.user and request.user.is_authenticated:
            return f"api-throttle:user:{request.user.pk}"
        return None  # signed out: answered 401 before any work
