import pytest
from django.core import mail
from django.urls import reverse

from reflect.errors import DomainError
from reflect.models import AuditEvent, Community, Invitation, Membership, Organisation
from reflect.services import organisations as org_services
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db


def test_registering_an_organisation_makes_you_its_lead():
    user = UserFactory()
    communities = list(Community.objects.filter(slug__in=["lgbtqia", "older-people"]))
    organisation = org_services.create_organisation(
        acting_user=user,
        name="Rainbow Haven",
        description="A weekly drop-in.",
        area="Leeds",
        staff_size=4,
        runs_group_work=True,
        communities=communities,
    )
    membership = Membership.objects.get(organisation=organisation)
    assert (membership.user, membership.is_lead) == (user, True)
    assert sorted(organisation.communities.values_list("slug", flat=True)) == ["lgbtqia", "older-people"]


def test_the_communities_are_the_reports_list():
    assert list(Community.objects.values_list("slug", flat=True)) == [
        "black-and-south-asian",
        "lgbtqia",
        "neurodiverse",
        "older-people",
        "poverty",
        "addictions",
        "domestic-abuse",
    ]


def test_lead_invites_staff_who_joins_from_the_emailed_link(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisation_invite", args=[world.organisation.pk]), {"email": "New.Person@Example.org"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert message.subject == "You are invited to join Harehills Drama on Reflect"
    link = next(line for line in message.body.splitlines() if "/invitations/" in line).strip()
    path = link.removeprefix("http://127.0.0.1:8000")

    newcomer = UserFactory(email="new.person@example.org")
    client.force_login(newcomer)
    page = client.get(path)
    assert page.status_code == 200
    assert "Join Harehills Drama" in page.content.decode()
    response = client.post(path)
    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer, organisation=world.organisation).is_lead is False
    # The same link again takes them where it led (issue 18: e-mailed links land on a page they can open).
    again = client.get(path, follow=True)
    assert again.redirect_chain == [(reverse("organisation_detail", args=[world.organisation.pk]), 302)]
    assert "You have already joined Harehills Drama." in again.content.decode()


def test_inviting_a_current_member_is_refused_with_a_reason(client, world):
    client.force_login(world.lead)
    response = client.post(reverse("organisation_invite", args=[world.organisation.pk]), {"email": world.member.email})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": [f"{world.member.email} is already a member of Harehills Drama."]
    }
    assert not Invitation.objects.exists()


def test_lead_removes_a_member_and_cannot_remove_the_last_lead(client, world):
    membership = Membership.objects.get(user=world.member, organisation=world.organisation)
    client.force_login(world.lead)
    response = client.post(reverse("organisation_member_remove", args=[world.organisation.pk, membership.pk]))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_at is not None
    lead_membership = Membership.objects.get(user=world.lead, organisation=world.organisation)
    with pytest.raises(DomainError, match="Hand the lead role to someone else"):
        org_services.remove_member(lead_membership, acting_user=world.lead)
    lead_membership.refresh_from_db()
    assert lead_membership.left_at is None


def test_staff_cannot_remove_a_colleague(client, world):
    colleague = Membership.objects.get(user=world.colleague, organisation=world.organisation)
    client.force_login(world.member)
    response = client.post(reverse("organisation_member_remove", args=[world.organisation.pk, colleague.pk]))
    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.left_at is None


def test_staff_can_leave(client, world):
    mine = Membership.objects.get(user=world.member, organisation=world.organisation)
    client.force_login(world.member)
    response = client.post(reverse("organisation_member_remove", args=[world.organisation.pk, mine.pk]))
    assert response["Location"] == reverse("home")
    mine.refresh_from_db()
    assert mine.left_at is not None


def test_lead_hands_the_role_on_and_stays_as_staff(client, world):
    new_lead = Membership.objects.get(user=world.colleague, organisation=world.organisation)
    client.force_login(world.lead)
    response = client.post(
        reverse("organisation_hand_on_lead", args=[world.organisation.pk]), {"new_lead": str(new_lead.pk)}
    )
    assert response.status_code == 302
    leads = list(
        Membership.objects.filter(organisation=world.organisation, is_lead=True).values_list("user", flat=True)
    )
    assert leads == [world.colleague.pk]
    assert Membership.objects.get(user=world.lead, organisation=world.organisation).left_at is None
    assert list(
        AuditEvent.objects.filter(action__startswith="membership.lead")
        .order_by("id")
        .values_list("action", "details__user_id")
    ) == [
        ("membership.lead_granted", world.colleague.pk),
        ("membership.lead_removed", world.lead.pk),
    ]


def test_hand_on_to_a_member_of_another_organisation_is_a_404(client, world):
    outsider_membership = Membership.objects.get(user=world.outsider)
    client.force_login(world.lead)
    response = client.post(
        reverse("organisation_hand_on_lead", args=[world.organisation.pk]), {"new_lead": str(outsider_membership.pk)}
    )
    # Not one of the offered choices: the form says so, and nothing changes.
    assert response.status_code == 200
    assert "new_lead" in response.context["form"].errors
    assert Membership.objects.get(user=world.lead, organisation=world.organisation).is_lead is True


def test_a_person_can_belong_to_several_organisations_with_different_roles(world):
    org_services.create_organisation(
        acting_user=world.member, name="Second", description="x", area="y", staff_size=1, runs_group_work=False
    )
    roles = dict(Membership.objects.filter(user=world.member).values_list("organisation__name", "is_lead"))
    assert roles == {"Harehills Drama": False, "Second": True}


def test_lead_edits_the_organisation(client, world):
    client.force_login(world.lead)
    response = client.post(
        reverse("organisation_edit", args=[world.organisation.pk]),
        {
            "name": "Harehills Drama CIC",
            "description": "Drama",
            "area": "Harehills",
            "staff_size": "6",
            "runs_group_work": "on",
            "communities": [Community.objects.get(slug="poverty").pk],
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(pk=world.organisation.pk)
    assert (organisation.name, organisation.staff_size) == ("Harehills Drama CIC", 6)
    assert list(organisation.communities.values_list("slug", flat=True)) == ["poverty"]


def test_a_former_lead_cannot_remove_anyone(world):
    """The view checked the lead role before; the service checks again under its lock."""
    colleague = Membership.objects.get(user=world.colleague, organisation=world.organisation)
    lead = Membership.objects.get(user=world.lead, organisation=world.organisation)
    org_services.hand_on_lead(world.organisation, colleague, acting_user=world.lead)
    member = Membership.objects.get(user=world.member, organisation=world.organisation)
    with pytest.raises(DomainError, match="Only the organisation's lead can remove someone"):
        org_services.remove_member(member, acting_user=world.lead)
    member.refresh_from_db()
    assert member.left_at is None
    # Leaving yourself is still allowed.
    org_services.remove_member(lead, acting_user=world.lead)
    lead.refresh_from_db()
    assert lead.left_at is not None
