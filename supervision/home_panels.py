from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from reflect import wording
from reflect.home import HomePanel, NextStep, register_home_fact, register_home_panels
from reflect.models import Membership, Organisation, User
from reflect.models.people import DISPLAY_NAME_FIELDS
from reflect.navigation import NavItem, Roles, register_nav_items, register_role
from reflect.statements import fetch_row
from supervision.enums import Outcome
from supervision.models import NeedsAssessment, SupervisorProfile, assessment_name
from supervision.services.check_ins import due_check_ins_for


def supervisor_profile_of(user: User, roles: Roles) -> SupervisorProfile | None:
    """The person's supervisor profile, read once per request for the panels that need it, and
    not at all for someone the navigation's roles already say is not a supervisor."""
    if not roles.facts.get("supervisor"):
        return None
    if "supervisor_profile" not in roles.read:
        roles.read["supervisor_profile"] = SupervisorProfile.objects.filter(user=user).first()
    profile: SupervisorProfile | None = roles.read["supervisor_profile"]
    return profile


def led_organisations(roles: Roles) -> list[Organisation]:
    return [m.organisation for m in roles.memberships if m.is_lead]


@register_home_panels
def supervisor_panels(user: User, roles: Roles) -> list[HomePanel]:
    profile = supervisor_profile_of(user, roles)
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
def supervisor_directory_panels(user: User, roles: Roles) -> list[HomePanel]:
    """Leads find and agree a supervisor; staff can browse the directory (docs/product.md)."""
    led = led_organisations(roles)
    steps = [
        NextStep(f"Supervisors who fit {o.name}", reverse("organisation_matches", args=[o.pk]), "Ranked, with why")
        for o in led
    ]
    steps += [
        NextStep(f"{o.name}: requests and agreements", reverse("organisation_supervision", args=[o.pk])) for o in led
    ]
    if led or roles.is_staff_member:
        steps.append(NextStep("Browse the supervisor directory", reverse("supervisor_directory")))
    if not steps:
        return []
    return [
        HomePanel(role="Lead" if led else "Staff", title="Clinical supervisors", steps=steps, order=22 if led else 31)
    ]


def _latest_result(person: int) -> QuerySet[NeedsAssessment, Any]:
    """The latest completed result the person may see (what assessments_visible_to holds: their
    own, and their led organisations'), with only what the home page's step shows. Its SQL is
    kept once per process (reflect/statements.py): this is on every lead's home page."""
    leads = Membership.objects.leads().filter(user_id=person, organisation_id=OuterRef("organisation_id"))
    return (
        NeedsAssessment.objects.filter(Q(owner_id=person) | Q(Exists(leads)), completed_at__isnull=False)
        .values("pk", "outcome", "completed_at", "organisation_name", "organisation__name")
        .order_by("-completed_at")[:1]
    )


@register_home_panels
def questionnaire_panels(user: User, roles: Roles) -> list[HomePanel]:
    """Leads see the needs questionnaire, with their organisations' latest results (docs/questionnaire.md)."""
    led = led_organisations(roles)
    if not led:
        return []
    steps = [
        NextStep(
            "Do we need clinical supervision?",
            reverse("questionnaire_start"),
            "About 10 minutes: a recommendation, a bid line and a brief for clinicians.",
        )
    ]
    latest = fetch_row(("home-latest-result",), _latest_result, person=user.pk)
    if latest is not None:
        steps.append(
            NextStep(
                f"Latest result: {Outcome(latest['outcome']).label}",
                reverse("questionnaire_result", args=[latest["pk"]]),
                f"{assessment_name(latest['organisation__name'], latest['organisation_name'])}, "
                f"{wording.date(latest['completed_at'])}",
            )
        )
        steps.append(NextStep("Past results and comparisons", reverse("questionnaire_results")))
    return [HomePanel(role="Lead", title="Clinical supervision: do we need it?", steps=steps, order=21)]


@register_home_panels
def check_in_panels(user: User, roles: Roles) -> list[HomePanel]:
    """Agreements past their review date that this person has not checked in on yet."""
    if not roles.facts.get("check_in_due"):
        return []
    steps = [
        NextStep(
            f"Check in: {a.organisation.name} with {a.supervisor.user.display_name}",
            reverse("agreement_check_in", args=[a.pk]),
            f"Review date {wording.date(a.review_on)}. Three optional questions.",
        )
        # Only what the step shows: the home page's cost is mostly building its queries, and
        # that grows with every column of the three tables joined (docs/performance.md).
        for a in due_check_ins_for(user).only(
            "review_on", "organisation__name", *(f"supervisor__user__{name}" for name in DISPLAY_NAME_FIELDS)
        )
    ]
    if not steps:
        return []
    return [HomePanel(role="Supervision", title="How is supervision going?", steps=steps, order=23)]


register_home_fact("check_in_due", lambda person, _now, today: Exists(due_check_ins_for(person, today)))

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
