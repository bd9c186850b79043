from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "Supervision (supervisors, questionnaire, matching)"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in

        from supervision import home_panels, notification_kinds, weekly_audience  # noqa: F401  (registries: panels, weekly summary)
        from supervision.signals import claim_session_assessments

        # allauth's documented hook: claim questionnaire results taken signed out in this browser
        # when the person signs in — for a new account, that is after they confirm their address
        # (not at sign-up, which would hand the answers to an address nobody has proved).
        user_logged_in.connect(claim_session_assessments, dispatch_uid="supervision.claim_on_login")
        from supervision import data_protection  # noqa: F401  (what it holds about a person: export, erasure)
