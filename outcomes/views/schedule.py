"""The commissioner's choice of how often staff are asked, and what (docs/outcomes.md)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from outcomes.forms import ScheduleForm
from outcomes.services.invitations import measure_choices, schedule_of, set_schedule
from reflect.access import acting_user, commissioner_area
from reflect.errors import DomainError
from reflect.models import Pool


@commissioner_area
def outcomes_schedule(request: HttpRequest, pool: Pool) -> HttpResponse:
    current = schedule_of(pool)
    form = ScheduleForm(
        request.POST or None,
        measures=measure_choices(),
        initial={"interval_months": current.interval_months, "measure": current.measure},
    )
    if request.method == "POST" and form.is_valid():
        try:
            set_schedule(pool, acting_user=acting_user(request), **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Saved. Rounds already asked stand; the next ones follow the new choice.")
            return redirect("pool_dashboard_outcomes", pool.pk)
    return render(request, "outcomes/schedule.html", {"form": form, "pool": pool})
