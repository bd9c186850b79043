from django.urls import path

from learning.views import commissioner, lead, staff, supervisor

urlpatterns = [
    path("learning/", staff.learning_home, name="learning_home"),
    path("learning/topics/<id:topic_id>/ask/", staff.learning_ask, name="learning_ask"),
    path("learning/needs/<id:need_id>/withdraw/", staff.learning_withdraw, name="learning_withdraw"),
    path(
        "learning/suggestions/<id:suggestion_id>/accept/",
        staff.learning_suggestion_accept,
        name="learning_suggestion_accept",
    ),
    path(
        "learning/suggestions/<id:suggestion_id>/ignore/",
        staff.learning_suggestion_ignore,
        name="learning_suggestion_ignore",
    ),
    path("supervisor/agreements/<id:agreement_id>/learning/", supervisor.learning_suggest, name="learning_suggest"),
    path("organisations/<id:organisation_id>/learning/", lead.learning_organisation, name="learning_organisation"),
    path(
        "organisations/<id:organisation_id>/learning/<id:record_id>/remove/",
        lead.learning_organisation_remove,
        name="learning_organisation_remove",
    ),
    path("pools/<id:pool_id>/learning/topics/new/", commissioner.learning_topic_add, name="learning_topic_add"),
]
