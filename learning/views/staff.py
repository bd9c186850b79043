"""A member of staff's own learning needs: the topics, one tap to ask or withdraw, and the
suggestions a supervisor made (docs/learning.md). Every page is the signed-in person's alone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from learning.access import access_own_need, access_own_suggestion, access_topic
from learning.enums import RaisedHow
from learning.queries import learning_place_of, own_needs, topic_groups, waiting_suggestions
from learning.services.needs import raise_need, withdraw_need
from learning.services.suggestions import answer_suggestion
from learning.sessions.queries import met_needs_of
from reflect.access import acting_user
from reflect.errors import DomainError

# The home page's gentle question after a session links here with this, so a need raised from it
# is counted as prompted (never which session: docs/learning.md).
AFTER_SESSION = "session"


@login_required
def learning_home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    place = learning_place_of(user)
    needs = {need.topic_id: need for need in own_needs(user)}
    return render(
        request,
        "learning/home.html",
        {
            "place": place,
            "groups": topic_groups(place, needs) if place is not None else [],
            "own_needs": list(needs.values()),
            "met_needs": list(met_needs_of(user)),
            "suggestions": list(waiting_suggestions(user)),
            "after_session": request.GET.get("after") == AFTER_SESSION,
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    after = f"?after={AFTER_SESSION}" if request.POST.get("after") == AFTER_SESSION else ""
    return redirect(reverse("learning_home") + after)


@require_POST
@login_required
def learning_ask(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = acting_user(request)
    topic = access_topic(user, topic_id)
    how = RaisedHow.AFTER_SESSION if request.POST.get("after") == AFTER_SESSION else RaisedHow.OWN
    try:
        raise_need(topic, acting_user=user, how=how)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Added “{topic.title}” to what you would like to learn about. Your name is never shown to your "
            "manager or the funder: they see only how many people asked.",
        )
    return _back(request)


@require_POST
@login_required
def learning_withdraw(request: HttpRequest, need_id: int) -> HttpResponse:
    user = acting_user(request)
    need = access_own_need(user, need_id)
    try:
        withdraw_need(need, acting_user=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Removed “{need.topic.title}”.")
    return _back(request)


def _answer(request: HttpRequest, suggestion_id: int, *, accept: bool) -> HttpResponse:
    user = acting_user(request)
    suggestion = access_own_suggestion(user, suggestion_id)
    try:
        answer_suggestion(suggestion, accept=accept, acting_user=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Added “{suggestion.topic.title}” to what you would like to learn about."
            if accept
            else f"Fine: “{suggestion.topic.title}” is not on your list. Your supervisor is not told.",
        )
    return redirect("learning_home")


@require_POST
@login_required
def learning_suggestion_accept(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    return _answer(request, suggestion_id, accept=True)


@require_POST
@login_required
def learning_suggestion_ignore(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    return _answer(request, suggestion_id, accept=False)
