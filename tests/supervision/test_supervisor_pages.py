"""Supervisor profiles, verification and the directory: pages and access."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from reflect.models import Community
from supervision.models import SupervisorProfile
from tests.factories.core import MembershipFactory, UserFactory, signed_in
from tests.factories.supervision import SupervisorProfileFactory

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    """A real PNG with transparency (kept as PNG when re-encoded), made by Pillow."""
    out = io.BytesIO()
    Image.new("RGBA", (4, 3), (10, 20, 30, 40)).save(out, format="PNG")
    return out.getvalue()


def _profile_post(**overrides):
    data = {
        "profession": "Counselling psychologist",
        "professional_body": "nmc",
        "registration_number": "12A3456B",
        "modalities": "CBT, group analytic",
        "specialisms": ["Trauma", "Psychosis"],
        "offers": ["one_to_one", "group_supervision"],
        "group_work_experience": "on",
        "community_experience": "on",
        "communities": [Community.objects.get(slug="poverty").pk],
        "languages": "English, Urdu, english",
        "online": "on",
        "in_person_areas": "Harehills",
        "hourly_rate": "65",
        "monthly_capacity_hours": "8",
        "accepting_organisations": "on",
        "agrees_non_clinical": "on",
        "bio": "Twelve years in trauma services.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_supervisor_pages_need_two_factor(client, user):
    client.force_login(user)
    response = client.get(reverse("supervisor_profile_edit"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_required"))


def test_become_a_supervisor_then_see_the_verification_status(client, user):
    signed_in(client, user)
    assert client.get(reverse("supervisor_profile"))["Location"] == reverse("supervisor_profile_edit")
    assert "Become a supervisor" in client.get(reverse("supervisor_profile_edit")).content.decode()
    response = client.post(reverse("supervisor_profile_edit"), _profile_post())
    assert response.status_code == 302, response.content.decode()[:3000]
    profile = SupervisorProfile.objects.get(user=user)
    assert (profile.registration_number, profile.modalities, profile.languages, profile.in_person_areas) == (
        "12A3456B",
        ["CBT", "group analytic"],
        ["English", "Urdu"],
        ["Harehills"],
    )
    assert (profile.specialisms, profile.offers, profile.hourly_rate, profile.verified_at) == (
        ["Trauma", "Psychosis"],
        ["one_to_one", "group_supervision"],
        Decimal("65.00"),
        None,
    )
    assert [c.slug for c in profile.communities.all()] == ["poverty"]
    page = client.get(reverse("supervisor_profile")).content.decode()
    assert "Not yet verified: an administrator checks your registration with NMC" in page


def test_a_wrong_registration_shape_is_refused_with_the_expected_shape(client, user):
    signed_in(client, user)
    response = client.post(reverse("supervisor_profile_edit"), _profile_post(registration_number="123456"))
    assert response.status_code == 200
    assert response.context["form"].errors["registration_number"] == [
        "NMC registration numbers are 2 digits, a letter, 4 digits and a letter, for example 12A3456B"
    ]
    assert not SupervisorProfile.objects.exists()


def test_a_photo_must_be_an_image(client, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    signed_in(client, user)
    bad = SimpleUploadedFile("me.png", b"<script>", content_type="image/png")
    response = client.post(reverse("supervisor_profile_edit"), _profile_post(photo=bad))
    assert response.context["form"].errors["photo"] == ["The photo must be a JPEG, PNG or WebP image."]


def test_a_photo_is_served_only_to_those_who_may_see_the_profile(client, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    supervisor = SupervisorProfileFactory(verified_at=None)
    signed_in(client, supervisor.user)
    post = _profile_post(photo=SimpleUploadedFile("me.png", _png(), content_type="image/png"))
    assert client.post(reverse("supervisor_profile_edit"), post).status_code == 302
    url = reverse("supervisor_photo", args=[supervisor.pk])
    response = client.get(url)
    # Re-encoded (supervision/services/photos.py): the same pixels, not the same bytes.
    served = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert (response.status_code, response["Content-Type"], served.size, served.getpixel((0, 0))) == (
        200,
        "image/png",
        (4, 3),
        (10, 20, 30, 40),
    )
    client.force_login(world.lead)
    assert client.get(url).status_code == 404  # not verified yet


def test_changing_the_registration_clears_verification_but_other_edits_do_not(client):
    profile = SupervisorProfileFactory(professional_body="nmc", registration_number="12A3456B")
    signed_in(client, profile.user)
    client.post(reverse("supervisor_profile_edit"), _profile_post(bio="New bio"))
    profile.refresh_from_db()
    assert (profile.bio, profile.is_verified) == ("New bio", True)
    response = client.post(reverse("supervisor_profile_edit"), _profile_post(registration_number="12A3456C"))
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.registration_number, profile.verified_at, profile.verified_by) == ("12A3456C", None, None)


def test_admin_verification_queue_records_who_when_and_what(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    waiting = SupervisorProfileFactory(verified_at=None)
    done = SupervisorProfileFactory()
    client.force_login(admin_user)
    changelist = reverse("admin:supervision_supervisorprofile_changelist")
    listed = client.get(changelist + "?verification=unverified").context["cl"].result_list
    assert list(listed) == [waiting]
    response = client.post(
        changelist,
        {
            "action": "verify",
            "_selected_action": [waiting.pk],
            "note": "HCPC register: PYL entry current, checked 28 Nov",
        },
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.verified_by, waiting.verification_note) == (
        admin_user,
        "HCPC register: PYL entry current, checked 28 Nov",
    )
    assert waiting.verified_at is not None
    assert done.pk != waiting.pk


def test_admin_verify_without_a_note_is_refused(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    waiting = SupervisorProfileFactory(verified_at=None)
    client.force_login(admin_user)
    client.post(
        reverse("admin:supervision_supervisorprofile_changelist"),
        {"action": "verify", "_selected_action": [waiting.pk], "note": ""},
    )
    waiting.refresh_from_db()
    assert waiting.verified_at is None


# --- the directory -------------------------------------------------------------------------


def _names(response):
    return [p.user.first_name for p in response.context["profiles"]]


def test_directory_lists_only_verified_supervisors_who_agreed_to_non_clinical_work(client, world):
    SupervisorProfileFactory(user__first_name="Ann")
    SupervisorProfileFactory(user__first_name="Ben", verified_at=None)
    SupervisorProfileFactory(user__first_name="Cat", agrees_non_clinical=False)
    client.force_login(world.member)
    assert _names(client.get(reverse("supervisor_directory"))) == ["Ann"]


def test_directory_filters(client, world):
    SupervisorProfileFactory(
        user__first_name="Ann",
        specialisms=["Psychosis"],
        languages=["English", "Urdu"],
        online=False,
        in_person_areas=["Harehills"],
    )
    SupervisorProfileFactory(user__first_name="Ben", offers=["reflective_group"], monthly_capacity_hours=Decimal("0"))
    SupervisorProfileFactory(user__first_name="Cat", specialisms=["Trauma", "Psychosis"])
    client.force_login(world.lead)
    url = reverse("supervisor_directory")
    assert _names(client.get(url, {"specialism": "Psychosis"})) == ["Ann", "Cat"]
    assert _names(client.get(url, {"offer": "reflective_group"})) == ["Ben"]
    assert _names(client.get(url, {"delivery": "online"})) == ["Ben", "Cat"]
    assert _names(client.get(url, {"delivery": "in_person", "area": "harehills"})) == ["Ann"]
    assert _names(client.get(url, {"language": "urdu"})) == ["Ann"]
    assert _names(client.get(url, {"has_capacity": "on"})) == ["Ann", "Cat"]


def test_directory_gives_the_hours_left_in_words(client, world):
    """reflect.wording's hours: "1 hour", never "1 hours"."""
    SupervisorProfileFactory(user__first_name="Ann", monthly_capacity_hours=Decimal("1"))
    SupervisorProfileFactory(user__first_name="Ben", monthly_capacity_hours=Decimal("12.50"))
    client.force_login(world.member)
    html = client.get(reverse("supervisor_directory")).content.decode()
    assert "1 hour left this month." in html
    assert "12.5 hours left this month." in html
    assert "1 hours" not in html


