"""The monthly meeting: planning, agenda, attendance, absence requests, the review, proceedings, minutes."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.lib.forms import clean_text
from chibo.lib.parts import cached_part
from chibo.lib.requests import SignedInRequest
from chibo.lib.workflow import WorkflowError
from meetings.access import get_meeting, get_meeting_with_token, with_people
from meetings.figures import cell_meeting_figures
from meetings.forms import (
    AbsenceRequestForm,
    AgendaFormSet,
    AttendanceForm,
    ConclusionForm,
    HeldForm,
    MeetingCancelForm,
    MeetingForm,
    MeetingOpinionForm,
    ReviewForm,
    SpeechForm,
)
from meetings.models import AbsenceRequest, Attendance, Meeting, MonthlyReview
from meetings.rules import planning_warning, quality_level
from meetings.services import (
    approve_minutes,
    attendance_roll,
    cancel_meeting,
    correction_refusal,
    decide_absence,
    documents_warning_for,
    duplicates_of,
    ensure_editable,
    mark_held,
    meeting_quality_caps,
    meeting_quality_errors,
    meeting_warning,
    meeting_warnings,
    open_correction,
    plan_meeting,
    prefill_results,
    publish_pack,
    quality_proposal,
    request_absence,
    review_snapshot,
    review_summary,
    reviewable_resolutions,
    same_meeting_refusal,
    save_meeting_page,
    save_review,
    set_attendance,
    sync_attendance,
    touch,
)
from members.access import Access, access_for, get_organisation, require
from members.models import Member, today
from resolutions.models import Resolution


def meeting_list(request: SignedInRequest, org_id: int) -> HttpResponse:
    """A cell's meetings, newest first, with the attendance rate of each (one aggregate query)."""
    cell = get_organisation(request, org_id)
    require(cell.is_cell)
    attended = Q(attendance__status__in=Attendance.ATTENDED)
    expected = ~Q(attendance__status__in=[Attendance.Status.EXEMPT, Attendance.Status.AWAY])
    meetings = (
        Meeting.objects.filter(cell=cell)
        .annotate(attended=Count("attendance", filter=attended), expected=Count("attendance", filter=expected))
        .order_by("-date", "-starts_at")
    )
    page = Paginator(meetings, 24).get_page(request.GET.get("page"))
    day = today()
    # The cell's meeting figures counted by the dashboard's own queries: its cell row links here for them.
    figures = cell_meeting_figures(cell, day)
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "cell": cell,
            "page": page,
            "can_manage": access_for(request.user).can_manage_org(cell),
            "figures": figures,
            "day": day,
        },
    )


def meeting_create(request: SignedInRequest, org_id: int) -> HttpResponse:
    cell = get_organisation(request, org_id, manage=True)
    require(cell.is_cell)
    form = MeetingForm(request.POST or None, cell=cell, instance=Meeting(cell=cell))
    warning, same_month = "", None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        same, same_month = duplicates_of(cell=cell, date=data["date"], starts_at=data["starts_at"], kind=data["kind"])
        warning = meeting_warning(form.instance)
        if same is not None:
            form.add_error(None, same_meeting_refusal(same))
        elif (not warning or request.POST.get("confirm_warning")) and (
            same_month is None or request.POST.get("confirm_duplicate")
        ):
            fields = {name: data[name] for name in MeetingForm.Meta.fields}
            try:
                meeting = plan_meeting(cell=cell, by=request.user, **fields)
            except WorkflowError as exc:  # the same meeting planned at the same instant from another page
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The meeting is planned; members' attendance starts from their status."))
                if late := planning_warning(meeting_date=meeting.date, today=timezone.localdate()):
                    messages.warning(request, late)
                return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    context = {"form": form, "cell": cell, "warning": warning, "same_month": same_month}
    return render(request, "meetings/meeting_form.html", context)


