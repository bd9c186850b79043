"""A supervisor suggests a topic to someone they supervise (docs/learning.md). No reason is
asked for or kept, and the supervisor is not told whether the person took it up."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from learning.access import access_supervised_agreement
from learning.forms import SuggestionForm
from learning.queries import suggestions_made, supervisees_of, topics_open_to
from learning.services.suggestions import suggest_topic
from reflect.access import acting_user, gate_result, privileged
from reflect.errors import DomainError
from reflect.models import User
from supervision.models import SupervisionAgreement


def _agreement_gate(user: User, kwargs: dict[str, Any]) -> SupervisionAgreement:
    return access_supervised_agreement(user, kwargs["agreement_id"])


@privileged(_agreement_gate)
def learning_suggest(request: HttpRequest, agreement_id: int) -> HttpResponse:
    user = acting_user(request)
    agreement = gate_result(request)
    if not (isinstance(agreement, SupervisionAgreement) and agreement.pk == agreement_id):
        agreement = access_supervised_agreement(user, agreement_id)
    form = SuggestionForm(
        request.POST or None, people=supervisees_of(agreement), topics=topics_open_to(agreement.pool_id)
    )
    if request.method == "POST" and form.is_valid():
        try:
            suggestion = suggest_topic(
                agreement, form.cleaned_data["person"], form.cleaned_data["topic"], acting_user=user
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"Suggested “{suggestion.topic.title}” to {suggestion.person.display_name}. They will see it on "
                "their home page and choose whether to add it.",
            )
            return redirect("learning_suggest", agreement.pk)
    made = suggestions_made(agreement, user)
    return render(request, "learning/suggest.html", {"agreement": agreement, "form": form, "made": made})
