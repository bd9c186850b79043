"""Pools are created only by people an administrator has approved as commissioners
(docs/security.md): the service refuses others, the pages do not offer it to them, the admin
approves and revokes with an audit row, and whoever already commissioned a pool stays approved."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from reflect.enums import AllocationRule
from reflect.errors import DomainError
from reflect.models import AuditEvent, Pool, User
from reflect.services import pools as pool_services
from reflect.services.commissioners import approve_commissioner, revoke_commissioner
from tests.factories.core import PoolFactory, UserFactory, approved_commissioner, make_commissioner, signed_in
from tests.factories.typed_input import date_boxes

pytestmark = pytest.mark.django_db

POOL_FORM = {
    "name": "Bradford pool",
    "description": "",
    **date_boxes("starts_on", datetime.date(2027, 4, 1)),
    **date_boxes("ends_on", datetime.date(2028, 3, 31)),
    "hours_budget": "240",
    "money_budget": "14400",
    "hourly_rate": "60",
    "allocation_rule": "equal",
    "late_cancellation_hours": "24",
}


def _create(user: User) -> Pool:
    return pool_services.create_pool(
        acting_user=user,
        name="Bradford pool",
        starts_on=datetime.date(2027, 4, 1),
        ends_on=datetime.date(2028, 3, 31),
        hours_budget=Decimal("240"),
        money_budget=Decimal("14400"),
        hourly_rate=Decimal("60"),
        allocation_rule=AllocationRule.EQUAL,
    )


def test_the_service_refuses_someone_not_approved_and_changes_nothing():
    person = UserFactory()
    with pytest.raises(DomainError, match="ask the platform team to approve you"):
        _create(person)
    assert not Pool.objects.exists()
    assert not AuditEvent.objects.filter(action="pool.created").exists()


def test_the_service_refuses_someone_whose_approval_was_revoked(admin_user):
    person = approved_commissioner()
    revoke_commissioner(person, acting_user=admin_user)
    with pytest.raises(DomainError, match="approved as commissioners"):
        _create(person)
    assert not Pool.objects.exists()


def test_an_approved_commissioner_creates_a_pool():
    assert _create(approved_commissioner()).name == "Bradford pool"


def test_the_page_refuses_someone_not_approved_and_says_how_to_become_one(client):
    person = UserFactory()
    signed_in(client, person)
    page = client.get(reverse("pool_create"))
    assert page.status_code == 403
    content = page.content.decode()
    assert "ask the platform team to approve you" in content
    assert "<form" not in content.split("<main", 1)[1]
    response = client.post(reverse("pool_create"), POOL_FORM)
    assert response.status_code == 403
    assert not Pool.objects.exists()


def test_the_pages_offer_create_a_pool_only_to_approved_commissioners(client):
    person = UserFactory()
    signed_in(client, person)
    create_link = f'href="{reverse("pool_create")}"'
    for url in (reverse("pool_list"), reverse("home")):
        content = client.get(url).content.decode()
        assert create_link not in content, url
        assert "ask the platform team" in content, url

    approved = approved_commissioner()
    signed_in(client, approved)
    for url in (reverse("pool_list"), reverse("home")):
        assert create_link in client.get(url).content.decode(), url
    assert client.get(reverse("pool_create")).status_code == 200


def test_a_commissioner_whose_approval_was_revoked_keeps_their_pool_but_is_not_offered_a_new_one(client, admin_user):
    pool = PoolFactory(name="Leeds pool")
    commissioner = make_commissioner(pool)
    revoke_commissioner(commissioner, acting_user=admin_user)
    signed_in(client, commissioner)
    assert client.get(reverse("pool_detail", args=[pool.pk])).status_code == 200
    panels = client.get(reverse("home")).context["panels"]
    assert [(p.role, [s.label for s in p.steps]) for p in panels] == [
        ("Commissioner", ["Leeds pool", "Dashboard for Leeds pool"]),  # no "Create a pool"
        ("Commissioner", ["Reflective groups in Leeds pool"]),
    ]


def test_the_admin_approves_and_revokes_with_an_audit_row(client, admin_user):
    person = UserFactory()
    client.force_login(admin_user)
    changelist = reverse("admin:reflect_user_changelist")
    response = client.post(
        changelist, {"action": "approve_commissioners", "_selected_action": [person.pk], "index": 0}, follow=True
    )
    assert "1 person approved to create pools." in response.content.decode()
    person.refresh_from_db()
    assert person.commissioner_approved_by == admin_user
    assert person.commissioner_approved_at is not None
    approval = AuditEvent.objects.get(action="user.commissioner_approved")
    assert (approval.actor, approval.target) == (admin_user, f"reflect.user:{person.pk}")
    assert approval.occurred_at >= person.commissioner_approved_at

    # Approving again changes nothing and writes nothing.
    client.post(changelist, {"action": "approve_commissioners", "_selected_action": [person.pk], "index": 0})
    assert AuditEvent.objects.filter(action="user.commissioner_approved").count() == 1

    response = client.post(
        changelist, {"action": "revoke_commissioners", "_selected_action": [person.pk], "index": 0}, follow=True
    )
    assert "1 person no longer approved to create pools." in response.content.decode()
    person.refresh_from_db()
    assert (person.commissioner_approved_at, person.commissioner_approved_by) == (None, None)
    revoked = AuditEvent.objects.get(action="user.commissioner_revoked")
    assert (revoked.actor, revoked.target) == (admin_user, f"reflect.user:{person.pk}")


def test_the_approval_fields_cannot_be_edited_in_the_admin_form(client, admin_user):
    person = UserFactory()
    client.force_login(admin_user)
    form = client.get(reverse("admin:reflect_user_change", args=[person.pk])).context["adminform"].form
    assert "commissioner_approved_at" not in form.fields
    assert "commissioner_approved_by" not in form.fields


def test_only_an_administrator_approves():
    person, other = UserFactory(), approved_commissioner()
    with pytest.raises(DomainError, match="Only an administrator"):
        approve_commissioner(person, acting_user=other)
    with pytest.raises(DomainError, match="Only an administrator"):
        revoke_commissioner(other, acting_user=other)
    person.refresh_from_db()
    other.refresh_from_db()
    assert person.commissioner_approved_at is None
    assert other.commissioner_approved_at is not None
    assert not AuditEvent.objects.filter(action__startswith="user.commissioner_").exists()


def test_the_migration_approves_whoever_already_commissions_a_pool():
    pool = PoolFactory()
    commissioner = make_commissioner(pool)
    User.objects.filter(pk=commissioner.pk).update(commissioner_approved_at=None)
    bystander = UserFactory()
    migration = importlib.import_module("reflect.migrations.0009_commissioner_approval")
    migration.approve_existing_commissioners(apps, connection.schema_editor())
    commissioner.refresh_from_db()
    bystander.refresh_from_db()
    assert commissioner.commissioner_approved_at is not None
    assert bystander.commissioner_approved_at is None
    assert list(AuditEvent.objects.values_list("action", "target", "details")) == [
        (
            "user.commissioner_approved",
            f"reflect.user:{commissioner.pk}",
            {"via": "migration", "reason": "already commissioned a pool"},
        )
    ]
    _create(commissioner)  # and they can go on creating pools
