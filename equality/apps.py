from django.apps import AppConfig


class EqualityConfig(AppConfig):
    name = "equality"
    verbose_name = "Equality monitoring"

    def ready(self) -> None:
        from equality import data_protection, home_panels  # noqa: F401  (registries: data protection, home panels)
