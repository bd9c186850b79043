from __future__ import annotations

from django.urls import reverse

from reflect.home import HomePanel, NextStep, register_home_panels
from reflect.models import User
from supervision.models import SupervisorProfile


@register_home_panels
def supervisor_panels(user: User) -> list[HomePanel]:
    profile = SupervisorProfile.objects.filter(user=user).first()
    if profile is None:
        return []
    status = "Verified" if profile.is_verified else "Waiting for an administrator to check your registration"
    return [
        HomePanel(
            role="Supervisor",
            title="Your supervision practice",
            steps=[NextStep("Your account and two-factor authentication", reverse("account"), status)],
            order=15,
        )
    ]
