"""Every form of the site, called directly with hostile data (lone surrogates included, which only a direct
call or a workbook can carry): ``is_valid()`` never raises, and a valid form saves rows whose text is clean,
composed and within its column, with dates in range."""

from __future__ import annotations

import importlib
import inspect
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from chibo.lib.forms import SafeInputMixin
from chibo.lib.text import unsafe_character
from evaluations import forms as ev
from inspections import forms as ins
from meetings import forms as meetings
from meetings.models import AgendaItem, Attendance, Meeting
from members import forms as mem
from members.models import Organisation
from notifications import forms as notifications
from notifications.models import Preference
from propagandists import forms as prop
from resolutions.forms import drafting, progress
from tests.hostile.conftest import World
from tests.hostile.strategies import form_data
from tests.hostile.support import rolled_back, text_problems

FORM_MODULES = [
    "members.forms",
    "resolutions.forms.drafting",
    "meetings.forms",
    "resolutions.forms.progress",
    "notifications.forms",
    "evaluations.forms",
    "inspections.forms",
    "propagandists.forms",
]


def test_every_form_of_the_site_takes_the_shared_checks() -> None:
    """A new form that forgets the mixin would accept NUL (a server error on PostgreSQL) and year-1 dates."""
    missing = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, obj in inspect.getmembers(module, inspect.isclass):
            ours = obj.__module__ == module_name
            if ours and issubclass(obj, forms.BaseForm) and not issubclass(obj, SafeInputMixin):
                missing.append(f"{module_name}.{name}")
            made = getattr(obj, "form", None)  # a formset from a factory
            if issubclass(obj, forms.BaseFormSet) and made and not issubclass(made, SafeInputMixin):
                missing.append(f"{module_name}.{name}")
    assert not missing


def a1(w: World) -> Organisation:
    return w.member.cell


