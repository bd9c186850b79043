"""Audit: role and permission changes are recorded, by the pages and in the admin; admins read and
filter the log; an erased person is an account number there, nothing more."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from reflect.data_protection.erasure import erase_account
from reflect.models import AuditEvent, Membership
from reflect.services.organisations import hand_on_lead, remove_member
from reflect.services.pools import create_pool
from supervision.services.profiles import verify_supervisor
from tests.factories.core import signed_in
from tests.factories.supervision import SupervisorProfileFactory

pytestmark = pytest.mark.django_db


def actions(**filters) -> list[tuple[str, int | None]]:
    return [(e.action, e.details.get("user_id")) for e in AuditEvent.objects.filter(**filters).order_by("pk")]


def test_role_changes_through_the_pages_are_audited(world, admin_user):
    colleague = Membership.objects.get(user=world.colleague)
    hand_on_lead(world.organisation, colleague, acting_user=world.lead)
    remove_member(Membership.objects.get(user=world.member), acting_user=world.colleague)
    create_pool(
        acting_user=world.commissioner,
        name="Bradford pool",
        starts_on=datetime.date(2027, 4, 1),
        ends_on=datetime.date(2028, 3, 31),
        hours_budget=100,
        money_budget=6000,
        hourly_rate=60,
        allocation_rule="equal",
    )
    profile = SupervisorProfileFactory(verified_at=None)
    verify_supervisor(profile, acting_user=admin_user, what_was_checked="HCPC register, 28 Nov")
    assert actions(action__in=["membership.lead_granted", "membership.lead_removed", "membership.removed"]) == [
        ("membership.lead_granted", world.colleague.pk),
        ("membership.lead_removed", world.lead.pk),
        ("membership.removed", world.member.pk),
    ]
    assert actions(action="pool.commissioner_added") == [("pool.commissioner_added", world.commissioner.pk)]
    assert AuditEvent.objects.get(action="supervisor_profile.verified").target == (
        f"supervision.supervisorprofile:{profile.pk}"
    )


def test_admin_changes_to_rights_and_memberships_are_audited(client, world, admin_user):
    client.force_login(admin_user)
    membership = Membership.objects.get(user=world.member)
    response = client.post(
        reverse("admin:reflect_membership_change", args=[membership.pk]),
        {
            "organisation": world.organisation.pk,
            "user": world.member.pk,
            "is_lead": "on",
            "left_at_0": "",
            "left_at_1": "",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="membership.changed_by_admin")
    assert (event.actor_id, event.details) == (
        admin_user.pk,
        {"user_id": world.member.pk, "is_lead": True, "left": False, "fields": ["is_lead"]},
    )
    # Making someone staff through the user page (its memberships inline sent back unchanged).
    response = client.get(reverse("admin:reflect_user_change", args=[world.member.pk]))
    form = response.context["adminform"].form
    data = {name: value for name, value in _form_data(form).items() if name not in ("password",)}
    data["is_staff"] = "on"
    for formset in response.context["inline_admin_formsets"]:
        data.update(_formset_data(formset.formset))
    response = client.post(reverse("admin:reflect_user_change", args=[world.member.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="user.rights_changed")
    assert (event.actor_id, event.target, event.details) == (
        admin_user.pk,
        f"reflect.user:{world.member.pk}",
        {"is_staff": True},
    )
    # The memberships sent back unchanged wrote nothing more.
    assert AuditEvent.objects.filter(action__startswith="membership.").count() == 1


def _form_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        key = form.add_prefix(name)
        widget = field.widget
        if hasattr(widget, "widgets"):  # split date and time
            for i, part in enumerate(widget.decompress(value)):
                if part is not None:
                    data[f"{key}_{i}"] = str(part)
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [getattr(v, "pk", v) for v in value]
        elif value is not None:
            data[key] = str(getattr(value, "pk", value))
    return data


def _formset_data(formset) -> dict:
    management = formset.management_form
    data = {management.add_prefix(name): management.initial.get(name, "") for name in management.fields}
    for form in formset.initial_forms:
        data.update(_form_data(form))
    return data


def test_admins_filter_the_audit_log_by_action_and_date(client, world, admin_user):
    client.force_login(admin_user)
    colleague = Membership.objects.get(user=world.colleague)
    hand_on_lead(world.organisation, colleague, acting_user=world.lead)
    changelist = reverse("admin:reflect_auditevent_changelist")
    listed = client.get(changelist + "?action=membership.lead_removed").context["cl"].result_list
    assert [e.action for e in listed] == ["membership.lead_removed"]
    AuditEvent.objects.filter(action="membership.lead_removed").update(
        occurred_at=datetime.datetime(2025, 1, 5, tzinfo=datetime.UTC)
    )
    listed = client.get(changelist + "?occurred_at__year=2025").context["cl"].result_list
    assert [e.action for e in listed] == ["membership.lead_removed"]
    # Read-only: no adding, changing or deleting rows.
    assert client.get(reverse("admin:reflect_auditevent_add")).status_code == 403


def test_after_erasure_the_log_shows_an_account_number_only(client, world, admin_user):
    erase_account(world.member, acting_user=world.member)
    client.force_login(admin_user)
    page = client.get(reverse("admin:reflect_auditevent_changelist")).content.decode()
    assert f"Erased account {world.member.pk}" in page
    assert "Sam" not in page
    assert world.member.email not in page


def test_who_viewed_a_pools_figures_and_a_register_of_names_is_recorded(client, world):
    from reflect.models import AuditEvent as Event
    from scheduling.groups.places import book_place
    from tests.factories.groups import NOW, make_group

    signed_in(client, world.commissioner)
    client.get(reverse("pool_detail", args=[world.pool.pk]))
    group = make_group(world)
    session = group.sessions.order_by("starts_at").first()
    book_place(session, acting_user=world.member, now=NOW)
    signed_in(client, group.facilitator.user)
    assert client.get(reverse("group_register", args=[session.pk])).status_code == 200
    views = Event.objects.filter(action__endswith=".viewed").order_by("pk")
    assert [(e.action, e.actor_id, e.target) for e in views] == [
        ("pool.viewed", world.commissioner.pk, f"reflect.pool:{world.pool.pk}"),
        ("group_register.viewed", group.facilitator.user_id, f"scheduling.groupsession:{session.pk}"),
    ]
