from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "Supervision (supervisors, questionnaire, matching)"

    def ready(self) -> None:
        from supervision import home_panels  # noqa: F401  (registers the supervisor's home panel)
