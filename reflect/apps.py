from django.apps import AppConfig


class ReflectConfig(AppConfig):
    name = "reflect"
    verbose_name = "Reflect (people, organisations, pools)"

    def ready(self) -> None:
        # Every id in an address is an <id:...> (reflect/converters.py). Registered here, before
        # any URL module can be imported (a test may import an app's URLs before the root's).
        from django.urls import register_converter

        from reflect.converters import IdConverter

        register_converter(IdConverter, "id")
        # Registrations: the outbox's Celery tasks (which services publish by name), and what
        # the core holds about a person (exporters, erasure steps, retention tasks).
        from reflect import tasks  # noqa: F401
        from reflect.data_protection import core  # noqa: F401
        from reflect.data_protection import tasks as data_protection_tasks  # noqa: F401
