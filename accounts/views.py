"""The account's security: the second step of the login, setting up a phone, recovery codes, turning it off; and
the password reset by email."""

from __future__ import annotations

import logging
from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import two_factor
from accounts.forms import CodeForm, NewPasswordForm, ResetRequestForm, SetupForm, TurnOffForm
from accounts.middleware import allowed_before_two_factor
from accounts.two_factor import SETUP, SETUP_KEY, STATE_KEY, VERIFY
from chibo.lib.requests import SignedInRequest

logger = logging.getLogger("chibo.accounts")


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified_by(request: SignedInRequest, device: Any) -> None:
    """The session is now verified by ``device``; it gets a new key, as after any change of privilege."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[STATE_KEY] = VERIFY
    request.two_factor_pending = None


@require_GET
def security(request: SignedInRequest) -> HttpResponse:
    """The account's security page ("Bảo mật tài khoản"): whether two-factor sign-in is on, and what to do."""
    user = request.user
    device = two_factor.phone(user)
    return render(
        request,
        "accounts/security.html",
        {
            "device": device,
            "required": two_factor.must_use(user),
            "codes_left": two_factor.recovery_codes_left(user) if device else 0,
        },
    )


@never_cache
@allowed_before_two_factor(VERIFY)
def verify(request: SignedInRequest) -> HttpResponse:
    """The second step of the login: a code from the phone, or one recovery code."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():  # type: ignore[attr-defined]  # added by django-otp's OTPMiddleware
        return redirect(next_url)
    if two_factor.phone(user) is None:
        # The phone was removed since the login (an administrator's reset): the session's state is read again.
        request.session[STATE_KEY] = two_factor.state_for(user)
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = two_factor.check_code(user, form.cleaned_data["code"])
        if outcome.device is not None:
            _verified_by(request, outcome.device)
            logger.info("two-factor sign-in of user %s", user.pk)
            if isinstance(outcome.device, StaticDevice):
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code: %(count)d is left. Make new ones on your security page.",
                        "You used a recovery code: %(count)d are left. Make new ones on your security page.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url)
        logger.warning("two-factor code refused for user %s", user.pk)
        if outcome.wait_seconds:
            form.add_error(
                "code",
                ngettext(
                    "Too many wrong codes. Wait %(seconds)d second, then try again.",
                    "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
                    outcome.wait_seconds,
                )
                % {"seconds": outcome.wait_seconds},
            )
        else:
            form.add_error("code", _("This code is wrong or has expired. Type the code the app shows now."))
    return render(request, "accounts/verify.html", {"form": form, "next": next_url})


@never_cache
@allowed_before_two_factor(SETUP)
def setup(request: SignedInRequest) -> HttpResponse:
    """Setting up a phone: scan the QR code (or type the secret), confirm with the first code. A phone set up before
    is replaced once the new one is confirmed."""
    user = request.user
    key = request.session.get(SETUP_KEY)
    if not isinstance(key, str) or len(key) != 40:
        key = request.session[SETUP_KEY] = two_factor.new_secret()
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.set_up_phone(user=user, key_hex=key, code=form.cleaned_data["code"])
        if device is not None:
            del request.session[SETUP_KEY]
            _verified_by(request, device)
            codes = two_factor.new_recovery_codes(user)
            # Shown in this answer and never again (a redirect would have to keep them somewhere to show them).
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request), "new": True}
            )
        form.add_error("code", _("This code is wrong or has expired. Type the code the app shows now."))
    label = _("QR code to scan with the authenticator app")
    return render(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "qr": two_factor.qr_svg(two_factor.config_url(user, key), label),
            "secret": two_factor.secret_text(key),
            "replacing": two_factor.phone(user) is not None,
            "pending": getattr(request, "two_factor_pending", None),
            "next": _next_url(request),
        },
    )


@never_cache
def recovery_codes(request: SignedInRequest) -> HttpResponse:
    """How many recovery codes are left; a POST makes ten new ones (the old ones stop working) and shows them once."""
    user = request.user
    if two_factor.phone(user) is None:
        messages.info(request, _("Set up two-factor sign-in first."))
        return redirect("accounts:two-factor")
    if request.method == "POST":
        codes = two_factor.new_recovery_codes(user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "new": False})
    left = two_factor.recovery_codes_left(user)
    return render(request, "accounts/recovery.html", {"left": left})


def turn_off(request: SignedInRequest) -> HttpResponse:
    """Turning two-factor sign-in off, for an account not required to use it: a current code or the password."""
    user = request.user
    if two_factor.phone(user) is None:
        return redirect("accounts:two-factor")
    if two_factor.must_use(user):
        messages.error(request, _("Your role requires two-factor sign-in: it cannot be turned off."))
        return redirect("accounts:two-factor")
    form = TurnOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        secret = form.cleaned_data["secret"]
        if two_factor.is_phone_code(two_factor.normalise(secret)):
            outcome = two_factor.check_code(user, secret)
            confirmed = isinstance(outcome.device, two_factor.TOTPDevice)
        else:
            # Through the authentication backends, so that django-axes counts a wrong password as a failed login.
            confirmed = authenticate(request, username=user.get_username(), password=secret) is not None
        if confirmed:
            two_factor.remove_devices(user)
            request.session[STATE_KEY] = two_factor.state_for(user)
            logger.info("two-factor sign-in turned off by user %s", user.pk)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("accounts:two-factor")
        form.add_error("secret", _("This is neither a current code from your phone nor your password."))
    return render(request, "accounts/turn_off.html", {"form": form})


# Django's, open to a session that has not finished signing in.
logout = allowed_before_two_factor(VERIFY, SETUP)(auth_views.LogoutView.as_view())


class PasswordResetView(auth_views.PasswordResetView):
    """Django's (which never says whether an address is known), with the site's emails and their link built on
    ``SITE_URL`` rather than on the Host header of the request."""

    form_class = ResetRequestForm
    subject_template_name = "emails/password_reset_subject.txt"
    email_template_name = "emails/password_reset.txt"
    html_email_template_name = "emails/password_reset.html"

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {
            "site_url": settings.CHIBO["SITE_URL"].rstrip("/"),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's: the new password does not log in; the next login asks the second step as usual."""

    form_class = NewPasswordForm
