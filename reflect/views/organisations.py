from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from reflect.access import (
    access_led_organisation,
    access_member,
    access_organisation,
    access_staff_invitation,
    acting_user,
)
from reflect.enums import InvitationKind
from reflect.errors import DomainError
from reflect.forms import EmailInvitationForm, HandOnLeadForm, OrganisationForm
from reflect.models import Invitation
from reflect.queries import current_members, memberships_of
from reflect.services import organisations as org_services
from reflect.services.invitations import revoke_invitation


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reflect/organisations/list.html", {"memberships": memberships_of(acting_user(request))})


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        communities = data.pop("communities")
        organisation = org_services.create_organisation(
            acting_user=acting_user(request), communities=communities, **data
        )
        messages.success(request, f"{organisation.name} is registered, and you are its lead.")
        return redirect("organisation_detail", organisation.pk)
    return render(request, "reflect/organisations/form.html", {"form": form, "creating": True})


@login_required
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation, membership = access_organisation(acting_user(request), organisation_id)
    invitations = (
        Invitation.objects.filter(organisation=organisation, kind=InvitationKind.ORGANISATION_STAFF).order_by(
            "-created_at"
        )
        if membership.is_lead
        else Invitation.objects.none()
    )
    return render(
        request,
        "reflect/organisations/detail.html",
        {
            "organisation": organisation,
            "membership": membership,
            "members": current_members(organisation),
            "communities": organisation.communities.all(),
            "invitations": invitations,
        },
    )


@login_required
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation, _ = access_led_organisation(acting_user(request), organisation_id)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        communities = data.pop("communities")
        org_services.update_organisation(
            organisation, acting_user=acting_user(request), communities=communities, **data
        )
        messages.success(request, "Your organisation's details are saved.")
        return redirect("organisation_detail", organisation.pk)
    return render(request, "reflect/organisations/form.html", {"form": form, "organisation": organisation})


@login_required
def organisation_invite(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation, _ = access_led_organisation(acting_user(request), organisation_id)
    form = EmailInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = org_services.invite_staff(
                organisation, form.cleaned_data["email"], acting_user=acting_user(request)
            )
        except DomainError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("organisation_detail", organisation.pk)
    return render(request, "reflect/organisations/invite.html", {"organisation": organisation, "form": form})


@login_required
def organisation_invitation_revoke(request: HttpRequest, organisation_id: int, invitation_id: int) -> HttpResponse:
    """GET asks, saying what withdrawing does; POST withdraws."""
    organisation, _ = access_led_organisation(acting_user(request), organisation_id)
    invitation = access_staff_invitation(organisation, invitation_id)
    if request.method != "POST":
        return render(
            request,
            "reflect/invitations/withdraw.html",
            {
                "invitation": invitation,
                "back_url": reverse("organisation_detail", args=[organisation.pk]),
                "back_name": organisation.name,
            },
        )
    try:
        revoke_invitation(invitation, acting_user=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return redirect("organisation_detail", organisation.pk)


@login_required
def member_remove(request: HttpRequest, organisation_id: int, membership_id: int) -> HttpResponse:
    organisation, mine = access_organisation(acting_user(request), organisation_id)
    member = access_member(organisation, membership_id)
    # A lead removes anyone; anyone may leave by removing themselves.
    if not (mine.is_lead or member.pk == mine.pk):
        access_led_organisation(acting_user(request), organisation_id)
    if request.method == "POST":
        try:
            org_services.remove_member(member, acting_user=acting_user(request))
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("organisation_detail", organisation.pk)
        if member.pk == mine.pk:
            messages.success(request, f"You have left {organisation.name}.")
            return redirect("home")
        messages.success(request, f"{member.user.display_name} is no longer a member of {organisation.name}.")
        return redirect("organisation_detail", organisation.pk)
    return render(
        request,
        "reflect/organisations/remove.html",
        {"organisation": organisation, "member": member, "is_self": member.pk == mine.pk},
    )


@login_required
def hand_on_lead(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation, mine = access_led_organisation(acting_user(request), organisation_id)
    colleagues = [m for m in current_members(organisation) if m.pk != mine.pk]
    form = HandOnLeadForm(request.POST or None, colleagues=colleagues)
    if request.method == "POST" and form.is_valid():
        new_lead = access_member(organisation, int(form.cleaned_data["new_lead"]))
        try:
            org_services.hand_on_lead(organisation, new_lead, acting_user=acting_user(request))
        except DomainError as error:
            form.add_error("new_lead", error.message)
        else:
            messages.success(request, f"{new_lead.user.display_name} is now the lead of {organisation.name}.")
            return redirect("organisation_detail", organisation.pk)
    return render(
        request,
        "reflect/organisations/hand_on_lead.html",
        {"organisation": organisation, "form": form, "colleagues": colleagues},
    )
