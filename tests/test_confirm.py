"""Irreversible steps ask first: the question says what will happen and how to undo it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from meetings.models import Meeting
from members.models import today

pytestmark = pytest.mark.django_db


def test_locking_the_minutes_asks_first_and_says_how_to_correct_them(client_for, tree) -> None:
    meeting = Meeting.objects.create(
        cell=tree.cell_a1,
        date=today() - dt.timedelta(days=1),
        starts_at=dt.time(19),
        place="Nhà văn hóa",
        status=Meeting.Status.HELD,
    )
    page = client_for("secretary").get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    approve = reverse("meetings:meeting-step", args=[meeting.pk, "approve"])
    button = page[page.index(approve) :]
    button = button[: button.index("</button>")]
    assert 'data-confirm="Biên bản sẽ bị khóa, không sửa được nữa' in button
    assert 'data-confirm-undo="Muốn sửa phải mở lại bằng một lần chỉnh sửa có lý do' in button
    assert 'data-confirm-yes="Đồng ý thông qua và khóa"' in button
