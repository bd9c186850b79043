from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from reflect.home import HomePanel, NextStep, register_home_panels
from reflect.models import User
from scheduling.groups.access import staff_pools
from scheduling.models import BookingStatus, GroupStatus, ReflectiveGroup, SupervisionBooking, WeeklyRule
from scheduling.services.booking_notices import booking_when
from scheduling.services.bookings import bookings_of
from supervision.enums import AgreementStatus
from supervision.models import SupervisionAgreement, SupervisorProfile


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
                NextStep("Your sessions and attendance", reverse("supervisor_sessions")),
            ],
            order=16,
        )
    ]


@register_home_panels
def supervision_booking_panels(user: User) -> list[HomePanel]:
    """Staff whose organisation has a supervision agreement book from here; anyone with a
    session sees the next one; supervisors reach their sessions."""
    if not user.is_authenticated:
        return []
    has_agreement = SupervisionAgreement.objects.filter(
        organisation__memberships__user=user,
        organisation__memberships__left_at__isnull=True,
        status=AgreementStatus.ACTIVE,
    ).exists()
    upcoming = (
        SupervisionBooking.objects.filter(bookings_of(user), status=BookingStatus.BOOKED, ends_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    if not has_agreement and upcoming is None:
        return []
    steps = []
    if has_agreement:
        steps.append(NextStep("Book a supervision session", reverse("supervision_home")))
    if upcoming is not None:
        steps.append(
            NextStep(f"Next session: {booking_when(upcoming)}", reverse("supervision_session", args=[upcoming.pk]))
        )
    steps.append(NextStep("Your sessions in your own calendar", reverse("calendar")))
    return [HomePanel(role="Supervision", title="Supervision sessions", steps=steps, order=24)]


@register_home_panels
def group_finding_panels(user: User) -> list[HomePanel]:
    """Staff of a pool with running groups reach them, and facilitators their registers, from
    the home page.

    (A stand-in until the home page's own group panels land: the same link words, so a journey
    that follows them works with either.)"""
    if not user.is_authenticated:
        return []
    panels = []
    if ReflectiveGroup.objects.filter(status=GroupStatus.ACTIVE, pool_id__in=staff_pools(user)).exists():
        steps = [
            NextStep("Find a reflective group", reverse("group_sessions")),
            NextStep("Your places and waitlists", reverse("group_my_places")),
        ]
        panels.append(HomePanel(role="Staff", title="Reflective practice groups", steps=steps, order=25))
    if ReflectiveGroup.objects.filter(facilitator__user=user).exists():
        steps = [NextStep("All the sessions you facilitate", reverse("group_facilitated"))]
        panels.append(HomePanel(role="Facilitator", title="Groups you facilitate", steps=steps, order=17))
    return panels
