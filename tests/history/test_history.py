"""The change history pages (``history``): changes made through the real pages appear with who, when and
old → new; the bulk and conditional writes are recorded; who sees the pages; the query budget."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import EvaluationCycle, MemberEvaluation
from evaluations.services import open_cycle, save_proposal, take_step
from history.pages import compact
from meetings.models import Attendance, Meeting
from meetings.services import plan_meeting
from members.models import Member, today
from resolutions.models import ProgressUpdate, Resolution, Task
from resolutions.services import create_resolution
from tests.factories import MemberFactory
from tests.resolutions.test_drafting import edit_data, task_row


def month_start() -> dt.date:
    """The first day of the pinned month."""
    return today().replace(day=1)


def month_end() -> dt.date:
    return month_start() + dt.timedelta(days=27)


SECRETARY = "Đảng viên secretary"  # the secretary's member record (tests/conftest.py)


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


@pytest.fixture
def meeting(tree, people) -> Meeting:
    return plan_meeting(
        cell=tree.cell_a1,
        by=people["secretary"],
        kind="regular",
        date=today(),
        starts_at=dt.time(19, 30),
        ends_at=dt.time(21, 30),
        place="Nhà văn hóa khu phố 1",
    )


def history(client, name: str, pk: int, page: int | None = None):
    response = client.get(reverse(name, args=[pk]), {"page": page} if page else {})
    assert response.status_code == 200
    return response


def changes_of(entry) -> dict[str, tuple[str, str]]:
    return {c.label: (c.old, c.new) for c in entry.changes}


# --- each kind of record, changed through its pages -------------------------------------------------


def test_a_resolution_shows_its_edits_its_tasks_and_its_steps(client_for, draft, member_a1) -> None:
    client = client_for("secretary")
    edit = reverse("resolutions:resolution-edit", args=[draft.pk])
    data = edit_data(draft, tasks=[task_row("Thu gom rác", member_a1)], title="Vệ sinh môi trường, trật tự")
    assert client.post(edit, data).status_code == 302
    draft.refresh_from_db()
    task = draft.tasks.get()
    data = edit_data(draft)
    data["tasks-0-deadline"] = "15/12/2026"
    assert client.post(edit, data).status_code == 302
    assert client.post(reverse("resolutions:resolution-step", args=[draft.pk, "submit"])).status_code == 302

    response = history(client, "history:resolution-history", draft.pk)
    entries = response.context["entries"]
    submitted, step, deadline, saved_unchanged, task_created, titled, created = entries
    # The workflow step: a conditional UPDATE, recorded with its user.
    assert (submitted.action, submitted.what, submitted.who) == ("~", "", SECRETARY)
    assert changes_of(submitted)["Trạng thái"] == ("Dự thảo", "Đã trình hội nghị")
    assert "secretary" in submitted.who_detail
    assert "Bí thư" in submitted.who_detail
    assert (deadline.what, changes_of(deadline)["Hạn hoàn thành"]) == (
        "Nhiệm vụ: Thu gom rác",
        (f"{month_end():%d/%m/%Y}", "15/12/2026"),
    )
    assert (step.action, step.what) == ("+", "Chuyển trạng thái: Đã trình hội nghị")
    assert (saved_unchanged.action, saved_unchanged.changes) == ("~", [])
    assert (task_created.action, task_created.what) == ("+", "Nhiệm vụ: Thu gom rác")
    assert changes_of(titled)["Trích yếu"] == ("Vệ sinh môi trường", "Vệ sinh môi trường, trật tự")
    assert (created.action, created.what) == ("+", "")  # drafted outside a request (the fixture)
    page = response.content.decode()
    assert "Đã trình hội nghị" in page
    assert "15/12/2026" in page
    assert SECRETARY in page
    assert task.history.count() == 2


def test_a_task_removed_from_a_draft_stays_in_the_resolutions_history(client_for, draft, member_a1) -> None:
    client = client_for("secretary")
    edit = reverse("resolutions:resolution-edit", args=[draft.pk])
    assert client.post(edit, edit_data(draft, tasks=[task_row("Thu gom rác", member_a1)])).status_code == 302
    draft.refresh_from_db()
    data = edit_data(draft)
    data["tasks-0-DELETE"] = "on"
    assert client.post(edit, data).status_code == 302
    assert not draft.tasks.exists()
    entries = history(client, "history:resolution-history", draft.pk).context["entries"]
    removed = next(e for e in entries if e.action == "-")
    assert (removed.what, removed.who, removed.action_label) == ("Nhiệm vụ: Thu gom rác", SECRETARY, "Xóa")


def test_a_task_shows_the_reports_and_their_review(client_for, people, tree, member_a1) -> None:
    lead = people["member"].member
    resolution = create_resolution(
        cell=tree.cell_a1, by=None, kind="monthly", period_start=month_start(), period_end=month_end(), title="Thu quỹ"
    )
    Resolution.objects.filter(pk=resolution.pk).update(status=Resolution.Status.IN_PROGRESS)
    task = Task.objects.create(resolution=resolution, title="Vận động đóng quỹ", deadline=month_end(), lead_member=lead)
    report = {"status": "in_progress", "progress": "40", "note": "Đã vận động 20 hộ."}
    assert client_for("member").post(reverse("resolutions:task-detail", args=[task.pk]), report).status_code == 302
    update = ProgressUpdate.objects.get()
    review = reverse("resolutions:update-review", args=[update.pk])
    assert client_for("secretary").post(review, {"decision": "confirm", "note": ""}).status_code == 302

    entries = history(client_for("secretary"), "history:task-history", task.pk).context["entries"]
    reviewed = next(e for e in entries if e.what.startswith("Báo cáo tiến độ") and e.action == "~")
    assert reviewed.who == SECRETARY
    assert changes_of(reviewed)["Kết quả xem xét"] == ("Chờ xác nhận", "Đã xác nhận")
    # The report counts once confirmed: the confirmation changed the task.
    progressed = next(e for e in entries if not e.what and e.changes)
    assert progressed.who == SECRETARY
    assert changes_of(progressed)["Tiến độ (%)"] == ("0", "40")
    assert changes_of(progressed)["Trạng thái"] == ("Chưa thực hiện", "Đang thực hiện")


def test_a_meeting_shows_attendance_minutes_and_corrections(client_for, people, meeting, tree) -> None:
    absent = MemberFactory.create(cell=tree.cell_a1, full_name="Trần Thị Bích")
    client = client_for("secretary")
    attendance = reverse("meetings:meeting-attendance", args=[meeting.pk])
    client.get(attendance)  # brings the new member onto the roll: a bulk insert, recorded
    data = {f"status_{pk}": s for pk, s in meeting.attendance.values_list("member_id", "status")}
    data[f"status_{absent.pk}"], data[f"reason_{absent.pk}"] = Attendance.Status.ABSENT_WITH_REASON, "Ốm"
    assert client.post(attendance, data).status_code == 302
    Meeting.objects.filter(pk=meeting.pk).update(chair=people["secretary"].member, recorder=people["deputy"].member)
    step = lambda name: reverse("meetings:meeting-step", args=[meeting.pk, name])  # noqa: E731
    client.post(step("held"), {"opened_at": "19:30", "closed_at": "21:15"})
    client.post(step("approve"))
    client.post(step("correct"), {"note": "Ghi sai tên người phát biểu"})

    response = history(client, "history:meeting-history", meeting.pk)
    entries = response.context["entries"]
    corrected = entries[0]
    assert corrected.reason == "Ghi sai tên người phát biểu"
    assert changes_of(corrected)["Trạng thái"] == ("Đã thông qua biên bản", "Đã họp")
    marked = next(e for e in entries if e.what == "Điểm danh: Trần Thị Bích" and e.action == "~")
    assert marked.who == SECRETARY
    assert changes_of(marked)["Tình hình dự họp"] == ("Có mặt", "Vắng có lý do")
    assert changes_of(marked)["Lý do"] == ("—", "Ốm")
    assert any(e.what == "Điểm danh: Trần Thị Bích" and e.action == "+" for e in entries)
    assert any(e.what.startswith("Mục chương trình") and e.action == "+" for e in entries)
    assert "Vắng có lý do" in response.content.decode()


def test_an_approved_absence_request_is_recorded_with_the_attendance_it_changes(client_for, people, meeting) -> None:
    ask = reverse("meetings:absence-request", args=[meeting.pk])
    assert client_for("member").post(ask, {"reason": "Đi công tác"}).status_code == 302
    request = meeting.absence_requests.get()
    client_for("secretary").post(reverse("meetings:absence-decide", args=[request.pk]), {"decision": "approve"})
    entries = history(client_for("deputy"), "history:meeting-history", meeting.pk).context["entries"]
    asked = "Đơn xin vắng: Đảng viên member"
    decided = next(e for e in entries if e.what.startswith("Đơn xin vắng") and e.action == "~")
    assert (decided.what, decided.who) == (asked, SECRETARY)
    assert changes_of(decided)["Trạng thái"] == ("Chờ duyệt", "Đã duyệt")
    marked = next(e for e in entries if e.what == "Điểm danh: Đảng viên member" and e.action == "~")
    assert marked.who == SECRETARY
    assert changes_of(marked)["Tình hình dự họp"] == ("Có mặt", "Vắng có lý do")
    assert changes_of(marked)["Lý do"] == ("—", "Đi công tác")
    assert next(e for e in entries if e.action == "+" and e.what == asked).who == "Đảng viên member"


def test_a_long_text_edited_on_the_review_page_shows_only_what_changed(client_for, tree, meeting) -> None:
    resolution = create_resolution(
        cell=tree.cell_a1, by=None, kind="monthly", period_start=month_start(), period_end=month_end(), title="Thu quỹ"
    )
    Resolution.objects.filter(pk=resolution.pk).update(status=Resolution.Status.IN_PROGRESS)
    url = reverse("meetings:meeting-review", args=[meeting.pk, resolution.pk])
    first = "Chi bộ đã lãnh đạo vận động 120 hộ gia đình ký cam kết giữ gìn vệ sinh môi trường, đạt 95% chỉ tiêu đề ra."
    client = client_for("secretary")
    assert client.post(url, {"results": first}).status_code == 302
    assert client.post(url, {"results": first.replace("120 hộ", "132 hộ")}).status_code == 302
    response = history(client, "history:meeting-history", meeting.pk)
    edited = next(e for e in response.context["entries"] if e.what.startswith("Sơ kết") and e.action == "~")
    change = edited.changes[0]
    assert (change.label, change.old, change.new) == ("Kết quả đạt được", "120", "132")
    assert change.before.endswith("vận động ")
    assert change.after.startswith(" hộ gia đình")
    assert change.after == " hộ gia đình ký cam kết giữ…"  # whole words
    assert '<del class="text-danger">120</del>' in response.content.decode()


def test_a_member_shows_edits_and_status_periods(client_for, people, member_a1) -> None:
    client = client_for("secretary")
    data = {
        "full_name": member_a1.full_name,
        "sex": "female",
        "birth_date": "05/03/1962",
        "phone": "0987 654 321",
        "admitted_on": "19/05/1990",
        "official_on": "19/05/1991",
        "cell": member_a1.cell_id,
    }
    assert client.post(reverse("members:member-edit", args=[member_a1.pk]), data).status_code == 302
    entries = history(client, "history:member-history", member_a1.pk).context["entries"]
    edited = entries[0]
    assert (edited.who, edited.action) == (SECRETARY, "~")
    assert changes_of(edited)["Số điện thoại"] == ("0912345678", "0987654321")
    assert changes_of(edited)["Ngày sinh"][1] == "05/03/1962"
    assert entries[-1].action == "+"


def test_an_evaluation_cycle_shows_steps_member_rows_and_the_system(client_for, people, tree) -> None:
    cycle = open_cycle(cell=tree.cell_a1, year=2025, by=people["secretary"])
    step = reverse("evaluations:cycle-step", args=[cycle.pk, "self_assessment"])
    assert client_for("secretary").post(step).status_code == 302
    cycle.refresh_from_db()
    take_step(cycle=cycle, step="proposal", by=None)  # as a job would: no request, no user
    cycle.refresh_from_db()
    evaluation = cycle.evaluations.select_related("member").first()
    assert evaluation is not None
    save_proposal(cycle=cycle, levels={evaluation.pk: ("good", "Gương mẫu")}, cell_fields={})

    entries = history(client_for("standing"), "history:cycle-history", cycle.pk).context["entries"]
    proposed = next(
        e for e in entries if e.what == f"Đánh giá đảng viên: {evaluation.member.full_name}" and e.action == "~"
    )
    assert proposed.who == "Hệ thống"
    assert changes_of(proposed)["Mức xếp loại đề xuất"] == ("—", "Hoàn thành tốt nhiệm vụ")
    moved = [e for e in entries if not e.what and e.action == "~"]
    assert [e.who for e in moved] == ["Hệ thống", SECRETARY]
    assert changes_of(moved[1])["Trạng thái"] == ("Đang mở", "Tự kiểm điểm")
    created = [e for e in entries if e.what.startswith("Đánh giá đảng viên") and e.action == "+"]
    assert len(created) == cycle.evaluations.count() > 0
    assert all(e.who == SECRETARY for e in created)
    assert any(e.what.startswith("Bước đánh giá") for e in entries)


# --- bulk writes -------------------------------------------------------------------------------------


def test_bulk_updates_record_only_the_rows_that_changed(tree, people) -> None:
    MemberFactory.create_batch(3, cell=tree.cell_a1)
    cycle = open_cycle(cell=tree.cell_a1, year=2025, by=None)
    take_step(cycle=cycle, step="self_assessment", by=None)
    take_step(cycle=cycle, step="proposal", by=None)
    cycle = EvaluationCycle.objects.get(pk=cycle.pk)
    first = cycle.evaluations.order_by("pk").first()
    assert first is not None
    before = MemberEvaluation.history.filter(history_type="~").count()
    save_proposal(cycle=cycle, levels={first.pk: ("good", "")}, cell_fields={})
    assert MemberEvaluation.history.filter(history_type="~").count() == before + 1
    assert cycle.history.filter(history_type="~").count() == 2


# --- reading long texts ------------------------------------------------------------------------------


def test_a_long_text_shows_the_part_that_changed() -> None:
    old = "Chi bộ lãnh đạo vận động nhân dân giữ gìn vệ sinh môi trường, thu gom rác đúng giờ quy định."
    new = "Chi bộ lãnh đạo vận động nhân dân giữ gìn vệ sinh môi trường, phân loại rác tại nguồn đúng giờ quy định."
    change = compact("Giải pháp", old, new)
    assert (change.old, change.new) == ("thu gom rác", "phân loại rác tại nguồn")
    assert change.before.startswith("…")
    assert change.before.endswith("môi trường, ")
    assert change.after == " đúng giờ quy định."
    word = compact("Nơi họp", "Nhà văn hóa khu phố một", "Nhà văn hóa khu phố mới")
    assert (word.old, word.new, word.after) == ("một", "mới", "")
    assert compact("Giải pháp", "—", new).new == new


# --- who sees the pages ------------------------------------------------------------------------------

ALLOWED = ("admin", "standing", "in_charge", "secretary", "deputy", "committee")


@pytest.mark.parametrize("kind", ["member", "resolution", "task", "meeting", "cycle"])
def test_who_sees_a_history(client_for, people, tree, member_a1, draft, meeting, kind) -> None:
    task = Task.objects.create(resolution=draft, title="Thu gom rác", deadline=month_end(), lead_member=member_a1)
    cycle = EvaluationCycle.objects.create(cell=tree.cell_a1, year=2025)
    pk = {"member": member_a1.pk, "resolution": draft.pk, "task": task.pk, "meeting": meeting.pk, "cycle": cycle.pk}
    url = reverse(f"history:{kind}-history", args=[pk[kind]])
    for who in ALLOWED:
        assert client_for(who).get(url).status_code == 200, who
    # A plain member reads the cell's resolutions and meetings (and their own record), not their history.
    assert client_for("member").get(url).status_code in (403, 404)
    for outsider in ("other_secretary", "nobody"):
        assert client_for(outsider).get(url).status_code == 404, outsider
    assert client_for("secretary").post(url).status_code == 405


def test_a_member_does_not_read_the_history_of_their_own_record(client_for, people) -> None:
    own = people["member"].member
    assert client_for("member").get(reverse("members:member-detail", args=[own.pk])).status_code == 200
    assert client_for("member").get(reverse("history:member-history", args=[own.pk])).status_code == 403


def test_the_link_is_shown_to_those_who_may_follow_it(client_for, draft) -> None:
    link = reverse("history:resolution-history", args=[draft.pk])
    detail = reverse("resolutions:resolution-detail", args=[draft.pk])
    assert link in client_for("secretary").get(detail).content.decode()
    assert link in client_for("in_charge").get(detail).content.decode()
    assert link not in client_for("member").get(detail).content.decode()


# --- the query budget --------------------------------------------------------------------------------


def _grow(resolution: Resolution, lead: Member, times: int) -> None:
    """Rows in every history table of a resolution: tasks created and changed, targets, status steps."""
    for i in range(times):
        task = Task.objects.create(resolution=resolution, title=f"Việc {i}", deadline=month_end(), lead_member=lead)
        task.progress = 10
        task.save()
        task.supporters.add(MemberFactory.create(cell=resolution.cell))
        resolution.targets.create(name=f"Chỉ tiêu {i}", target_value=100)
        resolution.title = f"Nghị quyết {i}"
        resolution.save()


def test_the_page_reads_a_fixed_number_of_queries(client_for, draft, member_a1) -> None:
    client = client_for("secretary")
    _grow(draft, member_a1, 2)
    with CaptureQueriesContext(connection) as few:
        small = history(client, "history:resolution-history", draft.pk)
    _grow(draft, member_a1, 12)
    with CaptureQueriesContext(connection) as many:
        large = history(client, "history:resolution-history", draft.pk)
    assert len(small.context["entries"]) < len(large.context["entries"]) == 30
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    second = history(client, "history:resolution-history", draft.pk, page=2)
    assert second.context["page"].number == 2
    assert second.context["entries"]


# --- the entries kept in the cache (``history.pages.history_part``) -----------------------------------


def _page(client, name: str, pk: int, page: int | None = None) -> str:
    html = history(client, name, pk, page).content.decode()
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1", html)


def test_a_second_look_is_served_from_the_cache(
    client_for, people, draft, member_a1, django_assert_num_queries
) -> None:
    client = client_for("secretary")
    _grow(draft, member_a1, 2)
    draft._history_user = people["secretary"]  # simple-history reads it on save
    draft.save()
    # session, user, access, the resolution with its cell's token; the count, the page, the history rows and
    # those before them (5), the many-to-many fields (3: the upper-level documents, the cells a committee's document
    # addresses, the supporters), the members named, the authors (3); the bell.
    with django_assert_num_queries(19):
        first = _page(client, "history:resolution-history", draft.pk)
    # session, user, access, the resolution with its cell's token; the authors (3); the bell.
    with django_assert_num_queries(8):
        again = _page(client, "history:resolution-history", draft.pk)
    assert again == first
    assert SECRETARY in again


def _title_edited(draft, people) -> str:
    draft.title = "Vệ sinh môi trường, trật tự đô thị"
    draft.save()
    return "Vệ sinh môi trường, trật tự đô thị"


def _task_added(draft, people) -> str:
    lead = draft.tasks.get().lead_member
    Task.objects.create(resolution=draft, title="Phát quang bụi rậm", deadline=month_end(), lead_member=lead)
    return "Nhiệm vụ: Phát quang bụi rậm"


def _task_renamed(draft, people) -> str:
    task = draft.tasks.get()
    task.title = "Thu gom rác thải"
    task.save()
    return "Nhiệm vụ: Thu gom rác thải"


def _target_added(draft, people) -> str:
    draft.targets.create(name="Hộ ký cam kết", target_value=100)
    return "Hộ ký cam kết"


def _author_renamed(draft, people) -> str:
    """The ward's standing member (of cell A2) renamed: a write outside the resolution's cell."""
    member = people["standing"].member
    member.full_name = "Đồng chí Thường trực"
    member.save()
    return "Đồng chí Thường trực"


def _role_granted_to_the_author(draft, people) -> str:
    from tests.factories import grant

    grant(people["standing"], "party_deputy", people["standing"].roles.get().organisation)  # the ward
    return "Phó Bí thư đảng ủy – Phường Phú Khương"


@pytest.mark.parametrize(
    "write", [_title_edited, _task_added, _task_renamed, _target_added, _author_renamed, _role_granted_to_the_author]
)
def test_the_next_look_after_a_write_shows_it(client_for, people, draft, member_a1, write) -> None:
    task = Task.objects.create(resolution=draft, title="Thu gom rác", deadline=month_end(), lead_member=member_a1)
    task._history_user = people["standing"]  # type: ignore[attr-defined]  # simple-history reads it on save
    task.progress = 20
    task.save()
    client = client_for("secretary")
    before = _page(client, "history:resolution-history", draft.pk)
    shown = write(draft, people)
    assert shown not in before
    assert shown in _page(client, "history:resolution-history", draft.pk)


def test_a_new_entry_moves_the_others_down_the_pages(client_for, draft, member_a1) -> None:
    _grow(draft, member_a1, 8)
    client = client_for("secretary")
    second = _page(client, "history:resolution-history", draft.pk, page=2)
    assert "Nghị quyết 99" not in _page(client, "history:resolution-history", draft.pk)
    draft.title = "Nghị quyết 99"
    draft.save()
    assert "Nghị quyết 99" in _page(client, "history:resolution-history", draft.pk)
    assert _page(client, "history:resolution-history", draft.pk, page=2) != second


def test_those_who_manage_the_member_see_the_numbers_in_full_the_others_masked(client_for, member_a1) -> None:
    member_a1.citizen_id = "001234569012"
    member_a1.save()
    pages = {
        name: _page(client_for(name), "history:member-history", member_a1.pk) for name in ("secretary", "committee")
    }
    again = {name: _page(client_for(name), "history:member-history", member_a1.pk) for name in pages}
    assert "001234569012" in pages["secretary"]
    assert "001234569012" not in pages["committee"]
    assert "••••••••9012" in pages["committee"]
    assert again == pages


def test_nothing_a_user_writes_passes_for_an_author(client_for, people, draft, member_a1) -> None:
    forged = f"<!--author:{people['admin'].pk}-->"
    Task.objects.create(resolution=draft, title=f"Việc {forged}", deadline=month_end(), lead_member=member_a1)
    page = _page(client_for("secretary"), "history:resolution-history", draft.pk)
    assert forged not in page
    assert "&lt;!--author:" in page
    assert "admin" not in page.split('id="main"')[1]
