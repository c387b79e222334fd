"""The vote on a resolution, taken at a meeting of the cell, and its correction: the vote belongs where it is taken.

Only the cell's secretaries record or correct a vote (``resolutions.access.get_resolution`` with ``manage``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from chibo.lib.requests import SignedInRequest
from meetings.committee_forms import CommitteeVoteForm
from meetings.forms import VoteCorrectionForm, VoteForm
from meetings.models import Meeting, Vote
from meetings.rules import judge_vote, votes_needed
from meetings.services import (
    VoteAlreadyRecorded,
    committee_size,
    correct_vote,
    correction_refusal,
    record_committee_vote,
    record_vote,
    touch,
    vote_base,
    vote_refusal,
)
from members.access import access_for
from resolutions.access import get_resolution
from resolutions.models import Resolution
from resolutions.services import WorkflowError


def resolution_vote(request: SignedInRequest, resolution_id: int) -> HttpResponse:
    """Record the adoption vote taken at a meeting of the cell: the meeting asked for (the meeting page's link),
    else the latest one a vote can be recorded at. Its attendance is the base, shown with the computation before
    saving; "Check" computes without saving."""
    resolution = get_resolution(request, resolution_id, manage=True)
    if request.method != "POST" and resolution.status != Resolution.Status.SUBMITTED:
        messages.error(request, _("Only a resolution submitted to the meeting can be voted on."))
        return redirect("resolutions:resolution-detail", resolution_id=resolution.pk)
    asked = _int_or_none(request.GET.get("meeting"))
    if asked is not None and request.method != "POST":
        meeting = Meeting.objects.filter(pk=asked, cell=resolution.cell).first()
        if meeting is not None and (refusal := vote_refusal(resolution, meeting)):
            messages.error(request, refusal)  # before its day, cancelled or locked: said on the meeting's page
            return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    form = VoteForm(request.POST or None, cell=resolution.cell)
    meetings = form.meetings
    meeting = meetings.filter(pk=asked).first() if asked is not None else None
    meeting = meeting or meetings.first()
    form.initial["meeting"] = meeting.pk if meeting else None
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = data["meeting"]
        if not meeting.attendance_taken:
            form.add_error(None, _("Take the meeting's attendance first: the vote is counted on it."))
        elif "check" in request.POST:
            result = vote_base(cell=resolution.cell, held_on=meeting.date, meeting=meeting).judge(
                votes_for=data["votes_for"], votes_against=data["votes_against"], votes_abstain=data["votes_abstain"]
            )
            if result.error:
                form.add_error(None, result.error)
        else:
            try:
                vote = record_vote(
                    resolution=resolution,
                    meeting=meeting,
                    votes_for=data["votes_for"],
                    votes_against=data["votes_against"],
                    votes_abstain=data["votes_abstain"],
                    dissent=data["dissent"],
                    by=request.user,
                )
            except VoteAlreadyRecorded as exc:  # a second click on "save": the first one recorded it
                messages.info(request, str(exc))
                return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
            except WorkflowError as exc:
                form.add_error(None, str(exc))
            else:
                level = messages.SUCCESS if vote.adopted else messages.WARNING
                messages.add_message(request, level, vote.explanation)
                return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    elif request.method == "POST" and resolution.status != Resolution.Status.SUBMITTED:
        messages.error(request, _("Only a resolution submitted to the meeting can be voted on."))
        return redirect("resolutions:resolution-detail", resolution_id=resolution.pk)
    meeting = getattr(form, "cleaned_data", {}).get("meeting") or meeting
    # The base of the meeting chosen (shown beside a refusal too).
    base = vote_base(cell=resolution.cell, held_on=meeting.date, meeting=meeting) if meeting else None
    return render(
        request,
        "meetings/resolution_vote.html",
        {"resolution": resolution, "form": form, "base": base, "result": result, "meeting": meeting},
    )


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


def vote_correct(request: SignedInRequest, vote_id: int) -> HttpResponse:
    """Correct a vote recorded by mistake, with the reason, while the meeting's minutes are not approved."""
    vote = get_object_or_404(Vote.objects.select_related("meeting", "resolution__cell"), pk=vote_id)
    resolution = get_resolution(request, vote.resolution_id, manage=True)
    refusal = correction_refusal(vote)
    initial = {
        "votes_for": vote.votes_for,
        "votes_against": vote.votes_against,
        "votes_abstain": vote.votes_abstain,
        "dissent": vote.dissent,
    }
    form = VoteCorrectionForm(request.POST or None, initial=initial)
    # A vote taken at a meeting is corrected from the meeting's page, and returns to it.
    back = (
        redirect("meetings:meeting-detail", meeting_id=vote.meeting_id)
        if vote.meeting_id
        else redirect("resolutions:resolution-detail", resolution_id=resolution.pk)
    )
    if request.method == "POST" and refusal:
        messages.error(request, refusal)
        return back
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vote = correct_vote(
                vote=vote,
                votes_for=data["votes_for"],
                votes_against=data["votes_against"],
                votes_abstain=data["votes_abstain"],
                dissent=data["dissent"],
                reason=data["reason"],
                by=request.user,
            )
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            if vote.meeting is not None:
                touch(vote.meeting)
            level = messages.SUCCESS if vote.adopted else messages.WARNING
            messages.add_message(request, level, _("Vote corrected.") + " " + vote.explanation)
            return back
    return render(
        request,
        "meetings/vote_correct.html",
        {"resolution": resolution, "vote": vote, "form": form, "refusal": refusal},
    )


def committee_vote(request: SignedInRequest, resolution_id: int) -> HttpResponse:
    """Record the committee's vote on its own document (a resolution, plan, conclusion or directive of the ward's
    party committee), by the Charter's rule among the committee members entitled; "Check" computes without saving.
    Only those who draft for the committee record it; a cell's resolution is voted on at its meeting (404)."""
    resolution = get_resolution(request, resolution_id)
    if resolution.cell.is_cell:
        raise Http404
    if not access_for(request.user).can_draft_for(resolution.cell):
        raise PermissionDenied
    if request.method != "POST" and resolution.status != Resolution.Status.SUBMITTED:
        messages.error(request, _("Only a document submitted to the committee can be voted on."))
        return redirect("resolutions:resolution-detail", resolution_id=resolution.pk)
    form = CommitteeVoteForm(request.POST or None, entitled=committee_size(resolution.cell))
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        counts = {k: data[k] for k in ("votes_for", "votes_against", "votes_abstain")}
        if "check" in request.POST:
            result = judge_vote(entitled=data["entitled"], entitled_present=data["present"], committee=True, **counts)
            if result.error:
                form.add_error(None, result.error)
        else:
            try:
                vote = record_committee_vote(
                    resolution=resolution,
                    held_on=data["held_on"],
                    entitled=data["entitled"],
                    present=data["present"],
                    dissent=data["dissent"],
                    by=request.user,
                    **counts,
                )
            except VoteAlreadyRecorded as exc:  # a second click on "save": the first one recorded it
                messages.info(request, str(exc))
                return redirect("resolutions:resolution-detail", resolution_id=resolution.pk)
            except WorkflowError as exc:
                form.add_error(None, str(exc))
            else:
                level = messages.SUCCESS if vote.adopted else messages.WARNING
                messages.add_message(request, level, vote.explanation)
                return redirect("resolutions:resolution-detail", resolution_id=resolution.pk)
    entitled = form.cleaned_data.get("entitled") if form.is_bound and hasattr(form, "cleaned_data") else None
    entitled = entitled or form.fields["entitled"].initial
    return render(
        request,
        "meetings/committee_vote.html",
        {
            "resolution": resolution,
            "form": form,
            "result": result,
            "entitled": entitled,
            "majority": votes_needed(entitled),
        },
    )


urlpatterns = [
    path("resolutions/<int:resolution_id>/vote/", resolution_vote, name="resolution-vote"),
    path("votes/<int:vote_id>/correct/", vote_correct, name="vote-correct"),
    path("resolutions/<int:resolution_id>/committee-vote/", committee_vote, name="committee-vote"),
]
