from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from reflect import wording
from reflect.access import access_pool_invitation, acting_user, commissioner_area, two_factor_required
from reflect.enums import AllocationRule, InvitationKind
from reflect.errors import DomainError
from reflect.forms import AllocationForm, EmailInvitationForm, PoolForm
from reflect.models import Invitation, Organisation, Pool
from reflect.queries import pools_commissioned_by
from reflect.services import pools as pool_services
from reflect.services.audit import record_view
from reflect.services.commissioners import is_approved_commissioner
from reflect.services.invitations import revoke_invitation


@two_factor_required
def pool_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    return render(
        request,
        "reflect/pools/list.html",
        {"pools": pools_commissioned_by(user), "can_create": is_approved_commissioner(user)},
    )


@two_factor_required
def pool_create(request: HttpRequest) -> HttpResponse:
    if not is_approved_commissioner(acting_user(request)):
        # Not a form to fill in and then be refused: say how to become a commissioner (docs/security.md).
        return render(request, "reflect/pools/not_approved.html", status=403)
    form = PoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pool = pool_services.create_pool(acting_user=acting_user(request), **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"{pool.name} is created. Now invite organisations to it.")
            return redirect("pool_detail", pool.pk)
    return render(request, "reflect/pools/create.html", {"form": form})


@commissioner_area
def pool_detail(request: HttpRequest, pool: Pool) -> HttpResponse:
    record_view("pool.viewed", actor=acting_user(request), target=pool)
    rows = pool_services.allocation_rows(pool)
    invitations = Invitation.objects.filter(pool=pool, kind=InvitationKind.POOL_ORGANISATION).order_by("-created_at")
    total = pool_services.total_allocated(pool)
    return render(
        request,
        "reflect/pools/detail.html",
        {
            "pool": pool,
            "rows": rows,
            "invitations": invitations,
            "total_allocated": total,
            "unallocated": pool.hours_budget - total,
            "invite_form": EmailInvitationForm(),
            "manual": pool.allocation_rule == AllocationRule.MANUAL,
        },
    )


@commissioner_area
def pool_invite(request: HttpRequest, pool: Pool) -> HttpResponse:
    form = EmailInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = pool_services.invite_organisation(
            pool, form.cleaned_data["email"], acting_user=acting_user(request)
        )
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return redirect("pool_detail", pool.pk)
    return render(request, "reflect/pools/invite.html", {"pool": pool, "form": form})


@commissioner_area
def pool_invitation_revoke(request: HttpRequest, pool: Pool, invitation_id: int) -> HttpResponse:
    """GET asks, saying what withdrawing does; POST withdraws (docs/product.md, "Confirming")."""
    invitation = access_pool_invitation(pool, invitation_id)
    if request.method != "POST":
        return render(
            request,
            "reflect/invitations/withdraw.html",
            {"invitation": invitation, "back_url": reverse("pool_detail", args=[pool.pk]), "back_name": pool.name},
        )
    try:
        revoke_invitation(invitation, acting_user=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return redirect("pool_detail", pool.pk)


@commissioner_area
def pool_reallocate(request: HttpRequest, pool: Pool) -> HttpResponse:
    """GET shows each organisation's allocation now and after, so the commissioner sees what
    will change before it does; POST recalculates."""
    if pool.allocation_rule == AllocationRule.MANUAL:
        messages.error(request, "This pool's allocations are set by hand for each organisation.")
        return redirect("pool_detail", pool.pk)
    if request.method != "POST":
        return render(
            request,
            "reflect/pools/reallocate.html",
            {"pool": pool, "rows": pool_services.reallocation_preview(pool)},
        )
    try:
        pool_services.reallocate(pool, acting_user=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Allocations are recalculated.")
    return redirect("pool_detail", pool.pk)


@commissioner_area
def pool_allocation(request: HttpRequest, pool: Pool, organisation_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=organisation_id, pool_memberships__pool=pool)
    current = pool_services.allocated_hours_by_organisation(pool).get(organisation.pk, pool_services.ZERO)
    form = AllocationForm(request.POST or None, initial={"hours": current})
    if request.method == "POST" and form.is_valid():
        try:
            pool_services.set_allocation(
                pool, organisation, form.cleaned_data["hours"], acting_user=acting_user(request)
            )
        except DomainError as error:
            form.add_error("hours", error.message)
        else:
            messages.success(
                request, f"{organisation.name}'s allocation is now {wording.hours(form.cleaned_data['hours'])}."
            )
            return redirect("pool_detail", pool.pk)
    return render(
        request,
        "reflect/pools/allocation.html",
        {"pool": pool, "organisation": organisation, "form": form, "current": current},
    )
