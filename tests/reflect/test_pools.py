import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from reflect.enums import AllocationRule, InvitationKind, LedgerKind
from reflect.errors import DomainError
from reflect.models import AuditEvent, Invitation, LedgerEntry, PoolCommissioner, PoolOrganisation
from reflect.services import pools as pool_services
from reflect.services.invitations import create_invitation
from reflect.services.ledger import allocated_hours_by_organisation
from tests.factories.core import (
    OrganisationFactory,
    PoolFactory,
    UserFactory,
    approved_commissioner,
    give_two_factor,
    staff_of,
)
from tests.factories.typed_input import date_boxes

pytestmark = pytest.mark.django_db


def _join(pool, organisation, lead):
    invitation, _ = create_invitation(InvitationKind.POOL_ORGANISATION, lead.email, acting_user=lead, pool=pool)
    return pool_services.join_pool(invitation, organisation, acting_user=lead)


def _lead_of(organisation):
    return staff_of(organisation, lead=True)


def test_create_pool_makes_the_creator_its_commissioner_and_audits_it():
    user = approved_commissioner()
    pool = pool_services.create_pool(
        acting_user=user,
        name="  Leeds pool  ",
        starts_on=datetime.date(2027, 4, 1),
        ends_on=datetime.date(2028, 3, 31),
        hours_budget=Decimal("300"),
        money_budget=Decimal("18000"),
        hourly_rate=Decimal("60"),
        allocation_rule=AllocationRule.MANUAL,
    )
    assert pool.name == "Leeds pool"
    assert list(PoolCommissioner.objects.filter(pool=pool).values_list("user", flat=True)) == [user.pk]
    assert list(
        AuditEvent.objects.filter(target=f"reflect.pool:{pool.pk}").values_list("action", flat=True).order_by("id")
    ) == [
        "pool.created",
        "pool.commissioner_added",
    ]


def test_create_pool_refuses_a_period_that_ends_before_it_starts():
    with pytest.raises(DomainError, match=r"The period must end after it starts\."):
        pool_services.create_pool(
            acting_user=approved_commissioner(),
            name="Backwards",
            starts_on=datetime.date(2027, 4, 1),
            ends_on=datetime.date(2027, 3, 1),
            hours_budget=Decimal("1"),
            money_budget=Decimal("1"),
            hourly_rate=Decimal("1"),
            allocation_rule=AllocationRule.EQUAL,
        )


def test_equal_share_reallocates_as_organisations_join_and_keeps_history():
    pool = PoolFactory(hours_budget=Decimal("100"), allocation_rule=AllocationRule.EQUAL)
    first, second, third = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    _join(pool, first, _lead_of(first))
    assert allocated_hours_by_organisation(pool) == {first.pk: Decimal("100.00")}
    _join(pool, second, _lead_of(second))
    assert allocated_hours_by_organisation(pool) == {first.pk: Decimal("50.00"), second.pk: Decimal("50.00")}
    _join(pool, third, _lead_of(third))
    # Rounded down to the hundredth, so the total never exceeds the budget.
    assert allocated_hours_by_organisation(pool) == {
        first.pk: Decimal("33.33"),
        second.pk: Decimal("33.33"),
        third.pk: Decimal("33.33"),
    }
    # Changes are new entries, never edits: first org has +100, -50, -16.67.
    assert list(
        LedgerEntry.objects.filter(pool=pool, organisation=first, kind=LedgerKind.ALLOCATED)
        .order_by("id")
        .values_list("hours", flat=True)
    ) == [Decimal("100.00"), Decimal("-50.00"), Decimal("-16.67")]
    assert LedgerEntry.objects.filter(pool=pool, kind=LedgerKind.ORGANISATION_JOINED).count() == 3


def test_staff_weighted_allocation_follows_staff_numbers():
    pool = PoolFactory(
        hours_budget=Decimal("90"), hourly_rate=Decimal("50"), allocation_rule=AllocationRule.STAFF_WEIGHTED
    )
    small, large = OrganisationFactory(staff_size=1), OrganisationFactory(staff_size=2)
    _join(pool, small, _lead_of(small))
    _join(pool, large, _lead_of(large))
    assert allocated_hours_by_organisation(pool) == {small.pk: Decimal("30.00"), large.pk: Decimal("60.00")}
    rows = {
        row.organisation.pk: (row.allocated_hours, row.allocated_money) for row in pool_services.allocation_rows(pool)
    }
    assert rows == {small.pk: (Decimal("30.00"), Decimal("1500.00")), large.pk: (Decimal("60.00"), Decimal("3000.00"))}


