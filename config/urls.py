from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from reflect.views import data_protection, home, invitations, organisations, pools
from reflect.views.health import health, health_signed_in, security_txt

# The admin signs in through allauth, so its login has two-factor authentication and rate limits.
# allauth's documented way is to wrap the default site's bound method in place, which mypy
# refuses for any method.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

handler400 = "reflect.views.errors.bad_request"
handler403 = "reflect.views.errors.permission_denied"
handler404 = "reflect.views.errors.page_not_found"
handler500 = "reflect.views.errors.server_error"

urlpatterns = [
    path("", home.home, name="home"),
    path("privacy/", home.privacy, name="privacy"),
    path("accessibility/", home.accessibility_statement, name="accessibility"),
    path("account/", home.account, name="account"),
    path("account/contact-preferences/", home.contact_preferences, name="contact_preferences"),
    path("account/two-factor-required/", home.two_factor_required, name="two_factor_required"),
    path("accounts/", include("allauth.urls")),
    # Commissioners
    path("pools/", pools.pool_list, name="pool_list"),
    path("pools/new/", pools.pool_create, name="pool_create"),
    path("pools/<id:pool_id>/", pools.pool_detail, name="pool_detail"),
    path("pools/<id:pool_id>/invite/", pools.pool_invite, name="pool_invite"),
    path("pools/<id:pool_id>/reallocate/", pools.pool_reallocate, name="pool_reallocate"),
    path(
        "pools/<id:pool_id>/invitations/<id:invitation_id>/withdraw/",
        pools.pool_invitation_revoke,
        name="pool_invitation_revoke",
    ),
    path(
        "pools/<id:pool_id>/organisations/<id:organisation_id>/allocation/",
        pools.pool_allocation,
        name="pool_allocation",
    ),
    # Organisations
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path("organisations/new/", organisations.organisation_create, name="organisation_create"),
    path("organisations/<id:organisation_id>/", organisations.organisation_detail, name="organisation_detail"),
    path("organisations/<id:organisation_id>/edit/", organisations.organisation_edit, name="organisation_edit"),
    path("organisations/<id:organisation_id>/invite/", organisations.organisation_invite, name="organisation_invite"),
    path(
        "organisations/<id:organisation_id>/hand-on-lead/",
        organisations.hand_on_lead,
        name="organisation_hand_on_lead",
    ),
    path(
        "organisations/<id:organisation_id>/members/<id:membership_id>/remove/",
        organisations.member_remove,
        name="organisation_member_remove",
    ),
    path(
        "organisations/<id:organisation_id>/invitations/<id:invitation_id>/withdraw/",
        organisations.organisation_invitation_revoke,
        name="organisation_invitation_revoke",
    ),
    # Invitations: by the e-mailed link, or from the home page when signed in
    path("invitations/for-me/<id:invitation_id>/", invitations.invitation, name="invitation_for_me"),
    path(
        "invitations/for-me/<id:invitation_id>/new-organisation/",
        invitations.invitation_new_organisation,
        name="invitation_for_me_new_organisation",
    ),
    path("invitations/<str:token>/", invitations.invitation, name="invitation"),
    path(
        "invitations/<str:token>/new-organisation/",
        invitations.invitation_new_organisation,
        name="invitation_new_organisation",
    ),
    path("availability/", include("scheduling.urls")),
    path("admin/", admin.site.urls),
    path("questionnaire/", include("supervision.urls")),
    path("health/", health, name="health"),
    path("health/signed-in/", health_signed_in, name="health_signed_in"),
    path(".well-known/security.txt", security_txt, name="security_txt"),
    path("", include("supervision.supervisor_urls")),
    path("groups/", include("scheduling.groups.urls")),
    path("supervision/", include("scheduling.booking_urls")),
    path("calendar/", include("scheduling.calendar_urls")),
    # Optional equality monitoring: the person's own answers (docs/equality.md)
    path("account/equality/", include("equality.urls")),
]

# The commissioner dashboard, its exports and the lead's summary (issue 8).
urlpatterns += [path("", include("dashboard.urls"))]
# Learning sessions and courses for topics people asked about (docs/learning.md).
urlpatterns += [path("learning/sessions/", include("learning.sessions.urls"))]
# Supervision records: the practitioner's record, CPD log, exports and verification (issue 21).
urlpatterns += [path("", include("records.urls"))]
# Webhooks for a pool's or an organisation's own systems (issue 22).
urlpatterns += [path("webhooks/", include("webhooks.urls"))]
# Outcome measures: a person's own questionnaires and scores, a pool's schedule (docs/outcomes.md).
urlpatterns += [path("", include("outcomes.urls"))]
# Learning needs: staff's own, a supervisor's suggestions, a lead's records, a pool's topics (docs/learning.md).
urlpatterns += [path("", include("learning.urls"))]
# My data: see, take and erase what Reflect holds about you (always "me": no id in the address)
urlpatterns += [
    path("account/data/", data_protection.my_data, name="my_data"),
    path("account/data/reflect-my-data.json", data_protection.export_json, name="my_data_export_json"),
    path("account/data/reflect-my-data.html", data_protection.export_html, name="my_data_export_html"),
    path("account/data/erase/", data_protection.erase, name="my_data_erase"),
    path("account/data/erase/confirm/", data_protection.erase_confirm, name="my_data_erase_confirm"),
    path("account/erased/", data_protection.erased, name="my_data_erased"),
]
# The API (docs/api.md): by dotted path, as nothing imports the api app; its tokens on the account page.
urlpatterns += [
    path("api/v1/", include("api.urls")),
    path("account/api-tokens/", include("api.account_urls")),
]