# Each form as its view builds it: (form class, keyword arguments from the world).
FORMS: dict[str, Callable[[World], tuple[type[forms.BaseForm], dict[str, Any]]]] = {
    "MemberForm": lambda w: (mem.MemberForm, {"cells": Organisation.objects.filter(pk=w.member.cell_id)}),
    "MemberForm-edit": lambda w: (
        mem.MemberForm,
        {"instance": w.probationary, "cells": Organisation.objects.filter(pk=w.member.cell_id)},
    ),
    "ExemptionForm": lambda w: (mem.ExemptionForm, {"instance": mem.Exemption(member=w.probationary)}),
    "AwayPeriodForm": lambda w: (mem.AwayPeriodForm, {"instance": mem.AwayPeriod(member=w.probationary)}),
    "LeaveForm": lambda w: (mem.LeaveForm, {"instance": w.probationary}),
    "MemberFilterForm": lambda w: (mem.MemberFilterForm, {"organisations": Organisation.objects.all()}),
    "RecogniseForm": lambda w: (mem.RecogniseForm, {}),
    "EndPeriodForm": lambda w: (mem.EndPeriodForm, {}),
    "TransferForm": lambda w: (mem.TransferForm, {"cells": list(Organisation.objects.filter(kind="cell"))}),
    "NewResolutionForm": lambda w: (drafting.NewResolutionForm, {"instance": drafting.Resolution(cell=a1(w))}),
    "ResolutionForm": lambda w: (drafting.ResolutionForm, {"instance": w.draft}),
    "AmendmentForm": lambda w: (drafting.AmendmentForm, {"cell": a1(w)}),
    "TargetForm": lambda w: (drafting.TargetForm, {"instance": drafting.Target(resolution=w.draft)}),
    "TaskForm": lambda w: (
        drafting.TaskForm,
        {"instance": drafting.Task(resolution=w.draft), "choices": drafting.AssignmentChoices(a1(w))},
    ),
    "VoteForm": lambda w: (meetings.VoteForm, {"cell": a1(w)}),
    "DisseminationForm": lambda w: (
        drafting.DisseminationForm,
        {"cell": a1(w), "instance": drafting.Dissemination(resolution=w.live)},
    ),
    "PublicOpinionForm": lambda w: (
        drafting.PublicOpinionForm,
        {"cell": a1(w), "instance": drafting.PublicOpinion(cell=a1(w))},
    ),
    "ProgressForm": lambda w: (progress.ProgressForm, {"task": w.update.task}),
    "ProgressReviewForm": lambda w: (progress.ReviewForm, {}),
    "MeetingForm": lambda w: (meetings.MeetingForm, {"cell": a1(w), "instance": Meeting(cell=a1(w))}),
    "ConclusionForm": lambda w: (meetings.ConclusionForm, {"instance": w.held_meeting}),
    "HeldForm": lambda w: (meetings.HeldForm, {"meeting": w.held_meeting}),
    "AgendaItemForm": lambda w: (
        forms.modelform_factory(AgendaItem, form=meetings.AgendaItemForm, fields=["order", "title", "notes"]),
        {"instance": AgendaItem(meeting=w.held_meeting)},
    ),
    "AttendanceForm": lambda w: (
        meetings.AttendanceForm,
        {"rows": list(Attendance.objects.filter(meeting=w.held_meeting).select_related("member"))},
    ),
    "AbsenceRequestForm": lambda w: (meetings.AbsenceRequestForm, {}),
    "MeetingReviewForm": lambda w: (
        meetings.ReviewForm,
        {"instance": meetings.MonthlyReview(meeting=w.held_meeting, resolution=w.live, snapshot={})},
    ),
    "SpeechForm": lambda w: (
        meetings.SpeechForm,
        {"meeting": w.held_meeting, "instance": meetings.Speech(meeting=w.held_meeting)},
    ),
    "MeetingOpinionForm": lambda w: (
        meetings.MeetingOpinionForm,
        {
            "meeting": w.held_meeting,
            "instance": drafting.PublicOpinion(cell=a1(w), meeting=w.held_meeting, received_on=w.held_meeting.date),
        },
    ),
    "PreferenceForm": lambda w: (
        notifications.PreferenceForm,
        {"instance": Preference.objects.get_or_create(user=w.member.user)[0]},
    ),
    "OpenCycleForm": lambda w: (ev.OpenCycleForm, {}),
    "SelfAssessmentForm": lambda w: (ev.SelfAssessmentForm, {"instance": w.cycle.evaluations.first()}),
    "CellAssessmentForm": lambda w: (ev.CellAssessmentForm, {"instance": w.cycle}),
    "EvaluationVoteForm": lambda w: (ev.VoteForm, {"cell": a1(w)}),
    "SendBackForm": lambda w: (ev.SendBackForm, {}),
    "CommentForm": lambda w: (ev.CommentForm, {"cell": a1(w), "instance": ev.PeopleComment(cycle=w.cycle)}),
    "CriterionForm": lambda w: (ev.CriterionForm, {"instance": ev.EmulationCriterion(cycle=w.cycle, order=9)}),
    "InspectionForm": lambda w: (ins.InspectionForm, {"subject": a1(w), "body_orgs": [a1(w)]}),
    "ConcludeForm": lambda w: (ins.ConcludeForm, {"inspection": w.running_inspection}),
    "FollowUpForm": lambda w: (ins.FollowUpForm, {}),
    "InspectionFilterForm": lambda w: (ins.InspectionFilterForm, {}),
    "PropagandistForm": lambda w: (prop.PropagandistForm, {"cell": a1(w)}),
    "EndForm": lambda w: (prop.EndForm, {"entry": w.propagandist}),
    "RosterFilterForm": lambda w: (prop.RosterFilterForm, {"cell": a1(w)}),
}


def _clean_text_values(data: dict[str, Any]) -> list[str]:
    problems = []
    for name, value in data.items():
        if isinstance(value, str):
            if unsafe_character(value) is not None:
                problems.append(f"{name}: control character")
            if unicodedata.normalize("NFC", value) != value:
                problems.append(f"{name}: not composed")
    return problems


@pytest.mark.parametrize("name", FORMS)
def test_a_form_given_anything_validates_without_error_and_saves_clean_rows(name: str, world: World) -> None:
    form_class, kwargs = FORMS[name](world)
    blank = form_class(**kwargs)
    foreign = world.foreign_ids()

    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        payload = data.draw(form_data(blank, foreign=foreign, surrogates=True))
        with rolled_back():
            form_class_, kwargs_ = FORMS[name](world)  # a fresh instance: a failed save must not leak into the next
            form = form_class_(payload, **kwargs_)
            if not form.is_valid():
                assert form.errors
                return
            assert not _clean_text_values(form.cleaned_data)
            if isinstance(form, forms.ModelForm) and name not in SAVED_BY_SERVICES:
                saved = form.save()
                saved.refresh_from_db()
                assert not text_problems(saved)

    check()


# Forms whose cleaned data a service function saves along with other rows (the page tests cover those saves).
SAVED_BY_SERVICES = {"NewResolutionForm", "ResolutionForm", "PreferenceForm", "PropagandistForm", "InspectionForm"}
