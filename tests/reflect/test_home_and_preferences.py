import datetime

import pytest
from django.urls import reverse

from reflect.models import ContactPreferences
from tests.factories.core import UserFactory, approved_commissioner, give_two_factor, signed_in
from tests.factories.supervision import RegisteredSupervisorFactory

pytestmark = pytest.mark.django_db


def test_public_home_invites_sign_up(client):
    content = client.get(reverse("home")).content.decode()
    assert "Create an account" in content
    assert "Sign in" in content


def test_home_shows_what_each_role_can_do_next(client, world):
    client.force_login(world.lead)
    panels = client.get(reverse("home")).context["panels"]
    assert [(p.role, p.title) for p in panels] == [
        ("Lead", "Harehills Drama"),
        ("Lead", "Clinical supervision: do we need it?"),  # the questionnaire's own panel
        ("Lead", "Clinical supervisors"),
        ("Staff", "Reflective practice groups"),  # scheduling/home_panels.py
        ("Staff", "Your supervision record"),  # records/home_panels.py
        ("Staff", "How is your work affecting you?"),  # outcomes/home_panels.py
        ("Staff", "What would you like to learn about?"),  # learning/home_panels.py
        ("Staff", "Help us check the pool reaches everyone"),  # equality/home_panels.py, until answered
    ]
    assert [s.label for s in panels[0].steps] == [
        "See Harehills Drama",
        "Invite a colleague",
        "How your organisation uses its hours",
    ]
    assert [s.label for s in panels[2].steps] == [
        "Supervisors who fit Harehills Drama",
        "Harehills Drama: requests and agreements",
        "Browse the supervisor directory",
    ]

    client.force_login(world.member)
    panels = client.get(reverse("home")).context["panels"]
    assert [(p.role, p.title, [s.label for s in p.steps]) for p in panels] == [
        ("Staff", "Reflective practice groups", ["Find a reflective group", "Your places and waitlists"]),
        ("Staff", "Harehills Drama", ["See Harehills Drama"]),
        ("Staff", "Clinical supervisors", ["Browse the supervisor directory"]),
        ("Staff", "Your supervision record", ["Your supervision record"]),
        ("Staff", "How is your work affecting you?", ["Your wellbeing scores over time"]),  # outcomes/home_panels.py
        ("Staff", "What would you like to learn about?", ["Choose topics you would like to learn about"]),
        ("Staff", "Help us check the pool reaches everyone", ["Answer the equality questions", "Do not ask me again"]),
    ]

    client.force_login(world.commissioner)
    panels = client.get(reverse("home")).context["panels"]
    assert [(p.role, [s.label for s in p.steps]) for p in panels] == [
        ("Commissioner", ["Leeds pool", "Dashboard for Leeds pool", "Create a pool"]),
        ("Commissioner", ["Reflective groups in Leeds pool"]),  # scheduling/home_panels.py
    ]


def test_supervisor_sees_their_panel(client, db):
    user = UserFactory()
    RegisteredSupervisorFactory(user=user, profession="Counsellor", verified_at=None)
    client.force_login(user)
    panels = client.get(reverse("home")).context["panels"]
    assert [(p.role, p.steps[0].description) for p in panels] == [
        ("Supervisor", "Waiting for an administrator to check your registration"),
        ("Supervisor", "You have no weekly hours yet, so nobody can book you."),  # scheduling/home_panels.py
        ("Supervisor", "One click a month for each person you supervised or whose group you facilitated."),  # records
    ]


def test_contact_preferences_default_and_save(client, user):
    client.force_login(user)
    page = client.get(reverse("contact_preferences"))
    assert page.status_code == 200
    preferences = ContactPreferences.objects.get(user=user)
    assert (preferences.channel, preferences.reminder_hours, preferences.no_sessions_before) == (
        "email",
        [168, 24],
        None,
    )
    response = client.post(
        reverse("contact_preferences"),
        {
            "channel": "sms",
            "phone": "07700 900 982",
            "postal_address": "",
            "reminder_hours": ["24", "2"],
            "no_sessions_before": "11:00",
            "meets": "in_person",
            "missed_session_messages": "",
        },
    )
    assert response.status_code == 302
    preferences.refresh_from_db()
    assert (
        preferences.channel,
        preferences.phone,
        preferences.reminder_hours,
        preferences.no_sessions_before,
        preferences.meets,
        preferences.missed_session_messages,
    ) == ("sms", "+447700900982", [24, 2], datetime.time(11, 0), "in_person", False)


def test_contact_preferences_refuse_unusable_channels_and_change_nothing(client, user):
    client.force_login(user)
    response = client.post(
        reverse("contact_preferences"),
        {"channel": "sms", "phone": "12345", "postal_address": "", "reminder_hours": ["24"]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"phone": ["Enter a UK mobile number, like 07700 900 982."]}
    response = client.post(reverse("contact_preferences"), {"channel": "letter", "phone": "", "postal_address": "  "})
    assert response.context["form"].errors == {"postal_address": ["Enter a postal address to get letters."]}
    assert ContactPreferences.objects.get(user=user).channel == "email"


def test_commissioner_without_two_factor_is_asked_to_set_it_up(client, world):
    client.force_login(world.commissioner)
    response = client.get(reverse("pool_detail", args=[world.pool.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"/account/two-factor-required/?next=%2Fpools%2F{world.pool.pk}%2F"
    page = client.get(response["Location"])
    assert "Set up two-factor authentication first" in page.content.decode()
    assert client.get(reverse("pool_create")).status_code == 302
    give_two_factor(world.commissioner)
    assert client.get(reverse("pool_detail", args=[world.pool.pk])).status_code == 200


def test_demo_accounts_are_exempt_from_two_factor_outside_production(client, db, settings):
    demo = approved_commissioner(email="someone@demo.reflect.test")
    client.force_login(demo)
    assert client.get(reverse("pool_create")).status_code == 200
    settings.MFA_EXEMPT_DEMO_ACCOUNTS = False
    assert client.get(reverse("pool_create")).status_code == 302


def test_account_page_says_whether_two_factor_is_on(client, db):
    demo = UserFactory(email="someone@demo.reflect.test")
    client.force_login(demo)
    assert "Off (this demo account does not need it)" in client.get(reverse("account")).content.decode()
    give_two_factor(demo)
    content = client.get(reverse("account")).content.decode()
    assert '<dd class="govuk-summary-list__value">On</dd>' in content


def test_pool_page_runs_a_constant_number_of_queries(client, world):
    from reflect.services.pools import set_allocation
    from tests.factories.core import OrganisationFactory

    signed_in(client, world.commissioner)
    url = reverse("pool_detail", args=[world.pool.pk])
    client.get(url)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert len(client.get(url).context["rows"]) == 1
    for _ in range(8):
        organisation = OrganisationFactory(in_pool=world.pool)
        set_allocation(world.pool, organisation, 1, acting_user=world.commissioner)
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(url).context["rows"]) == 9
    assert len(large) == len(small)
