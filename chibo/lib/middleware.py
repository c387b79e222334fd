"""Middleware of the project's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as _LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase


class LoginRequiredMiddleware(_LoginRequiredMiddleware):
    """Django's, asking the view before the session: a page open to all (the health check, the calendar feed, the
    login page) never reads the session, so it still answers when the database that keeps the sessions does not.
    Django's own reads ``request.user`` first, and the health check failed with a 500 whenever a browser sent a
    session cookie while the database was down."""

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
