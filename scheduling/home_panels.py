from __future__ import annotations

from django.urls import reverse

from reflect.home import HomePanel, NextStep, register_home_panels
from reflect.models import User
from scheduling.models import WeeklyRule
from supervision.models import SupervisorProfile


@register_home_panels
def availability_panels(user: User) -> list[HomePanel]:
    if not user.is_authenticated:
        return []
    profile = SupervisorProfile.objects.filter(user=user).first()
    if profile is None:
        return []
    has_rules = WeeklyRule.objects.filter(supervisor=profile).exists()
    description = (
        "Your weekly hours, days away and busy calendar."
        if has_rules
        else "You have no weekly hours yet, so nobody can book you."
    )
    return [
        HomePanel(
            role="Supervisor",
            title="Your availability",
            steps=[
                NextStep("Set your availability", reverse("availability_overview"), description),
                NextStep("See your week", reverse("availability_week")),
            ],
            order=16,
        )
    ]
