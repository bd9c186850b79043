from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse

from reflect import wording
from reflect.home import HomePanel, NextStep, register_home_panels
from reflect.models import User
from reflect.navigation import NavItem, Roles, register_nav_items, register_role
from supervision.models import SupervisorProfile
from supervision.queries import assessments_visible_to, organisations_led_by
from supervision.services.check_ins import due_check_ins_for


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
            steps=[
                NextStep("Your supervisor profile", reverse("supervisor_profile"), status),
                NextStep("Requests from organisations", reverse("supervisor_requests")),
                NextStep("Your agreements", reverse("supervisor_agreements")),
                NextStep("Your account and two-factor authentication", reverse("account")),
            ],
            order=15,
        )
    ]


@register_home_panels
def supervisor_directory_panels(user: User) -> list[HomePanel]:
    """Leads find and agree a supervisor; staff can browse the directory (docs/product.md)."""
    led = list(organisations_led_by(user))
    steps = [
        NextStep(f"Supervisors who fit {o.name}", reverse("organisation_matches", args=[o.pk]), "Ranked, with why")
        for o in led
    ]
    steps += [
        NextStep(f"{o.name}: requests and agreements", reverse("organisation_supervision", args=[o.pk])) for o in led
    ]
    if led or user.memberships.filter(left_at__isnull=True).exists():
        steps.append(NextStep("Browse the supervisor directory", reverse("supervisor_directory")))
    if not steps:
        return []
    return [
        HomePanel(role="Lead" if led else "Staff", title="Clinical supervisors", steps=steps, order=22 if led else 31)
    ]


@register_home_panels
def questionnaire_panels(user: User) -> list[HomePanel]:
    """Leads see the needs questionnaire, with their organisations' latest results (docs/questionnaire.md)."""
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
    if latest is not None and latest.completed_at is not None:  # it is: only completed ones are read
        steps.append(
            NextStep(
                f"Latest result: {latest.get_outcome_display()}",
                reverse("questionnaire_result", args=[latest.pk]),
                f"{latest.display_name}, {wording.date(latest.completed_at)}",
            )
        )
        steps.append(NextStep("Past results and comparisons", reverse("questionnaire_results")))
    return [HomePanel(role="Lead", title="Clinical supervision: do we need it?", steps=steps, order=21)]


@register_home_panels
def check_in_panels(user: User) -> list[HomePanel]:
    """Agreements past their review date that this person has not checked in on yet."""
    steps = [
        NextStep(
            f"Check in: {a.organisation.name} with {a.supervisor.user.display_name}",
            reverse("agreement_check_in", args=[a.pk]),
            f"Review date {wording.date(a.review_on)}. Three optional questions.",
        )
        for a in due_check_ins_for(user)
    ]
    if not steps:
        return []
    return [HomePanel(role="Supervision", title="How is supervision going?", steps=steps, order=23)]


# The navigation bar's links for supervisors and leads (reflect/navigation.py).
register_role("supervisor", lambda: Exists(SupervisorProfile.objects.filter(user=OuterRef("pk"))))


@register_nav_items
def supervision_nav(roles: Roles) -> list[NavItem]:
    items = []
    if roles.facts.get("supervisor"):
        items.append(NavItem("Requests and agreements", reverse("supervisor_requests"), 32, section="/supervisor/"))
    if roles.led:
        items.append(NavItem("Do we need supervision?", reverse("questionnaire_start"), 50))
    return items
