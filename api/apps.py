from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API (personal access tokens, /api/v1/)"

    def ready(self) -> None:
        from api import (  # noqa: F401  (registries: a person's tokens in their export; the schema's auth)
            data_protection,
            schema_extensions,
        )
