"""A trivial view: the container health check, and the benchmark's baseline for the home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
