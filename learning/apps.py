from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning needs"

    def ready(self) -> None:
        # The registries: personal data (more as the pages arrive, docs/learning.md).
        from learning import data_protection  # noqa: F401
