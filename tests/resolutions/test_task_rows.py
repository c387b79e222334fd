"""Rows of the draft added in the page: the blank row the page copies posts as unchanged and is skipped; a row is
checked only once something is written in it; without script "add a row" brings the page back unchecked; a date
is accepted typed day first or as the browser's date input sends it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from members.models import Member
from resolutions.models import Resolution, Task
from tests.resolutions.test_drafting import cell, draft, edit_data, leads, month_end, task_row  # noqa: F401

REQUIRED = "Trường này là bắt buộc."


class _Fields(HTMLParser):
    """What a browser posts for the form fields in some HTML: inputs, checked boxes, selected options, text areas."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value") or "on")
            elif a.get("type") not in ("submit", "button"):
                self._add(name, a.get("value", ""))
        elif tag == "select":
            self._select = name
            self.data.setdefault(name or "", [])
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data


def _posted(html: str) -> dict[str, list[str]]:
    parser = _Fields()
    parser.feed(html)
    return {k: v for k, v in parser.data.items() if v}


def _blank_task_row(page: str, index: int) -> dict[str, list[str]]:
    """The blank task row of the page's <template>, as the script copies it for row ``index``."""
    template = re.search(r'data-formset="tasks".*?<template data-formset-empty>(.*?)</template>', page, re.S)
    assert template, "the task rows have no blank row to copy"
    return _posted(template.group(1).replace("__prefix__", str(index)))


def _post(client, resolution: Resolution, data: dict[str, Any]):
    return client.post(reverse("resolutions:resolution-edit", args=[resolution.pk]), data)


def test_the_blank_row_the_page_copies_is_skipped_and_the_written_one_saved(client_for, draft, leads) -> None:  # noqa: F811
    client = client_for("secretary")
    page = client.get(reverse("resolutions:resolution-edit", args=[draft.pk])).content.decode()
    data: dict[str, Any] = edit_data(draft, tasks=[task_row("Ra quân dọn vệ sinh", leads[0])])
    data.update(_blank_task_row(page, 1))  # a second row added in the page and left blank
    data["tasks-TOTAL_FORMS"] = 2
    response = _post(client, draft, data)
    assert response.status_code == 302, response.context["tasks"].errors
    assert list(draft.tasks.values_list("title", flat=True)) == ["Ra quân dọn vệ sinh"]


def test_the_blank_row_keeps_the_defaults_and_the_member_lists_become_pickers(client_for, draft) -> None:  # noqa: F811
    page = client_for("secretary").get(reverse("resolutions:resolution-edit", args=[draft.pk])).content.decode()
    blank = _blank_task_row(page, 7)
    assert blank["tasks-7-lead_kind"] == ["member"]
    assert blank["tasks-7-resolution"] == [str(draft.pk)]
    assert "tasks-7-title" in blank
    template = re.search(r'data-formset="tasks".*?<template data-formset-empty>(.*?)</template>', page, re.S)
    assert template
    assert re.search(r'<select name="tasks-__prefix__-supporters"[^>]*data-picker="Gõ một phần họ tên để tìm"', page)
    assert 'data-date-picker="Chọn ngày trên lịch"' in template.group(1)
    assert "Chỉ lưu được tối đa 100 dòng ở đây." in page  # what the script says at the limit


def test_a_row_written_in_part_is_checked_and_a_removed_new_row_is_not(client_for, draft, leads) -> None:  # noqa: F811
    client = client_for("secretary")
    data = edit_data(
        draft,
        tasks=[
            {"title": "Việc chưa có hạn", "lead_kind": "member", "lead_member": leads[0].pk},
            {"title": "Việc đã bỏ", "lead_kind": "member", "DELETE": "on"},
        ],
    )
    response = _post(client, draft, data)
    assert response.status_code == 200
    tasks = response.context["tasks"]
    assert list(tasks.forms[0].errors) == ["deadline"]
    assert tasks.total_error_count() == 1  # the removed row is not held against the page
    assert re.search(r"<fieldset [^>]*data-formset-row hidden>", response.content.decode())  # and stays removed
    assert not draft.tasks.exists()


def test_adding_a_row_without_script_shows_no_error_and_keeps_what_was_typed(client_for, draft, leads) -> None:  # noqa: F811
    client = client_for("secretary")
    half_written = {"title": "Việc đang viết dở", "lead_kind": "member"}
    response = _post(client, draft, edit_data(draft, tasks=[half_written], add_task="1", title=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert REQUIRED not in page
    assert 'class="invalid-feedback"' not in page
    tasks = response.context["tasks"]
    assert len(tasks.forms) == 2
    assert tasks.forms[0]["title"].value() == "Việc đang viết dở"
    assert not tasks.forms[1].has_changed()  # the new row posts its defaults: unchanged, skipped on saving
    assert not draft.tasks.exists()

    # Saved from there, the new row, still blank, is skipped and the written one is checked.
    data = edit_data(draft, tasks=[task_row("Việc đang viết dở", leads[0])])
    data.update(_blank_task_row(page, 1))
    data["tasks-TOTAL_FORMS"] = 2
    assert _post(client, draft, data).status_code == 302
    assert draft.tasks.count() == 1


@pytest.mark.parametrize("typed", ["05/12/2026", "2026-12-05", "5/12/2026"])
def test_a_deadline_is_accepted_typed_or_from_the_calendar(client_for, draft, leads, typed) -> None:  # noqa: F811
    row = {**task_row("Thu quỹ", leads[1]), "deadline": typed, "supporters": [leads[0].pk, leads[2].pk]}
    response = _post(client_for("secretary"), draft, edit_data(draft, tasks=[row]))
    assert response.status_code == 302, response.context["tasks"].errors
    task = Task.objects.get(resolution=draft)
    assert task.deadline.isoformat() == "2026-12-05"
    assert set(task.supporters.all()) == {leads[0], leads[2]}
    assert isinstance(task.lead_member, Member)
