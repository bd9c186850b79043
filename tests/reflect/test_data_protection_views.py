"""My data pages: export (JSON and HTML), erasure with re-authentication, and who may do what."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from reflect.data_protection.registry import exporters
from reflect.models import AuditEvent, ContactPreferences, Membership, User
from scheduling.groups.places import book_place
from scheduling.models import Place, PlaceStatus
from tests.factories.core import PASSWORD, staff_of
from tests.factories.groups import make_group

pytestmark = pytest.mark.django_db


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def reauthenticate(client, next_url: str):
    return client.post(reverse("account_reauthenticate"), {"password": PASSWORD, "next": next_url})


def sections(response) -> dict[str, list]:
    document = json.loads(response.content)
    return {section["key"]: section["rows"] for section in document["sections"]}


def test_the_json_export_holds_my_data_and_nobody_elses(client, world):
    ContactPreferences.objects.create(user=world.member, phone="07700 900456")
    client.force_login(world.member)
    response = client.get(reverse("my_data_export_json"))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="reflect-my-data-')
    data = sections(response)
    assert data["reflect.user"] == [
        {
            "E-mail address": world.member.email,
            "First name": "Sam",
            "Last name": "Example",
            "Date joined": world.member.date_joined.isoformat(),
            "Last login": _iso(User.objects.get(pk=world.member.pk).last_login),
            "Staff status": False,
        }
    ]
    assert data["reflect.contactpreferences"][0]["Mobile phone number"] == "07700 900456"
    assert data["reflect.membership"] == [
        {
            "Organisation": "Harehills Drama",
            "Lead": False,
            "Joined at": _iso(Membership.objects.get(user=world.member).joined_at),
            "Left at": None,
        }
    ]
    text = response.content.decode()
    for other in (world.colleague, world.lead, world.outsider):
        assert other.email not in text
    assert AuditEvent.objects.filter(action="personal_data.exported", actor=world.member).count() == 1


def test_the_readable_copy_lists_every_section(client, world):
    client.force_login(world.member)
    response = client.get(reverse("my_data_export_html"))
    html = response.content.decode()
    assert response["Content-Disposition"].endswith('.html"')
    assert "<h2>Your organisations</h2>" in html
    assert "<dd>Harehills Drama</dd>" in html
    assert world.colleague.email not in html


def test_my_data_page_counts_each_section_with_a_constant_number_of_queries(client, world, django_assert_num_queries):
    group = make_group(world, capacity=10, booking_opens_days=400)
    sessions = list(group.sessions.order_by("starts_at"))
    now = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
    client.force_login(world.member)
    book_place(sessions[0], acting_user=world.member, now=now)
    # One query per section, and four for the session, the user and the menu: with one place…
    with django_assert_num_queries(len(exporters()) + 4):
        client.get(reverse("my_data"))
    for session in sessions[1:6]:
        book_place(session, acting_user=world.member, now=now)
    # …and with six.
    with django_assert_num_queries(len(exporters()) + 4):
        response = client.get(reverse("my_data"))
    places = next(s for s in response.context["sections"] if s.key == "scheduling.place")
    assert [row["Group"] for row in places.rows] == ["Leeds reflective practice"] * 6


@pytest.mark.parametrize("name", ["my_data", "my_data_export_json", "my_data_export_html", "my_data_erase"])
def test_signed_out_people_are_asked_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("account_login"))


def test_there_is_no_way_to_ask_for_someone_elses_data(client, world):
    # The addresses carry no id: an id in the query string is ignored, the data is always mine.
    client.force_login(world.member)
    data = sections(client.get(reverse("my_data_export_json") + f"?user={world.colleague.pk}"))
    assert [row["E-mail address"] for row in data["reflect.user"]] == [world.member.email]
    assert client.get(f"/account/data/{world.colleague.pk}/").status_code == 404


def test_erasure_asks_for_the_password_again_first(client, world):
    client.force_login(world.member)
    confirm = reverse("my_data_erase_confirm")
    response = client.post(confirm, {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert User.objects.get(pk=world.member.pk).erased_at is None


def test_the_explanation_page_changes_nothing_and_links_on(client, world):
    client.force_login(world.member)
    response = client.get(reverse("my_data_erase"))
    assert response.status_code == 200
    assert reverse("my_data_erase_confirm") in response.content.decode()
    assert User.objects.get(pk=world.member.pk).erased_at is None


def test_after_reauthentication_erasure_needs_the_box_ticked(client, world):
    client.force_login(world.member)
    confirm = reverse("my_data_erase_confirm")
    assert reauthenticate(client, confirm)["Location"] == confirm
    response = client.post(confirm, {})
    assert response.status_code == 200
    assert "Tick the box to confirm that you want your account erased" in response.content.decode()
    assert User.objects.get(pk=world.member.pk).erased_at is None


def test_erasure_erases_signs_out_and_says_so(client, world):
    group = make_group(world, capacity=2, booking_opens_days=400)
    session = group.sessions.order_by("starts_at").last()  # well in the future
    place = book_place(session, acting_user=world.member)
    client.force_login(world.member)
    confirm = reverse("my_data_erase_confirm")
    reauthenticate(client, confirm)
    response = client.post(confirm, {"confirm": "on"})
    assert response["Location"] == reverse("my_data_erased")
    user = User.objects.get(pk=world.member.pk)
    assert (user.erased_at is not None, user.email) == (True, f"erased-{user.pk}@erased.invalid")
    assert Place.objects.get(pk=place.pk).status == PlaceStatus.CANCELLED
    assert "Your account has been erased" in client.get(reverse("my_data_erased")).content.decode()
    # Signed out: the pages about "me" now ask to sign in, and the old password does not work.
    assert client.get(reverse("my_data")).status_code == 302
    assert not client.login(email=world.member.email, password=PASSWORD)


def test_the_last_lead_sees_what_to_do_first_and_cannot_reach_the_confirmation(client, world):
    client.force_login(world.lead)
    page = client.get(reverse("my_data_erase")).content.decode()
    assert "You are the only lead of Harehills Drama." in page
    assert reverse("organisation_hand_on_lead", args=[world.organisation.pk]) in page
    assert reverse("my_data_erase_confirm") not in page
    reauthenticate(client, reverse("my_data_erase_confirm"))
    response = client.post(reverse("my_data_erase_confirm"), {"confirm": "on"})
    assert response["Location"] == reverse("my_data_erase")
    assert User.objects.get(pk=world.lead.pk).erased_at is None


def test_a_lead_with_a_co_lead_can_go(client, world):
    staff_of(world.organisation, lead=True)
    client.force_login(world.lead)
    page = client.get(reverse("my_data_erase"))
    assert page.status_code == 200
    assert "You are the only lead" not in page.content.decode()
    assert reverse("my_data_erase_confirm") in page.content.decode()  # the way on is offered
