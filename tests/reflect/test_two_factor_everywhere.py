"""Every URL pattern, classified: which need two-factor authentication (issue 17).

The table below is the expected answer for every named pattern of the site. A new pattern that
is not in it fails the test, so a new view cannot be forgotten: its author decides whether it is
privileged (reflect.access.privileged) and says so here (docs/security.md, "Two-factor").
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from reflect.access import privileged_gate
from reflect.middleware import ADMIN_OPEN_PAGES

# Pages that need two-factor authentication, by the single rule (reflect.middleware.TwoFactorMiddleware).
TWO_FACTOR = {
    # commissioners
    "pool_list", "pool_create", "pool_detail", "pool_invite", "pool_reallocate", "pool_invitation_revoke",
    "pool_allocation", "pool_assignment", "pool_dashboard", "pool_dashboard_reach", "pool_dashboard_outcomes",
    "pool_rebalance", "pool_export",
    "outcomes_schedule",
    "pool_learning_needs", "pool_learning_export", "learning_topic_add",
    "group_create", "group_pool_groups", "group_manage", "group_change", "group_session_move",
    "group_session_cancel_all", "cohort_fill", "group_session_link",
    "learning_session_new", "learning_course_share",
    "webhook_pool_endpoints", "webhook_pool_endpoint_add",
    # supervisors
    "availability_overview", "availability_settings", "availability_week", "availability_rule_add",
    "availability_rule_remove", "availability_override_add", "availability_override_remove",
    "availability_days_off", "availability_days_off_check",
    "availability_busy_calendar", "availability_busy_calendar_remove", "supervisor_sessions",
    "availability_connected_calendar", "availability_connected_calendar_disconnect",
    "availability_connected_calendar_put_back",
    "supervisor_profile", "supervisor_profile_edit", "supervisor_requests", "supervisor_request",
    "supervisor_agreements", "supervision_session_attendance", "learning_suggest",
    # facilitators
    "group_facilitated", "group_register", "group_register_cancel_place", "group_register_link",
    # supervisors and facilitators countersigning supervision records
    "records_supervisees", "records_countersign",
    # API tokens: a token acts without a second factor, so only someone with one makes it
    "api_tokens", "api_token_new", "api_token_revoke",
}  # fmt: skip

# A supervision session's pages are shared by its attendees, its booker, the organisation's
# leads and its supervisor: only the supervisor must have two-factor, checked per booking
# (scheduling.views.bookings._supervisor_needs_two_factor).
PER_OBJECT = {
    "supervision_session", "supervision_session_cancel", "supervision_session_move", "supervision_session_ics",
    "supervision_session_link",
    # A webhook endpoint's pages: a pool's endpoint needs two-factor (its commissioner), an
    # organisation's does not (its lead), checked per endpoint (webhooks.views._endpoint_or_refusal).
    "webhook_endpoint", "webhook_endpoint_rotate", "webhook_endpoint_toggle", "webhook_endpoint_delete",
    "webhook_delivery_resend",
}  # fmt: skip

# Public pages, or pages for any signed-in person (staff, leads, the questionnaire, my data).
NO_TWO_FACTOR = {
    "home", "privacy", "accessibility", "account", "contact_preferences", "two_factor_required", "health", "health_signed_in", "security_txt",
    "organisation_list", "organisation_create", "organisation_detail", "organisation_edit", "organisation_invite",
    "organisation_hand_on_lead", "organisation_member_remove", "organisation_invitation_revoke",
    "organisation_usage", "organisation_matches", "request_supervisor", "organisation_supervision",
    "withdraw_request", "end_agreement", "agreement_check_in",
    "invitation_for_me", "invitation_for_me_new_organisation", "invitation", "invitation_new_organisation",
    "questionnaire_start", "questionnaire_results", "questionnaire_compare", "questionnaire_resume",
    "questionnaire_section", "questionnaire_check", "questionnaire_result", "questionnaire_save_to_organisation",
    "questionnaire_take_again", "questionnaire_brief", "questionnaire_brief_pdf",
    "supervisor_directory", "supervisor_detail", "supervisor_photo",
    "group_sessions", "group_detail", "group_my_places", "group_session", "group_session_book", "group_session_cancel",
    "group_session_ics",
    "learning_session_book", "learning_session_feedback",
    "group_waitlist_join", "group_waitlist_accept", "group_waitlist_leave", "group_organisation_totals",
    "cohort_apply", "cohort_withdraw", "cohort_leave",
    "supervision_home", "supervision_book", "supervision_book_confirm", "supervision_log", "supervision_log_csv",
    "calendar", "calendar_regenerate", "calendar_feed", "calendar_group_schedule",
    "my_data", "my_data_export_json", "my_data_export_html", "my_data_erase", "my_data_erase_confirm",
    "my_data_erased", "equality_answers", "equality_not_now",
    "records_home", "records_body", "records_note", "records_csv", "records_signed_pdf", "records_cpd_add",
    "records_cpd_evidence", "records_cpd_delete", "records_verify",
    "webhook_organisation_endpoints", "webhook_organisation_endpoint_add",
    "outcomes_home", "outcomes_answer", "outcomes_decline",
    "learning_home", "learning_ask", "learning_withdraw", "learning_suggestion_accept", "learning_suggestion_ignore",
    "learning_organisation", "learning_organisation_remove",
}  # fmt: skip


# The API (docs/api.md): not privileged pages but programs, signed in by a token (made only with
# two-factor) or by a browser session, which counts only with two-factor (api.authentication).
API = {
    "api_schema", "api_docs", "api_not_found",
    "api_supervisors", "api_supervisor", "api_agreements", "api_agreement_slots",
    "api_bookings", "api_booking", "api_booking_move", "api_booking_cancel",
    "api_groups", "api_group", "api_sessions", "api_session", "api_session_place", "api_session_waitlist",
    "api_places", "api_waitlist",
    "api_organisations", "api_organisation_members",
    "api_pool_usage", "api_questionnaire", "api_questionnaire_submissions",
}  # fmt: skip


def url_patterns(
    resolver: URLResolver | None = None, route: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    """(namespace, route, pattern) for every pattern of the site, recursively."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from url_patterns(entry, route + str(entry.pattern), inner)
        else:
            yield namespace, route + str(entry.pattern), entry


