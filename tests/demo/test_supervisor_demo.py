"""The demo's 8 supervisors get varied, valid profiles; the demo lead sees ranked matches."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from demo.supervision import DEMO_ORGANISATION, DEMO_SUPERVISORS
from reflect.models import Organisation, User
from supervision.models import SupervisorProfile
from supervision.registration import shape_error

pytestmark = pytest.mark.django_db


def test_every_demo_registration_number_fits_its_body():
    assert [
        local
        for local, data in DEMO_SUPERVISORS.items()
        if shape_error(data["professional_body"], data["registration_number"])
    ] == []


def test_seed_demo_fills_the_eight_profiles_and_the_lead_gets_matches(client):
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    profiles = SupervisorProfile.objects.order_by("user__email")
    assert profiles.count() == 8
    assert all(p.offers and p.specialisms and p.languages for p in profiles)
    assert len({p.professional_body for p in profiles}) == 7
    assert [p.user.email for p in profiles if not p.is_verified] == ["t.doyle@demo.reflect.test"]
    assert sorted(p.communities.count() > 0 for p in profiles) == [True] * 8

    client.force_login(User.objects.get(email="lead@demo.reflect.test"))
    organisation = Organisation.objects.get(name=DEMO_ORGANISATION)
    response = client.get(reverse("organisation_matches", args=[organisation.pk]))
    names = [p.user.first_name for _, p in response.context["result"].matches]
    assert names[0] == "Ruth"
    assert "Tom" not in names  # not verified
    page = client.get(reverse("supervisor_directory")).content.decode()
    assert "Ruth Okafor" in page
