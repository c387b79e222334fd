"""The committee's side of its own documents (a resolution, plan, conclusion or directive of the ward's party
committee): the list, a new draft and its edit page, with the cells it addresses and the targets it sets them.
The workflow's steps and the detail page are those of every resolution (``views.drafting``); the committee's
vote is ``meetings.views.votes.committee_vote``.

Whoever sees the committee reads the list; its standing members, secretary and deputy draft
(``Access.can_issue_for``). A cell has its own resolution list: asked for a cell, the pages answer 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chibo.lib.forms import unchecked, with_blank_row
from chibo.lib.requests import SignedInRequest
from members.access import access_for, get_organisation
from members.models import Organisation
from resolutions.forms.committee import (
    MAX_CELL_TARGETS,
    CellTargetFormSet,
    CommitteeDocumentForm,
    NewDocumentForm,
)
from resolutions.models import CellTarget, Resolution
from resolutions.services import SECTIONS, WorkflowError, create_resolution, save_committee_document

PAGE_SIZE = 24


def _committee(request: SignedInRequest, org_id: int) -> Organisation:
    """The committee asked for, 404 unless the user sees it and it is a committee (a cell has its own list)."""
    org = get_organisation(request, org_id)
    if org.kind not in (Organisation.Kind.WARD, Organisation.Kind.PROVINCE):
        raise Http404
    return org


def document_list(request: SignedInRequest, org_id: int) -> HttpResponse:
    """A committee's documents, newest period first: number, kind, subject, status, the day the cells make it
    concrete by."""
    committee = _committee(request, org_id)
    documents = Resolution.objects.filter(cell=committee).only(
        "pk", "number", "document_type", "title", "status", "concretise_by", "kind", "period_start", "period_end"
    )
    page = Paginator(documents.order_by("-period_start", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "resolutions/committee/document_list.html",
        {"committee": committee, "page": page, "can_issue": access_for(request.user).can_issue_for(committee)},
    )


def document_create(request: SignedInRequest, org_id: int) -> HttpResponse:
    committee = _committee(request, org_id)
    if not access_for(request.user).can_issue_for(committee):
        raise PermissionDenied
    form = NewDocumentForm(request.POST or None, instance=Resolution(cell=committee))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = ("document_type", "kind", "period_start", "period_end", "title", "concretise_by")
        try:
            document = create_resolution(cell=committee, by=request.user, **{k: data[k] for k in fields})
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Draft %(number)s created. Now write its content and the targets for the cells.")
                % {"number": document.number},
            )
            return redirect("resolutions:resolution-edit", resolution_id=document.pk)
    return render(request, "resolutions/committee/document_new.html", {"form": form, "committee": committee})


def document_edit(request: SignedInRequest, document: Resolution) -> HttpResponse:
    """The edit page of a committee's draft (``views.drafting.resolution_edit`` hands it here, its access checked
    for drafting): the text, the cells addressed, the targets for each cell. "Add a target" without script posts
    the page and it comes back with one more blank row, unchecked."""
    if not document.is_editable:
        messages.error(
            request,
            _("A resolution that is %(status)s can no longer be changed.")
            % {"status": document.get_status_display().lower()},
        )
        return redirect("resolutions:resolution-detail", resolution_id=document.pk)
    data: QueryDict | None = request.POST if request.method == "POST" else None
    if data is not None and "add_target" in data:
        blank = CellTargetFormSet(instance=document, prefix="targets", queryset=CellTarget.objects.none())
        data = _with_extra_row(request, data, blank)
    form = CommitteeDocumentForm(data, instance=document)
    targets = CellTargetFormSet(data, instance=document, prefix="targets")
    if data is not None and "add_target" in data:
        unchecked(form, targets)
    elif data is not None and all([form.is_valid(), targets.is_valid()]):
        values = form.saved_values()
        try:
            save_committee_document(
                resolution=document,
                expected_lock_version=values["expected_lock_version"],
                fields=values["fields"],
                addressed_cells=values["addressed_cells"],
                targets=targets,
                by=request.user,
            )
        except WorkflowError as exc:  # a stale edit among them: nothing is written
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("resolutions:resolution-detail", resolution_id=document.pk)
    return render(request, "resolutions/committee/document_edit.html", _edit_context(document, form, targets))


def _edit_context(document: Resolution, form: CommitteeDocumentForm, targets: Any) -> dict[str, Any]:
    return {
        "resolution": document,
        "form": form,
        "targets": targets,
        "sections": SECTIONS,
        "target_limit_message": _row_limit_message(),
    }


def _row_limit_message() -> str:
    return ngettext(
        "At most %(num)d row can be saved here.", "At most %(num)d rows can be saved here.", MAX_CELL_TARGETS
    ) % {"num": MAX_CELL_TARGETS}


def _with_extra_row(request: SignedInRequest, data: QueryDict, formset: Any) -> QueryDict:
    try:
        count = int(data.get(f"{formset.prefix}-TOTAL_FORMS", "0") or 0)
    except ValueError:
        return data  # the formset reports its management form as invalid
    if count >= MAX_CELL_TARGETS:
        messages.warning(request, _row_limit_message())
        return data
    return with_blank_row(data, formset)


urlpatterns = [
    path("organisations/<int:org_id>/documents/", document_list, name="document-list"),
    path("organisations/<int:org_id>/documents/new/", document_create, name="document-create"),
]
