from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "Supervision (supervisors, questionnaire, matching)"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in, user_signed_up

        from supervision import demo, home_panels, weekly_audience  # noqa: F401  (registries: panels, demo data, weekly summary)
        from supervision.signals import claim_session_assessments

        # allauth's documented hooks: claim questionnaire results taken signed out in this browser.
        user_logged_in.connect(claim_session_assessments, dispatch_uid="supervision.claim_on_login")
        user_signed_up.connect(claim_session_assessments, dispatch_uid="supervision.claim_on_signup")
