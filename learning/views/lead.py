"""A lead's page of their organisation's learning needs (docs/learning.md): their own records,
and how many of their staff asked for each topic, disclosed by the one rule
(reflect/disclosure.py): a lead never learns which of their staff asked, nor a count of 1 to 7."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from learning.access import access_organisation_record
from learning.enums import CoveredBy
from learning.forms import OrganisationNeedForm
from learning.queries import organisation_topic_rows, topics_open_to_organisation
from learning.services.organisation_needs import record_organisation_need, remove_organisation_need
from reflect.access import access_led_organisation, acting_user
from reflect.errors import DomainError


@login_required
def learning_organisation(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = acting_user(request)
    organisation, _ = access_led_organisation(user, organisation_id)
    topics = list(topics_open_to_organisation(organisation))
    form = OrganisationNeedForm(request.POST or None, topics=topics_open_to_organisation(organisation))
    if request.method == "POST" and form.is_valid():
        try:
            record_organisation_need(
                organisation,
                form.cleaned_data["topic"],
                covered_by=CoveredBy(form.cleaned_data["covered_by"]),
                staff_count=form.cleaned_data["staff_count"],
                acting_user=user,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Saved “{form.cleaned_data['topic'].title}” for {organisation.name}.")
            return redirect("learning_organisation", organisation.pk)
    rows = organisation_topic_rows(organisation, topics)
    return render(request, "learning/organisation.html", {"organisation": organisation, "rows": rows, "form": form})


@require_POST
@login_required
def learning_organisation_remove(request: HttpRequest, organisation_id: int, record_id: int) -> HttpResponse:
    user = acting_user(request)
    organisation, _ = access_led_organisation(user, organisation_id)
    record = access_organisation_record(organisation, record_id)
    remove_organisation_need(record, acting_user=user)
    messages.success(request, f"Removed “{record.topic.title}” from your organisation's record.")
    return redirect("learning_organisation", organisation.pk)