def test_manual_allocation_is_set_by_hand_and_cannot_exceed_the_budget():
    pool = PoolFactory(hours_budget=Decimal("40"), allocation_rule=AllocationRule.MANUAL)
    one, two = OrganisationFactory(), OrganisationFactory()
    _join(pool, one, _lead_of(one))
    _join(pool, two, _lead_of(two))
    commissioner = UserFactory()
    assert allocated_hours_by_organisation(pool) == {}
    pool_services.set_allocation(pool, one, Decimal("25"), acting_user=commissioner)
    with pytest.raises(DomainError, match=r"15 hours are available"):
        pool_services.set_allocation(pool, two, Decimal("16"), acting_user=commissioner)
    pool_services.set_allocation(pool, two, Decimal("15"), acting_user=commissioner)
    pool_services.set_allocation(pool, one, Decimal("20"), acting_user=commissioner)
    assert allocated_hours_by_organisation(pool) == {one.pk: Decimal("20.00"), two.pk: Decimal("15.00")}
    assert pool_services.total_allocated(pool) == Decimal("35.00")
    with pytest.raises(DomainError, match="set by hand"):
        pool_services.reallocate(pool, acting_user=commissioner)


def test_an_allocation_never_drops_below_the_hours_already_booked_or_used():
    from reflect.services.ledger import record_ledger_entry

    pool = PoolFactory(hours_budget=Decimal("40"), allocation_rule=AllocationRule.MANUAL)
    one = OrganisationFactory(name="Harehills Drama")
    _join(pool, one, _lead_of(one))
    commissioner = UserFactory()
    pool_services.set_allocation(pool, one, Decimal("10"), acting_user=commissioner)
    record_ledger_entry(pool, LedgerKind.RESERVED, organisation=one, hours=Decimal("3"))
    record_ledger_entry(pool, LedgerKind.CONSUMED, organisation=one, hours=Decimal("1"))
    with pytest.raises(DomainError, match=r"Harehills Drama has already booked or used 3 hours,"):
        pool_services.set_allocation(pool, one, Decimal("2.5"), acting_user=commissioner)
    pool_services.set_allocation(pool, one, Decimal("3"), acting_user=commissioner)
    assert allocated_hours_by_organisation(pool) == {one.pk: Decimal("3.00")}


def test_a_rule_reallocation_keeps_what_an_organisation_has_booked():
    from reflect.services.ledger import record_ledger_entry

    pool = PoolFactory(hours_budget=Decimal("20"), allocation_rule=AllocationRule.EQUAL)
    one, two = OrganisationFactory(), OrganisationFactory()
    _join(pool, one, _lead_of(one))
    record_ledger_entry(pool, LedgerKind.RESERVED, organisation=one, hours=Decimal("15"))
    _join(pool, two, _lead_of(two))  # an equal share would be 10 each
    # The first keeps its 15 booked hours; the second has the rest of the budget.
    assert allocated_hours_by_organisation(pool) == {one.pk: Decimal("15.00"), two.pk: Decimal("5.00")}


def test_join_pool_requires_leading_the_organisation_and_changes_nothing_otherwise():
    pool = PoolFactory()
    organisation = OrganisationFactory()
    staff = staff_of(organisation)
    invitation, _ = create_invitation(InvitationKind.POOL_ORGANISATION, staff.email, acting_user=staff, pool=pool)
    with pytest.raises(DomainError, match="organisation you lead"):
        pool_services.join_pool(invitation, organisation, acting_user=staff)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not PoolOrganisation.objects.filter(pool=pool).exists()


def test_an_invitation_is_used_once():
    pool = PoolFactory()
    organisation = OrganisationFactory()
    lead = _lead_of(organisation)
    invitation, _ = create_invitation(InvitationKind.POOL_ORGANISATION, lead.email, acting_user=lead, pool=pool)
    pool_services.join_pool(invitation, organisation, acting_user=lead)
    with pytest.raises(DomainError, match="already been used"):
        pool_services.join_pool(invitation, organisation, acting_user=lead)
    assert Invitation.objects.get(pk=invitation.pk).accepted_by == lead


