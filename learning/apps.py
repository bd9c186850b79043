from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning needs"

    def ready(self) -> None:
        # The registries: personal data, the home page's panel, the questionnaire's topics.
        from learning import data_protection, home_panels, questionnaire  # noqa: F401
