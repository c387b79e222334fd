from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from accounts import views as account_views
from chibo.views import favicon, home, ping
from members import views as member_views

urlpatterns = [
    path("", home, name="home"),
    path("healthz/", member_views.healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("accounts/ping/", ping, name="ping"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # The password reset by email, open to everyone (Django marks these views login_not_required).
    path("accounts/password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("history.urls")),
    path("", include("accounts.urls")),
    path("", include("members.urls")),
    path("", include("resolutions.urls")),
    path("", include("meetings.urls")),
    path("", include("notifications.urls")),
    path("", include("propagandists.urls")),
    path("", include("inspections.urls")),
    path("", include("evaluations.urls")),
    path("", include("dashboards.urls")),
    path("admin/", admin.site.urls),
]
