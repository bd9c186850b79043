from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest
from django.urls import URLPattern, path

from reflect import wording
from reflect.access import acting_user
from reflect.errors import DomainError
from reflect.forms import ContactPreferencesForm, clean_mobile
from reflect.models import (
    AuditEvent,
    Community,
    ContactPreferences,
    Invitation,
    LedgerEntry,
    Membership,
    Notification,
    Organisation,
    Pool,
    PoolCommissioner,
    PoolOrganisation,
    User,
)
from reflect.services.audit import record_audit
from reflect.services.commissioners import approve_commissioner, revoke_commissioner
from reflect.services.notifications import retry_failed_notifications
from reflect.text_limits import too_long
from reflect.views.notification_preview import notification_preview

# Changes to who may do what, made in the admin, go in the audit log like the same changes
# made through the pages (issue 9): who did it and to which account number — no names.
RIGHTS_FIELDS = ("is_active", "is_staff", "is_superuser")


def _audit_role_rows(request: HttpRequest, formset: BaseModelFormSet[Any, Any]) -> None:
    """Memberships and commissions added, changed or deleted through an inline."""
    if formset.model not in (Membership, PoolCommissioner):
        return
    for obj in formset.deleted_objects:
        _audit_role_row(request, obj, "deleted")
    for obj in formset.new_objects:
        _audit_role_row(request, obj, "added")
    for obj, changed in formset.changed_objects:
        _audit_role_row(request, obj, "changed", changed)


def _audit_role_row(
    request: HttpRequest, obj: Membership | PoolCommissioner, how: str, changed: list[str] | None = None
) -> None:
    if isinstance(obj, PoolCommissioner):
        action = "pool.commissioner_removed" if how == "deleted" else "pool.commissioner_added"
        record_audit(action, actor=acting_user(request), target=obj.pool, user_id=obj.user_id, via="admin")
    else:
        record_audit(
            f"membership.{how}_by_admin",
            actor=acting_user(request),
            target=obj.organisation,
            user_id=obj.user_id,
            is_lead=obj.is_lead,
            left=obj.left_at is not None,
            fields=sorted(changed or []),
        )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user", "organisation"]
    readonly_fields = ["joined_at"]