def test_commissioner_creates_a_pool_through_the_page(client):
    user = approved_commissioner(email="carys@demo.reflect.test")  # demo accounts skip 2FA outside production
    client.force_login(user)
    response = client.post(
        reverse("pool_create"),
        {
            "name": "Bradford pool",
            "description": "",
            **date_boxes("starts_on", datetime.date(2027, 4, 1)),
            **date_boxes("ends_on", datetime.date(2028, 3, 31)),
            "hours_budget": "240",
            "money_budget": "14400",
            "hourly_rate": "60",
            "allocation_rule": "staff_weighted",
            "late_cancellation_hours": "48",
        },
    )
    pool = PoolCommissioner.objects.get(user=user).pool
    assert response.status_code == 302
    assert response["Location"] == reverse("pool_detail", args=[pool.pk])
    assert (pool.name, pool.hours_budget, pool.allocation_rule, pool.late_cancellation_hours) == (
        "Bradford pool",
        Decimal("240.00"),
        "staff_weighted",
        48,
    )


def test_pool_form_errors_are_named_field_by_field_and_nothing_is_saved(client):
    user = approved_commissioner(email="carys@demo.reflect.test")
    client.force_login(user)
    response = client.post(
        reverse("pool_create"),
        {
            "name": "",
            **date_boxes("starts_on", datetime.date(2027, 4, 1)),
            **date_boxes("ends_on", datetime.date(2027, 1, 1)),
            "hours_budget": "-3",
            "money_budget": "x",
            "hourly_rate": "60",
            "allocation_rule": "equal",
            "late_cancellation_hours": "24",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "name": ["Enter pool name"],
        "ends_on": ["The period must end after it starts."],
        "hours_budget": ["Hours budget must be 0 or more"],
        "money_budget": ["Money budget (£) must be a whole number"],
    }
    content = response.content.decode()
    assert "There is a problem" in content
    assert content.split("<title>")[1].startswith("Error: ")
    assert '<a href="#id_ends_on">The period must end after it starts.</a>' in content
    assert not PoolCommissioner.objects.filter(user=user).exists()


def _cells(html: str) -> list[tuple[str, str, str]]:
    rows = re.findall(r'reflect-break-anywhere">([^<]+)</td>\s*<td[^>]*>([^<]+)</td>\s*<td[^>]*>([^<]+)</td>', html)
    return [(name, hours, money) for name, hours, money in rows]


def test_the_pool_page_gives_each_allocation_exactly_so_hours_match_their_value_and_add_up(client):
    # 600 hours shared by staff 7, 11 and 13: allocations in hundredths. Written to the nearest
    # half hour, 135.48 read "135.5" beside £8,128.80 (not 135.5 × £60), and the column added
    # up to more than the "600 allocated" above it.
    commissioner = approved_commissioner(email="carys@demo.reflect.test")
    pool = pool_services.create_pool(
        acting_user=commissioner,
        name="Leeds pool",
        description="",
        starts_on=datetime.date(2026, 4, 1),
        ends_on=datetime.date(2027, 3, 31),
        hours_budget=Decimal("600"),
        money_budget=Decimal("36000"),
        hourly_rate=Decimal("60"),
        allocation_rule=AllocationRule.STAFF_WEIGHTED,
        late_cancellation_hours=48,
    )
    for name, staff in (("Armley", 7), ("Beeston", 11), ("Chapeltown", 13)):
        organisation = OrganisationFactory(name=name, staff_size=staff)
        _join(pool, organisation, _lead_of(organisation))
    give_two_factor(commissioner)
    client.force_login(commissioner)
    html = client.get(reverse("pool_detail", args=[pool.pk])).content.decode()

    rows = _cells(html)
    assert rows == [
        ("Armley", "135.48", "£8,128.80"),
        ("Beeston", "212.9", "£12,774"),
        ("Chapeltown", "251.61", "£15,096.60"),
    ]
    for _name, hours, money in rows:
        assert Decimal(hours) * 60 == Decimal(money.lstrip("£").replace(",", ""))
    # The shares are cut to the hundredth, so a hundredth of the budget is left over: said so.
    assert sum(Decimal(hours) for _n, hours, _m in rows) == Decimal("599.99")
    assert "600 hours (599.99 allocated, 0.01 not yet allocated)" in html
