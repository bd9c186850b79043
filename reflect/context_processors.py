from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from reflect.models import Membership, PoolCommissioner


def site(request: HttpRequest) -> dict[str, object]:
    return {"SITE_NAME": "Reflect", "DEBUG": settings.DEBUG, "nav_items": _LazyNav(request)}


class _LazyNav:
    """The role-based menu, computed only when a template iterates it (two small queries)."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self._items: list[dict[str, str]] | None = None

    def __iter__(self) -> Iterator[dict[str, str]]:
        if self._items is None:
            self._items = _nav_items(self.request)
        return iter(self._items)


def _nav_items(request: HttpRequest) -> list[dict[str, str]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    if Membership.objects.filter(user=user, left_at__isnull=True).exists():
        items.append({"label": "Your organisations", "url": reverse("organisation_list")})
    if PoolCommissioner.objects.filter(user=user).exists():
        items.append({"label": "Your pools", "url": reverse("pool_list")})
    return items