class CommissionerApprovalFilter(admin.SimpleListFilter):
    title = "commissioner approval"
    parameter_name = "commissioner"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("approved", "Approved to create pools"), ("not_approved", "Not approved")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "approved":
            return queryset.filter(commissioner_approved_at__isnull=False)
        if self.value() == "not_approved":
            return queryset.filter(commissioner_approved_at__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Approving commissioners: find the person, then run "Approve as commissioners" (or
    "Revoke") — never by editing fields, so each change is an audit row (docs/security.md)."""

    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "commissioner_approved_at",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", CommissionerApprovalFilter]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Commissioner", {"fields": ("commissioner_approved_at", "commissioner_approved_by")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["commissioner_approved_at", "commissioner_approved_by"]
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline]
    actions = ["approve_commissioners", "revoke_commissioners"]

    @admin.action(description="Approve the selected people as commissioners (they can create pools)")
    def approve_commissioners(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._change_approval(request, queryset, approve_commissioner, "approved to create pools")

    @admin.action(description="Revoke the selected people's commissioner approval")
    def revoke_commissioners(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._change_approval(request, queryset, revoke_commissioner, "no longer approved to create pools")

    def _change_approval(
        self, request: HttpRequest, queryset: QuerySet[User], change: Callable[..., bool], done_words: str
    ) -> None:
        done = 0
        for user in queryset.order_by("pk"):
            try:
                done += change(user, acting_user=acting_user(request))
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
        self.message_user(request, f"{wording.count(done, 'person', 'people')} {done_words}.", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changed = sorted(name for name in form.changed_data if name in RIGHTS_FIELDS)
            if changed:
                record_audit(
                    "user.rights_changed",
                    actor=acting_user(request),
                    target=obj,
                    **{name: getattr(obj, name) for name in changed},
                )

    def save_related(
        self, request: HttpRequest, form: ModelForm[User], formsets: list[BaseModelFormSet[Any, Any]], change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        changed = sorted(name for name in form.changed_data if name in ("groups", "user_permissions"))
        if changed and change:
            record_audit("user.permissions_changed", actor=acting_user(request), target=form.instance, fields=changed)

    def save_formset(
        self, request: HttpRequest, form: ModelForm[Any], formset: BaseModelFormSet[Any, Any], change: bool
    ) -> None:
        super().save_formset(request, form, formset, change)
        _audit_role_rows(request, formset)


class ContactPreferencesAdminForm(ModelForm):
    """Every editable column, read as the person's own form reads it (phone numbers, limits)."""

    # The same choices as the person's own form, not the raw JSON of the column.
    reminder_hours = ContactPreferencesForm.declared_fields["reminder_hours"]

    class Meta:
        model = ContactPreferences
        fields = [
            "user",
            "channel",
            "phone",
            "postal_address",
            "reminder_hours",
            "no_sessions_before",
            "meets",
            "missed_session_messages",
            "time_zone",
        ]
        error_messages = ContactPreferencesForm.Meta.error_messages | {"time_zone": too_long("a time zone", 64)}

    def clean_phone(self) -> str:
        # The same reading as the person's own form: E.164, or refused (reflect/phone.py).
        return clean_mobile(self.cleaned_data["phone"])


@admin.register(ContactPreferences)
class ContactPreferencesAdmin(admin.ModelAdmin):
    form = ContactPreferencesAdminForm
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

    def save_formset(
        self, request: HttpRequest, form: ModelForm[Any], formset: BaseModelFormSet[Any, Any], change: bool
    ) -> None:
        super().save_formset(request, form, formset, change)
        _audit_role_rows(request, formset)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "is_lead", "joined_at", "left_at"]
    list_filter = ["is_lead", "left_at"]
    search_fields = ["user__email", "organisation__name"]
    raw_id_fields = ["user", "organisation"]

    def save_model(self, request: HttpRequest, obj: Membership, form: ModelForm[Membership], change: bool) -> None:
        super().save_model(request, obj, form, change)
        _audit_role_row(request, obj, "changed" if change else "added", list(form.changed_data))

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        _audit_role_row(request, obj, "deleted")
        super().delete_model(request, obj)


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

    def save_formset(
        self, request: HttpRequest, form: ModelForm[Any], formset: BaseModelFormSet[Any, Any], change: bool
    ) -> None:
        super().save_formset(request, form, formset, change)
        _audit_role_rows(request, formset)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "kind", "pool", "organisation", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["email", "pool__name", "organisation__name"]
    raw_id_fields = ["pool", "organisation", "invited_by", "accepted_by"]
    readonly_fields = ["token_hash"]


class AppendOnlyAdmin(admin.ModelAdmin):
    """Ledger and audit rows are facts: readable in the admin, never edited or deleted there."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(AppendOnlyAdmin):
    list_display = ["occurred_at", "pool", "organisation", "kind", "hours", "money", "quantity", "note"]
    list_filter = ["kind", "pool"]
    search_fields = ["pool__name", "organisation__name", "source", "note"]
    date_hierarchy = "occurred_at"


@admin.register(AuditEvent)
class AuditEventAdmin(AppendOnlyAdmin):
    """Who did what, filterable by action and date. An erased person appears only as
    "Erased account <number>"; rows older than AUDIT_RETENTION_MONTHS are deleted daily."""

    list_display = ["occurred_at", "actor", "action", "target", "details"]
    list_filter = ["action", "occurred_at"]
    search_fields = ["action", "target", "actor__email"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox. Filter by status "Failed" to see what did not go, and why."""

    list_display = ["due_at", "kind", "addressee", "status", "channel", "attempts", "last_error", "fallback_reason"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["recipient__email", "recipient_email", "about", "idempotency_key"]
    date_hierarchy = "due_at"
    raw_id_fields = ["recipient"]
    exclude = ["secret_context"]  # links that work as keys are not for display
    readonly_fields = [
        "recipient",
        "recipient_email",
        "kind",
        "about",
        "context",
        "ics",
        "idempotency_key",
        "status",
        "channel",
        "fallback_reason",
        "attempts",
        "last_error",
        "created_at",
        "dispatched_at",
        "claimed_at",
        "sent_at",
        "provider_reference",
    ]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.action(description="Send the selected failed notifications again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = retry_failed_notifications(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} failed notification(s) will be sent again.")

    def get_urls(self) -> list[URLPattern]:
        preview = self.admin_site.admin_view(notification_preview)
        return [
            path("preview/", preview, name="reflect_notification_preview"),
            path("preview/<str:kind>/", preview, name="reflect_notification_preview_kind"),
            *super().get_urls(),
        ]
