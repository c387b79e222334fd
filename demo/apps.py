from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo dataset (``manage.py seed_demo``): every app's part of it, put together by ``demo.assemble``."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
