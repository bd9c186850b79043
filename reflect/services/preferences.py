from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from reflect.models import ContactPreferences, Membership, User
from reflect.models.people import DEFAULT_REMINDER_HOURS
from reflect.statements import fetch_models


def preferences_for(user: User) -> ContactPreferences:
    """A person's contact preferences, created with the defaults the first time they are read."""
    preferences, _ = ContactPreferences.objects.get_or_create(
        user=user, defaults={"reminder_hours": list(DEFAULT_REMINDER_HOURS)}
    )
    return preferences


def preferences_of(users: Iterable[User]) -> dict[int, ContactPreferences]:
    """Several people's contact preferences by user id, in one query and without writing: the
    defaults (unsaved) for anyone who has not set any. For read paths inside a locked
    transaction (booking), where creating rows would be a write nobody asked for."""
    people = {user.pk: user for user in users}
    found = {row.user_id: row for row in ContactPreferences.objects.filter(user_id__in=list(people))}
    return {pk: found.get(pk) or _default_preferences(user) for pk, user in people.items()}


def _default_preferences(user: User) -> ContactPreferences:
    return ContactPreferences(user=user, reminder_hours=list(DEFAULT_REMINDER_HOURS))


def preferences_and_memberships_of(
    users: Iterable[User], organisation_id: int
) -> tuple[dict[int, ContactPreferences], dict[int, bool]]:
    """``preferences_of``, and whether each of them is current staff of the organisation (their
    ``is_lead`` by user id, absent when they are not), in one query: a booking reads both."""
    people = {user.pk: user for user in users}
    ids = {f"user_{index}": pk for index, pk in enumerate(people)}
    rows = fetch_models(
        ("reflect", "preferences and memberships", str(len(ids))),
        _preferences_and_memberships,
        organisation=organisation_id,
        **ids,
    )
    preferences: dict[int, ContactPreferences] = {}
    leads_by_member: dict[int, bool] = {}
    for row in rows:
        try:
            preferences[row.pk] = row.contact_preferences
            preferences[row.pk].user = people[row.pk]  # the caller's instance, fully read
        except ContactPreferences.DoesNotExist:
            preferences[row.pk] = _default_preferences(people[row.pk])
        is_lead = row.staff_is_lead  # type: ignore[attr-defined]  # the query's annotation
        if is_lead is not None:
            leads_by_member[row.pk] = is_lead
    return preferences, leads_by_member


def _preferences_and_memberships(organisation: int, **users: int) -> QuerySet[User]:
    """``preferences_and_memberships_of``'s query, for the people whose ids are ``users``: its
    SQL is kept once per process for each number of people (reflect/statements.py), as a
    booking reads it on every request."""
    membership = Membership.objects.current().filter(user=OuterRef("pk"), organisation_id=organisation)
    return (
        User.objects.filter(pk__in=list(users.values()))
        .select_related("contact_preferences")
        .annotate(staff_is_lead=Subquery(membership.values("is_lead")[:1]))
        .only("pk", "contact_preferences")
    )


@transaction.atomic
def update_preferences(user: User, **fields: object) -> ContactPreferences:
    preferences = ContactPreferences.objects.select_for_update().get(pk=preferences_for(user).pk)
    for name, value in fields.items():
        setattr(preferences, name, value)
    preferences.full_clean()
    preferences.save()
    return preferences
