"""Rebalancing: the commissioner confirms the suggested moves of unused allocation, recorded as
dated ledger entries (issue 8). A use case, like ``reflect.services.pools.set_allocation``.
The moves are the page's: ``dashboard.figures.moves`` reads the figures and the pure
``dashboard.rebalancing`` decides them."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from dashboard.figures.moves import suggested_moves
from dashboard.figures.selection import Selection
from dashboard.filters import whole_pool
from dashboard.rebalancing import Move
from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.models import Organisation, Pool, PoolOrganisation, User
from reflect.services.audit import record_audit
from reflect.services.ledger import record_ledger_entry


@transaction.atomic
def rebalance_allocations(
    pool: Pool, confirmed: list[str], *, acting_user: User, now: datetime.datetime | None = None
) -> list[Move]:
    """Apply the current suggestion, if it is the one the commissioner confirmed.

    The suggestion is computed again under the lock: if anything moved since the page was
    shown (another commissioner rebalanced, hours were used, the form was sent twice), the
    confirmed moves no longer match and nothing changes — so a double submit moves hours once.
    """
    now = now or timezone.now()
    # The pool row first, as every change of allocation does (reflect/services/pools.py), so
    # the balances below are read from a ledger no one else is reallocating.
    # FOR NO KEY UPDATE, as reflect/services/pools.py explains (rows pointing at the pool).
    pool = Pool.objects.select_for_update(no_key=True).get(pk=pool.pk)
    # Then the organisations' own rows, in id order (as reflect/services/pools.py does):
    # bookings and agreement acceptance spend an allocation under its PoolOrganisation lock, so
    # no allocation shrinks under a booking between its check and its write.
    list(PoolOrganisation.objects.select_for_update().filter(pool=pool).order_by("organisation_id"))
    moves = suggested_moves(Selection(pool, whole_pool(pool), now=now))
    if not moves:
        raise DomainError(
            "There is nothing to rebalance now: no organisation has hours to spare for one that needs them."
        )
    if sorted(confirmed) != sorted(move.token for move in moves):
        raise DomainError(
            "The figures changed since the suggestion was made. Check the new suggestion and confirm it again."
        )
    organisations = Organisation.objects.in_bulk({m.from_id for m in moves} | {m.to_id for m in moves})
    for move in moves:
        record_ledger_entry(
            pool,
            LedgerKind.ALLOCATED,
            organisation=organisations[move.from_id],
            hours=-move.hours,
            occurred_at=now,
            note=f"Rebalanced to {move.to_name}"[:200],
        )
        record_ledger_entry(
            pool,
            LedgerKind.ALLOCATED,
            organisation=organisations[move.to_id],
            hours=move.hours,
            occurred_at=now,
            note=f"Rebalanced from {move.from_name}"[:200],
        )
    record_audit("pool.rebalanced", actor=acting_user, target=pool, moves=[move.token for move in moves])
    return moves
