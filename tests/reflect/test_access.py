"""The access matrix: every object URL, every persona. Anything a persona may not see is a 404
(docs/architecture.md: organisations never see each other; commissioners only their own pools)."""

import datetime
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from api.services.tokens import make_token
from learning.enums import CoveredBy
from learning.models import LearningTopic, TopicSuggestion
from learning.services.needs import raise_need
from learning.services.organisation_needs import record_organisation_need
from learning.services.topics import add_pool_topic
from outcomes.models import OutcomeInvitation
from outcomes.services.invitations import queue_outcome_invitations
from records.bodies import body
from records.models import Countersignature, CpdActivity
from records.services.signed import sign_record
from records.summary import build_record
from reflect.enums import InvitationKind
from reflect.models import Membership
from reflect.services.invitations import create_invitation
from tests.factories.bookings import agree
from tests.factories.core import give_two_factor, signed_in
from tests.factories.supervision import SupervisionAgreementFactory, make_supervisor
from tests.factories.webhooks import delivery_to, endpoint_for
from tests.learning.sessions_helpers import attended_in_the_past
from tests.records.conftest import at, attended_session

pytestmark = pytest.mark.django_db

PERSONAS = ["lead", "member", "colleague", "outsider", "commissioner", "other_commissioner"]


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 20)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def urls(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for person in (world.commissioner, world.other_commissioner):
        give_two_factor(person)
    pool_invitation, _ = create_invitation(
        InvitationKind.POOL_ORGANISATION, "x@example.org", acting_user=world.commissioner, pool=world.pool
    )
    staff_invitation, _ = create_invitation(
        InvitationKind.ORGANISATION_STAFF, "y@example.org", acting_user=world.lead, organisation=world.organisation
    )
    colleague = Membership.objects.get(user=world.colleague)
    # A line of the member's CPD log: theirs alone (records/access.py).
    cpd = CpdActivity.objects.create(
        owner=world.member, activity="Reading", done_on=datetime.date(2026, 11, 2), hours=1, learnt="Much."
    )
    cpd.evidence.save("evidence.jpg", ContentFile(_jpeg()))
    # A supervision session the member attended, and a signed copy of their record: the records
    # URLs that take an object's id (docs/supervision-records.md).
    supervisor = make_supervisor("Ruth")
    session = attended_session(agree(world.pool, world.organisation, supervisor), [world.member], at(3), 60)
    signed = sign_record(
        world.member, build_record(world.member, body("none"), today=datetime.date(2026, 11, 30)), share_name=False
    )
    queue_outcome_invitations()
    outcome_invitation = OutcomeInvitation.objects.get(person=world.member)
    lead_token = make_token(world.lead, name="Sync", scopes=["groups:read"], days=7).token
    pool, org = world.pool.pk, world.organisation.pk
    pool_hook, _ = endpoint_for(pool=world.pool, by=world.commissioner)
    org_hook, _ = endpoint_for(organisation=world.organisation, by=world.lead)
    pool_sent, org_sent = delivery_to(pool_hook).pk, delivery_to(org_hook).pk
    pool_hook, org_hook = pool_hook.pk, org_hook.pk
    # Learning needs (docs/learning.md): the member's own need and a suggestion made to them, a
    # lead's record for the organisation, and an agreement whose supervisor is none of them.
    ageism = LearningTopic.objects.get(slug="ageism", pool__isnull=True)
    need = raise_need(ageism, acting_user=world.member).pk
    agreement = SupervisionAgreementFactory(organisation=world.organisation, pool=world.pool)
    suggestion = TopicSuggestion.objects.create(
        supervisor=agreement.supervisor.user, person=world.member, agreement=agreement, topic=ageism,
        created_at=timezone.now(),
    ).pk  # fmt: skip
    record = record_organisation_need(
        world.organisation, ageism, covered_by=CoveredBy.NONE, staff_count=None, acting_user=world.lead
    ).pk
    pool_topic = add_pool_topic(
        world.pool, title="Leeds housing law", description="", acting_user=world.commissioner
    ).pk
    # Learning sessions: one the member came to (the answer page is their place's), for the pool.
    attended = attended_in_the_past(world)
    learning_session = attended.session.group_id
    return {
        # url: expected status for each persona, in PERSONAS order
        ("GET", reverse("pool_detail", args=[pool])): [404, 404, 404, 404, 200, 404],
        ("GET", reverse("pool_invite", args=[pool])): [404, 404, 404, 404, 200, 404],
        ("GET", reverse("pool_allocation", args=[pool, org])): [404, 404, 404, 404, 200, 404],
        ("POST", reverse("pool_reallocate", args=[pool])): [404, 404, 404, 404, 302, 404],
        ("POST", reverse("pool_invitation_revoke", args=[pool, pool_invitation.pk])): [404, 404, 404, 404, 302, 404],
        ("GET", reverse("organisation_detail", args=[org])): [200, 200, 200, 404, 404, 404],
        ("GET", reverse("organisation_edit", args=[org])): [200, 403, 403, 404, 404, 404],
        ("GET", reverse("organisation_invite", args=[org])): [200, 403, 403, 404, 404, 404],
        ("GET", reverse("organisation_hand_on_lead", args=[org])): [200, 403, 403, 404, 404, 404],
        ("GET", reverse("organisation_member_remove", args=[org, colleague.pk])): [200, 403, 200, 404, 404, 404],
        ("POST", reverse("organisation_invitation_revoke", args=[org, staff_invitation.pk])): [
            302,
            403,
            403,
            404,
            404,
            404,
        ],
        ("GET", reverse("invitation_for_me", args=[pool_invitation.pk])): [404, 404, 404, 404, 404, 404],
        # Always the signed-in person's own answers: no id to change (docs/equality.md).
        ("GET", reverse("equality_answers")): [200, 200, 200, 200, 200, 200],
        ("POST", reverse("equality_not_now")): [302, 302, 302, 302, 302, 302],
        # Supervision records: each object the member's alone; countersigning only for whoever
        # ran the session (none of these personas: test_countersigning_is_for_who_ran_the_session).
        ("GET", reverse("records_home")): [200, 200, 200, 200, 200, 200],
        ("GET", reverse("records_note", args=["booking", 999999])): [404, 404, 404, 404, 404, 404],
        ("GET", reverse("records_note", args=["booking", session.pk])): [404, 200, 404, 404, 404, 404],
        # The member's empty note is a form error; everyone else is told nothing.
        ("POST", reverse("records_note", args=["booking", session.pk])): [404, 200, 404, 404, 404, 404],
        ("GET", reverse("records_cpd_evidence", args=[cpd.pk])): [404, 200, 404, 404, 404, 404],
        ("GET", reverse("records_cpd_delete", args=[cpd.pk])): [404, 200, 404, 404, 404, 404],
        ("POST", reverse("records_countersign", args=[world.member.pk, "2026-11"])): [404] * 6,
        # Public by design: the holder hands out its address (an unguessable token).
        ("GET", reverse("records_verify", args=[signed.token])): [200] * 6,
        ("POST", reverse("records_cpd_delete", args=[cpd.pk])): [404, 302, 404, 404, 404, 404],
        # Learning needs: a person's own need and suggestions; the lead's records; the pool's demand
        # and topics for its commissioner; a suggestion page for the agreement's supervisor only.
        ("GET", reverse("learning_home")): [200, 200, 200, 200, 200, 200],
        ("POST", reverse("learning_withdraw", args=[need])): [404, 302, 404, 404, 404, 404],
        ("POST", reverse("learning_suggestion_accept", args=[suggestion])): [404, 302, 404, 404, 404, 404],
        ("POST", reverse("learning_suggestion_ignore", args=[suggestion])): [404, 302, 404, 404, 404, 404],
        ("GET", reverse("learning_organisation", args=[org])): [200, 403, 403, 404, 404, 404],
        ("POST", reverse("learning_organisation_remove", args=[org, record])): [302, 403, 403, 404, 404, 404],
        ("GET", reverse("learning_suggest", args=[agreement.pk])): [404, 404, 404, 404, 404, 404],
        ("GET", reverse("pool_learning_needs", args=[pool])): [404, 404, 404, 404, 200, 404],
        ("GET", reverse("pool_learning_export", args=[pool])): [404, 404, 404, 404, 200, 404],
        ("GET", reverse("learning_topic_add", args=[pool])): [404, 404, 404, 404, 200, 404],
        # A pool's own topic is asked for by its staff only: anyone else gets the 404 of no topic.
        ("POST", reverse("learning_ask", args=[pool_topic])): [302, 302, 302, 404, 404, 404],
        ("POST", reverse("learning_ask", args=[999999])): [404] * 6,
        ("GET", reverse("learning_session_new", args=[pool])): [404, 404, 404, 404, 200, 404],
        ("GET", reverse("learning_course_share", args=[pool])): [404, 404, 404, 404, 200, 404],
        ("GET", reverse("learning_session_book", args=[learning_session])): [200, 200, 200, 404, 404, 404],
        ("GET", reverse("learning_session_feedback", args=[attended.pk])): [404, 200, 404, 404, 404, 404],
        # Webhooks (issue 22): a pool's for its commissioner, an organisation's for its lead only.
        ("GET", reverse("webhook_pool_endpoints", args=[pool])): [404, 404, 404, 404, 200, 404],
        ("GET", reverse("webhook_pool_endpoint_add", args=[pool])): [404, 404, 404, 404, 200, 404],
        ("GET", reverse("webhook_organisation_endpoints", args=[org])): [200, 404, 404, 404, 404, 404],
        ("GET", reverse("webhook_organisation_endpoint_add", args=[org])): [200, 404, 404, 404, 404, 404],
        ("GET", reverse("webhook_endpoint", args=[pool_hook])): [404, 404, 404, 404, 200, 404],
        ("GET", reverse("webhook_endpoint", args=[org_hook])): [200, 404, 404, 404, 404, 404],
        ("GET", reverse("webhook_endpoint_delete", args=[org_hook])): [200, 404, 404, 404, 404, 404],
        ("POST", reverse("webhook_endpoint_rotate", args=[pool_hook])): [404, 404, 404, 404, 302, 404],
        ("POST", reverse("webhook_endpoint_rotate", args=[org_hook])): [302, 404, 404, 404, 404, 404],
        ("POST", reverse("webhook_endpoint_toggle", args=[org_hook])): [302, 404, 404, 404, 404, 404],
        ("POST", reverse("webhook_delivery_resend", args=[pool_hook, pool_sent])): [404, 404, 404, 404, 302, 404],
        ("POST", reverse("webhook_delivery_resend", args=[org_hook, org_sent])): [302, 404, 404, 404, 404, 404],
        ("POST", reverse("webhook_delivery_resend", args=[org_hook, pool_sent])): [404, 404, 404, 404, 404, 404],
        # Outcome questionnaires: a person's own only; the schedule its commissioner's (docs/outcomes.md).
        ("GET", reverse("outcomes_answer", args=[outcome_invitation.pk])): [404, 200, 404, 404, 404, 404],
        ("POST", reverse("outcomes_decline", args=[outcome_invitation.pk])): [404, 302, 404, 404, 404, 404],
        ("GET", reverse("outcomes_schedule", args=[pool])): [404, 404, 404, 404, 200, 404],
        # API tokens need two-factor first (staff here have none: sent to set it up); then only the owner's.
        ("GET", reverse("api_token_revoke", args=[lead_token.pk])): [302, 302, 302, 302, 404, 404],
        ("POST", reverse("api_token_revoke", args=[lead_token.pk])): [302, 302, 302, 302, 404, 404],
    }


def _close(response) -> None:
    """Close a response, as a served file (CPD evidence) stays open until then, without the
    request_finished handler that closes the database connection: on PostgreSQL that would end
    the test's transaction mid-test (Django's test client holds the handler off the same way)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def test_access_matrix(client, world, urls):
    seen = {}
    for (method, url), expected in urls.items():
        for persona, status in zip(PERSONAS, expected, strict=True):
            client.force_login(getattr(world, persona))
            response = client.get(url) if method == "GET" else client.post(url)
            seen[(method, url, persona)] = response.status_code
            _close(response)
            assert response.status_code == status, (
                f"{persona} {method} {url}: {response.status_code}, expected {status}"
            )
    assert len(seen) == len(urls) * len(PERSONAS)


def test_a_pool_in_another_pool_of_the_same_commissioner_is_still_checked(client, world):
    signed_in(client, world.commissioner)
    # The other pool's organisation is not in this pool: its allocation page is a 404.
    url = reverse("pool_allocation", args=[world.pool.pk, world.other_organisation.pk])
    assert client.get(url).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    for url in [
        reverse("pool_detail", args=[world.pool.pk]),
        reverse("organisation_detail", args=[world.organisation.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_the_404_page_does_not_say_whether_the_object_exists(client, world):
    client.force_login(world.outsider)
    real = client.get(reverse("organisation_detail", args=[world.organisation.pk]))
    missing = client.get(reverse("organisation_detail", args=[999999]))
    assert (real.status_code, missing.status_code) == (404, 404)
    # Same page apart from the per-response CSRF token in the sign-out form.
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", real.content) == token.sub(b"", missing.content)


def test_countersigning_is_for_who_ran_the_session(world) -> None:
    """Another supervisor, signed in with two-factor, gets the 404 a stranger gets; the one who
    ran the session countersigns it."""
    ran_it, another = make_supervisor("Ruth"), make_supervisor("Ann")
    attended_session(agree(world.pool, world.organisation, ran_it), [world.member], at(3), 60)
    url = reverse("records_countersign", args=[world.member.pk, "2026-11"])
    assert signed_in(Client(), another.user).post(url).status_code == 404
    assert not Countersignature.objects.exists()
    assert signed_in(Client(), ran_it.user).post(url).status_code == 302
    assert Countersignature.objects.get().signed_by == ran_it.user
