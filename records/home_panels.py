"""Links to supervision records from the home page: staff to their record, supervisors and
facilitators to the sessions they may countersign (reflect/home.py)."""

from __future__ import annotations

from django.urls import reverse

from reflect.home import HomePanel, NextStep, register_home_panels
from reflect.models import User
from reflect.navigation import Roles


@register_home_panels
def record_panels(user: User, roles: Roles) -> list[HomePanel]:
    panels = []
    if roles.is_staff_member:
        panels.append(
            HomePanel(
                role="Staff",
                title="Your supervision record",
                steps=[
                    NextStep(
                        "Your supervision record",
                        reverse("records_home"),
                        "Sessions you attended, the minutes your professional body lets you claim, your CPD log and signed copies.",
                    )
                ],
                order=33,
            )
        )
    if roles.facts.get("supervisor"):
        panels.append(
            HomePanel(
                role="Supervisor",
                title="Supervisees' records",
                steps=[
                    NextStep(
                        "Countersign your supervisees' sessions",
                        reverse("records_supervisees"),
                        "One click a month for each person you supervised or whose group you facilitated.",
                    )
                ],
                order=18,
            )
        )
    return panels
