from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling (availability, bookings, reflective groups)"

    def ready(self) -> None:
        from scheduling import demo, notification_kinds, tasks  # noqa: F401  (registries: demo data, kinds, tasks)