def is_sign_in_flow(pattern: URLPattern) -> bool:
    """allauth's pages: signing in, and setting up two-factor itself, must stay reachable."""
    return pattern.callback.__module__.startswith("allauth.")


def test_every_url_pattern_is_classified_and_enforced_as_declared():
    seen: set[str] = set()
    unclassified, wrong = [], []
    for namespace, route, pattern in url_patterns():
        needs = privileged_gate(pattern.callback) is not None
        if namespace == "admin":
            # The whole admin is privileged by the middleware's rule, but its sign-in and sign-out.
            assert needs is False, route
            continue
        if is_sign_in_flow(pattern):
            assert not needs, route
            continue
        name = pattern.name or route
        seen.add(name)
        if name in TWO_FACTOR:
            expected = True
        elif name in PER_OBJECT or name in NO_TWO_FACTOR or name in API:
            expected = False
        else:
            unclassified.append(f"{route} ({name})")
            continue
        if needs != expected:
            wrong.append(f"{route} ({name}): {'needs' if needs else 'does not need'} two-factor")
    assert not unclassified, f"URL patterns missing from the two-factor table: {unclassified}"
    assert not wrong, wrong
    # The table names no pattern that has gone.
    assert seen >= (TWO_FACTOR | PER_OBJECT | NO_TWO_FACTOR), (TWO_FACTOR | PER_OBJECT | NO_TWO_FACTOR) - seen


def test_the_admin_is_privileged_but_its_sign_in():
    names = {p.name for ns, _, p in url_patterns() if ns == "admin" and p.name}
    assert names >= ADMIN_OPEN_PAGES
    assert "index" in names - ADMIN_OPEN_PAGES


def test_the_rule_is_installed_after_authentication():
    middleware = settings.MIDDLEWARE
    assert "reflect.middleware.TwoFactorMiddleware" in middleware
    assert middleware.index("reflect.middleware.TwoFactorMiddleware") > middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )
