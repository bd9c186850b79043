"""Pool-wide assignment: the commissioner previews optimal pairs with reasons and totals, then
sends the ticked ones as requests."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from reflect import wording
from supervision.models import SupervisionRequest
from supervision.services.assessments import complete_assessment, start_assessment
from tests.factories.core import OrganisationFactory, give_two_factor, signed_in, staff_of
from tests.factories.supervision import SupervisorProfileFactory, allocate
from tests.supervision.conftest import profile_answers

pytestmark = pytest.mark.django_db


def _assess(organisation, lead, key):
    assessment = start_assessment(acting_user=lead, organisation=organisation)
    assessment.answers = profile_answers(key)
    assessment.save()
    return complete_assessment(assessment, acting_user=lead)


@pytest.fixture
def pool_setup(world, year_pool):
    _assess(world.organisation, world.lead, "harehills-drama")  # recommends clinical supervision
    quiet = OrganisationFactory(name="Seacroft Shed", in_pool=world.pool)
    quiet_lead = staff_of(quiet, lead=True)
    allocate(world.pool, quiet, "36")
    _assess(quiet, quiet_lead, "mens-shed")  # reflective practice is likely enough
    ruth = SupervisorProfileFactory(
        user__first_name="Ruth",
        specialisms=["Trauma", "Dissociation"],
        offers=["group_supervision"],
        group_work_experience=True,
        in_person_areas=["Harehills"],
    )
    sam = SupervisorProfileFactory(user__first_name="Sam", offers=["group_supervision"], in_person_areas=["Harehills"])
    give_two_factor(world.commissioner)
    return {"ruth": ruth, "sam": sam, "quiet": quiet}


def test_preview_shows_the_optimal_pairs_with_reasons_and_totals(client, world, pool_setup):
    client.force_login(world.commissioner)
    response = client.get(reverse("pool_assignment", args=[world.pool.pk]))
    rows = response.context["rows"]
    assert [
        (r["organisation"].name, r["supervisor"].user.first_name, r["pair"].hours, r["pair"].score) for r in rows
    ] == [("Harehills Drama", "Ruth", Decimal("2"), 57)]
    preview = response.context["preview"]
    assert (preview.optimal.total_fit, preview.greedy.total_fit) == (Decimal("114"), Decimal("114"))
    assert [o.name for o in preview.without_recommendation] == ["Seacroft Shed"]
    assert [r["explanation"] for r in rows] == [
        f"Ruth Example: works with Trauma and Dissociation, has run group work, has {wording.hours(10)} a month "
        f"free and can meet in person in Harehills. Proposed: {wording.hours(2)} a month of group supervision "
        "for Harehills Drama."
    ]
    page = response.content.decode()
    # In words for the commissioner: no scores, sums of fit or internal names. The words the page
    # shows, not its markup, whose ids are database keys (a key may well contain "57").
    shown = re.sub(r"<[^>]*>", " ", page.split("<main", 1)[1])
    for internal in ("Score", "score", "Total fit", "greedy", "optimal", "group_supervision", "cost", "flow", "57"):
        assert internal not in shown, internal


def test_sending_creates_requests_for_the_ticked_pairs(client, world, pool_setup):
    client.force_login(world.commissioner)
    url = reverse("pool_assignment", args=[world.pool.pk])
    key = f"{world.organisation.pk}-{pool_setup['ruth'].pk}"
    response = client.post(url, {"pair": [key]}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert [str(m) for m in response.context["messages"]] == ["1 request sent. Each supervisor accepts or declines."]
    request = SupervisionRequest.objects.get()
    assert (
        request.organisation,
        request.supervisor,
        request.hours_per_month,
        request.format,
        request.requested_by,
    ) == (
        world.organisation,
        pool_setup["ruth"],
        Decimal("2.00"),
        "group_supervision",
        world.commissioner,
    )
    # Harehills Drama now waits for Ruth's answer: it is left alone, not proposed again, and
    # sending the same tick again sends nothing.
    assert response.context["rows"] == []
    assert [o.name for o in response.context["preview"].waiting] == ["Harehills Drama"]
    response = client.post(url, {"pair": [key]}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Tick at least one pair to send."]
    assert SupervisionRequest.objects.count() == 1


def test_ticks_that_name_no_proposed_pair_send_nothing_and_say_so(client, world, pool_setup):
    client.force_login(world.commissioner)
    url = reverse("pool_assignment", args=[world.pool.pk])
    other = f"{pool_setup['quiet'].pk}-{pool_setup['sam'].pk}"  # a real pair, but not proposed
    response = client.post(url, {"pair": ["junk", "1-x", "-", other]}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Tick at least one pair to send."]
    assert SupervisionRequest.objects.count() == 0


def test_the_answer_to_a_commissioners_request_links_each_person_to_a_page_they_can_open(client, world, pool_setup):
    from django.conf import settings
    from django.core import mail

    from reflect.models import Notification
    from reflect.services.notifications import deliver_notification
    from supervision.services.agreements import accept_request

    client.force_login(world.commissioner)
    key = f"{world.organisation.pk}-{pool_setup['ruth'].pk}"
    client.post(reverse("pool_assignment", args=[world.pool.pk]), {"pair": [key]})
    accept_request(SupervisionRequest.objects.get(), acting_user=pool_setup["ruth"].user, reply="Glad to.")
    told = {
        message.recipient: message.context["url"]
        for message in Notification.objects.filter(kind="supervision_request_answered")
    }
    assert told == {
        world.commissioner: settings.SITE_URL + reverse("pool_assignment", args=[world.pool.pk]),
        world.lead: settings.SITE_URL + reverse("organisation_supervision", args=[world.organisation.pk]),
    }
    for person, url in told.items():  # the commissioner has two-factor set up already
        client.force_login(person)
        assert client.get(url.removeprefix(settings.SITE_URL)).status_code == 200
    deliver_notification(Notification.objects.get(recipient=world.commissioner).pk)
    assert mail.outbox[-1].subject == "Ruth Example has accepted the supervision request for Harehills Drama"
    assert "Their reply: Glad to." in mail.outbox[-1].body


def test_an_asker_who_is_no_longer_a_lead_is_not_sent_the_commissioners_page(world, pool_setup):
    from reflect.models import Notification
    from supervision.services.agreements import accept_request, send_request

    request = send_request(
        acting_user=world.lead,
        organisation=world.organisation,
        supervisor=pool_setup["ruth"],
        pool=world.pool,
        format="group_supervision",
        hours_per_month=Decimal("2"),
        starts_on=world.pool.starts_on,
        review_on=world.pool.starts_on + datetime.timedelta(days=90),
    )
    world.organisation.memberships.filter(user=world.lead).update(is_lead=False)
    accept_request(request, acting_user=pool_setup["ruth"].user)
    assert not Notification.objects.filter(kind="supervision_request_answered", recipient=world.lead).exists()


@pytest.mark.parametrize("persona", ["other_commissioner", "lead", "member", "outsider"])
def test_assignment_is_for_the_pools_commissioners_only(client, world, pool_setup, persona):
    signed_in(client, getattr(world, persona))
    assert client.get(reverse("pool_assignment", args=[world.pool.pk])).status_code == 404


def test_organisations_with_an_agreement_are_left_alone_and_keep_their_supervisor(client, world, pool_setup):
    """An organisation already served is neither proposed again nor displaced: its supervisor's
    committed hours are not offered to anyone else."""
    from tests.factories.supervision import SupervisionAgreementFactory

    ruth = pool_setup["ruth"]
    ruth.monthly_capacity_hours = Decimal("2")
    ruth.save()
    SupervisionAgreementFactory(
        organisation=world.organisation, supervisor=ruth, pool=world.pool, hours_per_month=Decimal("2")
    )
    client.force_login(world.commissioner)
    response = client.get(reverse("pool_assignment", args=[world.pool.pk]))
    assert response.context["rows"] == []
    assert [o.name for o in response.context["preview"].already_served] == ["Harehills Drama"]
    assert response.context["preview"].offers[ruth.pk].capacity_hours_left == Decimal("0")


def test_a_waiting_request_holds_its_supervisors_hours_from_other_proposals(client, world, pool_setup):
    from supervision.services.agreements import send_request

    other = OrganisationFactory(name="Chapeltown Voices", in_pool=world.pool)
    other_lead = staff_of(other, lead=True)
    allocate(world.pool, other, "36")
    _assess(other, other_lead, "harehills-drama")
    ruth = pool_setup["ruth"]
    ruth.monthly_capacity_hours = Decimal("2")
    ruth.save()
    send_request(
        acting_user=world.lead,
        organisation=world.organisation,
        supervisor=ruth,
        pool=world.pool,
        format="group_supervision",
        hours_per_month=Decimal("2"),
        starts_on=world.pool.starts_on,
        review_on=world.pool.starts_on + datetime.timedelta(days=90),
    )
    client.force_login(world.commissioner)
    response = client.get(reverse("pool_assignment", args=[world.pool.pk]))
    preview = response.context["preview"]
    assert [o.name for o in preview.waiting] == ["Harehills Drama"]
    # Ruth's 2 hours wait on Harehills Drama's request, so Chapeltown Voices is not given them.
    assert preview.offers[ruth.pk].capacity_hours_left == Decimal("0")
    assert all(row["supervisor"].pk != ruth.pk for row in response.context["rows"])
