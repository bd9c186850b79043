from __future__ import annotations

from django.db import transaction

from reflect.models import ContactPreferences, User
from reflect.models.people import DEFAULT_REMINDER_HOURS


def preferences_for(user: User) -> ContactPreferences:
    """A person's contact preferences, created with the defaults the first time they are read."""
    preferences, _ = ContactPreferences.objects.get_or_create(
        user=user, defaults={"reminder_hours": list(DEFAULT_REMINDER_HOURS)}
    )
    return preferences


@transaction.atomic
def update_preferences(user: User, **fields: object) -> ContactPreferences:
    preferences = ContactPreferences.objects.select_for_update().get(pk=preferences_for(user).pk)
    for name, value in fields.items():
        setattr(preferences, name, value)
    preferences.full_clean()
    preferences.save()
    return preferences
