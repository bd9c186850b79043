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
        # Moments read by psycopg's compiled loader on PostgreSQL (reflect/moments.py).
        from django.db.backends.signals import connection_created

        from reflect.moments import fast_moments

        connection_created.connect(fast_moments, dispatch_uid="reflect.fast_moments")
        # Registrations: the outbox's Celery tasks (which services publish by name), and what
        # the core holds about a person (exporters, erasure steps, retention tasks).
        # Every form's error messages name their field (reflect/form_errors.py): set just before
        # a form validates, so fields a form adds in its own __init__ are covered too, and so are
        # allauth's and the admin's forms.
        from django import forms

        from reflect import tasks  # noqa: F401
        from reflect.data_protection import core  # noqa: F401
        from reflect.data_protection import tasks as data_protection_tasks  # noqa: F401
        from reflect.form_errors import name_the_fields

        full_clean = forms.BaseForm.full_clean

        def full_clean_naming_fields(self: forms.BaseForm) -> None:
            name_the_fields(self)
            full_clean(self)

        forms.BaseForm.full_clean = full_clean_naming_fields  # type: ignore[method-assign]  # the one hook, see above
