"""Staff reach their learning needs from the home page (docs/learning.md): always the question
"What would you like to learn about?", a supervisor's suggestion when one is waiting, and, for a
fortnight after a supervision session or group they attended, a gentle one-tap prompt. The
prompt links to the topics page; which session it followed is never kept."""

from __future__ import annotations

from django.db.models import Exists
from django.urls import reverse

from learning.models import TopicSuggestion
from learning.queries import attended_group_recently, attended_recently
from learning.views.staff import AFTER_SESSION
from reflect.home import HomePanel, NextStep, register_home_fact, register_home_panels
from reflect.models import User
from reflect.navigation import Roles


@register_home_panels
def learning_panels(user: User, roles: Roles) -> list[HomePanel]:
    if not roles.is_staff_member:
        return []
    steps = []
    if roles.facts.get("learning_suggested"):
        steps.append(
            NextStep(
                "See the topic your supervisor suggested",
                reverse("learning_home"),
                "Add it to your list if you would like to, or leave it: it is up to you.",
            )
        )
    if roles.facts.get("learning_after_session") or roles.facts.get("learning_after_group"):
        steps.append(
            NextStep(
                "Did anything come up that you would like to learn more about?",
                f"{reverse('learning_home')}?after={AFTER_SESSION}",
                "After your recent session: one tap to choose a topic, if you like. Nothing about the session is kept.",
            )
        )
    steps.append(
        NextStep(
            "Choose topics you would like to learn about",
            reverse("learning_home"),
            "Your pool can arrange training where staff ask for it. No one sees your name.",
        )
    )
    return [HomePanel(role="Staff", title="What would you like to learn about?", steps=steps, order=34)]


# Read in the roles' one row (reflect/home.py): no query of their own.
register_home_fact(
    "learning_suggested",
    lambda person_id, _now, _today: Exists(TopicSuggestion.objects.filter(person_id=person_id, answer="")),
)
register_home_fact("learning_after_session", lambda person_id, now, _today: Exists(attended_recently(person_id, now)))
register_home_fact(
    "learning_after_group", lambda person_id, now, _today: Exists(attended_group_recently(person_id, now))
)
