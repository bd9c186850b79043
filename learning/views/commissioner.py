"""A commissioner adds a topic of their own for their pool (docs/learning.md); the demand by
topic is the dashboard's page (dashboard/views.py, ``pool_learning_needs``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from learning.forms import PoolTopicForm
from learning.services.topics import add_pool_topic
from reflect.access import acting_user, commissioner_area
from reflect.errors import DomainError
from reflect.models import Pool


@commissioner_area
def learning_topic_add(request: HttpRequest, pool: Pool) -> HttpResponse:
    form = PoolTopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = add_pool_topic(pool, acting_user=acting_user(request), **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Added “{topic.title}”. Staff in {pool.name} can now choose it.")
            return redirect("pool_learning_needs", pool.pk)
    return render(request, "learning/topic_add.html", {"form": form, "pool": pool})
