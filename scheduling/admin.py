"""Admin for reflective groups. Places and waitlist entries are read-only: they change only
through the services, which keep the session's count and the ledger in step."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey
from django.http import HttpRequest

from reflect.access import acting_user
from scheduling.groups.changes import group_saved_in_admin
from scheduling.models import (
    CohortApplication,
    CohortMembership,
    GroupSession,
    Place,
    ReflectiveGroup,
    WaitlistEntry,
)
from supervision.models import SupervisorProfile


@admin.register(ReflectiveGroup)
class ReflectiveGroupAdmin(admin.ModelAdmin):
    list_display = ["title", "pool", "kind", "capacity", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "pool__name"]
    # Room, place, schedule and end change through the commissioner's pages, which keep the
    # coming sessions in step and tell the people in them; here the status (pausing) and the
    # details, whose calendar entries save_model renews.
    readonly_fields = [
        "pool",
        "kind",
        "rrule",
        "first_date",
        "last_date",
        "start_time",
        "duration_minutes",
        "time_zone",
        "location",
        "online_link",
        "capacity",
        "overbooking_percent",
    ]

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "facilitator":  # as on the commissioner's pages: verified supervisors
            kwargs["queryset"] = SupervisorProfile.objects.filter(verified_at__isnull=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: ReflectiveGroup, form: forms.ModelForm[ReflectiveGroup], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change:
            # A new title or facilitator is a new version of every coming calendar entry.
            group_saved_in_admin(obj, changed=form.changed_data, acting_user=acting_user(request))

    # Deleting a group (or a session) would take its places and waitlists with it, unannounced and
    # past the ledger: a group is paused here, or ended through the commissioner's pages.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(GroupSession)
class GroupSessionAdmin(admin.ModelAdmin):
    list_display = ["group", "starts_at", "status", "places_taken", "place_limit"]
    list_filter = ["status"]
    search_fields = ["group__title"]
    # Moving or cancelling goes through the commissioner's pages, which tell the people coming;
    # a session's own video link too (its calendar entries take it: set_session_link).
    readonly_fields = [
        "online_link",
        "group",
        "starts_at",
        "ends_at",
        "status",
        "sequence",
        "original_starts_at",
        "places_taken",
        "places_attended",
        "places_absent",
        "place_limit",
    ]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    # Places and waitlists change through their services, which count what they change.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Place)
class PlaceAdmin(ReadOnlyAdmin):
    list_display = ["session", "organisation", "status", "booked_at"]
    list_filter = ["status"]
    search_fields = ["organisation__name", "session__group__title"]


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnlyAdmin):
    list_display = ["session", "organisation", "status", "joined_at", "offered_until"]
    list_filter = ["status"]
    search_fields = ["organisation__name", "session__group__title"]


@admin.register(CohortApplication)
class CohortApplicationAdmin(ReadOnlyAdmin):
    list_display = ["pool", "organisation", "status", "applied_at", "cohort"]
    list_filter = ["status"]
    search_fields = ["organisation__name", "pool__name"]


@admin.register(CohortMembership)
class CohortMembershipAdmin(ReadOnlyAdmin):
    list_display = ["group", "organisation", "joined_at", "left_at"]
    search_fields = ["organisation__name", "group__title"]
