"""Staff reach their questionnaires and their own scores from the home page."""

from __future__ import annotations

from django.db.models import Exists
from django.urls import reverse

from outcomes.bank import unlicensed_slugs
from outcomes.enums import InvitationStatus
from outcomes.models import OutcomeInvitation
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


# Read in the roles' one row (reflect/home.py): no query of its own. A questionnaire whose
# licence is no longer confirmed here is not waiting: it cannot be answered.
register_home_fact(
    "outcome_waiting",
    lambda person_id, _now, _today: Exists(
        OutcomeInvitation.objects.filter(person_id=person_id, status=InvitationStatus.OPEN).exclude(
            measure__in=unlicensed_slugs()
        )
    ),
)
