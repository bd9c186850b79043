"""Staff reach their questionnaires and their own scores from the home page."""

from __future__ import annotations

from django.db.models import Exists
from django.urls import reverse

from outcomes.answerable import answerable
from outcomes.enums import InvitationStatus
from reflect.home import HomePanel, NextStep, register_home_fact, register_home_panels
from reflect.models import User
from reflect.navigation import Roles


@register_home_panels
def outcome_panels(user: User, roles: Roles) -> list[HomePanel]:
    """Staff: the questionnaire waiting for them, if any, and always their own scores."""
    if not roles.is_staff_member:
        return []
    waiting = roles.facts.get("outcome_waiting")
    return [
        HomePanel(
            role="Staff",
            title="How is your work affecting you?",
            steps=[
                NextStep(
                    "Answer your wellbeing questionnaire" if waiting else "Your wellbeing scores over time",
                    reverse("outcomes_home"),
                    "A questionnaire is waiting for you. Only you see your scores."
                    if waiting
                    else "Only you see your scores, with what they mean and where to find support.",
                )
            ],
            order=33,
        )
    ]


# Read in the roles' one row (reflect/home.py): no query of its own. Waiting means what the
# wellbeing page lists and the answer page accepts (outcomes/answerable.py), and not declined:
# someone who said not this time is not asked again until the next round.
register_home_fact(
    "outcome_waiting",
    lambda person_id, _now, _today: Exists(answerable(person_id).filter(status=InvitationStatus.OPEN)),
)
