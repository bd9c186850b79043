"""The OpenAPI document and its browsable docs, and the problem a wrong address under /api/v1/ gets."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from api.problems import PROBLEM_CONTENT_TYPE, problem


@csrf_exempt  # answers every method with the same 404: nothing to protect, and a 403 page would not be a problem
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any address under /api/v1/ that names no operation: a problem, not the site's HTML page."""
    return JsonResponse(
        problem(404, "There is nothing at this address. The operations are listed at /api/v1/docs/."),
        status=404,
        content_type=PROBLEM_CONTENT_TYPE,
    )
