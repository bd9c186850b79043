"""The questionnaire's pages, signed out and signed in: the whole flow, save and resume, claim."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reflect import wording
from reflect.enums import LedgerKind
from reflect.models import LedgerEntry, User
from supervision.models import NeedsAssessment
from supervision.scoring import CLINICAL_SUPERVISION_RECOMMENDED, CONSIDER_CASE_CONSULTATION
from tests.factories.core import PASSWORD, staff_of
from tests.supervision.conftest import profile_answers, section_post, take_questionnaire

pytestmark = pytest.mark.django_db


def test_start_page_is_public_and_lists_the_six_sections(client):
    response = client.get("/questionnaire/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-xl">Do we need clinical supervision?</h1>' in html
    assert re.findall(r"<li>([^<]+)</li>", html.split("The 6 sections")[1])[:6] == [
        "Who you work with and how",
        "What staff meet",
        "Your team&#x27;s experience and training",
        "Support already in place",
        "Limits and risks",
        "Practical details for costing",
    ]


def test_signed_out_flow_gives_result_bid_line_brief_and_pdf(client, drama_answers):
    assessment = take_questionnaire(
        client,
        drama_answers,
        {"organisation_name": "Harehills Drama", "about": "A weekly drama group for refugee women."},
    )
    assert (assessment.owner, assessment.organisation, assessment.outcome) == (
        None,
        None,
        CLINICAL_SUPERVISION_RECOMMENDED,
    )
    assert assessment.result["bank_version"] == 1

    html = client.get(reverse("questionnaire_result", args=[assessment.pk])).content.decode()
    assert "Clinical supervision recommended" in html
    assert "People tell staff about trauma most weeks." in html
    assert "Therapeutic or creative methods are at the heart of your work" in html
    assert "Group supervision: 1 group × 2 h/month × 12 months × £60/h = £1,440</textarea>" in html
    assert "Proctor" in html and "Balint groups" in html and "Schwartz Rounds" in html

    response = client.get(reverse("questionnaire_result", args=[assessment.pk]), {"months": "6", "rate": "75"})
    assert "Group supervision: 1 group × 2 h/month × 6 months × £75/h = £900</textarea>" in response.content.decode()

    # Training: topics from the presentations met (the catalogue's, through the core's registry),
    # and a training line in the bid.
    training = html.split('id="training"', 1)[1].split('id="cost"', 1)[0]
    assert re.findall(r"<li><strong>([^<]+)</strong>", training) == [
        "Working with complex trauma", "Risk enablement", "Suicide prevention", "Emotional dysregulation",
        "Dissociation",
    ]  # fmt: skip
    response = client.get(
        reverse("questionnaire_result", args=[assessment.pk]),
        {"months": "12", "rate": "60", "training_days": "2", "training_day_cost": "600", "training_paid_by": "own"},
    )
    assert (
        "Training: 2 days × £600/day = £1,200 (from our own budget)\nTotal: £2,640 for 24 hours</textarea>"
        in response.content.decode()
    )

    brief = client.get(reverse("questionnaire_brief", args=[assessment.pk])).content.decode()
    assert (
        "Training our staff would value: Working with complex trauma, Risk enablement, Suicide prevention, "
        "Emotional dysregulation, Dissociation." in brief
    )
    assert "Clinical supervision brief: Harehills Drama" in brief
    assert "A weekly drama group for refugee women." in brief
    assert "Most weeks:" not in brief  # no presentation is met weekly in this profile
    assert "Most months: Emotional dysregulation, Dissociation." in brief

    pdf = client.get(reverse("questionnaire_brief_pdf", args=[assessment.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="clinician-brief-{assessment.pk}.pdf"'
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Clinical supervision brief: Harehills Drama" in text
    assert "Our result: Clinical supervision recommended." in text
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 1


def test_nonsense_cost_is_refused_with_its_reason(client, drama_answers):
    assessment = take_questionnaire(client, drama_answers)
    url = reverse("questionnaire_result", args=[assessment.pk])
    html = client.get(url, {"months": "0", "rate": "60"}).content.decode()
    assert "Enter a period between 1 and 60 months." in html
    assert "bid-line" not in html
    html = client.get(url, {"months": "12", "rate": "-3"}).content.decode()
    assert "Enter an hourly rate above £0." in html


def test_a_huge_period_rate_or_training_says_what_is_allowed_not_how_many_characters(client, drama_answers):
    assessment = take_questionnaire(client, drama_answers)
    url = reverse("questionnaire_result", args=[assessment.pk])
    # The cost form is sent as the page sends it (a GET to the result, so the bid line can be linked to).
    response = client.get(
        url,
        {
            "months": "9999999",
            "rate": "9999999999999",
            "training_days": "9999999",
            "training_day_cost": "9999999999999",
            "training_paid_by": "own",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "characters or fewer" not in html
    assert "Enter a period between 1 and 60 months." in html
    assert "Enter an hourly rate above £0 and up to £500." in html
    assert "Enter between 0 and 60 days of training." in html
    assert "Enter a cost a day above £0 and up to £5,000." in html
    assert "bid-line" not in html


def test_the_training_days_hint_points_up_to_the_topics(client, drama_answers):
    assessment = take_questionnaire(client, drama_answers)
    html = client.get(reverse("questionnaire_result", args=[assessment.pk])).content.decode()
    # The topics are listed under "Training to consider", above the cost form.
    assert html.index('id="training"') < html.index('id="cost"') < html.index("on the topics above")
    assert "topics below" not in html


def test_nobody_doing_1to1_or_group_work_is_never_costed_as_one_practitioner(client):
    answers = profile_answers(
        "acute-needs-worker", group_work="no", one_to_one="no", practitioners_1to1=0, group_facilitators=0
    )
    assessment = take_questionnaire(client, answers)
    # Crisis work as the main work still recommends clinical supervision, for the reasons given.
    assert assessment.outcome == CLINICAL_SUPERVISION_RECOMMENDED
    assert assessment.result["formats"] == []

    url = reverse("questionnaire_result", args=[assessment.pk])
    html = client.get(url, {"months": "12", "rate": "60"}).content.decode()
    assert "Supporting people at a point of crisis is your main work." in html
    assert "practitioner" not in html
    assert "1:1 work." not in html
    assert "bid-line" not in html
    assert (
        "You counted nobody who does 1:1 work or facilitates groups, so there is no supervision to size or cost."
        in html
    )
    assert "There is nothing to cost yet" in html
    # Training can still be costed on its own.
    html = client.get(
        url, {"months": "12", "rate": "60", "training_days": "1", "training_day_cost": "600", "training_paid_by": "own"}
    ).content.decode()
    assert "Training: 1 day × £600/day = £600 (from our own budget)</textarea>" in html

    brief = client.get(reverse("questionnaire_brief", args=[assessment.pk])).content.decode()
    assert "Do staff or volunteers support people one to one? No." in brief
    assert "How many staff or volunteers do 1:1 work with people? 0." in brief
    assert "practitioner" not in brief
    assert "No hours sized: we counted nobody who does 1:1 work or facilitates groups." in brief


def test_unanswered_required_questions_are_named(client):
    client.post(reverse("questionnaire_start"), {})
    assessment = NeedsAssessment.objects.get()
    response = client.post(
        reverse("questionnaire_section", args=[assessment.pk, 1]), {"group_work": "yes", "continue": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Answer “Do staff or volunteers support people one to one?”." in html
    assert "Section 1 of 6" in html
    # At the check page every missing question is named, with its section.
    response = client.post(reverse("questionnaire_check", args=[assessment.pk]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Answer “How many staff or volunteers facilitate groups?” (section 6)" in html
    assert NeedsAssessment.objects.get().completed_at is None


def _save_for_later(client: Client, assessment: NeedsAssessment, answers: dict) -> str:
    response = client.post(
        reverse("questionnaire_section", args=[assessment.pk, 1]), {**section_post(1, answers), "save_for_later": ""}
    )
    assert response.status_code == 200
    return re.search(r'value="(http://testserver/questionnaire/resume/[^"]+/)"', response.content.decode()).group(1)


def test_save_and_resume_by_private_link_in_another_browser(client, drama_answers):
    client.post(reverse("questionnaire_start"), {})
    assessment = NeedsAssessment.objects.get()
    link = _save_for_later(client, assessment, {"group_work": "yes"})
    assessment.refresh_from_db()
    assert assessment.answers == {"group_work": "yes"}
    assert assessment.resume_token_hash and link.rstrip("/").split("/")[-1] not in assessment.resume_token_hash

    other = Client()
    assert other.get(reverse("questionnaire_section", args=[assessment.pk, 1])).status_code == 404
    response = other.get(link)
    assert response["Location"] == reverse("questionnaire_section", args=[assessment.pk, 1])
    assert 'value="yes" checked' in other.get(response["Location"]).content.decode()


def test_expired_unknown_and_replaced_links_explain_themselves(client):
    client.post(reverse("questionnaire_start"), {})
    assessment = NeedsAssessment.objects.get()
    first = _save_for_later(client, assessment, {})
    second = _save_for_later(client, assessment, {})
    response = Client().get(first)
    assert response.status_code == 404
    assert "We cannot find these answers" in response.content.decode()
    NeedsAssessment.objects.filter(pk=assessment.pk).update(
        resume_token_issued_at=timezone.now() - datetime.timedelta(days=31)
    )
    response = Client().get(second)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert Client().get("/questionnaire/resume/nonsense/").status_code == 404


def test_signed_in_lead_takes_it_for_their_organisation_and_the_pool_counts_it(client, world, drama_answers):
    client.force_login(world.lead)
    html = client.get(reverse("questionnaire_start")).content.decode()
    assert "Harehills Drama" in html
    assessment = take_questionnaire(
        client, drama_answers, {"organisation": str(world.organisation.pk), "organisation_name": "", "about": ""}
    )
    assert (assessment.owner, assessment.organisation) == (world.lead, world.organisation)
    entries = list(
        LedgerEntry.objects.filter(kind=LedgerKind.ASSESSMENT_COMPLETED).values_list(
            "pool", "organisation", "quantity", "note"
        )
    )
    assert entries == [(world.pool.pk, world.organisation.pk, 1, CLINICAL_SUPERVISION_RECOMMENDED)]
    html = client.get(reverse("questionnaire_result", args=[assessment.pk])).content.decode()
    assert "Leeds pool: £60 an hour" in html
    assert "Saved to Harehills Drama" in html
    # Completing again (a double submit) counts once.
    client.post(reverse("questionnaire_check", args=[assessment.pk]))
    assert LedgerEntry.objects.filter(kind=LedgerKind.ASSESSMENT_COMPLETED).count() == 1


def test_lead_saves_a_signed_out_result_to_their_organisation(client, world, drama_answers):
    assessment = take_questionnaire(client, drama_answers)
    client.force_login(world.lead)  # force_login sends no allauth signal: the owner is set by saving
    # Not claimed (no allauth sign-in happened), so this browser's session still has it.
    response = client.post(
        reverse("questionnaire_save_to_organisation", args=[assessment.pk]),
        {"organisation": str(world.organisation.pk)},
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.owner, assessment.organisation) == (world.lead, world.organisation)
    assert LedgerEntry.objects.filter(kind=LedgerKind.ASSESSMENT_COMPLETED, pool=world.pool).count() == 1


def test_a_result_taken_signed_out_is_claimed_on_sign_in(client, world, drama_answers):
    assessment = take_questionnaire(client, drama_answers)
    response = client.post(reverse("account_login"), {"login": world.member.email, "password": PASSWORD})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.owner == world.member
    assert client.get(reverse("questionnaire_result", args=[assessment.pk])).status_code == 200
    assert (
        reverse("questionnaire_result", args=[assessment.pk])
        in client.get(reverse("questionnaire_results")).content.decode()
    )


def test_a_result_taken_signed_out_is_claimed_once_the_new_address_is_confirmed(
    client, drama_answers, django_capture_on_commit_callbacks
):
    from django.core import mail

    assessment = take_questionnaire(client, drama_answers)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "new.lead@example.org",
                "password1": "a-long-new-password-9",
                "password2": "a-long-new-password-9",
                "first_name": "Nia",
            },
        )
    assert response.status_code == 302
    assessment.refresh_from_db()
    # Not at sign-up: nobody has yet shown the address is theirs.
    assert assessment.owner is None
    link = re.search(r"/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    client.post(link)  # confirming signs them in, in this browser
    assessment.refresh_from_db()
    assert assessment.owner == User.objects.get(email="new.lead@example.org")


def test_a_claimed_result_is_not_reclaimed_by_someone_else(client, world, drama_answers):
    assessment = take_questionnaire(client, drama_answers)
    NeedsAssessment.objects.filter(pk=assessment.pk).update(owner=world.outsider)
    client.post(reverse("account_login"), {"login": world.member.email, "password": PASSWORD})
    assessment.refresh_from_db()
    assert assessment.owner == world.outsider


@pytest.mark.parametrize("who", ["outsider", "member", "colleague", "commissioner", "anonymous"])
def test_a_saved_assessment_is_hidden_from_everyone_but_owner_and_leads(client, world, drama_answers, who):
    client.force_login(world.member)  # taken by a member of staff, saved to the organisation
    assessment = take_questionnaire(client, drama_answers)
    NeedsAssessment.objects.filter(pk=assessment.pk).update(organisation=world.organisation)
    other = Client()
    if who != "anonymous":
        person = getattr(world, who)
        if who == "member":
            person = world.colleague  # the owner is the member; check a colleague who is not lead
        other.force_login(person)
    for name in ["questionnaire_result", "questionnaire_brief", "questionnaire_brief_pdf", "questionnaire_check"]:
        assert other.get(reverse(name, args=[assessment.pk])).status_code == 404, name
    lead = Client()
    lead.force_login(world.lead)
    assert lead.get(reverse("questionnaire_result", args=[assessment.pk])).status_code == 200
    owner = Client()
    owner.force_login(world.member)
    assert owner.get(reverse("questionnaire_result", args=[assessment.pk])).status_code == 200


def test_compare_two_results_says_what_changed_and_why(client, world):
    client.force_login(world.lead)
    start = {"organisation": str(world.organisation.pk), "organisation_name": "", "about": ""}
    first = take_questionnaire(client, profile_answers("harehills-drama"), start)
    second = take_questionnaire(client, profile_answers("harehills-drama", trauma_disclosures="monthly"), start)
    assert (first.outcome, second.outcome) == (CLINICAL_SUPERVISION_RECOMMENDED, CONSIDER_CASE_CONSULTATION)
    html = client.get(reverse("questionnaire_compare"), {"before": first.pk, "after": second.pk}).content.decode()
    assert (
        "The outcome moved down, from “clinical supervision recommended” to “consider case consultation for specific "
        "presentations”, because these now apply: People tell staff about trauma most months.; these no longer apply: "
        "People tell staff about trauma most weeks."
    ) in html.replace("&#x27;", "'")
    assert '<td class="govuk-table__cell">Most weeks</td><td class="govuk-table__cell">Most months</td>' in html
    assert "24 hours a year" in html and "12 hours a year" in html


def test_compare_choices_date_each_result_on_the_uk_clock(client, world):
    """The list to choose from gives the same day as the comparison itself: 23:30 UTC on 14 July
    is 15 July in London."""
    client.force_login(world.lead)
    start = {"organisation": str(world.organisation.pk), "organisation_name": "", "about": ""}
    first = take_questionnaire(client, profile_answers("harehills-drama"), start)
    take_questionnaire(client, profile_answers("harehills-drama", trauma_disclosures="monthly"), start)
    NeedsAssessment.objects.filter(pk=first.pk).update(
        completed_at=datetime.datetime(2026, 7, 14, 23, 30, tzinfo=datetime.UTC)
    )
    html = client.get(reverse("questionnaire_compare")).content.decode()
    assert "15 Jul 2026" in html
    assert "14 Jul 2026" not in html


def test_results_page_lists_own_and_led_organisations_results_only(client, world, drama_answers):
    other = Client()
    other.force_login(world.outsider)
    take_questionnaire(
        other, drama_answers, {"organisation": str(world.other_organisation.pk), "organisation_name": "", "about": ""}
    )
    client.force_login(world.lead)
    mine = take_questionnaire(
        client, drama_answers, {"organisation": str(world.organisation.pk), "organisation_name": "", "about": ""}
    )
    html = client.get(reverse("questionnaire_results")).content.decode()
    assert reverse("questionnaire_result", args=[mine.pk]) in html
    assert "Otley Care Farm" not in html


def test_lead_home_panel_and_navigation_link_to_the_questionnaire(client, world, drama_answers):
    client.force_login(world.lead)
    html = client.get("/").content.decode()
    assert '<a class="govuk-service-navigation__link" href="/questionnaire/">Do we need supervision?</a>' in html
    assert '<a class="govuk-link" href="/questionnaire/">Do we need clinical supervision?</a>' in html
    take_questionnaire(
        client, drama_answers, {"organisation": str(world.organisation.pk), "organisation_name": "", "about": ""}
    )
    assert "Latest result: Clinical supervision recommended" in client.get("/").content.decode()
    staff = Client()
    staff.force_login(world.member)
    assert "Latest result" not in staff.get("/").content.decode()


def test_a_lead_sees_their_organisation_s_latest_result_whoever_took_it_and_no_other(client, world, drama_answers):
    co_lead = staff_of(world.organisation, lead=True, first_name="Priya")
    other = Client()
    other.force_login(co_lead)
    taken = take_questionnaire(
        other, drama_answers, {"organisation": str(world.organisation.pk), "organisation_name": "", "about": ""}
    )
    outsider = Client()
    outsider.force_login(world.outsider)  # leads another organisation, in another pool
    take_questionnaire(
        outsider,
        drama_answers,
        {"organisation": str(world.other_organisation.pk), "organisation_name": "", "about": ""},
    )
    client.force_login(world.lead)
    html = client.get("/").content.decode()
    assert html.count("Latest result: ") == 1
    assert f'href="{reverse("questionnaire_result", args=[taken.pk])}"' in html
    assert f"Harehills Drama, {wording.date(taken.completed_at)}" in html


def test_lead_home_panel_gives_the_latest_result_s_date_on_the_uk_clock(client, world, drama_answers):
    """23:30 UTC on 14 July is 00:30 on 15 July in London: the home page says 15 July, as the
    results page does (it once gave the UTC date, a day early)."""
    client.force_login(world.lead)
    take_questionnaire(
        client, drama_answers, {"organisation": str(world.organisation.pk), "organisation_name": "", "about": ""}
    )
    NeedsAssessment.objects.filter(organisation=world.organisation).update(
        completed_at=datetime.datetime(2026, 7, 14, 23, 30, tzinfo=datetime.UTC)
    )
    assert "15 July 2026" in client.get(reverse("questionnaire_results")).content.decode()
    home = client.get("/").content.decode()
    assert "15 July 2026" in home
    assert "14 July 2026" not in home


def test_take_again_prefills_the_answers(client, drama_answers):
    first = take_questionnaire(client, drama_answers)
    response = client.post(reverse("questionnaire_take_again", args=[first.pk]))
    second = NeedsAssessment.objects.order_by("-pk").first()
    assert response["Location"] == reverse("questionnaire_section", args=[second.pk, 1])
    assert (second.answers, second.completed_at) == (first.answers, None)
