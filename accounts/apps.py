from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.personal_data import SECTIONS
        from accounts.two_factor import on_login
        from members.personal_data import register

        user_logged_in.connect(on_login, dispatch_uid="accounts.two_factor.on_login")
        register(*SECTIONS)  # what this app holds about a member (members/personal_data.py)
