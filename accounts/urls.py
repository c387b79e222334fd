from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/two-factor/", views.security, name="two-factor"),
    path("accounts/two-factor/code/", views.verify, name="two-factor-verify"),
    path("accounts/two-factor/setup/", views.setup, name="two-factor-setup"),
    path("accounts/two-factor/recovery-codes/", views.recovery_codes, name="two-factor-recovery"),
    path("accounts/two-factor/turn-off/", views.turn_off, name="two-factor-turn-off"),
]
