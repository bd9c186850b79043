from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks (signed events for a pool's or an organisation's systems)"

    def ready(self) -> None:
        from webhooks import (  # noqa: F401  (registries: data protection, notification kinds, the event sink, tasks)
            data_protection,
            notification_kinds,
            sink,
            tasks,
        )
