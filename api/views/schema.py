"""Shared pieces of the OpenAPI description: ids in addresses, and the problems each operation may answer."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from api.serializers import Problem

PROBLEM = "application/problem+json"


def id_parameter(name: str, what: str) -> OpenApiParameter:
    # reflect.converters.IdConverter: 1 to 18 digits, so never past the database's 64-bit ids.
    return OpenApiParameter(
        name,
        {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999},
        OpenApiParameter.PATH,
        description=f"The {what}'s id.",
    )


def problems(*statuses: int) -> dict:
    """The problem responses of an operation: always 401, 403 and 429, and those it names."""
    described = {
        400: "What was sent could not be used (``errors`` says where).",
        401: "No token or session, or one that does not work.",
        403: "The token's scopes do not allow this, or the person may not.",
        404: "No such object, or not one this person may see.",
        409: "A rule said no (the same words as the page).",
        429: "Too many requests: wait the seconds in Retry-After.",
    }
    wanted = sorted({401, 403, 429, *statuses})
    return {(code, PROBLEM): OpenApiResponse(Problem, description=described[code]) for code in wanted}


def anonymous_problems(*statuses: int) -> dict:
    """As ``problems``, for an operation that needs no account: never 401 or 403."""
    return {key: value for key, value in problems(*statuses).items() if key[0] not in (401, 403) or key[0] in statuses}
