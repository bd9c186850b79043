"""Pool-wide assignment for a commissioner (DESIGN.md §6): preview the optimal pairs, untick
any, and send the rest as requests that each supervisor then accepts or declines."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from reflect.access import commissioner_area
from reflect.errors import DomainError
from reflect.models import Pool, User
from supervision.services import agreements as services
from supervision.views.agreements import add_months


def _pair_key(organisation_id: int, supervisor_id: int) -> str:
    return f"{organisation_id}-{supervisor_id}"


@commissioner_area
def pool_assignment(request: HttpRequest, pool: Pool) -> HttpResponse:
    from supervision.services.check_ins import pool_check_in_summary
    from supervision.services.matches import pool_assignment_preview

    preview = pool_assignment_preview(pool)
    rows = [
        {
            "key": _pair_key(pair.organisation_id, pair.supervisor_id),
            "pair": pair,
            "organisation": preview.organisations[pair.organisation_id],
            "supervisor": preview.supervisors[pair.supervisor_id],
            "needs": preview.needs[pair.organisation_id],
            "split": pair.organisation_id in preview.optimal.split,
        }
        for pair in preview.optimal.pairs
    ]
    if request.method == "POST":
        chosen = set(request.POST.getlist("pair"))
        user: User = request.user  # type: ignore[assignment]
        start = add_months(timezone.localdate().replace(day=1), 1)
        start = min(max(start, pool.starts_on), pool.ends_on)
        sent, refused = 0, []
        for row in rows:
            if row["key"] not in chosen:
                continue
            try:
                services.send_request(
                    acting_user=user,
                    organisation=row["organisation"],
                    supervisor=row["supervisor"],
                    pool=pool,
                    format=row["needs"].format.value,
                    hours_per_month=row["pair"].hours,
                    starts_on=start,
                    review_on=add_months(start, 3),
                    message=f"Proposed by {pool.name}'s pool-wide matching.",
                )
                sent += 1
            except DomainError as error:
                refused.append(
                    f"{row['organisation'].name} with {row['supervisor'].user.display_name}: {error.message}"
                )
        if sent:
            messages.success(
                request, f"{sent} request{'s' if sent != 1 else ''} sent. Each supervisor accepts or declines."
            )
        for message in refused:
            messages.error(request, message)
        if not sent and not refused:
            messages.error(request, "Tick at least one pair to send.")
        return redirect("pool_assignment", pool.pk)
    return render(
        request,
        "supervision/assignment/preview.html",
        {"pool": pool, "preview": preview, "rows": rows, "check_ins": pool_check_in_summary(pool)},
    )
