from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from reflect.access import admin_gate, enforce_two_factor, privileged_gate
from reflect.views.errors import bad_request, method_not_allowed


class ContentSecurityPolicyMiddleware:
    """Send one strict Content-Security-Policy on every response (no inline script or style).

    The admin is the exception: Django's admin still relies on a few inline styles, and only
    platform operators reach it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class TwoFactorMiddleware:
    """Enforce two-factor authentication on every privileged view, in one place.

    A view is privileged when it is declared so (reflect.access.privileged, which
    two_factor_required, commissioner_area and supervisor_area apply) or belongs to the admin;
    the rule itself is reflect.access.enforce_two_factor (docs/security.md, "Two-factor").
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        _view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        gate = privileged_gate(view_func)
        if gate is None and _in_admin(request):
            gate = admin_gate
        if gate is None:
            return None
        return enforce_two_factor(request, gate, view_kwargs)


def _in_admin(request: HttpRequest) -> bool:
    """The admin's pages, but not its sign-in and sign-out (which must stay reachable to set up
    two-factor authentication through allauth)."""
    match = request.resolver_match
    return match is not None and match.namespace == "admin" and match.url_name not in ADMIN_OPEN_PAGES


ADMIN_OPEN_PAGES = frozenset({"login", "logout"})


class OutOfRangeMiddleware:
    """A number or date too large for the database or the calendar is the sender's mistake: a
    400 page, never a server error (docs/security.md, "Hostile input").

    SQLite refuses integers beyond 64 bits with OverflowError ("Python int too large to convert
    to SQLite INTEGER"), for instance a checkbox list of ids with 99999999999999999999 in it,
    and date arithmetic past 9999-12-31 raises it too. Ids in addresses never get this far
    (reflect/converters.py); this is the one place for what comes in forms and query strings.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError):
            return bad_request(request, exception)
        return None


class MethodNotAllowedPageMiddleware:
    """A wrong method gets a page with the site's header and navigation, not Django's empty 405.

    ``require_POST`` and the class-based views answer a GET to an action's address (a bookmarked
    "cancel" link, a refreshed confirmation) with an empty ``HttpResponseNotAllowed``. Here, in one
    place, its body becomes errors/405.html; the status and the Allow header stay as they were.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == HTTPStatus.METHOD_NOT_ALLOWED and not response.content:
            return method_not_allowed(request, allowed=response.headers.get("Allow", ""))
        return response
