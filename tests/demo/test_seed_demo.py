import io

import pytest
from django.core.management import call_command

from reflect.models import LedgerEntry, Membership, Organisation, Pool, User

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_a_believable_pool_and_is_idempotent(django_capture_on_commit_callbacks):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    counts = (User.objects.count(), Organisation.objects.count(), Pool.objects.count(), LedgerEntry.objects.count())
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert (
        User.objects.count(),
        Organisation.objects.count(),
        Pool.objects.count(),
        LedgerEntry.objects.count(),
    ) == counts
    assert Organisation.objects.count() == 12
    assert (
        38 <= Membership.objects.filter(is_lead=False).count() + Membership.objects.filter(is_lead=True).count() <= 45
    )
    for login in ["staff", "lead", "supervisor", "commissioner", "admin"]:
        user = User.objects.get(email=f"{login}@demo.reflect.test")
        assert user.check_password("reflect-demo-2026")
        assert f"{login}@demo.reflect.test" in out.getvalue()
    assert User.objects.get(email="admin@demo.reflect.test").is_superuser
    assert Membership.objects.get(user__email="lead@demo.reflect.test").is_lead
    assert Pool.objects.get(commissioners__email="commissioner@demo.reflect.test").memberships.count() == 10


def test_admin_lists_and_searches_every_model(admin_client):
    from django.contrib import admin

    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = admin_client.get(url, {"q": "Harehills"})
        assert response.status_code == 200, url
