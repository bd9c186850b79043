"""The national-scale seed at a small size: it writes with COPY (PostgreSQL only), and what it
writes is row for row what the city's ORM writer writes at the same size, months included."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from demo import city as demo_city
from reflect.models import LedgerEntry, LedgerMonth, Organisation, Pool, PoolOrganisation
from scheduling.models import GroupSession, Place, SupervisionBooking, WaitlistEntry
from supervision.models import SupervisorProfile
from tests.conftest import requires_postgresql
from tests.ledger_months import assert_months_agree_with_the_ledger


def _rows(pool: Pool) -> dict[str, list[tuple[object, ...]]]:
    """What a pool holds, without its keys (two seeds give the same rows, not the same keys)."""
    return {
        "ledger": list(
            LedgerEntry.objects.filter(pool=pool)
            .order_by("organisation__name", "kind", "occurred_at", "hours", "quantity")
            .values_list("organisation__name", "kind", "hours", "money", "quantity", "occurred_at")
        ),
        "months": list(
            LedgerMonth.objects.filter(pool=pool)
            .order_by("organisation__name", "kind", "month")
            .values_list("organisation__name", "kind", "month", "entries", "hours", "money", "quantity", "first_at")
        ),
        "places": list(
            Place.objects.filter(session__group__pool=pool)
            .order_by("session__starts_at", "session__group__title", "booked_at", "user__first_name")
            .values_list("session__group__title", "session__starts_at", "user__first_name", "status", "booked_at")
        ),
        "sessions": list(
            GroupSession.objects.filter(group__pool=pool)
            .order_by("group__title", "starts_at")
            .values_list("group__title", "starts_at", "places_taken", "places_attended", "places_absent")
        ),
        "bookings": list(
            SupervisionBooking.objects.filter(pool=pool)
            .order_by("organisation__name", "starts_at")
            .values_list("organisation__name", "starts_at", "status", "hours")
        ),
    }


@requires_postgresql
def test_the_national_seed_writes_what_the_city_seed_writes_at_the_same_size(world, monkeypatch) -> None:
    for name, value in (("ORGANISATIONS", 9), ("SUPERVISORS", 9), ("GROUPS", 9), ("STAFF_EACH", 5)):
        monkeypatch.setattr(demo_city, name, value)
    out = io.StringIO()
    demo_city.seed_city(world.commissioner, out)
    demo_city.seed_national(world.commissioner, out, organisations=9)
    city = Pool.objects.get(name=demo_city.CITY_POOL_NAME)
    national = Pool.objects.get(name=demo_city.NATIONAL_POOL_NAME)

    assert PoolOrganisation.objects.filter(pool=national).count() == 9
    assert (
        Organisation.objects.filter(pool_memberships__pool=national, memberships__isnull=False).distinct().count() == 9
    )
    assert SupervisorProfile.objects.filter(user__email__endswith="@national.reflect.test").count() == 9
    assert GroupSession.objects.filter(group__pool=national).count() == 9 * 24
    places = Place.objects.filter(session__group__pool=national).count()
    bookings = SupervisionBooking.objects.filter(pool=national).count()
    entries = LedgerEntry.objects.filter(pool=national).count()
    waitlist = WaitlistEntry.objects.filter(session__group__pool=national).count()
    assert min(places, bookings, entries, waitlist) > 0
    assert out.getvalue().splitlines()[1] == (
        f"National-scale pool: 9 organisations, 9 supervisors, 216 group sessions, {places} places, "
        f"{bookings} supervision bookings, {entries} ledger entries."
    )
    assert _rows(national) == _rows(city)
    assert_months_agree_with_the_ledger()

    demo_city.seed_national(world.commissioner, out, organisations=9)
    assert out.getvalue().endswith("National-scale pool: already seeded.\n")


def test_the_national_scale_refuses_a_database_other_than_postgresql(db, settings) -> None:
    if demo_city.connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the national scale runs (the test above)")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("seed_demo", "--scale", "national", "--quiet-logins", stdout=io.StringIO())
