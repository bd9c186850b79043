from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest

from reflect import wording
from reflect.access import acting_user
from reflect.errors import DomainError
from reflect.text_limits import NOTE, bounded
from supervision.models import (
    AnswerOption,
    NeedsAssessment,
    Question,
    QuestionBankVersion,
    ScoringRule,
    Section,
    SupervisionAgreement,
    SupervisionRequest,
    SupervisorProfile,
)
from supervision.services.bank import copy_to_draft, publish_version
from supervision.services.profiles import verify_supervisor


class VerificationStatusFilter(admin.SimpleListFilter):
    title = "verification"
    parameter_name = "verification"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("unverified", "Waiting to be verified"), ("verified", "Verified")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "unverified":
            return queryset.filter(verified_at__isnull=True)
        if self.value() == "verified":
            return queryset.filter(verified_at__isnull=False)
        return queryset


class VerifyActionForm(ActionForm):
    note = forms.CharField(
        required=False,
        label="What was checked",
        **bounded("what was checked", NOTE),
        help_text="For verify: the register searched, the entry found and its date.",
    )


@admin.register(SupervisorProfile)
class SupervisorProfileAdmin(admin.ModelAdmin):
    """The verification queue: filter "Waiting to be verified", check each registration on the
    body's public register, then run "Verify" with a note of what was checked."""

    list_display = [
        "user",
        "profession",
        "professional_body",
        "registration_number",
        "verified_at",
        "verified_by",
        "created_at",
    ]
    list_filter = [VerificationStatusFilter, "professional_body", "accepting_organisations"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "profession", "registration_number"]
    raw_id_fields = ["user"]
    readonly_fields = ["verified_at", "verified_by", "verification_note"]
    filter_horizontal = ["communities"]
    action_form = VerifyActionForm
    actions = ["verify"]

    @admin.action(description="Verify the registration of the selected supervisors")
    def verify(self, request: HttpRequest, queryset: QuerySet[SupervisorProfile]) -> None:
        note = request.POST.get("note", "")
        done = 0
        for profile in queryset:
            try:
                verify_supervisor(profile, acting_user=acting_user(request), what_was_checked=note)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
                return
            done += 1
        self.message_user(request, f"{wording.count(done, 'supervisor')} verified.", messages.SUCCESS)


