"""Pool-wide assignment for a commissioner (docs/matching.md): preview the optimal pairs, untick
any, and send the rest as requests that each supervisor then accepts or declines."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from reflect import wording
from reflect.access import acting_user, commissioner_area
from reflect.models import Pool
from supervision.matching import explain_proposal
from supervision.services import agreements as services
from supervision.services.check_ins import pool_check_in_summary
from supervision.services.matches import pool_assignment_preview


def _pair_key(organisation_id: int, supervisor_id: int) -> str:
    return f"{organisation_id}-{supervisor_id}"


def _pair_of(key: str) -> tuple[int, int] | None:
    """The (organisation id, supervisor id) a ticked box names; None for anything else."""
    organisation, _, supervisor = key.partition("-")
    if not (organisation.isdigit() and supervisor.isdigit()):
        return None
    return int(organisation), int(supervisor)


@commissioner_area
def pool_assignment(request: HttpRequest, pool: Pool) -> HttpResponse:
    preview = pool_assignment_preview(pool)
    rows = [
        {
            "key": _pair_key(pair.organisation_id, pair.supervisor_id),
            "pair": pair,
            "organisation": preview.organisations[pair.organisation_id],
            "supervisor": preview.supervisors[pair.supervisor_id],
            "needs": preview.needs[pair.organisation_id],
            "split": pair.organisation_id in preview.optimal.split,
            "explanation": explain_proposal(
                preview.needs[pair.organisation_id],
                preview.offers[pair.supervisor_id],
                pair.hours,
                supervisor_name=preview.supervisors[pair.supervisor_id].user.display_name,
                organisation_name=preview.organisations[pair.organisation_id].name,
                split=pair.organisation_id in preview.optimal.split,
            ),
        }
        for pair in preview.optimal.pairs
    ]
    if request.method == "POST":
        chosen = {key for key in (_pair_of(value) for value in request.POST.getlist("pair")) if key}
        user = acting_user(request)
        result = services.send_pool_assignment(pool, preview, chosen, acting_user=user)
        if result.sent:
            messages.success(
                request,
                f"{wording.count(result.sent, 'request')} sent. Each supervisor accepts or declines.",
            )
        for message in result.refused:
            messages.error(request, message)
        if not result.sent and not result.refused:
            messages.error(request, "Tick at least one pair to send.")
        return redirect("pool_assignment", pool.pk)
    return render(
        request,
        "supervision/assignment/preview.html",
        {
            "pool": pool,
            "preview": preview,
            "rows": rows,
            "proposed": {pair.organisation_id for pair in preview.optimal.pairs},
            "unmatched": [preview.organisations[pk] for pk in preview.optimal.unassigned],
            "check_ins": pool_check_in_summary(pool),
        },
    )
