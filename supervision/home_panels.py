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


@register_home_panels
def questionnaire_panels(user: User) -> list[HomePanel]:
    """Leads see the needs questionnaire, with their organisations' latest results (DESIGN.md §5)."""
    from supervision.queries import assessments_visible_to, organisations_led_by

    led = list(organisations_led_by(user))
    if not led:
        return []
    steps = [
        NextStep(
            "Do we need clinical supervision?",
            reverse("questionnaire_start"),
            "About 10 minutes: a recommendation, a bid line and a brief for clinicians.",
        )
    ]
    latest = assessments_visible_to(user).filter(completed_at__isnull=False).order_by("-completed_at").first()
    if latest is not None:
        steps.append(
            NextStep(
                f"Latest result: {latest.get_outcome_display()}",
                reverse("questionnaire_result", args=[latest.pk]),
                f"{latest.display_name}, {latest.completed_at:%-d %B %Y}",
            )
        )
        steps.append(NextStep("Past results and comparisons", reverse("questionnaire_results")))
    return [HomePanel(role="Lead", title="Clinical supervision: do we need it?", steps=steps, order=21)]
