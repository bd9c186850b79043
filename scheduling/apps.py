from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling (availability, bookings, reflective groups)"

    def ready(self) -> None:
        from scheduling import (  # noqa: F401  (registries: data protection, home panels, notification kinds, tasks, weekly summary)
            data_protection,
            group_tasks,
            home_panels,
            notification_kinds,
            tasks,
            upcoming,
        )
