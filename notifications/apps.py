from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self) -> None:
        from members.personal_data import register

        # The reminders queue the sending task by its name (notifications.tasks imports them): register it here,
        # in every process, not only in the worker that discovers the tasks.
        from notifications import tasks  # noqa: F401
        from notifications.personal_data import SECTIONS
        from notifications.receivers import connect

        connect()  # the events of the resolution side tell the people concerned (resolutions/signals.py)
        register(*SECTIONS)  # what the notifications hold about a member (members/personal_data.py)
