"""Hooks into allauth (the outside world): a result taken signed out is claimed on sign-up or
sign-in in the same browser. The work itself is a service; this only connects it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from supervision.access import SESSION_KEY, session_assessment_ids
from supervision.services.assessments import claim_assessments


def claim_session_assessments(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    if request is None or user is None or not hasattr(request, "session"):
        return
    ids = session_assessment_ids(request)
    if ids:
        claim_assessments(user, ids)
        request.session.pop(SESSION_KEY, None)
