from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from reflect.models import ContactPreferences, User
from reflect.models.people import DEFAULT_REMINDER_HOURS


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
    return {
        pk: found.get(pk) or ContactPreferences(user=user, reminder_hours=list(DEFAULT_REMINDER_HOURS))
        for pk, user in people.items()
    }


@transaction.atomic
def update_preferences(user: User, **fields: object) -> ContactPreferences:
    preferences = ContactPreferences.objects.select_for_update().get(pk=preferences_for(user).pk)
    for name, value in fields.items():
        setattr(preferences, name, value)
    preferences.full_clean()
    preferences.save()
    return preferences
