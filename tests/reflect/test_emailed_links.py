"""Every link in every e-mail opens for the person it was sent to (issue 18, "Findable").

The demo data sends most kinds of message to their real recipients (invitations, bookings,
places, a held offer, supervision requests); the scene below adds the rest (a commissioner's
answered request, a supervisor ending an agreement, a moved and a cancelled group session, a
cancelled supervision session, the weekly summary). Each message is rendered as it is sent,
and each link to the site in it is opened as its recipient: it must answer 200, or redirect
to a page that does (sign in first, say) — never 403 or 404.
"""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reflect.channels import render_notification
from reflect.enums import InvitationKind
from reflect.models import Notification, Pool, User
from reflect.services.invitations import create_invitation
from reflect.services.organisations import accept_staff_invitation
from reflect.services.weekly_summary import queue_weekly_summaries
from scheduling.groups.attendance import mark_place_attendance
from scheduling.groups.notices import session_when
from scheduling.groups.places import book_place
from scheduling.groups.session_changes import cancel_session, move_session
from scheduling.models import BookingStatus, GroupSession, ReflectiveGroup, SessionStatus, SupervisionBooking
from scheduling.services.bookings import cancel_supervision
from supervision.enums import AgreementStatus
from supervision.models import SupervisionAgreement, SupervisorProfile
from supervision.services.agreements import decline_request, end_agreement, send_request
from tests.factories.core import UserFactory
from tests.factories.groups import NOW, make_facilitator, make_group

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"'<>]+")


def _scene() -> None:
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    pool = Pool.objects.get(commissioners__email="commissioner@demo.reflect.test")
    commissioner = User.objects.get(email="commissioner@demo.reflect.test")
    supervisor = SupervisorProfile.objects.get(user__email="supervisor@demo.reflect.test")
    # A commissioner's pool-wide request, declined: the answer goes to the commissioner too.
    organisation = (
        pool.organisations.exclude(supervision_agreements__status=AgreementStatus.ACTIVE).order_by("pk").first()
    )
    request = send_request(
        acting_user=commissioner,
        organisation=organisation,
        supervisor=supervisor,
        pool=pool,
        format=supervisor.offers[0],
        hours_per_month=Decimal(1),
        starts_on=max(pool.starts_on, timezone.localdate()),
        review_on=pool.ends_on,
    )
    decline_request(request, acting_user=supervisor.user, reply="My diary is full until spring.")
    # The supervisor gives notice on an agreement: its organisation's leads hear.
    agreement = SupervisionAgreement.objects.filter(supervisor=supervisor, status=AgreementStatus.ACTIVE).first()
    end_agreement(agreement, acting_user=supervisor.user, ends_on=pool.ends_on)
    # The weekly summary for every week that has something in it, for supervisors and leads.
    day = timezone.localdate()
    for _ in range(6):
        queue_weekly_summaries(day)
        day += datetime.timedelta(days=7)
    # A supervision session cancelled by its supervisor: the person booked and the supervisor hear.
    booking = SupervisionBooking.objects.filter(
        status=BookingStatus.BOOKED, starts_at__gt=timezone.now(), supervisor=supervisor
    ).first()
    cancel_supervision(booking, acting_user=supervisor.user, reason="Unwell")
    # Group sessions moved and cancelled: the people with places and on the waitlist hear.
    full = ReflectiveGroup.objects.get(title="Leeds evening reflective circle")
    first = GroupSession.objects.filter(group=full, status=SessionStatus.SCHEDULED).order_by("starts_at").first()
    move_session(
        first,
        acting_user=commissioner,
        starts_on=timezone.localtime(first.starts_at).date() + datetime.timedelta(days=1),
        start_time=datetime.time(18, 0),
    )
    drop_in = ReflectiveGroup.objects.get(title="Leeds reflective practice drop-in")
    session = GroupSession.objects.filter(group=drop_in, status=SessionStatus.SCHEDULED).order_by("starts_at").first()
    cancel_session(session, acting_user=commissioner, note="The room is flooded.")


def _opens(client: Client, url: str) -> tuple[int, str]:
    """Follow the link as a browser would; the final status and where it ended."""
    parts = urlsplit(url)
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""), follow=True)
    return response.status_code, response.request["PATH_INFO"]


def test_every_emailed_link_opens_for_its_recipient():
    _scene()
    kinds: set[str] = set()
    refused = []
    opened = 0
    for notification in Notification.objects.select_related("recipient").order_by("pk"):
        message = render_notification(notification, short=False)
        links = {
            link.rstrip(".,)")
            for link in LINK.findall(message.text + message.html)
            if link.startswith(settings.SITE_URL)
        }
        # An invitation goes to an address; whoever has an account with it opens it signed in.
        person = notification.recipient or User.objects.filter(email__iexact=notification.recipient_email).first()
        client = Client()
        if person is not None:
            client.force_login(person)
        for link in sorted(links):
            status, ended = _opens(client, link)
            opened += 1
            kinds.add(notification.kind)
            if status != 200:
                who = person.email if person else notification.recipient_email
                refused.append((notification.kind, who, link, status, ended))
    assert refused == []
    # The scene reached the kinds with links (the rest carry none: a cancelled group session, say).
    assert kinds >= {
        "invitation",
        "group_place_booked",
        "group_place_offered",
        "group_session_moved",
        "supervision_booked",
        "supervision_cancelled",
        "supervision_request_sent",
        "supervision_request_answered",
        "supervision_agreement_ending",
        "weekly_summary",
        "reminder",
    }, kinds
    assert opened >= 40
    # The commissioner's own message was among them: the answer to the request they sent from
    # the pool-wide assignment, linked to that page (the organisation's page is its leads').
    answered = Notification.objects.get(
        recipient__email="commissioner@demo.reflect.test", kind="supervision_request_answered"
    )
    pool = Pool.objects.get(commissioners__email="commissioner@demo.reflect.test")
    assert answered.context["url"] == f"{settings.SITE_URL}/pools/{pool.pk}/assignment/"


def test_a_used_invitation_link_takes_the_person_who_used_it_where_it_led(client, world):
    newcomer = UserFactory(email="newcomer@harehills.org", first_name="Nia")
    invitation, token = create_invitation(
        InvitationKind.ORGANISATION_STAFF, newcomer.email, acting_user=world.lead, organisation=world.organisation
    )
    accept_staff_invitation(invitation, acting_user=newcomer)
    path = reverse("invitation", args=[token])

    client.force_login(newcomer)
    response = client.get(path, follow=True)
    assert response.redirect_chain == [(reverse("organisation_detail", args=[world.organisation.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == ["You have already joined Harehills Drama."]

    # Anyone else still meets the page that says it cannot be used, and changes nothing.
    client.force_login(world.colleague)
    response = client.get(path)
    assert response.status_code == 403
    assert "This invitation cannot be used" in response.content.decode()


def test_the_missed_session_message_links_the_next_session_it_names(client, world):
    facilitator = make_facilitator()
    group = make_group(world, facilitator=facilitator)
    missed, following = GroupSession.objects.filter(group=group).order_by("starts_at")[:2]
    place = book_place(missed, acting_user=world.member, now=NOW)
    mark_place_attendance(place, False, acting_user=facilitator.user, now=missed.ends_at)
    message = Notification.objects.get(recipient=world.member, kind="group_missed_session")
    text = render_notification(message, short=False).text
    url = f"{settings.SITE_URL}{reverse('group_session', args=[following.pk])}"
    assert f"The next session is on {session_when(following)}:\n{url}\n" in text
    client.force_login(world.member)
    assert client.get(reverse("group_session", args=[following.pk])).status_code == 200
