"""The attendance page carries what the phone's tapping needs (static/js/forms.js) over the same form: a row per
member named for the search, the counts' places and texts; what is posted is the selects and reasons as before."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from meetings.models import Attendance
from meetings.services import plan_meeting
from members.models import today
from tests.factories import MemberFactory

A = Attendance.Status


def test_the_page_names_every_member_for_the_search_and_posts_the_same_fields(client_for, tree, people) -> None:
    cell = tree.cell_a1
    duc = MemberFactory.create(cell=cell, full_name="Đặng Văn Đức")
    meeting = plan_meeting(
        cell=cell,
        by=None,
        kind="regular",
        date=today(),
        starts_at=dt.time(19),
        ends_at=dt.time(21),
        place="Nhà văn hóa",
    )
    client = client_for("secretary")
    url = reverse("meetings:meeting-attendance", args=[meeting.pk])
    page = client.get(url).content.decode()
    rows = list(meeting.attendance.select_related("member"))
    assert page.count("data-attendance-row") == len(rows)
    assert 'data-name="Đặng Văn Đức"' in page
    assert re.search(r'data-with-reason-label="Có lý do"[^>]*data-without-reason-label="Không lý do"', page)
    for key in ("attended", "absent_reason", "absent_no_reason", "expected"):
        assert f'data-count="{key}"' in page
    # The counts and the search are shown by the script only: without it they would do nothing.
    assert re.search(r"<div [^>]*data-attendance-counts[^>]*hidden>", page)
    assert "<div data-attendance-tools hidden>" in page

    data = {f"status_{row.member_id}": row.status for row in rows} | {f"reason_{row.member_id}": "" for row in rows}
    data[f"status_{duc.pk}"] = A.ABSENT_WITHOUT_REASON
    assert client.post(url, data).status_code == 302
    assert meeting.attendance.get(member=duc).status == A.ABSENT_WITHOUT_REASON
    meeting.refresh_from_db()
    assert (meeting.attended_count, meeting.expected_count) == (len(rows) - 1, len(rows))