class _ThroughTheServicesOnly(admin.ModelAdmin):
    """Read-only: requests and agreements change hours under the capacity locks of
    supervision/services/agreements.py, which an admin form would skip (docs/architecture.md)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SupervisionRequest)
class SupervisionRequestAdmin(_ThroughTheServicesOnly):
    list_display = ["organisation", "supervisor", "pool", "hours_per_month", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["organisation", "supervisor", "pool", "requested_by"]


@admin.register(SupervisionAgreement)
class SupervisionAgreementAdmin(_ThroughTheServicesOnly):
    list_display = ["organisation", "supervisor", "pool", "hours_per_month", "starts_on", "ends_on", "status"]
    list_filter = ["status"]
    raw_id_fields = ["organisation", "supervisor", "pool", "request", "ended_by"]


# --- The question bank (docs/questionnaire.md): data, versioned; a published version is read-only ---


def _version_of(obj: object) -> QuestionBankVersion | None:
    if isinstance(obj, QuestionBankVersion):
        return obj
    if isinstance(obj, Section | ScoringRule):
        return obj.version
    if isinstance(obj, Question):
        return obj.section.version
    if isinstance(obj, AnswerOption):
        return obj.question.section.version
    return None


if TYPE_CHECKING:
    # What the mixin is mixed into: a ModelAdmin or an inline (at run time it is a plain mixin).
    _AdminBase = admin.options.BaseModelAdmin[Any]
else:
    _AdminBase = object


class DraftOnlyMixin(_AdminBase):
    """Published versions (and everything in them) can be viewed, never changed or deleted."""

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        version = _version_of(obj)
        if version is not None and version.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        version = _version_of(obj)
        if version is not None and version.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        version = _version_of(obj)
        if version is not None and version.is_published:
            return False
        if obj is None:
            return super().has_add_permission(request)
        # An inline's has_add_permission also takes the parent object; the mixin's base type is
        # the ModelAdmin's, which does not.
        return super().has_add_permission(request, obj)  # type: ignore[call-arg]

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        # New rows can only go into a draft version.
        if db_field.name == "version":
            kwargs["queryset"] = QuestionBankVersion.objects.filter(published_at__isnull=True)
        elif db_field.name == "section":
            kwargs["queryset"] = Section.objects.filter(version__published_at__isnull=True).select_related("version")
        elif db_field.name == "question":
            kwargs["queryset"] = Question.objects.filter(section__version__published_at__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SectionInline(DraftOnlyMixin, admin.TabularInline):
    model = Section
    extra = 0
    fields = ["order", "key", "title", "intro"]
    show_change_link = True


class ScoringRuleInline(DraftOnlyMixin, admin.TabularInline):
    model = ScoringRule
    extra = 0
    fields = [
        "order",
        "key",
        "question_key",
        "option_value",
        "min_number",
        "clinical_points",
        "consultation_points",
        "fires_outcome",
        "reason",
        "specialisms",
    ]


@admin.register(QuestionBankVersion)
class QuestionBankVersionAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "published_at", "clinical_threshold", "consultation_threshold", "created_at"]
    readonly_fields = ["published_at", "created_at"]
    inlines = [SectionInline, ScoringRuleInline]
    actions = ["publish", "copy_to_new_draft"]

    def get_readonly_fields(self, request: HttpRequest, obj: QuestionBankVersion | None = None) -> list[str]:
        return ["number", *self.readonly_fields] if obj is not None else list(self.readonly_fields)

    @admin.action(description="Publish the selected draft versions")
    def publish(self, request: HttpRequest, queryset: QuerySet[QuestionBankVersion]) -> None:
        for version in queryset.order_by("number"):
            try:
                publish_version(version, acting_user=acting_user(request))
            except DomainError as error:
                self.message_user(request, error.message, level=messages.ERROR)
            else:
                self.message_user(request, f"Version {version.number} is published.", level=messages.SUCCESS)

    @admin.action(description="Copy to a new draft version")
    def copy_to_new_draft(self, request: HttpRequest, queryset: QuerySet[QuestionBankVersion]) -> None:
        for version in queryset.order_by("number"):
            draft = copy_to_draft(version, acting_user=acting_user(request))
            self.message_user(request, f"Version {draft.number} is a new draft copied from version {version.number}.")


class AnswerOptionInline(DraftOnlyMixin, admin.TabularInline):
    model = AnswerOption
    extra = 0
    fields = ["order", "value", "label"]


class QuestionInline(DraftOnlyMixin, admin.TabularInline):
    model = Question
    extra = 0
    fields = ["order", "key", "text", "kind", "required"]
    show_change_link = True


@admin.register(Section)
class SectionAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "key", "version", "order"]
    list_filter = ["version"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["key", "text", "kind", "required", "section"]
    list_filter = ["section__version", "kind"]
    search_fields = ["key", "text"]
    inlines = [AnswerOptionInline]


@admin.register(ScoringRule)
class ScoringRuleAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = [
        "key",
        "question_key",
        "option_value",
        "min_number",
        "clinical_points",
        "consultation_points",
        "fires_outcome",
        "version",
    ]
    list_filter = ["version", "fires_outcome"]
    search_fields = ["key", "question_key", "reason"]


@admin.register(NeedsAssessment)
class NeedsAssessmentAdmin(admin.ModelAdmin):
    """Read-only: results are snapshots, and answers are the organisation's own."""

    list_display = ["pk", "organisation", "organisation_name", "version", "outcome", "completed_at", "created_at"]
    list_filter = ["outcome", "version"]
    search_fields = ["organisation__name", "organisation_name"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
