from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Supervision records (claimable minutes, countersigning, CPD, signed copies)"

    def ready(self) -> None:
        # The core's registries: home panels and navigation, notification kinds, data protection.
        from records import data_protection, home_panels, notification_kinds  # noqa: F401
