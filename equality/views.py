"""The person's own equality answers. No id in these addresses: they are always about the
person signed in, so nobody can ask for anyone else's (docs/equality.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from equality.categories import CATEGORIES
from equality.forms import EqualityForm
from equality.services import equality_answers_of, save_equality_answers, stop_equality_prompt
from reflect.access import acting_user
from reflect.errors import DomainError


@login_required
def equality_answers(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    current = equality_answers_of(user)
    initial = {c.key: getattr(current, c.key) for c in CATEGORIES} if current is not None else {}
    form = EqualityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_equality_answers(user, form.cleaned_data, acting_user=user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Thank you. Your answers are saved. You can change them here at any time.")
            return redirect("equality_answers")
    return render(request, "equality/answers.html", {"form": form, "answered": current is not None})


@require_POST
@login_required
def equality_not_now(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    stop_equality_prompt(user, acting_user=user)
    messages.success(request, "We will not ask again. You can answer at any time from Your account.")
    return redirect("home")
