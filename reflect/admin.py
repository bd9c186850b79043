from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from reflect.models import (
    AuditEvent,
    Community,
    ContactPreferences,
    Invitation,
    LedgerEntry,
    Membership,
    Organisation,
    Pool,
    PoolCommissioner,
    PoolOrganisation,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user", "organisation"]
    readonly_fields = ["joined_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline]


@admin.register(ContactPreferences)
class ContactPreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "channel", "no_sessions_before", "updated_at"]
    list_filter = ["channel"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "staff_size", "runs_group_work", "created_at"]
    list_filter = ["runs_group_work", "communities"]
    search_fields = ["name", "area", "description"]
    filter_horizontal = ["communities"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "is_lead", "joined_at", "left_at"]
    list_filter = ["is_lead", "left_at"]
    search_fields = ["user__email", "organisation__name"]
    raw_id_fields = ["user", "organisation"]


class PoolCommissionerInline(admin.TabularInline):
    model = PoolCommissioner
    extra = 0
    raw_id_fields = ["user"]


class PoolOrganisationInline(admin.TabularInline):
    model = PoolOrganisation
    extra = 0
    raw_id_fields = ["organisation"]


@admin.register(Pool)
class PoolAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "hours_budget", "money_budget", "hourly_rate", "allocation_rule"]
    list_filter = ["allocation_rule"]
    search_fields = ["name"]
    inlines = [PoolCommissionerInline, PoolOrganisationInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "kind", "pool", "organisation", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["email", "pool__name", "organisation__name"]
    raw_id_fields = ["pool", "organisation", "invited_by", "accepted_by"]
    readonly_fields = ["token_hash"]


class AppendOnlyAdmin(admin.ModelAdmin):
    """Ledger and audit rows are facts: readable in the admin, never edited or deleted there."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(AppendOnlyAdmin):
    list_display = ["occurred_at", "pool", "organisation", "kind", "hours", "money", "quantity", "note"]
    list_filter = ["kind", "pool"]
    search_fields = ["pool__name", "organisation__name", "source", "note"]
    date_hierarchy = "occurred_at"


@admin.register(AuditEvent)
class AuditEventAdmin(AppendOnlyAdmin):
    list_display = ["occurred_at", "actor", "action", "target"]
    list_filter = ["action"]
    search_fields = ["action", "target", "actor__email"]
    date_hierarchy = "occurred_at"
