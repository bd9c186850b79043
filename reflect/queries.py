"""Permission-filtered querysets: what a person may list."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, OuterRef, Q, QuerySet
from django.utils import timezone

from reflect.models import Invitation, Membership, Organisation, Pool, User, current_membership

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class OrganisationCount(TypedDict):
    organisation_count: int


def pools_commissioned_by(user: User) -> QuerySet[WithAnnotations[Pool, OrganisationCount]]:
    return Pool.objects.filter(commissioners=user).annotate(organisation_count=Count("memberships", distinct=True))


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.select_related("organisation").current().filter(user=user)


def current_members(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.select_related("user")
        .current()
        .filter(organisation=organisation)
        .order_by("-is_lead", "user__first_name", "user__last_name", "user__email")
    )


def open_invitations_for(user: User) -> QuerySet[Invitation]:
    """Invitations waiting for this person's e-mail address (shown on their home page)."""
    return open_invitations_to(user.email, timezone.now())


def open_invitations_to(email: str | OuterRef, now: datetime.datetime) -> QuerySet[Invitation]:
    """Invitations waiting for an address (or ``OuterRef("email")``: the person's own row's)."""
    return Invitation.objects.select_related("pool", "organisation").filter(
        Q(email__iexact=email),
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )


def current_leads(organisation_id: int) -> QuerySet[Membership]:
    """The organisation's leads today (people who left are no longer leads)."""
    return Membership.objects.select_related("user").leads().filter(organisation_id=organisation_id)


def is_commissioner(user: User, pool: Pool) -> bool:
    return pool.commissioners.filter(pk=user.pk).exists()


def is_current_lead(user: User, organisation_id: int) -> bool:
    return current_leads(organisation_id).filter(user=user).exists()


def current_member(user: User, organisation_id: int) -> Membership | None:
    """The person's membership of the organisation today, if they are staff there."""
    return Membership.objects.current().filter(user=user, organisation_id=organisation_id).first()


def pool_member_by_email(pool: Pool, email: str) -> User | None:
    """The person with this address who is now staff of one of the pool's organisations (a
    community of practice's host, say); None for anyone else, so nobody outside is named."""
    return (
        User.objects.filter(
            Q(email__iexact=email.strip()),
            current_membership("memberships", organisation__pool_memberships__pool=pool),
        )
        .distinct()
        .first()
    )


def is_pool_member(user: User, pool: Pool) -> bool:
    return Membership.objects.current().filter(user=user, organisation__pool_memberships__pool=pool).exists()


def is_pool_lead(user: User, pool: Pool) -> bool:
    """Whether the person now leads one of the pool's organisations."""
    return Membership.objects.leads().filter(user=user, organisation__pool_memberships__pool=pool).exists()
