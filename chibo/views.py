"""Views that belong to no app."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from chibo import audit
from chibo.home import home_for
from members.access import access_for, require
from members.models import Member, today
from members.privacy import accesses_about


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (a PDF opened in the browser, for one)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def home(request: HttpRequest) -> HttpResponse:
    """What needs the signed-in person now: a section for each role they hold (``chibo.home``). An administrator
    with no other role lands on the organisation tree, as before."""
    access = access_for(request.user)
    if not access.has_any_access:
        return render(request, "members/no_access.html", status=403)
    if access.is_admin and not access.roles and access.member_id is None:
        return redirect("members:org-tree")
    return render(request, "home.html", {"home": home_for(access, today())})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (open too long, or the session changed in another tab): the product's
    page in Vietnamese, saying what to do, instead of Django's English one. Nothing was written."""
    return render(request, "403_csrf.html", status=403)


def ping(request: HttpRequest) -> HttpResponse:
    """A logged-in page that does nothing: the session, the login check and a response, no more. It tells a
    phone that its session is alive, and the benchmark measures every page against it (the framework floor)."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def record_history(request: HttpRequest, kind: str, **ids: int) -> HttpResponse:
    """The change history of a member, a resolution, a task, a meeting or an evaluation cycle, with the rows
    that belong to it. Who may read it is decided in ``chibo.audit`` (its docstring gives the reason): 404 for
    a record the user does not see, 403 for one they see without overseeing its cell."""
    entry = audit.KINDS[kind]
    access = access_for(request.user)
    record = entry.model._default_manager.select_related(entry.cell).filter(pk=ids[entry.param]).first()
    if record is None:
        raise Http404
    cell = entry.cell_of(record)
    sees = access.can_view_member(record) if isinstance(record, Member) else access.can_view_org(cell)
    if not sees:
        raise Http404
    require(access.can_oversee_org(cell))
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    # A member's citizen ID and party card number in full for those who manage the member, masked for the others.
    reveal = access.can_see_identity_numbers(record) if isinstance(record, Member) else access.can_manage_org(cell)
    page, entries = audit.history_page(entry, record, request.GET.get("page"), reveal=reveal)
    context = {
        "record": record,
        "record_name": audit.record_name(record),
        "record_kind": record._meta.verbose_name,
        "record_url": reverse(entry.detail_url, args=[record.pk]),
        "cell": cell,
        "page": page,
        "entries": entries,
    }
    if isinstance(record, Member):
        # Who viewed or exported the member's personal data (members/privacy.py), newest first.
        context["accesses_total"], context["accesses"] = accesses_about(record)
        context["show_accesses"] = True
    return render(request, "history.html", context)
