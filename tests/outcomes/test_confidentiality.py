"""No one but the person ever sees their answers or scores (issue 21): a distinctive score is
seeded, then every output each other role can reach is read — pages, CSV exports, e-mails and
texts, the admin, the personal-data export, the audit log — and none of them holds it."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.contrib import admin

from dashboard.figures.exports import EXPORTS
from outcomes.models import OutcomeInvitation, OutcomeResponse, PoolOutcomeSettings
from outcomes.services.invitations import queue_outcome_invitations
from outcomes.services.responses import record_response
from reflect.channels import render_notification
from reflect.models import AuditEvent, Notification
from tests.factories.core import signed_in
from tests.factories.supervision import SupervisionAgreementFactory
from tests.outcomes.helpers import DISTINCTIVE

pytestmark = pytest.mark.django_db

# The member's own page says "37 out of 50" and the bands' meanings; no one else's output may
# hold those, nor the three scores as a figure.
SCORES = ("37", "19", "41")
PHRASES = ("37 out of 50", "19 out of 50", "41 out of 50", "Little sign of burnout")


def holds_a_score(text: str, *, as_figures: bool = False) -> list[str]:
    """The phrases the person's own page uses; with ``as_figures`` (where every number is an
    outcome figure: the dashboard's outcome section, an e-mail), the scores as numbers too."""
    found = [phrase for phrase in PHRASES if phrase in text]
    if as_figures:
        found += [s for s in SCORES if re.search(rf"(?<![\d.]){s}(\.0)?(?![\d])", text)]
    return found


def csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


@pytest.fixture
def scored(world):
    queue_outcome_invitations()
    record_response(OutcomeInvitation.objects.get(person=world.member), acting_user=world.member, answers=DISTINCTIVE)
    agreement = SupervisionAgreementFactory(organisation=world.organisation, pool=world.pool)
    return world, agreement.supervisor.user


def test_the_person_sees_their_own_scores(scored, client) -> None:
    world, _ = scored
    client.force_login(world.member)
    assert "37 out of 50" in client.get("/outcomes/").content.decode()


def test_no_page_of_any_other_role_shows_the_score(scored, client, admin_user) -> None:
    world, supervisor = scored
    pages = {
        world.lead: ["/", "/outcomes/", f"/organisations/{world.organisation.pk}/usage/",
                     f"/organisations/{world.organisation.pk}/supervision/"],
        world.colleague: ["/", "/outcomes/"],
        supervisor: ["/", "/supervisor/agreements/"],
        world.commissioner: ["/", f"/pools/{world.pool.pk}/", f"/pools/{world.pool.pk}/dashboard/",
                             f"/pools/{world.pool.pk}/dashboard/outcomes/", f"/pools/{world.pool.pk}/dashboard/reach/"],
        admin_user: ["/admin/", "/admin/outcomes/", "/admin/outcomes/outcomeresponse/",
                     "/admin/outcomes/outcomeinvitation/", "/admin/reflect/auditevent/"],
    }  # fmt: skip
    member_invitation = OutcomeInvitation.objects.get(person=world.member)
    for person, urls in pages.items():
        signed_in(client, person)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), (url, response.status_code)
            text = response.content.decode()
            if url.endswith("/dashboard/outcomes/"):
                # The outcome page, where every number after its heading is an outcome figure.
                section = text.split('id="outcome-measures"', 1)[1]
                assert holds_a_score(section, as_figures=True) == [], url
            assert holds_a_score(text) == [], (person.first_name, url)
        # Someone else's questionnaire is a 404, whoever asks.
        assert client.get(f"/outcomes/{member_invitation.pk}/answer/").status_code == 404
    # The admin has no screen for answers or invitations at all.
    assert not admin.site.is_registered(OutcomeResponse)
    assert not admin.site.is_registered(OutcomeInvitation)
    assert not admin.site.is_registered(PoolOutcomeSettings)


def test_no_csv_export_holds_the_score(scored, client) -> None:
    world, _ = scored
    client = signed_in(client, world.commissioner)
    for key in EXPORTS:
        response = client.get(f"/pools/{world.pool.pk}/dashboard/{key}.csv")
        content = b"".join(response.streaming_content)
        cells = csv_cells(content)
        if key.startswith("outcome-"):
            # Answered today: its half-year has not ended, so no row counts it yet.
            rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]
            counted = [row[2] if key == "outcome-change" else row[3] for row in rows]
            assert set(counted) <= {"0"}, key
    # Once its half-year has ended, the one answer's mean is suppressed.
    OutcomeResponse.objects.filter(person=world.member).update(answered_on=world.pool.starts_on)
    for key in ("outcome-change", "outcome-attendance"):
        cells = csv_cells(b"".join(client.get(f"/pools/{world.pool.pk}/dashboard/{key}.csv").streaming_content))
        if key == "outcome-change":
            assert "*" in cells  # one answer: its mean score is suppressed
        assert not {c for c in cells if c in SCORES or c in {f"{s}.0" for s in SCORES}}, key


def test_no_message_and_no_other_persons_data_export_holds_the_score(scored, client) -> None:
    world, supervisor = scored
    for notification in Notification.objects.all():
        message = render_notification(notification)
        assert holds_a_score(message.subject + message.text, as_figures=True) == [], notification.kind
    for person in (world.lead, world.colleague, world.commissioner, supervisor):
        signed_in(client, person)
        assert responses_in_export(client) == [], person.first_name
    # The member's own export does hold them.
    client.force_login(world.member)
    assert [row["Scores"] for row in responses_in_export(client)] == [
        {"compassion_satisfaction": 37, "burnout": 19, "secondary_traumatic_stress": 41}
    ]


def responses_in_export(client) -> list[dict]:
    export = client.get("/account/data/reflect-my-data.json")
    body = b"".join(export.streaming_content) if export.streaming else export.content
    sections = json.loads(body)["sections"]
    return next(section["rows"] for section in sections if section["key"] == "outcomes.outcomeresponse")


def test_the_audit_log_says_that_an_answer_was_given_never_what(scored) -> None:
    event = AuditEvent.objects.get(action="outcomes.answered")
    assert holds_a_score(json.dumps(event.details), as_figures=True) == []
