"""Views that belong to no app."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from chibo.home import home_for, home_keys, upper_for
from chibo.lib.parts import cached_part
from members.access import access_for
from members.models import today


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (a PDF opened in the browser, for one)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def home(request: HttpRequest) -> HttpResponse:
    """What needs the signed-in person now: a section for each role they hold (``chibo.home``), kept as one part
    under what it is read from (``home_keys``), and the committees' documents addressed to their cells as another.
    An administrator with no other role lands on the organisation tree, as before."""
    access = access_for(request.user)
    if not access.has_any_access:
        return render(request, "members/no_access.html", status=403)
    if access.is_admin and not access.roles and access.member_id is None:
        return redirect("members:org-tree")
    day = today()
    keys = home_keys(access, day)
    work = cached_part(request, "home/_work.html", keys.work, lambda: {"home": home_for(access, day), "access": access})
    # "Cấp trên giao": a part of its own, kept under the tokens of the cells and the committees above them.
    upper = (
        cached_part(request, "home/_upper.html", keys.upper, lambda: {"sections": upper_for(access, day), "day": day})
        if keys.upper is not None
        else ""
    )
    return render(request, "home.html", {"work": work, "upper": upper})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (open too long, or the session changed in another tab): the product's
    page in Vietnamese, saying what to do, instead of Django's English one. Nothing was written."""
    return render(request, "403_csrf.html", status=403)


def ping(request: HttpRequest) -> HttpResponse:
    """A logged-in page that does nothing: the session, the login check and a response, no more. It tells a
    phone that its session is alive, and the benchmark measures every page against it (the framework floor)."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
