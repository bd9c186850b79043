from django.apps import AppConfig


class ReflectConfig(AppConfig):
    name = "reflect"
    verbose_name = "Reflect (people, organisations, pools)"

    def ready(self) -> None:
        # Registrations: the outbox's Celery tasks (which services publish by name), and what
        # the core holds about a person (exporters, erasure steps, retention tasks).
        from reflect import tasks  # noqa: F401
        from reflect.data_protection import core  # noqa: F401
        from reflect.data_protection import tasks as data_protection_tasks  # noqa: F401
