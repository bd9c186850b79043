from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Learning needs"

    def ready(self) -> None:
        # The registries: personal data, the home page's panel, the questionnaire's topics.
        from learning import data_protection, home_panels, questionnaire  # noqa: F401

        # Learning sessions (docs/learning.md, "Learning sessions"): their messages, their home
        # panel, and the register's listener that meets a need when someone comes.
        from learning.sessions import data_protection as sessions_data_protection  # noqa: F401
        from learning.sessions import home_panels as sessions_home_panels  # noqa: F401
        from learning.sessions import notification_kinds  # noqa: F401
        from learning.sessions.services import follow_attendance
        from scheduling.groups.attendance import register_attended_listener

        register_attended_listener(follow_attendance)
