"""The home page's gentle prompt: once, for staff, until they answer or say not to ask again
(reflect/home.py)."""

from __future__ import annotations

import datetime

from django.db.models import Exists
from django.db.models.expressions import BaseExpression
from django.urls import reverse

from equality.models import EqualityAnswers
from reflect.home import HomePanel, NextStep, register_home_fact, register_home_panels
from reflect.models import User
from reflect.navigation import Roles


def _asked(person_id: int, _now: datetime.datetime, _today: datetime.date) -> BaseExpression:
    # Any row means they answered something or asked not to be asked: either way, no prompt.
    return Exists(EqualityAnswers.objects.filter(user_id=person_id))


register_home_fact("equality_asked", _asked)


@register_home_panels
def equality_prompt(user: User, roles: Roles) -> list[HomePanel]:
    if not roles.is_staff_member or roles.facts.get("equality_asked", True):
        return []
    return [
        HomePanel(
            role="Staff",
            title="Help us check the pool reaches everyone",
            intro="A few optional questions about you. Nobody sees your answers: your commissioner sees only "
            "totals, and never a total of fewer than 8 people.",
            steps=[
                NextStep("Answer the equality questions", reverse("equality_answers"), "Every question is optional."),
                NextStep("Do not ask me again", reverse("equality_not_now"), post=True),
            ],
            order=90,
        )
    ]
