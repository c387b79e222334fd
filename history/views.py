"""The change history page of a record."""

from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse

from chibo.lib.history import KINDS
from chibo.lib.requests import SignedInRequest
from history.pages import history_part, record_name
from members.access import access_for, require
from members.models import Member
from members.privacy import accesses_about
from members.versions import token_subquery


def record_history(request: SignedInRequest, kind: str, **ids: int) -> HttpResponse:
    """The change history of a member, a resolution, a task, a meeting or an evaluation cycle, with the rows
    that belong to it. Who may read it is decided in ``history.pages`` (its docstring gives the reason): 404 for
    a record the user does not see, 403 for one they see without overseeing its cell."""
    entry = KINDS[kind]
    access = access_for(request.user)
    # With the token of its cell, which the history's part is kept under (``history.pages.history_part``).
    record = (
        entry.model._default_manager.select_related(entry.cell)
        .annotate(cell_token=token_subquery(f"{entry.cell}__path"))
        .filter(pk=ids[entry.param])
        .first()
    )
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
    context = {
        "record": record,
        "record_name": record_name(record),
        "record_kind": record._meta.verbose_name,
        "record_url": reverse(entry.detail_url, args=[record.pk]),
        "cell": cell,
        "entries_part": history_part(request, entry, record, request.GET.get("page"), reveal=reveal),
    }
    if isinstance(record, Member):
        # Who viewed or exported the member's personal data (members/privacy.py), newest first.
        context["accesses_total"], context["accesses"] = accesses_about(record)
        context["show_accesses"] = True
    return render(request, "history/history.html", context)
