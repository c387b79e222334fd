"""The gate of two-factor sign-in: a session that still owes a code, or a phone to set up, opens nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from accounts.two_factor import SETUP, VERIFY, pending_step
from chibo.lib.requests import SignedInRequest

# The page that settles each state.
PAGES = {VERIFY: "accounts:two-factor-verify", SETUP: "accounts:two-factor-setup"}


def allowed_before_two_factor(*steps: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Marks a view a session may open while it still owes ``steps`` (the code page, the set-up page, logging out)."""

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        view.two_factor_steps = frozenset(steps)  # type: ignore[attr-defined]  # a mark on the view function
        return view

    return mark


class TwoFactorMiddleware:
    """After django-otp's OTPMiddleware (which says whether the session is verified) and the login check. Pages open
    to everyone (``login_not_required``) are left alone: they show nothing of the account. The Django admin is
    behind it too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if not getattr(view_func, "login_required", True) or not request.user.is_authenticated:
            return None
        step = pending_step(cast(SignedInRequest, request))  # signed in: checked above
        if step is None:
            return None
        request.two_factor_pending = step  # type: ignore[attr-defined]  # read by the two-factor pages
        if step in getattr(view_func, "two_factor_steps", ()):
            return None
        url = reverse(PAGES[step])
        if request.method == "GET" and request.path != url:
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
