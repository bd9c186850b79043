"""The facilitator's pages need two-factor authentication like every other privileged page
(issue 17; docs/security.md, "Two-factor")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reflect.models import User
from scheduling.groups.places import book_place
from tests.factories.core import UserFactory, give_two_factor
from tests.factories.groups import NOW, make_facilitator, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_a_facilitator_without_two_factor_is_sent_to_set_it_up_before_the_register(client, world):
    group = make_group(world, facilitator=make_facilitator("Bea", two_factor=False))
    session = group.sessions.order_by("starts_at").first()
    place = book_place(session, acting_user=world.member, now=NOW)
    client.force_login(group.facilitator.user)
    url = reverse("group_register", args=[session.pk])
    for response in (client.get(url), client.post(url, {"place": place.pk, "attended": "no"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_required"))
    assert client.get(reverse("group_facilitated")).status_code == 302
    give_two_factor(group.facilitator.user)
    assert client.get(url).status_code == 200


def test_a_stranger_gets_the_404_before_any_two_factor_question(client, world, session):
    client.force_login(world.member)  # no two-factor, not the facilitator
    assert client.get(reverse("group_register", args=[session.pk])).status_code == 404
    # Someone who facilitates nothing sees their (empty) list without being asked.
    assert client.get(reverse("group_facilitated")).status_code == 200


def test_a_demo_facilitator_is_exempt_outside_production(client, world, settings):
    facilitator = make_facilitator("Dee", two_factor=False)
    User.objects.filter(pk=facilitator.user_id).update(email=f"dee@{settings.DEMO_EMAIL_DOMAIN}")
    group = make_group(world, facilitator=facilitator)
    session = group.sessions.order_by("starts_at").first()
    client.force_login(User.objects.get(pk=facilitator.user_id))
    url = reverse("group_register", args=[session.pk])
    assert client.get(url).status_code == 200
    settings.MFA_EXEMPT_DEMO_ACCOUNTS = False
    assert client.get(url).status_code == 302


def test_the_admin_needs_two_factor_for_its_staff(client, db):
    staff = UserFactory()
    User.objects.filter(pk=staff.pk).update(is_staff=True, is_superuser=True)
    staff.refresh_from_db()
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_required"))
    give_two_factor(staff)
    assert client.get(reverse("admin:index")).status_code == 200
    # Someone who is not staff meets the admin's own sign-in page, as before.
    client.force_login(UserFactory())
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:login"))
