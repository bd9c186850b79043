"""Trivial views: the container health check, and the benchmarks' baselines (DESIGN.md §7)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from reflect.access import acting_user
from reflect.models import Membership


def health(request: HttpRequest) -> HttpResponse:
    """The container health check: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@login_required
def health_signed_in(request: HttpRequest) -> HttpResponse:
    """A trivial view that pays what every signed-in page pays: the middleware reads the session
    and the person, then one simple query (are they current staff of an organisation?).

    The booking benchmark's baseline "on the same server and database" (DESIGN.md §7) beside
    /health/, which touches neither. It tells the person only about themselves.
    """
    staff = Membership.objects.filter(user=acting_user(request), left_at__isnull=True).exists()
    return HttpResponse("ok: staff" if staff else "ok: not staff", content_type="text/plain")
