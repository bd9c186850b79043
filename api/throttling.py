"""Rate limits per token (per person for a browser session), counted in the Django cache.

Over the limit, DRF answers 429 with ``Retry-After`` (seconds until a request is allowed again).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import PersonalAccessToken
from reflect.client_ip import client_address, parse_networks


class PerTokenThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        if isinstance(token, PersonalAccessToken):
            return f"api-throttle:token:{token.pk}"
        if request.user and request.user.is_authenticated:
            return f"api-throttle:user:{request.user.pk}"
        return None  # signed out: answered 401 before any work


class PerAddressThrottle(SimpleRateThrottle):
    """For the operations that need no account (the questionnaire): counted per client address,
    read as the sign-in limits read it (X-Forwarded-For only from a trusted proxy,
    reflect/client_ip.py), so one visitor cannot fill the database with assessments."""

    scope = "address"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        address = client_address(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_X_FORWARDED_FOR", ""),
            parse_networks(settings.TRUSTED_PROXIES),
        )
        return f"api-throttle:address:{address or 'unknown'}"
