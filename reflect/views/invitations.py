"""Accepting an invitation: by the e-mailed link, or from the home page when signed in."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from reflect.access import acting_user_or_none
from reflect.enums import InvitationKind
from reflect.errors import DomainError
from reflect.forms import JoinPoolForm, OrganisationForm
from reflect.models import Invitation, Organisation, User, current_lead, current_membership
from reflect.services.invitations import find_invitation, invitation_problem
from reflect.services.organisations import accept_staff_invitation
from reflect.services.pools import join_pool, join_pool_with_new_organisation

PENDING_INVITATION_SESSION_KEY = "reflect_pending_invitation"


def _load(request: HttpRequest, token: str | None, invitation_id: int | None) -> Invitation | None:
    if token is not None:
        return find_invitation(token)
    user = acting_user_or_none(request)
    if user is None or invitation_id is None:
        return None
    return (
        Invitation.objects.select_related("pool", "organisation")
        .filter(pk=invitation_id, email__iexact=user.email)
        .first()
    )


def _led_organisations(user: User) -> list[Organisation]:
    return list(Organisation.objects.filter(current_lead("memberships", user=user)).order_by("name"))


def invitation(request: HttpRequest, token: str | None = None, invitation_id: int | None = None) -> HttpResponse:
    found = _load(request, token, invitation_id)
    if found is None:
        if invitation_id is not None:
            raise Http404("No such invitation.")
        return render(request, "reflect/invitations/unknown.html", status=404)
    user = acting_user_or_none(request)
    joined = _where_it_led(found, user)
    if joined is not None:
        # The e-mailed link, opened again by the person who used it: take them where it led.
        messages.info(request, f"You have already joined {joined.name}.")
        return redirect("organisation_detail", joined.pk)
    problem = invitation_problem(found, user)
    if problem:
        return render(
            request,
            "reflect/invitations/problem.html",
            {"invitation": found, "problem": problem},
            status=410 if user is None or user.email.lower() == found.email.lower() else 403,
        )
    if user is None:
        # Remember where to come back to: signing up sends the person away to verify their
        # address, and the confirmation link brings them back to this browser session.
        request.session[PENDING_INVITATION_SESSION_KEY] = request.path
        return render(request, "reflect/invitations/sign_in_first.html", {"invitation": found, "next": request.path})
    request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
    if found.kind == InvitationKind.ORGANISATION_STAFF:
        return _accept_staff(request, found, user)
    return _join_pool(request, found, user)


def _where_it_led(found: Invitation, user: User | None) -> Organisation | None:
    """The organisation an invitation this person accepted brought them (or theirs) into."""
    if user is None or found.accepted_by_id != user.pk:
        return None
    if found.kind == InvitationKind.ORGANISATION_STAFF:
        mine = Organisation.objects.filter(current_membership("memberships", user=user))
        return mine.filter(pk=found.organisation_id or 0).first()
    # One condition on one membership row: this person as a current lead (a second filter() on
    # the relation would match an organisation where anyone, ever, led it).
    led = Organisation.objects.filter(current_lead("memberships", user=user))
    return led.filter(pool_memberships__pool=found.pool_id).order_by("pk").first()


def _accept_staff(request: HttpRequest, found: Invitation, user: User) -> HttpResponse:
    if request.method == "POST":
        try:
            membership = accept_staff_invitation(found, acting_user=user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(request.path)
        messages.success(request, f"Welcome to {membership.organisation.name}.")
        return redirect("organisation_detail", membership.organisation_id)
    return render(request, "reflect/invitations/accept_staff.html", {"invitation": found})


def _join_pool(request: HttpRequest, found: Invitation, user: User) -> HttpResponse:
    led = _led_organisations(user)
    form = JoinPoolForm(request.POST or None, led=led)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["organisation"]
        if choice == JoinPoolForm.NEW:
            return redirect(request.path.rstrip("/") + "/new-organisation/")
        organisation = next(o for o in led if str(o.pk) == choice)
        try:
            join_pool(found, organisation, acting_user=user)
        except DomainError as error:
            form.add_error("organisation", error.message)
        else:
            messages.success(request, f"{organisation.name} has joined {found.pool}.")
            return redirect("organisation_detail", organisation.pk)
    if not led and request.method == "GET":
        return redirect(request.path.rstrip("/") + "/new-organisation/")
    return render(request, "reflect/invitations/join_pool.html", {"invitation": found, "form": form})


def invitation_new_organisation(
    request: HttpRequest, token: str | None = None, invitation_id: int | None = None
) -> HttpResponse:
    found = _load(request, token, invitation_id)
    if found is None or found.kind != InvitationKind.POOL_ORGANISATION:
        raise Http404("No such invitation.")
    user = acting_user_or_none(request)
    if user is None:
        return redirect(reverse("account_login") + f"?next={request.path}")
    problem = invitation_problem(found, user)
    if problem:
        return render(
            request, "reflect/invitations/problem.html", {"invitation": found, "problem": problem}, status=403
        )
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        communities = list(data.pop("communities"))
        try:
            place = join_pool_with_new_organisation(found, acting_user=user, communities=communities, **data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{place.organisation.name} is registered and has joined {found.pool}.")
            return redirect("organisation_detail", place.organisation_id)
    return render(request, "reflect/invitations/new_organisation.html", {"invitation": found, "form": form})
