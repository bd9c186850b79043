from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from reflect import wording
from reflect.access import acting_user, acting_user_or_none, has_two_factor, is_exempt_from_two_factor
from reflect.forms import ContactPreferencesForm
from reflect.home import (
    HomePanel,
    NextStep,
    commissioned_pools,
    home_facts,
    home_panels,
    register_home_fact,
    register_home_panels,
)
from reflect.models import User
from reflect.navigation import Roles, roles_for
from reflect.queries import open_invitations_for, open_invitations_to
from reflect.services.preferences import preferences_for, update_preferences

AFTER_TWO_FACTOR_SESSION_KEY = "reflect_after_two_factor"


@register_home_panels
def core_panels(user: User, roles: Roles) -> list[HomePanel]:
    panels = []
    for membership in roles.memberships:
        org = membership.organisation
        steps = [NextStep(f"See {org.name}", reverse("organisation_detail", args=[org.pk]), "Its people and details")]
        intro = ""
        if membership.is_lead:
            steps.append(
                NextStep(
                    "Invite a colleague",
                    reverse("organisation_invite", args=[org.pk]),
                    "They get an e-mail with a link to join.",
                )
            )
            steps.append(
                NextStep(
                    "How your organisation uses its hours",
                    reverse("organisation_usage", args=[org.pk]),
                    "Hours allocated, booked and used in each pool.",
                )
            )
            intro = "Invite your colleagues so they can book supervision and group places."
        panels.append(
            HomePanel(
                role="Lead" if membership.is_lead else "Staff",
                title=org.name,
                steps=steps,
                order=20 if membership.is_lead else 30,
                intro=intro,
            )
        )
    pools = commissioned_pools(user, roles)
    if pools:
        steps = []
        for p in pools:
            steps.append(
                NextStep(
                    p.name,
                    reverse("pool_detail", args=[p.pk]),
                    f"{wording.count(p.organisation_count, 'organisation')}: invitations and allocations",
                )
            )
            steps.append(
                NextStep(
                    f"Dashboard for {p.name}",
                    reverse("pool_dashboard", args=[p.pk]),
                    "How the pool is used, by whom, how fairly, and what is left.",
                )
            )
        if user.is_approved_commissioner:
            steps.append(NextStep("Create a pool", reverse("pool_create")))
        panels.append(
            HomePanel(
                role="Commissioner",
                title="Your pools",
                steps=steps,
                order=10,
                intro="Invite organisations to a pool and share its hours; the dashboard shows how it is used.",
            )
        )
    return panels


# Their own address, from their own row: the row's SQL is kept for everyone (reflect/statements.py).
register_home_fact("invited", lambda _person, now, _today: Exists(open_invitations_to(OuterRef("email"), now)))


def home(request: HttpRequest) -> HttpResponse:
    user = acting_user_or_none(request)
    if user is None:
        return render(request, "reflect/home_public.html")
    roles = roles_for(request, user, home_facts())
    return render(
        request,
        "reflect/home.html",
        {
            "panels": home_panels(user, roles),
            "invitations": list(open_invitations_for(user)) if roles.facts.get("invited") else [],
            "can_commission": user.is_approved_commissioner,
        },
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    return render(
        request,
        "reflect/account.html",
        {"has_two_factor": has_two_factor(user), "two_factor_exempt": is_exempt_from_two_factor(user)},
    )


@login_required
def contact_preferences(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    preferences = preferences_for(user)
    form = ContactPreferencesForm(request.POST or None, instance=preferences)
    if request.method == "POST" and form.is_valid():
        update_preferences(user, **{name: form.cleaned_data[name] for name in form.Meta.fields})
        messages.success(request, "Your contact preferences are saved.")
        return redirect("contact_preferences")
    return render(request, "reflect/contact_preferences.html", {"form": form})


@login_required
def two_factor_required(request: HttpRequest) -> HttpResponse:
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("home")
    # allauth ends TOTP set-up on the recovery codes page whatever `next` says; that page
    # offers a way back to where the person was going (templates/mfa/recovery_codes/index.html).
    request.session[AFTER_TWO_FACTOR_SESSION_KEY] = next_url
    return render(request, "reflect/two_factor_required.html", {"next": next_url})


def months_in_words(months: int) -> str:
    """24 → "24 months (2 years)"; 1 → "1 month"."""
    text = wording.count(months, "month")
    if months >= 12 and months % 12 == 0:
        years = months // 12
        text += f" ({wording.count(years, 'year')})"
    return text


def privacy(request: HttpRequest) -> HttpResponse:
    # The periods come from the settings the retention tasks use, so the page cannot drift.
    return render(
        request,
        "reflect/privacy.html",
        {
            "left_period": months_in_words(settings.RETENTION_LEFT_MONTHS),
            "notification_days": settings.NOTIFICATION_BODY_RETENTION_DAYS,
            "webhook_days": settings.WEBHOOK_PAYLOAD_RETENTION_DAYS,
            "audit_period": months_in_words(settings.AUDIT_RETENTION_MONTHS),
            "invitation_days": settings.INVITATION_VALID_DAYS,
            "offer_hours": settings.GROUP_OFFER_HOLD_HOURS,
        },
    )


# The day this statement was last checked against the site (docs/product.md, "Accessibility").
ACCESSIBILITY_REVIEWED_ON = datetime.date(2026, 12, 7)


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The accessibility statement, on the GOV.UK model, linked from every page's footer."""
    return render(
        request,
        "reflect/accessibility.html",
        {"contact": settings.ACCESSIBILITY_CONTACT, "reviewed_on": ACCESSIBILITY_REVIEWED_ON},
    )
