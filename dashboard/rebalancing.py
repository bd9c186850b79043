"""Rebalancing (issue 8): which hours of allocation to suggest moving between organisations.

Pure: plain figures in (each organisation's allocation, use and needs), plain moves out, no
database. The page shows the moves and the service that confirms them computes them again
under its locks, both through :mod:`dashboard.figures.moves`, which reads the figures. See
docs/dashboard.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from dashboard.tables import CENT

ZERO = Decimal("0")
# Near the period's end = in its last three months (issue 8, "Rebalancing").
REBALANCE_MONTHS = 3


@dataclass(frozen=True)
class Move:
    """Move ``hours`` of allocation from one organisation to another (a rebalancing suggestion)."""

    from_id: int
    from_name: str
    to_id: int
    to_name: str
    hours: Decimal

    @property
    def token(self) -> str:
        return f"{self.from_id}:{self.to_id}:{self.hours}"


@dataclass(frozen=True)
class OrganisationUse:
    """One organisation's hours in the pool to date, and what shows it needs more."""

    id: int
    name: str
    allocated: Decimal
    used_to_date: Decimal
    reserved: Decimal
    waited_recently: bool = False  # staff joined a waitlist in the last 90 days
    supervision_unarranged: bool = False  # clinical supervision recommended, no agreement yet

    @property
    def unused(self) -> Decimal:
        return self.allocated - self.used_to_date - self.reserved

    @property
    def needs(self) -> tuple[str, ...]:
        """Why the organisation needs more hours, in words (none: it shows no need)."""
        reasons = []
        if self.waited_recently:
            reasons.append("staff on a waitlist in the last 90 days")
        if self.supervision_unarranged:
            reasons.append("clinical supervision recommended, no agreement yet")
        if self.allocated > 0 and (self.used_to_date + self.reserved) * 5 >= self.allocated * 4:
            reasons.append("80% or more of its allocation used or booked")
        return tuple(reasons)


def is_near_period_end(starts_on: datetime.date, ends_on: datetime.date, today: datetime.date) -> bool:
    """Whether ``today`` falls in the period's last three months (or, in a shorter period,
    anywhere in it up to its last day)."""
    month = ends_on.replace(day=1)
    for _ in range(REBALANCE_MONTHS - 1):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return today <= ends_on and today.replace(day=1) >= max(month, starts_on.replace(day=1))


def suggest_moves(organisations: Iterable[OrganisationUse]) -> list[Move]:
    """Half of what each quiet organisation has left (it used or booked under half its
    allocation and shows no need), in whole hours, shared as evenly as whole hours allow among
    the organisations that need more — a waitlist in the last 90 days, supervision recommended
    but not arranged, or 80 % used. Donors give in turn to recipients in turn, so there are at
    most (donors + recipients) moves. The same figures always give the same moves."""
    everyone = list(organisations)
    recipients = sorted((o for o in everyone if o.needs), key=lambda o: (o.name, o.id))
    donors = sorted(
        (o for o in everyone if not o.needs and o.allocated > 0 and (o.used_to_date + o.reserved) * 2 < o.allocated),
        key=lambda o: (o.name, o.id),
    )
    spare = {d.id: (d.unused / 2).to_integral_value(rounding=ROUND_DOWN) for d in donors}
    total = sum(spare.values(), ZERO)
    if not recipients or total < 1:
        return []
    share = max((total / len(recipients)).to_integral_value(rounding=ROUND_DOWN), Decimal(1))
    wanted = {r.id: share for r in recipients[: min(len(recipients), int(total))]}
    moves = []
    donor_iter = iter(d for d in donors if spare[d.id] >= 1)
    donor = next(donor_iter, None)
    for recipient in recipients:
        need = wanted.get(recipient.id, ZERO)
        while need > 0 and donor is not None:
            hours = min(need, spare[donor.id])
            moves.append(Move(donor.id, donor.name, recipient.id, recipient.name, hours.quantize(CENT)))
            need -= hours
            spare[donor.id] -= hours
            if spare[donor.id] < 1:
                donor = next(donor_iter, None)
    return moves
