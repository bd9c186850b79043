from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcome measures"

    def ready(self) -> None:
        # The registries: notification kinds, home panels and navigation, personal data.
        from outcomes import data_protection, home_panels, notification_kinds  # noqa: F401
