"""A state machine over booking, cancelling, the waitlist, offers and their expiry.

Whatever order people do things in, the invariants of docs/architecture.md hold: never more places
than the limit (and the counter equals the places held), offers go oldest first, nobody both
holds a place and waits, and no free place is left empty while someone waits.
"""

from __future__ import annotations

import contextlib
import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from reflect.errors import DomainError
from scheduling.groups.capacity import held_offers
from scheduling.groups.places import book_place, cancel_place
from scheduling.groups.session_changes import cancel_session, move_session
from scheduling.groups.waitlist import accept_offer, expire_offers, join_waitlist, leave_waitlist
from scheduling.models import Place, WaitlistEntry, WaitlistStatus
from scheduling.models.groups import ACTIVE_PLACE_STATUSES
from tests.factories.core import staff_of
from tests.factories.groups import NOW, make_group

PEOPLE = 3
person = st.integers(min_value=0, max_value=PEOPLE - 1)


@pytest.mark.django_db
def test_places_and_waitlist_keep_their_invariants(world):
    class Places(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.session = make_group(world, capacity=1, title="State machine group").sessions.first()
            self.people = [staff_of(world.organisation) for _ in range(PEOPLE)]
            self.now = NOW

        def place_of(self, index: int) -> Place | None:
            return Place.objects.filter(
                session=self.session, user=self.people[index], status__in=ACTIVE_PLACE_STATUSES
            ).first()

        def entry_of(self, index: int, *statuses: str) -> WaitlistEntry | None:
            return WaitlistEntry.objects.filter(
                session=self.session, user=self.people[index], status__in=statuses
            ).first()

        @rule(index=person)
        def book(self, index: int) -> None:
            with contextlib.suppress(DomainError):
                book_place(self.session, acting_user=self.people[index], now=self.now)

        @rule(index=person, reason=st.sampled_from(["", "Unwell"]))
        def cancel(self, index: int, reason: str) -> None:
            place = self.place_of(index)
            if place is not None:
                cancel_place(place, acting_user=self.people[index], reason=reason, now=self.now)

        @rule(index=person, auto_accept=st.booleans())
        def join(self, index: int, auto_accept: bool) -> None:
            with contextlib.suppress(DomainError):
                join_waitlist(self.session, acting_user=self.people[index], auto_accept=auto_accept, now=self.now)

        @rule()
        def everyone_else_waits(self) -> None:
            """Everyone without a place joins the waitlist in turn (so offers have a queue to follow)."""
            for someone in self.people:
                with contextlib.suppress(DomainError):
                    join_waitlist(self.session, acting_user=someone, now=self.now)

        @rule(index=person)
        def accept(self, index: int) -> None:
            entry = self.entry_of(index, WaitlistStatus.OFFERED)
            if entry is not None:
                accept_offer(entry, acting_user=self.people[index], now=self.now)

        @rule(index=person)
        def leave(self, index: int) -> None:
            entry = self.entry_of(index, WaitlistStatus.WAITING, WaitlistStatus.OFFERED)
            if entry is not None:
                leave_waitlist(entry, acting_user=self.people[index], now=self.now)

        @rule()
        def commissioner_moves_it_a_day_later(self) -> None:
            self.session.refresh_from_db()
            later = self.session.starts_at.astimezone(ZoneInfo("Europe/London")) + datetime.timedelta(days=1)
            with contextlib.suppress(DomainError):  # once cancelled, it cannot be moved
                move_session(
                    self.session,
                    acting_user=world.commissioner,
                    starts_on=later.date(),
                    start_time=later.time(),
                    now=self.now,
                )

        @rule(hours=st.integers(min_value=1, max_value=30))
        def time_passes(self, hours: int) -> None:
            # Stay well before the session starts (11 November, 14:00).
            if self.now + datetime.timedelta(hours=hours) < self.session.starts_at - datetime.timedelta(days=1):
                self.now += datetime.timedelta(hours=hours)
            expire_offers(self.session.pk, now=self.now)

        @rule(dice=st.integers(min_value=0, max_value=9))
        def commissioner_cancels_it(self, dice: int) -> None:
            # Cancelling ends every other rule's story: let it happen on one roll in ten.
            if dice != 0:
                return
            with contextlib.suppress(DomainError):
                cancel_session(self.session, acting_user=world.commissioner, now=self.now)

        @invariant()
        def never_over_the_limit(self) -> None:
            self.session.refresh_from_db()
            held = Place.objects.filter(session=self.session, status__in=ACTIVE_PLACE_STATUSES).count()
            assert self.session.places_taken == held
            assert held <= self.session.place_limit == 1

        @invariant()
        def nobody_both_waiting_and_placed(self) -> None:
            placed = set(
                Place.objects.filter(session=self.session, status__in=ACTIVE_PLACE_STATUSES).values_list(
                    "user_id", flat=True
                )
            )
            waiting = set(
                WaitlistEntry.objects.filter(
                    session=self.session, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
                ).values_list("user_id", flat=True)
            )
            assert placed & waiting == set()

        @invariant()
        def offers_go_oldest_first(self) -> None:
            entries = WaitlistEntry.objects.filter(session=self.session)
            offered = [(e.joined_at, e.pk) for e in entries.filter(status=WaitlistStatus.OFFERED)]
            waiting = [(e.joined_at, e.pk) for e in entries.filter(status=WaitlistStatus.WAITING)]
            if offered and waiting:
                assert max(offered) < min(waiting)

        @invariant()
        def no_free_place_while_someone_waits(self) -> None:
            if WaitlistEntry.objects.filter(session=self.session, status=WaitlistStatus.WAITING).exists():
                self.session.refresh_from_db()
                taken = self.session.places_taken + held_offers(self.session, self.now)
                assert taken == self.session.place_limit

    run_state_machine_as_test(
        Places,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
