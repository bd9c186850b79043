"""The services that take people's text, called with hostile values (hypothesis): each either
does its work or refuses as a whole (a DomainError, or the database's own refusal of a text
past its limit) and then leaves every table as it was: never a partial write."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, transaction
from hypothesis import given

from reflect.errors import DomainError
from reflect.services.organisations import update_organisation
from reflect.services.pools import create_pool
from scheduling.groups.places import book_place, cancel_place
from supervision.services.agreements import decline_request, end_agreement
from tests.factories.bookings import agree, supervisor_with_availability
from tests.factories.groups import NOW, make_group
from tests.factories.supervision import SupervisionRequestFactory
from tests.hostile.rows import row_counts
from tests.hostile.strategies import hostile_text

REFUSALS = (DomainError, DatabaseError)
Act = Callable[[str], Any]  # a service call, its scene set up, waiting for the text


def _pool(world) -> Act:
    return lambda text: create_pool(
        acting_user=world.commissioner,
        name=text[:200],
        description=text,
        starts_on=datetime.date(2027, 4, 1),
        ends_on=datetime.date(2028, 3, 31),
        hours_budget=Decimal(100),
        money_budget=Decimal(6000),
        hourly_rate=Decimal(60),
        allocation_rule="equal",
    )


def _organisation(world) -> Act:
    return lambda text: update_organisation(
        world.organisation, acting_user=world.lead, communities=[], description=text
    )


def _decline(world) -> Act:
    supervisor = supervisor_with_availability()
    request = SupervisionRequestFactory(organisation=world.organisation, pool=world.pool, supervisor=supervisor)
    return lambda text: decline_request(request, acting_user=supervisor.user, reply=text)


def _end(world) -> Act:
    agreement = agree(world.pool, world.organisation, supervisor_with_availability())
    return lambda text: end_agreement(
        agreement, acting_user=world.lead, ends_on=datetime.date(2027, 3, 31), reason=text
    )


def _cancel_place(world) -> Act:
    group = make_group(world)
    session = group.sessions.filter(starts_at__gt=NOW).order_by("starts_at").first()
    place = book_place(session, acting_user=world.member, now=NOW)
    return lambda text: cancel_place(place, acting_user=world.member, reason=text, now=NOW)


SERVICES: dict[str, Callable[[Any], Act]] = {
    "create_pool": _pool,
    "update_organisation": _organisation,
    "decline_request": _decline,
    "end_agreement": _end,
    "cancel_place": _cancel_place,
}


@pytest.mark.parametrize("service", SERVICES.values(), ids=SERVICES.keys())
def test_a_service_does_all_or_nothing(service: Callable[[Any], Act], world) -> None:
    @given(text=hostile_text)
    def call(text: str) -> None:
        saved = transaction.savepoint()  # each example from the same scene
        try:
            act = service(world)
            before = row_counts()
            try:
                act(text)
            except REFUSALS:
                # Reading the counts also proves the connection is still usable (PostgreSQL
                # refuses every statement after an error outside a savepoint).
                assert row_counts() == before
        finally:
            transaction.savepoint_rollback(saved)

    call()
