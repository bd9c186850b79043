"""Pools: create, invite organisations, join, and allocate hours."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from reflect import wording
from reflect.enums import AllocationRule, InvitationKind, LedgerKind
from reflect.errors import DomainError
from reflect.events import EventKind, emit, organisation_ref
from reflect.models import (
    Community,
    Invitation,
    LedgerEntry,
    Organisation,
    Pool,
    PoolCommissioner,
    PoolOrganisation,
    User,
)
from reflect.queries import is_current_lead
from reflect.services.audit import record_audit
from reflect.services.commissioners import NOT_APPROVED, is_approved_commissioner
from reflect.services.invitations import claim_invitation, create_invitation
from reflect.services.ledger import (
    ZERO,
    allocated_hours_by_organisation,
    hours_balance,
    hours_balances,
    hours_sum,
    record_ledger_entry,
)
from reflect.services.organisations import create_organisation

__all__ = ["ZERO", "allocated_hours_by_organisation"]

CENT = Decimal("0.01")


@transaction.atomic
def create_pool(
    *,
    acting_user: User,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    hours_budget: Decimal,
    money_budget: Decimal,
    hourly_rate: Decimal,
    allocation_rule: AllocationRule | str,
    description: str = "",
    late_cancellation_hours: int = 24,
) -> Pool:
    # Only approved commissioners create pools: a pool's budgets and group series reach many
    # organisations (docs/security.md).
    if not is_approved_commissioner(acting_user):
        raise DomainError(NOT_APPROVED)
    if ends_on <= starts_on:
        raise DomainError("The period must end after it starts.", field="ends_on")
    pool = Pool.objects.create(
        name=name.strip(),
        description=description.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        hours_budget=hours_budget,
        money_budget=money_budget,
        hourly_rate=hourly_rate,
        allocation_rule=allocation_rule,
        late_cancellation_hours=late_cancellation_hours,
    )
    PoolCommissioner.objects.create(pool=pool, user=acting_user)
    record_audit("pool.created", actor=acting_user, target=pool)
    record_audit("pool.commissioner_added", actor=acting_user, target=pool, user_id=acting_user.pk)
    return pool


@transaction.atomic
def invite_organisation(pool: Pool, email: str, *, acting_user: User) -> Invitation:
    invitation, _token = create_invitation(InvitationKind.POOL_ORGANISATION, email, acting_user=acting_user, pool=pool)
    record_audit("invitation.pool_sent", actor=acting_user, target=pool, invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def join_pool(invitation: Invitation, organisation: Organisation, *, acting_user: User) -> PoolOrganisation:
    """A lead accepts a pool invitation for an organisation they lead."""
    if not is_current_lead(acting_user, organisation.pk):
        raise DomainError("You can only join a pool for an organisation you lead.", field="organisation")
    invitation = claim_invitation(invitation, acting_user=acting_user)
    pool = invitation.pool
    assert pool is not None
    place, created = PoolOrganisation.objects.get_or_create(pool=pool, organisation=organisation)
    if created:
        record_ledger_entry(
            pool,
            LedgerKind.ORGANISATION_JOINED,
            organisation=organisation,
            quantity=1,
            source=f"pool:{pool.pk}:org:{organisation.pk}:joined",
        )
        record_audit("pool.organisation_joined", actor=acting_user, target=pool, organisation_id=organisation.pk)
        if pool.allocation_rule != AllocationRule.MANUAL:
            _apply_allocation_rule(pool, acting_user=acting_user)
    return place


def _lock_pool(pool: Pool) -> Pool:
    # Every change of allocation locks the pool row first, so totals are computed from a
    # ledger nobody else is changing, and never exceed the budget.
    # FOR NO KEY UPDATE: bookings and agreements insert rows pointing at the pool, which take
    # FOR KEY SHARE on it while they hold their organisation's row; a plain FOR UPDATE here
    # would wait for them while they wait for us (a deadlock).
    return Pool.objects.select_for_update(no_key=True).get(pk=pool.pk)


def _shares(pool: Pool, organisations: list[Organisation], budget: Decimal) -> dict[int, Decimal]:
    if not organisations:
        return {}
    if pool.allocation_rule == AllocationRule.STAFF_WEIGHTED:
        total_staff = sum(org.staff_size for org in organisations)
        if total_staff == 0:
            weights = {org.pk: Decimal(1) / len(organisations) for org in organisations}
        else:
            weights = {org.pk: Decimal(org.staff_size) / total_staff for org in organisations}
    else:
        weights = {org.pk: Decimal(1) / len(organisations) for org in organisations}
    return {pk: (budget * w).quantize(CENT, rounding=ROUND_DOWN) for pk, w in weights.items()}


def target_allocations(
    pool: Pool, organisations: list[Organisation], floors: dict[int, Decimal] | None = None
) -> dict[int, Decimal]:
    """What each organisation's allocation should be under the pool's rule (in hours).

    ``floors`` are hours an organisation has already booked or used: its allocation never goes
    below them, and the rest of the budget is shared among the others by the rule. Shares are
    rounded down to the hundredth of an hour, so the total never exceeds the budget (unless
    the floors alone do).
    """
    floors = floors or {}
    fixed: dict[int, Decimal] = {}
    while True:
        rest = [org for org in organisations if org.pk not in fixed]
        budget = max(pool.hours_budget - sum(fixed.values(), ZERO), ZERO)
        shares = _shares(pool, rest, budget)
        below = {pk: floors[pk] for pk, share in shares.items() if floors.get(pk, ZERO) > share}
        if not below:
            return {**fixed, **shares}
        fixed.update(below)


def _apply_allocation_rule(pool: Pool, *, acting_user: User) -> None:
    pool = _lock_pool(pool)
    organisations = list(Organisation.objects.filter(pool_memberships__pool=pool).order_by("pk"))
    _lock_pool_organisations(pool, [o.pk for o in organisations])
    current = allocated_hours_by_organisation(pool)
    # Never below what an organisation has already booked or used: their sessions stand.
    # One query for every organisation's balance: this runs holding all their rows' locks.
    balances = hours_balances(pool)
    floors = {pk: balance.reserved + balance.used for pk, balance in balances.items()}
    by_pk = {o.pk: o for o in organisations}
    for org_pk, target in target_allocations(pool, organisations, floors).items():
        organisation = by_pk[org_pk]
        delta = target - current.get(org_pk, ZERO)
        if delta:
            record_ledger_entry(
                pool,
                LedgerKind.ALLOCATED,
                organisation=organisation,
                hours=delta,
                note=f"{pool.get_allocation_rule_display()}",
            )
            emit_allocation_changed(pool, organisation, target, delta)
    record_audit("pool.reallocated", actor=acting_user, target=pool, rule=pool.allocation_rule)


def _committed_hours(pool: Pool, organisation: Organisation) -> Decimal:
    balance = hours_balance(pool, organisation)
    return balance.reserved + balance.used


def _lock_pool_organisations(pool: Pool, organisation_ids: list[int]) -> None:
    # After the pool row, the organisations' own rows, in id order: bookings and agreement
    # acceptance spend an allocation under its PoolOrganisation lock, so an allocation cannot
    # shrink under them between their check and their write.
    list(
        PoolOrganisation.objects.select_for_update()
        .filter(pool=pool, organisation_id__in=organisation_ids)
        .order_by("organisation_id")
    )


@transaction.atomic
def reallocate(pool: Pool, *, acting_user: User) -> None:
    """Recompute every organisation's allocation under the pool's rule, as dated ledger entries."""
    if pool.allocation_rule == AllocationRule.MANUAL:
        raise DomainError("This pool's allocations are set by hand for each organisation.")
    _apply_allocation_rule(pool, acting_user=acting_user)


@transaction.atomic
def set_allocation(pool: Pool, organisation: Organisation, hours: Decimal, *, acting_user: User) -> None:
    """Set one organisation's allocation by hand, recorded as the difference, never an edit."""
    pool = _lock_pool(pool)
    if not PoolOrganisation.objects.filter(pool=pool, organisation=organisation).exists():
        raise DomainError(f"{organisation} is not in this pool.")
    _lock_pool_organisations(pool, [organisation.pk])
    if hours < 0:
        raise DomainError("An allocation cannot be negative.", field="hours")
    committed = _committed_hours(pool, organisation)
    if hours < committed:
        raise DomainError(
            f"{organisation} has already booked or used {wording.hours_at_least(committed)}, so its allocation cannot be less "
            "than that.",
            field="hours",
        )
    current = allocated_hours_by_organisation(pool)
    others = sum((v for k, v in current.items() if k != organisation.pk), ZERO)
    available = pool.hours_budget - others
    if hours > available:
        raise DomainError(
            f"That is more than the pool has left to allocate: {wording.hours_left(available)} are available.",
            field="hours",
        )
    delta = hours - current.get(organisation.pk, ZERO)
    if delta:
        record_ledger_entry(pool, LedgerKind.ALLOCATED, organisation=organisation, hours=delta, note="Set by hand")
        emit_allocation_changed(pool, organisation, hours, delta)
        record_audit(
            "pool.allocation_set", actor=acting_user, target=pool, organisation_id=organisation.pk, hours=str(hours)
        )


