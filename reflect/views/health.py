"""Trivial views: the container health check, the benchmarks' baselines (docs/performance.md), and
where to report a vulnerability (docs/security.md)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
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

    The booking benchmark's baseline "on the same server and database" (docs/performance.md) beside
    /health/, which touches neither. It tells the person only about themselves.
    """
    staff = Membership.objects.current().filter(user=acting_user(request)).exists()
    return HttpResponse("ok: staff" if staff else "ok: not staff", content_type="text/plain")


@require_GET
def security_txt(request: HttpRequest) -> HttpResponse:
    """RFC 9116: how to report a vulnerability. It must expire within a year, so the date is
    always a year from today rather than one somebody has to remember to move on."""
    expires = (timezone.now() + datetime.timedelta(days=365)).replace(microsecond=0)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.astimezone(datetime.UTC):%Y-%m-%dT%H:%M:%SZ}",
        "Preferred-Languages: en",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
