"""A lead's ranked matches, requests and agreements through the pages; everyone else gets 404."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reflect import wording
from supervision.enums import RequestStatus
from supervision.models import SupervisionAgreement, SupervisionRequest
from supervision.services.assessments import complete_assessment, start_assessment
from tests.factories.core import signed_in
from tests.factories.supervision import SupervisorProfileFactory
from tests.factories.typed_input import date_boxes
from tests.supervision.conftest import profile_answers

pytestmark = pytest.mark.django_db


def _assess(world, key="harehills-drama"):
    assessment = start_assessment(acting_user=world.lead, organisation=world.organisation)
    assessment.answers = profile_answers(key)
    assessment.save()
    return complete_assessment(assessment, acting_user=world.lead)


@pytest.fixture
def supervisors(db):
    return {
        "ruth": SupervisorProfileFactory(
            user__first_name="Ruth",
            specialisms=["Trauma", "Dissociation"],
            offers=["group_supervision"],
            group_work_experience=True,
            community_experience=True,
            online=False,
            in_person_areas=["Harehills"],
        ),
        "sam": SupervisorProfileFactory(
            user__first_name="Sam", specialisms=["Trauma"], offers=["group_supervision"], in_person_areas=["harehills"]
        ),
        "olu": SupervisorProfileFactory(user__first_name="Olu", offers=["one_to_one"], in_person_areas=["Harehills"]),
        "una": SupervisorProfileFactory(user__first_name="Una", verified_at=None, offers=["group_supervision"]),
    }


def test_without_an_assessment_the_lead_is_told_how_to_take_the_questionnaire(client, world, year_pool):
    client.force_login(world.lead)
    response = client.get(reverse("organisation_matches", args=[world.organisation.pk]))
    assert response.context["result"] is None
    assert "Matching starts from your needs questionnaire" in response.content.decode()


def test_matches_are_ranked_with_scores_and_reasons_from_the_latest_assessment(client, world, year_pool, supervisors):
    _assess(world)
    client.force_login(world.lead)
    response = client.get(reverse("organisation_matches", args=[world.organisation.pk]))
    result = response.context["result"]
    assert (result.needs.format.value, result.needs.hours_per_month, result.needs.in_person_area) == (
        "group_supervision",
        Decimal("2"),
        "Harehills",
    )
    assert [(profile.user.first_name, match.score) for match, profile in result.matches] == [("Ruth", 67), ("Sam", 35)]
    # Ruth: 40 × (3 + 1) ÷ 6 = 27 for Trauma and Dissociation, + 15 group work + 10 community sector
    # + 10 cost + 5 capacity = 67; Sam: 40 × 3 ÷ 6 = 20 + 10 + 5 = 35.
    ruth = result.matches[0][0]
    assert ruth.reasons == (
        "Covers 2 of 4 specialisms you asked for: Trauma, Dissociation",
        "Has group-work experience, and you run groups",
        "Has worked with community and voluntary organisations",
        "Costs £120 a month, within your allocation",
        "Has 10 hours free this month",
    )
    # Verified supervisors left out by the hard filters, with why (the unverified one never shows).
    response = client.get(reverse("organisation_matches", args=[world.organisation.pk]), {"why_not": "1"})
    assert [(p.user.first_name, e.reasons) for e, p in response.context["result"].exclusions] == [
        ("Olu", ("Does not offer group supervision",))
    ]
    assert "Does not offer group supervision" in response.content.decode()


def test_the_lead_can_change_what_is_looked_for(client, world, year_pool, supervisors):
    _assess(world)
    client.force_login(world.lead)
    response = client.get(
        reverse("organisation_matches", args=[world.organisation.pk]), {"format": "one_to_one", "hours": "1"}
    )
    assert [p.user.first_name for _, p in response.context["result"].matches] == ["Olu"]


@pytest.mark.parametrize("persona", ["member", "outsider", "commissioner", "other_commissioner"])
def test_matches_and_requests_are_the_leads_only(client, world, year_pool, supervisors, persona):
    _assess(world)
    client.force_login(getattr(world, persona))
    organisation = world.organisation.pk
    ruth = supervisors["ruth"].pk
    assert client.get(reverse("organisation_matches", args=[organisation])).status_code == 404
    assert client.get(reverse("request_supervisor", args=[organisation, ruth])).status_code == 404
    assert client.get(reverse("organisation_supervision", args=[organisation])).status_code == 404


def test_request_accept_and_end_through_the_pages(client, world, year_pool, supervisors):
    ruth = supervisors["ruth"]
    client.force_login(world.lead)
    url = reverse("request_supervisor", args=[world.organisation.pk, ruth.pk])
    start = year_pool.starts_on
    response = client.post(
        url,
        {
            "pool": year_pool.pk,
            "format": "group_supervision",
            "hours_per_month": "4",
            **date_boxes("starts_on", start),
            **date_boxes("review_on", start + datetime.timedelta(days=90)),
            "message": "Three facilitators.",
        },
    )
    assert response.context["form"].errors["hours_per_month"] == [
        f"Harehills Drama has 36 hours of its allocation from Leeds pool not yet promised to a supervision agreement; "
        f"4 hours a month from "
        f"{wording.date(start)} to the pool's end needs 48 hours."
    ]
    response = client.post(
        url,
        {
            "pool": year_pool.pk,
            "format": "group_supervision",
            "hours_per_month": "2",
            **date_boxes("starts_on", start),
            **date_boxes("review_on", start + datetime.timedelta(days=90)),
            "message": "Three facilitators.",
        },
    )
    assert response["Location"] == reverse("organisation_supervision", args=[world.organisation.pk])
    # The dates typed in the boxes are said back in words.
    review = start + datetime.timedelta(days=90)
    assert (
        f"Your request is with Ruth {ruth.user.last_name}: from {wording.day(start)}, first reviewed on "
        f"{wording.day(review)}." in client.get(response["Location"]).content.decode()
    )
    request = SupervisionRequest.objects.get()

    # Another supervisor cannot open it; the supervisor asked accepts it.
    other = supervisors["sam"]
    signed_in(client, other.user)
    assert client.get(reverse("supervisor_request", args=[request.pk])).status_code == 404
    signed_in(client, ruth.user)
    assert [r.pk for r in client.get(reverse("supervisor_requests")).context["pending"]] == [request.pk]
    response = client.post(reverse("supervisor_request", args=[request.pk]), {"reply": "Glad to", "accept": "1"})
    assert response["Location"] == reverse("supervisor_agreements")
    agreement = SupervisionAgreement.objects.get()
    assert (agreement.hours_per_month, agreement.format, agreement.request) == (
        Decimal("2.00"),
        "group_supervision",
        request,
    )
    # Accepting twice says why.
    response = client.post(reverse("supervisor_request", args=[request.pk]), {"reply": "", "accept": "1"})
    assert response.context["form"].non_field_errors() == ["This request has already been accepted."]

    # Outsiders cannot end it; the lead can.
    end_url = reverse("end_agreement", args=[agreement.pk])
    client.force_login(world.member)
    assert client.get(end_url).status_code == 404
    client.force_login(world.outsider)
    assert client.get(end_url).status_code == 404
    client.force_login(world.lead)
    last_day = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(end_url, {**date_boxes("ends_on", last_day), "reason": "Funding ends"})
    assert response["Location"] == reverse("organisation_supervision", args=[world.organisation.pk])
    agreement.refresh_from_db()
    assert agreement.ends_on == last_day


def test_a_declined_request_shows_the_reply_to_the_lead(client, world, year_pool, supervisors):
    ruth = supervisors["ruth"]
    from supervision.services.agreements import send_request

    request = send_request(
        acting_user=world.lead,
        organisation=world.organisation,
        supervisor=ruth,
        pool=year_pool,
        format="group_supervision",
        hours_per_month=Decimal("1"),
        starts_on=year_pool.starts_on,
        review_on=year_pool.starts_on + datetime.timedelta(days=60),
    )
    signed_in(client, ruth.user)
    client.post(reverse("supervisor_request", args=[request.pk]), {"reply": "Full until spring", "decline": "1"})
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED
    client.force_login(world.lead)
    assert (
        "Full until spring"
        in client.get(reverse("organisation_supervision", args=[world.organisation.pk])).content.decode()
    )
    # Withdrawing an answered request is refused with a message, not a 500.
    response = client.post(reverse("withdraw_request", args=[world.organisation.pk, request.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["This request is already declined."]


def test_every_page_of_the_journey_renders_for_its_owner(client, world, year_pool, supervisors):
    from supervision.services.agreements import accept_request, send_request

    ruth = supervisors["ruth"]
    request = send_request(
        acting_user=world.lead,
        organisation=world.organisation,
        supervisor=ruth,
        pool=year_pool,
        format="group_supervision",
        hours_per_month=Decimal("1"),
        starts_on=year_pool.starts_on,
        review_on=year_pool.starts_on + datetime.timedelta(days=60),
    )
    agreement = accept_request(request, acting_user=ruth.user)
    client.force_login(world.lead)
    for url in [
        reverse("request_supervisor", args=[world.organisation.pk, ruth.pk]),
        reverse("organisation_supervision", args=[world.organisation.pk]),
        reverse("end_agreement", args=[agreement.pk]),
        reverse("supervisor_detail", args=[ruth.pk]),
    ]:
        assert client.get(url).status_code == 200, url
    signed_in(client, ruth.user)
    for url in [
        reverse("supervisor_profile"),
        reverse("supervisor_profile_edit"),
        reverse("supervisor_requests"),
        reverse("supervisor_request", args=[request.pk]),
        reverse("end_agreement", args=[agreement.pk]),
    ]:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("supervisor_agreements")).content.decode()
    assert "Harehills Drama" in page
    assert reverse("end_agreement", args=[agreement.pk]) in page


def test_a_supervisor_not_listed_never_shows_even_among_the_left_out(client, world, year_pool, supervisors):
    """Verified but not willing to work with non-clinical providers: a 404 on their page, and so
    nowhere on the lead's matches either."""
    from tests.factories.supervision import SupervisorProfileFactory

    hidden = SupervisorProfileFactory(user__first_name="Hidden", agrees_non_clinical=False)
    _assess(world)
    client.force_login(world.lead)
    response = client.get(reverse("organisation_matches", args=[world.organisation.pk]), {"why_not": "1"})
    result = response.context["result"]
    shown = [p.pk for _, p in result.matches] + [p.pk for _, p in result.exclusions]
    assert hidden.pk not in shown and "Hidden" not in response.content.decode()
    assert client.get(reverse("supervisor_detail", args=[hidden.pk])).status_code == 404
