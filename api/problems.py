"""Every API error as RFC 9457 problem details (``application/problem+json``): ``type``,
``title``, ``status``, ``detail`` and, for bad input, ``errors`` by field, in the same words as
the pages (a service's DomainError message is the detail)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from reflect.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://reflect.invalid/problems/"

TITLES = {
    400: "Your request could not be used",
    401: "Sign in or send a token",
    403: "You may not do that",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "That could not be done",
    415: "Unsupported media type",
    429: "Too many requests",
}

SLUGS = {
    400: "invalid-request",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "refused",
    415: "unsupported-media-type",
    429: "too-many-requests",
}


# Where a service names a page's form field, the API's own name for it.
API_FIELD = {"start": "starts_at"}


class Refused(exceptions.APIException):
    """A rule said no (DomainError): 409, with the service's message as the detail."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "That could not be done."


def _by_field(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's errors, nested for lists and objects ({"attendees": {0: [...]}}), flattened to
    ``{"attendees.0": [...]}``: one list of plain messages per field."""
    if isinstance(data, dict):
        flat: dict[str, list[str]] = {}
        for key, value in data.items():
            flat |= _by_field(value, f"{prefix}.{key}" if prefix else str(key))
        return flat
    if isinstance(data, list) and all(not isinstance(item, dict | list) for item in data):
        return {prefix or "non_field_errors": [str(item) for item in data]}
    if isinstance(data, list):
        flat = {}
        for index, item in enumerate(data):
            flat |= _by_field(item, f"{prefix}.{index}" if prefix else str(index))
        return flat
    return {prefix or "non_field_errors": [str(data)]}


def _plain(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _plain(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_plain(value) for value in detail]
    return str(detail)


def problem(status_code: int, detail: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + SLUGS.get(status_code, "error"),
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    errors: dict[str, list[str]] | None = None
    # A time that cannot be booked carries the next free ones (scheduling's SlotRefused).
    next_free = getattr(exc, "next_free", None)
    if isinstance(exc, DomainError):
        errors = {API_FIELD.get(exc.field, exc.field): [exc.message]} if exc.field else None
        exc = Refused(exc.message)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, OverflowError):
        # A number or date past what the database or the calendar holds (reflect.middleware's
        # OutOfRangeMiddleware answers the pages so): the API's 400 is problem+json too.
        exc = exceptions.ParseError("A number or date in the request is too large. Give a smaller one.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = _plain(response.data)
    if isinstance(exc, exceptions.ValidationError):
        errors = {key: messages for key, messages in _by_field(data).items() if messages}
        detail = "Some of what you sent could not be used: see errors."
        first = next(iter(errors.values()), [])
        if first and isinstance(first[0], str):
            detail = first[0]
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else str(data)
    response.data = problem(response.status_code, detail, errors)
    if next_free:
        response.data["next_free"] = [
            {"starts_at": slot.start.isoformat().replace("+00:00", "Z"), "minutes": slot.minutes} for slot in next_free
        ]
    response.content_type = PROBLEM_CONTENT_TYPE
    return response