def emit_allocation_changed(pool: Pool, organisation: Organisation, hours: Decimal, change: Decimal) -> None:
    """An organisation's allocation is now ``hours`` (``change`` from before): hours, never people,
    so both audiences get the same payload."""
    emit(
        EventKind.ALLOCATION_CHANGED,
        pool_id=pool.pk,
        organisation_id=organisation.pk,
        payload_for_role=lambda _audience: {
            "pool_id": pool.pk,
            "organisation": organisation_ref(organisation.pk, organisation.name),
            "allocated_hours": str(hours),
            "change_hours": str(change),
        },
    )


@dataclass(frozen=True)
class AllocationRow:
    organisation: Organisation
    allocated_hours: Decimal
    allocated_money: Decimal


def allocation_rows(pool: Pool) -> list[AllocationRow]:
    allocated = allocated_hours_by_organisation(pool)
    organisations = Organisation.objects.filter(pool_memberships__pool=pool).order_by("name")
    return [
        AllocationRow(
            organisation=org,
            allocated_hours=allocated.get(org.pk, ZERO),
            allocated_money=(allocated.get(org.pk, ZERO) * pool.hourly_rate).quantize(CENT),
        )
        for org in organisations
    ]


@dataclass(frozen=True)
class ReallocationRow:
    organisation: Organisation
    now: Decimal
    after: Decimal
    committed: Decimal  # booked or used: recalculating never goes below it

    @property
    def change(self) -> Decimal:
        return self.after - self.now


