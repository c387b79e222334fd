"""The request of a page behind the sign-in, as the type checker should see it.

``chibo.lib.middleware.LoginRequiredMiddleware`` turns anonymous visitors away before such a view runs, so its
``request.user`` is a signed-in ``User``; django-htmx's middleware adds ``request.htmx``, and the two-factor gate
``request.two_factor_pending``. Views annotate their request with ``SignedInRequest``; nothing makes one (at run time
the request is Django's own).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class SignedInRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
    two_factor_pending: str | None
