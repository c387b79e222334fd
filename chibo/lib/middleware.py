"""Middleware of the project's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as _LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware as _GZipMiddleware


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


# What is worth compressing: pages and their data. PDFs, workbooks and images are compressed already.
COMPRESSIBLE_TYPES = ("text/", "application/json")


class GZipMiddleware(_GZipMiddleware):
    """Django's, for text only: a page of a hundred members' rows is a tenth of its size on a slow line. Django's
    own also compresses PDFs and workbooks, which gains nothing and costs a core. It keeps Django's defence against
    BREACH (random bytes in each gzip header)."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES):
            return response
        return super().process_response(request, response)
