from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest

from reflect.models import User
from reflect.navigation import nav_items, roles_for


def site(request: HttpRequest) -> dict[str, object]:
    return {"SITE_NAME": "Reflect", "DEBUG": settings.DEBUG, "nav_items": _LazyNav(request)}


class _LazyNav:
    """The role-based menu, computed only when a template iterates it (two small queries), so
    a POST that redirects (booking, say) never pays for it."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self._items: list[dict[str, object]] | None = None

    def __iter__(self) -> Iterator[dict[str, object]]:
        if self._items is None:
            user = getattr(self.request, "user", None)
            self._items = (
                nav_items(user, self.request.path, roles_for(self.request, user)) if isinstance(user, User) else []
            )
        return iter(self._items)
