from django.urls import path

from supervision.views import questionnaire

# Mounted at /questionnaire/: a stable public address that funders and networks link to.
urlpatterns = [
    path("", questionnaire.start, name="questionnaire_start"),
    path("results/", questionnaire.results, name="questionnaire_results"),
    path("compare/", questionnaire.compare_results, name="questionnaire_compare"),
    path("resume/<str:token>/", questionnaire.resume, name="questionnaire_resume"),
    path("<id:assessment_id>/section/<id:number>/", questionnaire.section, name="questionnaire_section"),
    path("<id:assessment_id>/check/", questionnaire.check, name="questionnaire_check"),
    path("<id:assessment_id>/result/", questionnaire.result, name="questionnaire_result"),
    path(
        "<id:assessment_id>/save-to-organisation/",
        questionnaire.save_to_organisation,
        name="questionnaire_save_to_organisation",
    ),
    path("<id:assessment_id>/take-again/", questionnaire.take_again, name="questionnaire_take_again"),
    path("<id:assessment_id>/brief/", questionnaire.brief, name="questionnaire_brief"),
    path("<id:assessment_id>/brief.pdf", questionnaire.brief_download, name="questionnaire_brief_pdf"),
]
