from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling (availability, bookings, reflective groups)"

    def ready(self) -> None:
        from scheduling import (  # noqa: F401  (registries: data protection, home panels, notification kinds, tasks, weekly summary)
            data_protection,
            home_panels,
            notification_kinds,
            tasks,
            upcoming,
        )
        from scheduling.groups import tasks as group_tasks  # noqa: F401  (Celery finds only scheduling.tasks)
        from scheduling.services import bookings  # noqa: F401  (cancels the sessions after an agreement's end)
