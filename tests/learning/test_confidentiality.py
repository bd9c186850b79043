"""No page, CSV, message, API answer, audit row or other person's data export lets a lead, a
colleague, a supervisor or a commissioner tell which person raised a learning need (issue 23).

Sam (the member) alone asks for "Deaf awareness", and takes up a supervisor's suggestion of
"Psychosis"; then every output the others can reach is read."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.contrib import admin
from django.urls import get_resolver
from django.utils import timezone

from learning.models import LearningNeed, LearningTopic, OrganisationNeed, TopicSuggestion
from learning.services.needs import raise_need
from learning.services.suggestions import answer_suggestion, suggest_topic
from reflect.channels import render_notification
from reflect.models import AuditEvent, Notification
from tests.factories.core import give_two_factor, signed_in
from tests.learning.conftest import topic

pytestmark = pytest.mark.django_db

ASKED = "Deaf awareness"


@pytest.fixture
def asked(world, supervised):
    raise_need(topic("deaf-awareness"), acting_user=world.member)
    suggestion = suggest_topic(
        supervised.agreement, world.member, topic("psychosis"), acting_user=supervised.supervisor
    )
    answer_suggestion(suggestion, accept=True, acting_user=world.member)
    give_two_factor(world.commissioner)
    return world, supervised


CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _text(response) -> str:
    """The page's text without its CSRF tokens: 64 random letters and digits each, which now and
    then hold "Sam" (the member's first name) by chance and failed the test for no leak."""
    text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    return CSRF_TOKEN.sub("", text)


def test_the_person_sees_their_own_needs(asked, client) -> None:
    world, _ = asked
    page = signed_in(client, world.member).get("/learning/").content.decode()
    assert "Deaf awareness, added" in page and "Psychosis, added" in page


def test_no_page_or_csv_of_another_role_says_who_asked(asked, client, admin_user) -> None:
    world, supervised = asked
    member_names = {world.member.display_name, world.member.first_name, world.member.email}
    org, pool = world.organisation.pk, world.pool.pk
    pages = {
        world.lead: ["/", "/learning/", f"/organisations/{org}/learning/", f"/organisations/{org}/usage/"],
        world.colleague: ["/", "/learning/"],
        supervised.supervisor: ["/", "/supervisor/agreements/", f"/supervisor/agreements/{supervised.agreement.pk}/learning/"],
        world.commissioner: ["/", f"/pools/{pool}/", f"/pools/{pool}/dashboard/", f"/pools/{pool}/learning/",
                             f"/pools/{pool}/learning/demand.csv"],
        admin_user: ["/admin/", "/admin/reflect/auditevent/"],
    }  # fmt: skip
    for person, urls in pages.items():
        signed_in(client, person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            text = _text(response)
            if person == supervised.supervisor:
                # The supervisor sees what they suggested (every topic is in the form's list),
                # never the answer, nor the person's own needs.
                made = text.split("Your suggestions", 1)[-1] if "learning" in url else text
                assert ASKED not in made and "accepted" not in text.lower() and "added" not in made.lower(), url
                continue
            if ASKED in text:
                # Where the topic is shown, the one person who asked is not (their count is a
                # star: the next test).
                assert not any(name in text for name in member_names), (person.first_name, url)
    # Another person's need or suggestion is a 404, whoever asks.
    need = LearningNeed.objects.get(topic__slug="deaf-awareness")
    for person in (world.lead, world.colleague, world.commissioner, supervised.supervisor):
        signed_in(client, person)
        assert client.post(f"/learning/needs/{need.pk}/withdraw/").status_code == 404
    # The admin has no screen for needs or suggestions.
    for model in (LearningNeed, TopicSuggestion, OrganisationNeed, LearningTopic):
        assert not admin.site.is_registered(model)


def test_the_lead_and_the_commissioner_see_a_star_for_the_one_person(asked, client) -> None:
    world, _ = asked
    lead_page = signed_in(client, world.lead).get(f"/organisations/{world.organisation.pk}/learning/").content.decode()
    assert f'{ASKED}</th>\n          <td class="govuk-table__cell govuk-table__cell--numeric">*</td>' in lead_page
    page = signed_in(client, world.commissioner).get(f"/pools/{world.pool.pk}/learning/").content.decode()
    assert (
        '</th><td class="govuk-table__cell">Topic</td><td class="govuk-table__cell govuk-table__cell--numeric">*</td>'
        in page.split(f'<th scope="row" class="govuk-table__header">{ASKED}<br>')[1]
    )
    csv_text = _text(signed_in(client, world.commissioner).get(f"/pools/{world.pool.pk}/learning/demand.csv"))
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert next(row for row in rows if row[0] == ASKED) == [ASKED, "Topic", "*", "1", "0", "0", "0"]


def test_a_need_met_by_attending_leaves_the_leads_figure_as_it_was(asked, client) -> None:
    # A lead who released Sam for the training day would learn that Sam asked if the star fell
    # to 0 once the register marked Sam attended.
    world, _ = asked
    url = f"/organisations/{world.organisation.pk}/learning/"
    cell = f'{ASKED}</th>\n          <td class="govuk-table__cell govuk-table__cell--numeric">*</td>'
    assert cell in signed_in(client, world.lead).get(url).content.decode()
    LearningNeed.objects.filter(person=world.member, topic=topic("deaf-awareness")).update(met_at=timezone.now())
    assert cell in signed_in(client, world.lead).get(url).content.decode()


@pytest.mark.usefixtures("asked")
def test_no_message_audit_row_or_api_route_names_the_need() -> None:
    for notification in Notification.objects.all():
        message = render_notification(notification)
        assert ASKED not in message.subject + message.text, notification.kind
    for event in AuditEvent.objects.all():
        assert "deaf-awareness" not in json.dumps(event.details) and ASKED not in event.target, event.action
    # The API has no learning-needs resource at all.
    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")
    assert not [str(p.pattern) for p in api.url_patterns if "learning" in str(p.pattern)]


def test_only_the_persons_own_data_export_holds_their_needs(asked, client) -> None:
    world, supervised = asked
    for person in (world.lead, world.colleague, world.commissioner, supervised.supervisor):
        signed_in(client, person)
        assert ASKED not in _text(client.get("/account/data/reflect-my-data.json")), person.first_name
    client.force_login(world.member)
    sections = json.loads(_text(client.get("/account/data/reflect-my-data.json")))["sections"]
    needs = next(section["rows"] for section in sections if section["key"] == "learning.learningneed")
    assert sorted(row["Topic"] for row in needs) == [ASKED, "Psychosis"]