def reallocation_preview(pool: Pool) -> list[ReallocationRow]:
    """What recalculating would do to each organisation's allocation, read without locks: the
    confirmation page shows it, and ``reallocate`` works it out again under its locks."""
    organisations = list(Organisation.objects.filter(pool_memberships__pool=pool).order_by("pk"))
    current = allocated_hours_by_organisation(pool)
    balances = hours_balances(pool)
    floors = {pk: balance.reserved + balance.used for pk, balance in balances.items()}
    targets = target_allocations(pool, organisations, floors)
    return sorted(
        (
            ReallocationRow(
                organisation=org,
                now=current.get(org.pk, ZERO),
                after=targets.get(org.pk, ZERO),
                committed=floors.get(org.pk, ZERO),
            )
            for org in organisations
        ),
        key=lambda row: row.organisation.name,
    )


def total_allocated(pool: Pool) -> Decimal:
    total = LedgerEntry.objects.filter(pool=pool, kind=LedgerKind.ALLOCATED).aggregate(total=Sum("hours"))["total"]
    return hours_sum(total)


@transaction.atomic
def join_pool_with_new_organisation(
    invitation: Invitation, *, acting_user: User, communities: list[Community], **organisation_fields: Any
) -> PoolOrganisation:
    """Register a new organisation (the acting user leads it) and join the pool, in one go."""
    organisation = create_organisation(acting_user=acting_user, communities=communities, **organisation_fields)
    return join_pool(invitation, organisation, acting_user=acting_user)
