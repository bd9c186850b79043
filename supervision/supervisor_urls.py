"""Supervisors, the directory, matches, requests, agreements and pool-wide assignment."""

from django.urls import path

from supervision.views import agreements, assignment, supervisors

urlpatterns = [
    # The supervisor's own pages
    path("supervisor/profile/", supervisors.my_profile, name="supervisor_profile"),
    path("supervisor/profile/edit/", supervisors.edit_profile, name="supervisor_profile_edit"),
    path("supervisor/requests/", agreements.supervisor_requests, name="supervisor_requests"),
    path("supervisor/requests/<id:request_id>/", agreements.supervisor_request_detail, name="supervisor_request"),
    path("supervisor/agreements/", agreements.supervisor_agreements, name="supervisor_agreements"),
    # The directory, for leads and staff
    path("supervisors/", supervisors.directory, name="supervisor_directory"),
    path("supervisors/<id:supervisor_id>/", supervisors.supervisor_detail, name="supervisor_detail"),
    path("supervisors/<id:supervisor_id>/photo/", supervisors.supervisor_photo, name="supervisor_photo"),
    # A lead's matches, requests and agreements
    path("organisations/<id:organisation_id>/matches/", agreements.organisation_matches, name="organisation_matches"),
    path(
        "organisations/<id:organisation_id>/supervisors/<id:supervisor_id>/request/",
        agreements.request_supervisor,
        name="request_supervisor",
    ),
    path(
        "organisations/<id:organisation_id>/supervision/",
        agreements.organisation_supervision,
        name="organisation_supervision",
    ),
    path(
        "organisations/<id:organisation_id>/supervision/requests/<id:request_id>/withdraw/",
        agreements.withdraw_request,
        name="withdraw_request",
    ),
    path("agreements/<id:agreement_id>/end/", agreements.end_agreement, name="end_agreement"),
    path("agreements/<id:agreement_id>/check-in/", agreements.agreement_check_in, name="agreement_check_in"),
    # A commissioner's pool-wide assignment
    path("pools/<id:pool_id>/assignment/", assignment.pool_assignment, name="pool_assignment"),
]