def test_directory_is_for_members_of_an_organisation(client, user):
    client.force_login(user)
    assert client.get(reverse("supervisor_directory")).status_code == 404


def test_directory_runs_a_constant_number_of_queries(client, world):
    client.force_login(world.member)
    SupervisorProfileFactory.create_batch(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("supervisor_directory")).status_code == 200
    for profile in SupervisorProfileFactory.create_batch(12):
        profile.communities.set(Community.objects.all()[:2])
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("supervisor_directory"))
    assert len(response.context["profiles"]) == 14
    assert len(large) == len(small)


def test_an_unverified_profile_is_a_404_except_to_themselves_and_admins(client, world):
    profile = SupervisorProfileFactory(verified_at=None, user__first_name="Una")
    url = reverse("supervisor_detail", args=[profile.pk])
    for person in (world.lead, world.member, world.outsider, world.commissioner):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(profile.user)
    assert "Not listed: the registration is not yet verified" in client.get(url).content.decode()
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code == 200


def test_a_listed_profile_is_open_to_members(client, world):
    profile = SupervisorProfileFactory(user__first_name="Ann", bio="Group analytic, twelve years.")
    client.force_login(world.member)
    page = client.get(reverse("supervisor_detail", args=[profile.pk])).content.decode()
    assert "Group analytic, twelve years." in page
    client.force_login(MembershipFactory().user)
    assert client.get(reverse("supervisor_detail", args=[profile.pk])).status_code == 200
