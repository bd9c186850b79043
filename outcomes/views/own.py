"""A person's own outcome questionnaires: answer, decline, and see their own scores over time.
Every page is the signed-in person's alone; no one else's id reaches any of them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from outcomes.access import access_own_invitation
from outcomes.answerable import refusal_to_answer
from outcomes.bank import current_measure
from outcomes.forms import MeasureForm
from outcomes.services.invitations import decline_invitation, waiting_for
from outcomes.services.responses import own_results, record_response
from reflect.access import acting_user
from reflect.errors import DomainError


@login_required
def outcomes_home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    return render(request, "outcomes/home.html", {"waiting": waiting_for(user), "results": own_results(user)})


@login_required
def outcomes_answer(request: HttpRequest, invitation_id: int) -> HttpResponse:
    user = acting_user(request)
    invitation = access_own_invitation(user, invitation_id)
    refusal = refusal_to_answer(invitation)
    if refusal is not None:
        messages.info(request, refusal)
        return redirect("outcomes_home")
    measure = current_measure(invitation.measure)
    form = MeasureForm(request.POST or None, measure=measure)
    if request.method == "POST" and form.is_valid():
        try:
            record_response(invitation, acting_user=user, answers=form.answers())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Thank you. Your scores are below; only you can see them.")
            return redirect("outcomes_home")
    return render(request, "outcomes/answer.html", {"form": form, "measure": measure, "invitation": invitation})


@require_POST
@login_required
def outcomes_decline(request: HttpRequest, invitation_id: int) -> HttpResponse:
    user = acting_user(request)
    invitation = access_own_invitation(user, invitation_id)
    try:
        decline_invitation(invitation, acting_user=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, "Not this time. We will not ask again until the next round; you can still answer here."
        )
    return redirect("outcomes_home")
