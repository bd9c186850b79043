from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling (availability, bookings, reflective groups)"

    def ready(self) -> None:
        from scheduling import (
            demo,  # noqa: F401  (registers the demo availability step)
            home_panels,  # noqa: F401  (registers the supervisor's availability panel)
            tasks,  # noqa: F401  (the busy-calendar tasks)
        )
