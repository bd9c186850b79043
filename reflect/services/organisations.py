"""Organisations, their staff and their lead."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from reflect.enums import InvitationKind
from reflect.errors import DomainError
from reflect.models import Community, Invitation, Membership, Organisation, User
from reflect.queries import current_member
from reflect.services.audit import record_audit
from reflect.services.invitations import claim_invitation, create_invitation

ORGANISATION_FIELDS = ("name", "description", "area", "staff_size", "runs_group_work")


@transaction.atomic
def create_organisation(
    *,
    acting_user: User,
    name: str,
    description: str,
    area: str,
    staff_size: int,
    runs_group_work: bool,
    communities: Iterable[Community] = (),
) -> Organisation:
    """Register an organisation; the person who registers it becomes its lead."""
    organisation = Organisation.objects.create(
        name=name.strip(),
        description=description.strip(),
        area=area.strip(),
        staff_size=staff_size,
        runs_group_work=runs_group_work,
    )
    organisation.communities.set(communities)
    Membership.objects.create(organisation=organisation, user=acting_user, is_lead=True)
    record_audit("organisation.created", actor=acting_user, target=organisation)
    record_audit("membership.lead_granted", actor=acting_user, target=organisation, user_id=acting_user.pk)
    return organisation


@transaction.atomic
def update_organisation(
    organisation: Organisation, *, acting_user: User, communities: Iterable[Community], **fields: object
) -> Organisation:
    for name in ORGANISATION_FIELDS:
        if name in fields:
            setattr(organisation, name, fields[name])
    organisation.save()
    organisation.communities.set(communities)
    record_audit("organisation.updated", actor=acting_user, target=organisation)
    return organisation


@transaction.atomic
def invite_staff(organisation: Organisation, email: str, *, acting_user: User) -> Invitation:
    email = email.strip().lower()
    if Membership.objects.current().filter(organisation=organisation, user__email__iexact=email).exists():
        raise DomainError(f"{email} is already a member of {organisation}.", field="email")
    invitation, _token = create_invitation(
        InvitationKind.ORGANISATION_STAFF, email, acting_user=acting_user, organisation=organisation
    )
    record_audit("invitation.staff_sent", actor=acting_user, target=organisation, invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def accept_staff_invitation(invitation: Invitation, *, acting_user: User) -> Membership:
    invitation = claim_invitation(invitation, acting_user=acting_user)
    organisation = invitation.organisation
    assert organisation is not None
    # Lock the organisation: two invitations for the same person accepted at once would
    # otherwise both find no membership, and the second insert would fail.
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    existing = current_member(acting_user, organisation.pk)
    if existing is not None:
        return existing
    membership = Membership.objects.create(organisation=organisation, user=acting_user)
    record_audit("membership.joined", actor=acting_user, target=organisation, user_id=acting_user.pk)
    return membership


def _lock_memberships(organisation: Organisation) -> list[Membership]:
    # Lock every current membership of the organisation, in id order, so that two leads
    # handing on or removing each other at once cannot leave it with no lead.
    return list(Membership.objects.select_for_update().current().filter(organisation=organisation).order_by("pk"))


@transaction.atomic
def remove_member(membership: Membership, *, acting_user: User) -> None:
    memberships = _lock_memberships(membership.organisation)
    target = next((m for m in memberships if m.pk == membership.pk), None)
    if target is None:
        return  # already gone: removing twice is harmless
    actor = next((m for m in memberships if m.user_id == acting_user.pk), None)
    # Checked again under the lock: the actor may have handed the lead role on meanwhile.
    if actor is None or not (actor.is_lead or actor.pk == target.pk):
        raise DomainError("Only the organisation's lead can remove someone.")
    leads = [m for m in memberships if m.is_lead]
    if target.is_lead and len(leads) == 1:
        raise DomainError("An organisation needs a lead. Hand the lead role to someone else before leaving.")
    target.left_at = timezone.now()
    target.save(update_fields=["left_at"])
    record_audit("membership.removed", actor=acting_user, target=membership.organisation, user_id=target.user_id)


@transaction.atomic
def hand_on_lead(organisation: Organisation, new_lead: Membership, *, acting_user: User) -> None:
    """The acting lead hands the lead role to a colleague and stays on as staff."""
    memberships = _lock_memberships(organisation)
    mine = next((m for m in memberships if m.user_id == acting_user.pk), None)
    theirs = next((m for m in memberships if m.pk == new_lead.pk), None)
    if mine is None or not mine.is_lead:
        raise DomainError("Only the organisation's lead can hand the role on.")
    if theirs is None:
        raise DomainError("That person is no longer a member of the organisation.")
    if theirs.pk == mine.pk:
        raise DomainError("You are already the lead. Choose a colleague to hand the role to.")
    theirs.is_lead = True
    theirs.save(update_fields=["is_lead"])
    mine.is_lead = False
    mine.save(update_fields=["is_lead"])
    record_audit("membership.lead_granted", actor=acting_user, target=organisation, user_id=theirs.user_id)
    record_audit("membership.lead_removed", actor=acting_user, target=organisation, user_id=mine.user_id)
