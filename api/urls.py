"""The API's addresses, mounted at /api/v1/ by config/urls.py (by dotted path: nothing imports api)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.views import directory, docs, groups, organisations, questionnaire, supervision, usage

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema", template_name="api/swagger_ui.html"),
        name="api_docs",
    ),
    path("supervisors/", directory.SupervisorList.as_view(), name="api_supervisors"),
    path("supervisors/<id:supervisor_id>/", directory.SupervisorDetail.as_view(), name="api_supervisor"),
    path("agreements/", supervision.AgreementList.as_view(), name="api_agreements"),
    path("agreements/<id:agreement_id>/slots/", supervision.AgreementSlots.as_view(), name="api_agreement_slots"),
    path("bookings/", supervision.BookingList.as_view(), name="api_bookings"),
    path("bookings/<id:booking_id>/", supervision.BookingDetail.as_view(), name="api_booking"),
    path("bookings/<id:booking_id>/move/", supervision.BookingMove.as_view(), name="api_booking_move"),
    path("bookings/<id:booking_id>/cancel/", supervision.BookingCancel.as_view(), name="api_booking_cancel"),
    path("groups/", groups.GroupList.as_view(), name="api_groups"),
    path("groups/<id:group_id>/", groups.GroupDetail.as_view(), name="api_group"),
    path("sessions/", groups.SessionList.as_view(), name="api_sessions"),
    path("sessions/<id:session_id>/", groups.SessionDetail.as_view(), name="api_session"),
    path("sessions/<id:session_id>/place/", groups.SessionPlace.as_view(), name="api_session_place"),
    path("sessions/<id:session_id>/waitlist/", groups.SessionWaitlist.as_view(), name="api_session_waitlist"),
    path("places/", groups.PlaceList.as_view(), name="api_places"),
    path("waitlist/", groups.WaitlistList.as_view(), name="api_waitlist"),
    path("organisations/", organisations.OrganisationList.as_view(), name="api_organisations"),
    path(
        "organisations/<id:organisation_id>/members/",
        organisations.MemberList.as_view(),
        name="api_organisation_members",
    ),
    path("pools/<id:pool_id>/usage/", usage.PoolUsage.as_view(), name="api_pool_usage"),
    path("questionnaire/", questionnaire.QuestionBank.as_view(), name="api_questionnaire"),
    path("questionnaire/submissions/", questionnaire.Submission.as_view(), name="api_questionnaire_submissions"),
    # Anything else under /api/v1/: a problem+json 404, never the site's HTML page. [\s\S], not
    # ".": a path with a line break in it (%0A) is anything else too.
    re_path(r"^[\s\S]*\Z", docs.not_found, name="api_not_found"),
]
