import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reflect.enums import InvitationKind
from reflect.models import Invitation, Membership, Organisation, PoolOrganisation
from reflect.services.invitations import create_invitation
from reflect.services.pools import join_pool
from tests.factories.core import MembershipFactory, OrganisationFactory, UserFactory, make_commissioner

pytestmark = pytest.mark.django_db


def _pool_invitation(world, email="lead@newgroup.org"):
    invitation, token = create_invitation(
        InvitationKind.POOL_ORGANISATION, email, acting_user=world.commissioner, pool=world.pool
    )
    return invitation, reverse("invitation", args=[token])


def test_signed_out_visitor_is_asked_to_sign_up_or_in_and_sent_back_after(client, world):
    _, path = _pool_invitation(world)
    page = client.get(path)
    content = page.content.decode()
    assert page.status_code == 200
    assert "You are invited to join the pool Leeds pool" in content
    assert f'href="/accounts/signup/?next={path}"' in content
    assert client.session["reflect_pending_invitation"] == path


def test_lead_joins_a_pool_with_a_new_organisation(client, world):
    invitation, path = _pool_invitation(world)
    newcomer = UserFactory(email="lead@newgroup.org")
    client.force_login(newcomer)
    # No organisation to choose from: straight to describing the new one.
    first = client.get(path)
    assert first["Location"] == path + "new-organisation/"
    response = client.post(
        path + "new-organisation/",
        {
            "name": "Seacroft Men's Shed",
            "description": "A workshop.",
            "area": "Seacroft",
            "staff_size": "5",
            "runs_group_work": "on",
        },
    )
    organisation = Organisation.objects.get(name="Seacroft Men's Shed")
    assert response["Location"] == reverse("organisation_detail", args=[organisation.pk])
    assert Membership.objects.get(organisation=organisation).user == newcomer
    assert PoolOrganisation.objects.filter(pool=world.pool, organisation=organisation).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer


def test_lead_joins_a_pool_with_an_organisation_they_already_lead(client, world):
    _invitation, path = _pool_invitation(world, email=world.outsider.email)
    client.force_login(world.outsider)
    page = client.get(path)
    assert page.status_code == 200
    assert [c[1] for c in page.context["form"].fields["organisation"].choices] == [
        "Otley Care Farm",
        "A new organisation — I will describe it next",
    ]
    response = client.post(path, {"organisation": str(world.other_organisation.pk)})
    assert response.status_code == 302
    assert PoolOrganisation.objects.filter(pool=world.pool, organisation=world.other_organisation).exists()


def test_a_new_organisation_form_with_errors_saves_nothing(client, world):
    invitation, path = _pool_invitation(world)
    client.force_login(UserFactory(email="lead@newgroup.org"))
    response = client.post(path + "new-organisation/", {"name": "", "description": "", "area": "", "staff_size": "-1"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "description", "area", "staff_size"}
    assert not Organisation.objects.filter(memberships__user__email="lead@newgroup.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_expired_invitation_explains_itself_and_offers_a_way_on(client, world):
    invitation, path = _pool_invitation(world)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.make_aware(datetime.datetime(2026, 1, 2, 12))
    )
    response = client.get(path)
    content = response.content.decode()
    assert response.status_code == 410
    assert "This invitation expired on Friday 2 January 2026." in content
    assert "Ask Carys Example to send a new invitation to lead@newgroup.org." in content


def test_invitation_for_another_address_says_so(client, world):
    _, path = _pool_invitation(world)
    client.force_login(world.member)
    response = client.get(path)
    content = response.content.decode()
    assert response.status_code == 403
    assert f"This invitation was sent to lead@newgroup.org, but you are signed in as {world.member.email}." in content
    assert "Sign out" in content
    assert client.post(path, {"organisation": "new"}).status_code == 403


def test_withdrawn_invitation_cannot_be_used(client, world):
    invitation, path = _pool_invitation(world)
    client.force_login(world.commissioner)
    world.commissioner.email = "carys@demo.reflect.test"  # exempt from 2FA in the demo
    world.commissioner.save()
    client.post(reverse("pool_invitation_revoke", args=[world.pool.pk, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    client.force_login(UserFactory(email="lead@newgroup.org"))
    response = client.get(path)
    assert "This invitation has been withdrawn by the person who sent it." in response.content.decode()


def test_unknown_invitation_link(client, db):
    response = client.get(reverse("invitation", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "We cannot find this invitation" in response.content.decode()


def test_home_page_lists_invitations_waiting_for_me_and_opens_them_without_the_token(client, world):
    invitation, _ = _pool_invitation(world, email=world.outsider.email)
    client.force_login(world.outsider)
    home = client.get(reverse("home"))
    assert reverse("invitation_for_me", args=[invitation.pk]) in home.content.decode()
    page = client.get(reverse("invitation_for_me", args=[invitation.pk]))
    assert page.status_code == 200
    # Somebody else cannot open it by id.
    client.force_login(world.member)
    assert client.get(reverse("invitation_for_me", args=[invitation.pk])).status_code == 404


def test_commissioner_invites_an_organisation_by_email(client, world, django_capture_on_commit_callbacks):
    commissioner = make_commissioner(world.pool, MembershipFactory(user__email="c@demo.reflect.test").user)
    client.force_login(commissioner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pool_invite", args=[world.pool.pk]), {"email": "hello@group.org"})
    assert response["Location"] == reverse("pool_detail", args=[world.pool.pk])
    assert [m.subject for m in mail.outbox] == ["You are invited to join Leeds pool"]
    assert Invitation.objects.get(email="hello@group.org").invited_by == commissioner


def test_a_used_pool_invitation_takes_its_lead_to_the_organisation_they_brought_in(client, world):
    """Its lead is also staff, not lead, of an older organisation of the pool that has a lead of
    its own: the link leads to the organisation this person leads, not to that one."""
    newcomer = UserFactory(email="lead@newgroup.org", first_name="Nia")
    MembershipFactory(organisation=world.organisation, user=newcomer, is_lead=False)
    theirs = OrganisationFactory(name="New Group")
    MembershipFactory(organisation=theirs, user=newcomer, is_lead=True)
    invitation, path = _pool_invitation(world)
    join_pool(invitation, theirs, acting_user=newcomer)
    assert world.organisation.pk < theirs.pk  # the one a looser rule, by key, would pick

    client.force_login(newcomer)
    response = client.get(path, follow=True)
    assert response.redirect_chain == [(reverse("organisation_detail", args=[theirs.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == ["You have already joined New Group."]
