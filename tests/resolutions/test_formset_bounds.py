"""A posted row count is never believed: every formset builds and saves at most its limit of rows.

One post of ``tasks-TOTAL_FORMS=999999999`` used to make Django build 2,000 task forms, each with its choices, and
kept a worker past its timeout; three such posts took the site down."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from meetings.forms import MAX_AGENDA_ITEMS
from meetings.models import AgendaItem
from meetings.services import plan_meeting
from members.models import today
from resolutions.forms.drafting import MAX_TARGETS, MAX_TASKS
from resolutions.models import Resolution, Target, Task
from resolutions.services import create_resolution
from tests.resolutions.test_drafting import edit_data, month_end, month_start

HUGE = "999999999"


@pytest.fixture
def draft(tree, people) -> Resolution:
    return create_resolution(
        cell=tree.cell_a1,
        by=people["secretary"],
        kind="monthly",
        period_start=month_start(),
        period_end=month_end(),
        title="Vệ sinh môi trường",
    )


@pytest.mark.parametrize(("prefix", "limit"), [("tasks", MAX_TASKS), ("targets", MAX_TARGETS)])
def test_a_huge_row_count_on_the_draft_is_refused_with_a_message_and_builds_no_more_than_the_limit(
    client_for, draft, prefix, limit
) -> None:
    data = edit_data(draft)
    data[f"{prefix}-TOTAL_FORMS"] = HUGE
    response = client_for("secretary").post(reverse("resolutions:resolution-edit", args=[draft.pk]), data)
    assert response.status_code == 200
    formset = response.context[prefix]
    assert len(formset.forms) == limit
    assert f"Chỉ lưu được tối đa {limit} dòng ở đây." in formset.non_form_errors()
    assert f"Chỉ lưu được tối đa {limit} dòng ở đây." in response.content.decode()
    assert not Task.objects.exists()
    assert not Target.objects.exists()


@pytest.mark.parametrize("button", ["add_task", "add_target"])
def test_adding_a_row_to_a_huge_row_count_shows_at_most_the_limit(client_for, draft, button) -> None:
    prefix, limit = ("tasks", MAX_TASKS) if button == "add_task" else ("targets", MAX_TARGETS)
    pressed: dict[str, Any] = {button: "1"}
    data = edit_data(draft, **pressed)
    data[f"{prefix}-TOTAL_FORMS"] = HUGE
    response = client_for("secretary").post(reverse("resolutions:resolution-edit", args=[draft.pk]), data)
    assert response.status_code == 200
    assert len(response.context[prefix].forms) == limit
    assert "Chỉ lưu được tối đa" in response.content.decode()


def test_a_row_is_added_up_to_the_limit_and_not_beyond(client_for, draft) -> None:
    url = reverse("resolutions:resolution-edit", args=[draft.pk])
    below = edit_data(draft, add_task="1")
    below["tasks-TOTAL_FORMS"] = str(MAX_TASKS - 1)
    assert len(client_for("secretary").post(url, below).context["tasks"].forms) == MAX_TASKS
    at = edit_data(draft, add_task="1")
    at["tasks-TOTAL_FORMS"] = str(MAX_TASKS)
    response = client_for("secretary").post(url, at)
    assert len(response.context["tasks"].forms) == MAX_TASKS
    assert f"Chỉ lưu được tối đa {MAX_TASKS} dòng ở đây." in response.content.decode()


def test_a_huge_agenda_is_refused_and_nothing_is_written(client_for, tree) -> None:
    meeting = plan_meeting(
        cell=tree.cell_a1, by=None, kind="regular", date=today(), starts_at=dt.time(19), place="Nhà văn hóa"
    )
    items = list(meeting.agenda_items.all())
    data = {
        "meeting-kind": "regular",
        "meeting-date": today().strftime("%d/%m/%Y"),
        "meeting-starts_at": "19:00",
        "meeting-ends_at": "21:00",
        "meeting-place": "Hội trường mới",
        "agenda-TOTAL_FORMS": HUGE,
        "agenda-INITIAL_FORMS": len(items),
        "agenda-MIN_NUM_FORMS": 0,
        "agenda-MAX_NUM_FORMS": 1000,
    }
    for i, item in enumerate(items):
        data.update({f"agenda-{i}-id": item.pk, f"agenda-{i}-order": item.order, f"agenda-{i}-title": item.title})
    response = client_for("secretary").post(reverse("meetings:meeting-edit", args=[meeting.pk]), data)
    assert response.status_code == 200
    assert len(response.context["agenda"].forms) == MAX_AGENDA_ITEMS
    assert f"Chỉ lưu được tối đa {MAX_AGENDA_ITEMS} dòng ở đây." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.place == "Nhà văn hóa"
    assert AgendaItem.objects.filter(meeting=meeting).count() == len(items)
