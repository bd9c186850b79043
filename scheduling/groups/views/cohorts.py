"""Cohort pages: staff apply with their times; the commissioner previews and confirms the fill.

The commissioner's preview names nobody: it shows how many join each cohort (through
``disclosed``, as a cohort is smaller than the pool) and why anyone was left out.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from reflect.access import acting_user, commissioner_area
from reflect.disclosure import disclosed
from reflect.errors import DomainError
from reflect.models import Pool
from reflect.services.preferences import preferences_for
from scheduling.groups import cohorts
from scheduling.groups.access import access_staff_pool
from scheduling.groups.forms import CohortApplicationForm, CohortFillForm
from scheduling.models import ApplicationStatus, CohortApplication, CohortMembership


@login_required
def cohort_apply(request: HttpRequest, pool_id: int) -> HttpResponse:
    user = acting_user(request)
    pool = access_staff_pool(user, pool_id)
    application = (
        CohortApplication.objects.filter(
            pool=pool, user=user, status__in=[ApplicationStatus.WAITING, ApplicationStatus.ASSIGNED]
        )
        .select_related("cohort")
        .first()
    )
    initial = {}
    if application is not None:
        initial = {
            "weekdays": application.weekdays,
            "earliest_start": application.earliest_start,
            "latest_end": application.latest_end,
        }
    form = CohortApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cohorts.apply_for_cohort(pool, acting_user=user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Thank you. We will tell you your cohort once the commissioner has filled them.")
            return redirect("cohort_apply", pool.pk)
    return render(
        request,
        "scheduling/cohort_apply.html",
        {
            "pool": pool,
            "form": form,
            "application": application,
            "groups": cohorts.cohort_groups(pool),
            "no_sessions_before": preferences_for(user).no_sessions_before,
        },
    )


@require_POST
@login_required
def cohort_withdraw(request: HttpRequest, pool_id: int) -> HttpResponse:
    user = acting_user(request)
    pool = access_staff_pool(user, pool_id)
    application = CohortApplication.objects.filter(pool=pool, user=user, status=ApplicationStatus.WAITING).first()
    if application is not None:
        cohorts.withdraw_application(application, acting_user=user)
        messages.success(request, "Your application is withdrawn.")
    return redirect("cohort_apply", pool.pk)


@require_POST
@login_required
def cohort_leave(request: HttpRequest, pool_id: int) -> HttpResponse:
    user = acting_user(request)
    pool = access_staff_pool(user, pool_id)
    membership = CohortMembership.objects.filter(group__pool=pool, user=user, left_at__isnull=True).first()
    if membership is not None:
        cohorts.leave_cohort(membership, acting_user=user)
        messages.success(request, "You have left your cohort. Your places in its coming sessions are given up.")
    return redirect("cohort_apply", pool.pk)


@commissioner_area
def cohort_fill(request: HttpRequest, pool: Pool) -> HttpResponse:
    data = request.POST if request.method == "POST" else (request.GET if "organisation_cap" in request.GET else None)
    form = CohortFillForm(data, initial={"organisation_cap": cohorts.DEFAULT_ORGANISATION_CAP})
    cap = form.cleaned_data["organisation_cap"] if form.is_valid() else cohorts.DEFAULT_ORGANISATION_CAP
    if request.method == "POST" and form.is_valid():
        try:
            cohorts.confirm_cohorts(
                pool,
                acting_user=acting_user(request),
                fingerprint=request.POST.get("fingerprint", ""),
                organisation_cap=cap,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Cohorts filled: the people placed are told their cohort.")
            return redirect("cohort_fill", pool.pk)
    proposal = cohorts.propose_cohorts(pool, organisation_cap=cap)
    joining = Counter(proposed.group.pk for proposed in proposal.placed)
    reasons = Counter(why for _, why in proposal.unplaced)
    return render(
        request,
        "scheduling/cohort_fill.html",
        {
            "pool": pool,
            "form": form,
            "cap": cap,
            "proposal": proposal,
            "rows": [{"group": group, "joining": disclosed(joining[group.pk])} for group in proposal.groups],
            # Counts of people: disclosed like the rows, so no row can be worked back
            # (docs/architecture.md, "Confidentiality").
            "placed_total": disclosed(len(proposal.placed)),
            "any_placed": bool(proposal.placed),
            "unplaced_total": disclosed(len(proposal.unplaced)),
            "reasons": [(why, disclosed(count)) for why, count in sorted(reasons.items())],
        },
    )
