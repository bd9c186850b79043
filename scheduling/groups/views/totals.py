"""A lead's view of their organisation's use of reflective groups: totals only, suppressed.

Never which staff attend (docs/architecture.md, "Confidentiality"): the figures come from the
ledger, which holds no person, and every count goes through ``disclosed``.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from reflect.access import access_led_organisation, acting_user
from scheduling.groups.queries import organisation_group_totals


@login_required
def organisation_totals(request: HttpRequest, organisation_id: int) -> HttpResponse:
    try:
        organisation, _ = access_led_organisation(acting_user(request), organisation_id)
    except PermissionDenied:
        raise Http404("No such organisation.") from None
    since = timezone.now() - datetime.timedelta(days=365)
    return render(
        request,
        "scheduling/organisation_totals.html",
        {"organisation": organisation, "rows": organisation_group_totals(organisation, since=since), "since": since},
    )
