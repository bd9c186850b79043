from django.urls import path

from records import views

urlpatterns = [
    path("records/", views.record_home, name="records_home"),
    path("records/body/", views.choose_body, name="records_body"),
    path("records/entries/<str:kind>/<id:entry_id>/note/", views.entry_note, name="records_note"),
    path("records/record.csv", views.record_csv, name="records_csv"),
    path("records/signed-copy.pdf", views.signed_pdf, name="records_signed_pdf"),
    path("records/cpd/add/", views.cpd_add, name="records_cpd_add"),
    path("records/cpd/<id:activity_id>/evidence/", views.cpd_evidence, name="records_cpd_evidence"),
    path("records/cpd/<id:activity_id>/delete/", views.cpd_delete, name="records_cpd_delete"),
    path("records/supervisees/", views.supervisees, name="records_supervisees"),
    path(
        "records/supervisees/<id:practitioner_id>/<str:month>/countersign/",
        views.countersign,
        name="records_countersign",
    ),
    path("records/verify/<uuid:token>/", views.verify, name="records_verify"),
]