def meeting_detail(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    """The meeting, kept as a part (``chibo.lib.parts``) under its cell's token, the day, the viewer's rights and
    the two things of it that follow the clock within a day: where the rule of the documents a day ahead stands
    now, and whether the minutes PDF's build has taken too long."""
    meeting = get_meeting_with_token(request, meeting_id)
    access = access_for(request.user)
    now = timezone.now()
    day = timezone.localdate(now)
    rights = {
        "can_manage": access.can_manage_org(meeting.cell),
        "can_oversee": access.can_oversee_org(meeting.cell),
        "may_ask_leave": can_ask_leave(access, meeting),
    }
    token = meeting.version_token  # type: ignore[attr-defined]  # annotated by get_meeting_with_token
    clock = (documents_warning_for(meeting, now=now), meeting.pdf_build_is_stale)
    key = ("meeting", meeting.pk, token, day, *clock, *rights.values())
    part = cached_part(
        request, "meetings/includes/_meeting_part.html", key, lambda: meeting_part(meeting, now=now, **rights)
    )
    return render(request, "meetings/meeting_detail.html", {"meeting": meeting, "main_part": part})


def can_ask_leave(access: Access, meeting: Meeting) -> bool:
    """A member of the cell may ask to be excused from a planned meeting, once (a query only then)."""
    member_id = access.member_id
    if member_id is None or access.member_cell_path != meeting.cell.path or meeting.status != Meeting.Status.PLANNED:
        return False
    return not meeting.absence_requests.filter(member_id=member_id).exists()


def meeting_part(
    meeting: Meeting, *, now: dt.datetime, can_manage: bool, can_oversee: bool, may_ask_leave: bool
) -> dict[str, object]:
    """What the meeting page shows, from the meeting, the moment and the viewer's rights alone."""
    meeting = with_people(meeting)
    reviews = {r.resolution_id: r for r in meeting.reviews.select_related("resolution")}
    editable = can_manage and not meeting.is_locked
    caps = meeting_quality_caps(meeting, now=now)
    return {
        "meeting": meeting,
        "can_manage": can_manage,
        "sees_history": can_oversee,
        "may_ask_leave": may_ask_leave,
        "roll": attendance_roll(meeting),
        "warnings": meeting_warnings(meeting, now=now),
        "agenda": meeting.agenda_items.all(),
        "requests": meeting.absence_requests.select_related("member"),
        "resolutions": reviewed_and_reviewable(meeting, reviews),
        **_votes_at(meeting, can_manage, timezone.localdate(now)),
        "speeches": meeting.speeches.select_related("speaker", "agenda_item"),
        "opinions": meeting.opinions.select_related("resolution", "task"),
        "speech_form": SpeechForm(meeting=meeting) if editable else None,
        "opinion_form": MeetingOpinionForm(meeting=meeting) if editable else None,
        "quality": meeting.quality_score(),
        "quality_level": quality_level(meeting.quality_score()),
        "quality_caps": caps,
        "quality_errors": meeting_quality_errors(meeting, caps=caps),
        "held_form": HeldForm(meeting=meeting) if can_manage and meeting.status == Meeting.Status.PLANNED else None,
        "can_see_pack": meeting.pack_published_at is not None or can_oversee,
    }


def _votes_at(meeting: Meeting, can_manage: bool, day: dt.date) -> dict[str, object]:
    """The votes taken at the meeting (each with whether it can still be corrected), and, for its secretary, the
    resolutions awaiting a vote there: from the meeting's day on, while it is not cancelled and its minutes are
    not approved."""
    votes = list(meeting.votes.select_related("resolution", "meeting").order_by("pk"))
    for vote in votes:
        vote.correctable = can_manage and not correction_refusal(vote)  # type: ignore[attr-defined]  # for the template
    can_vote = can_manage and meeting.status in (Meeting.Status.PLANNED, Meeting.Status.HELD)
    return {
        "votes": votes,
        "can_vote_today": can_vote and meeting.date <= day,
        "vote_later": can_vote and meeting.date > day,
        "to_vote": (
            # One vote a day on a resolution: one not adopted here is corrected, not voted on again.
            Resolution.objects.filter(cell=meeting.cell, status=Resolution.Status.SUBMITTED)
            .exclude(votes__held_on=meeting.date)
            .order_by("pk")
            if can_vote
            else Resolution.objects.none()
        ),
    }


def reviewed_and_reviewable(meeting: Meeting, reviews: dict[int, MonthlyReview]) -> list[tuple[Resolution, object]]:
    """The resolutions in force, and any other one this meeting reviewed (a past month's, since completed)."""
    current = reviewable_resolutions(meeting)
    shown = {r.pk for r in current}
    past = [review.resolution for pk, review in reviews.items() if pk not in shown]
    return [(r, reviews.get(r.pk)) for r in [*current, *past]]


def _refuse_if_locked(request: SignedInRequest, meeting: Meeting) -> HttpResponse | None:
    try:
        ensure_editable(meeting)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    return None


def meeting_edit(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    """The meeting's details, its agenda with what was said under each item, the conclusion and the self-score."""
    meeting = get_meeting(request, meeting_id, manage=True)
    if refused := _refuse_if_locked(request, meeting):
        return refused
    data = request.POST or None
    form = MeetingForm(data, cell=meeting.cell, instance=meeting, prefix="meeting")
    agenda = AgendaFormSet(data, instance=meeting, prefix="agenda")
    conclusion = ConclusionForm(data, instance=meeting, prefix="conclusion")
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        same, _month = duplicates_of(
            cell=meeting.cell,
            date=cleaned["date"],
            starts_at=cleaned["starts_at"],
            kind=cleaned["kind"],
            exclude=meeting.pk,
        )
        if same is not None:
            form.add_error(None, same_meeting_refusal(same))
    if request.method == "POST" and form.is_valid() and agenda.is_valid() and conclusion.is_valid():
        try:
            save_meeting_page(
                meeting=meeting,
                forms=(form, conclusion, agenda),
                save_as_template=bool(request.POST.get("save_as_template")),
                by=request.user,
            )
        except WorkflowError as exc:
            messages.error(request, str(exc))
            return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
        messages.success(request, _("Saved."))  # the meeting page shows the rules the meeting breaks
        return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    # The caps of the meeting as saved, not as a refused form left it.
    stored = meeting if request.method == "GET" else Meeting.objects.get(pk=meeting.pk)
    proposal, caps = quality_proposal(meeting, stored=stored)
    return render(
        request,
        "meetings/meeting_edit.html",
        {
            "meeting": meeting,
            "form": form,
            "agenda": agenda,
            "conclusion": conclusion,
            "proposal": proposal,
            "quality_caps": caps,
        },
    )


def meeting_cancel(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    """Call off a planned meeting, with the reason, after saying what will happen."""
    meeting = get_meeting(request, meeting_id, manage=True)
    if meeting.status != Meeting.Status.PLANNED:
        messages.error(request, _("Only a planned meeting can be cancelled."))
        return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    form = MeetingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancel_meeting(meeting=meeting, reason=form.cleaned_data["reason"], by=request.user)
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The meeting is cancelled; the cell's members are notified."))
            return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    return render(request, "meetings/meeting_cancel.html", {"meeting": meeting, "form": form})


def meeting_attendance(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    """Everyone on one screen, defaulted from their status; the secretary fixes the exceptions.

    The form as first shown is a part kept under the cell's token and the day (only the cell's secretaries reach
    the page): opening it again costs no more than the meeting's query. A form refused is shown with what was
    posted, as it always was."""
    meeting = get_meeting_with_token(request, meeting_id, manage=True)
    if refused := _refuse_if_locked(request, meeting):
        return refused
    if request.method == "GET":
        token = meeting.version_token  # type: ignore[attr-defined]  # annotated by get_meeting_with_token
        key = ("attendance", meeting.pk, token, today(), "manage")
        form_html = cached_part(request, "meetings/includes/_attendance_form.html", key, lambda: _shown_form(meeting))
        return render(request, "meetings/meeting_attendance.html", {"meeting": meeting, "form_html": form_html})
    form = attendance_form(meeting, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            changed = set_attendance(meeting=meeting, changes=form.changes())
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Attendance saved (%(n)d changes).") % {"n": changed})
            return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    return render(request, "meetings/meeting_attendance.html", {"meeting": meeting, "form": form})


def _shown_form(meeting: Meeting) -> dict[str, object]:
    """The attendance form as first shown: every member on the cell's roll on the meeting's day is first given
    their row (a write only when someone joined since, which renews the cell's token)."""
    sync_attendance(meeting)
    return {"meeting": meeting, "form": attendance_form(meeting, None)}


def attendance_form(meeting: Meeting, data: QueryDict | None) -> AttendanceForm:
    """The attendance form of the meeting's rows."""
    # Each row's member is shown by name alone: nothing else of theirs is read (nor decrypted).
    rows = list(
        meeting.attendance.select_related("member")
        .only("meeting_id", "member_id", "status", "reason", "member__full_name")
        .order_by("member__search_name", "member_id")
    )
    return AttendanceForm(data, rows=rows)


def absence_request(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    """A member of the cell asks to be excused from a coming meeting."""
    meeting = get_meeting(request, meeting_id)
    access = access_for(request.user)
    member = Member.objects.filter(pk=access.member_id, cell=meeting.cell).first() if access.member_id else None
    if member is None:
        raise PermissionDenied
    form = AbsenceRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            request_absence(meeting=meeting, member=member, reason=form.cleaned_data["reason"])
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your request was sent to the secretary."))
            return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    return render(request, "meetings/absence_request.html", {"meeting": meeting, "form": form})


def absence_decide(request: SignedInRequest, request_id: int) -> HttpResponse:
    absence = get_object_or_404(AbsenceRequest.objects.select_related("meeting__cell", "member"), pk=request_id)
    get_meeting(request, absence.meeting_id, manage=True)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    approve = request.POST.get("decision") == "approve"
    try:
        reason = clean_text(request.POST.get("reason", ""), max_length=REFUSAL_MAX)
        decide_absence(request=absence, approve=approve, by=request.user, refusal_reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The request was approved.") if approve else _("The request was refused."))
    return redirect("meetings:meeting-detail", meeting_id=absence.meeting_id)


def meeting_review(request: SignedInRequest, meeting_id: int, resolution_id: int) -> HttpResponse:
    """The monthly review of one resolution: figures frozen as of the meeting, and the cell's text."""
    meeting = get_meeting(request, meeting_id)
    resolution = get_object_or_404(Resolution, pk=resolution_id, cell=meeting.cell)
    review = MonthlyReview.objects.filter(meeting=meeting, resolution=resolution).first()
    can_edit = access_for(request.user).can_manage_org(meeting.cell) and not meeting.is_locked
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    snapshot = review.snapshot if review else review_snapshot(resolution, meeting.date)
    initial = None
    if review is None:
        initial = {"results": prefill_results(snapshot["summary"], attendance_roll(meeting).counts)}
    form = ReviewForm(request.POST or None, instance=review, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_review(meeting=meeting, resolution=resolution, texts=form.cleaned_data)
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    return render(
        request,
        "meetings/meeting_review.html",
        {
            "meeting": meeting,
            "resolution": resolution,
            "review": review,
            "snapshot": snapshot,
            "summary": review_summary(snapshot["tasks"]),
            "form": form if can_edit else None,
        },
    )


def meeting_speech(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    """Add an opinion raised at the meeting (POST from the meeting page)."""
    meeting = get_meeting(request, meeting_id, manage=True)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if refused := _refuse_if_locked(request, meeting):
        return refused
    kind = request.POST.get("kind")
    form = (
        MeetingOpinionForm(request.POST, meeting=meeting)
        if kind == "opinion"
        else SpeechForm(request.POST, meeting=meeting)
    )
    if form.is_valid():
        item = form.save(commit=False)
        item.meeting = meeting
        if kind == "opinion":
            item.cell, item.received_on, item.recorded_by = meeting.cell, meeting.date, request.user
        item.save()
        touch(meeting)
        messages.success(request, _("Saved."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
    return redirect("meetings:meeting-detail", meeting_id=meeting.pk)


# The reason for a correction is kept as the change history's reason, a column of 100 characters.
REASON_MAX = Meeting.history.model._meta.get_field("history_change_reason").max_length
REFUSAL_MAX = AbsenceRequest._meta.get_field("refusal_reason").max_length


def meeting_step(request: SignedInRequest, meeting_id: int, step: str) -> HttpResponse:
    """Mark held (with the times it actually opened and closed), approve the minutes, open a correction, or
    release the meeting pack to members. The rules the meeting broke are shown on the meeting page it returns to."""
    meeting = get_meeting(request, meeting_id, manage=True)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        if step == "correct":
            open_correction(meeting=meeting, reason=clean_text(request.POST.get("note", ""), max_length=REASON_MAX))
        elif step == "held":
            form = HeldForm(request.POST, meeting=meeting)
            if not form.is_valid():
                raise WorkflowError(_("Give the times the meeting actually opened and closed."))
            mark_held(meeting=meeting, **form.cleaned_data)
        elif step == "approve":
            approve_minutes(meeting=meeting)
        elif step == "publish":
            publish_pack(meeting=meeting, by=request.user)
        else:
            raise WorkflowError(_("Unknown step."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        if step == "publish":
            messages.success(request, _("The meeting pack is released; the cell's members are notified."))
        else:
            messages.success(request, _("Saved."))
    return redirect("meetings:meeting-detail", meeting_id=meeting.pk)


urlpatterns = [
    path("cells/<int:org_id>/meetings/", meeting_list, name="meeting-list"),
    path("cells/<int:org_id>/meetings/new/", meeting_create, name="meeting-create"),
    path("meetings/<int:meeting_id>/", meeting_detail, name="meeting-detail"),
    path("meetings/<int:meeting_id>/edit/", meeting_edit, name="meeting-edit"),
    path("meetings/<int:meeting_id>/attendance/", meeting_attendance, name="meeting-attendance"),
    path("meetings/<int:meeting_id>/cancel/", meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:meeting_id>/absence/", absence_request, name="absence-request"),
    path("meetings/<int:meeting_id>/speeches/", meeting_speech, name="meeting-speech"),
    path("meetings/<int:meeting_id>/reviews/<int:resolution_id>/", meeting_review, name="meeting-review"),
    path("meetings/<int:meeting_id>/steps/<slug:step>/", meeting_step, name="meeting-step"),
    path("absence-requests/<int:request_id>/decide/", absence_decide, name="absence-decide"),
]
