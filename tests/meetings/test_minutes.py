"""The minutes of a cell meeting: the PDF read back with poppler, built and stored by the Celery task (eager
here; tests/resolutions/test_celery_worker.py runs a real worker), the print page, the meeting pack, and access."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import translation

from meetings import tasks
from meetings.documents import minutes_context, render_meeting_pack_pdf, render_minutes_pdf
from meetings.models import AgendaItem, Meeting, Speech
from meetings.services import plan_meeting, publish_pack, record_vote, save_review, set_attendance, touch
from meetings.tasks import build_minutes_pdf, request_minutes_pdf
from members.models import Member
from resolutions.models import PublicOpinion, Resolution, Task
from tests.factories import MemberFactory
from tests.resolutions.factories import ResolutionFactory, TargetFactory, TaskFactory
from tests.resolutions.test_pdf import flat, pdf_fonts, pdf_info, pdf_text

DAY = dt.date(2026, 11, 5)
ABSENT_WITH_REASON = "Lê Thị Mai"
REASON = "Đi công tác tại Hà Nội"
ABSENT_WITHOUT_REASON = "Phạm Văn Tùng"
LATE = "Huỳnh Văn Sáu"
TASKS = [
    ("Vận động hộ gia đình ký cam kết giữ gìn vệ sinh môi trường", Task.Status.DONE, 100),
    ("Tổ chức ngày chủ nhật xanh – sạch – đẹp", Task.Status.IN_PROGRESS, 60),
    ("Thu quỹ vì người nghèo năm 2026", Task.Status.NOT_STARTED, 0),
]


def build_meeting(tree, people, *, extra_members: int = 0) -> Meeting:
    """The November 2026 meeting of cell A1: seven members on the roll (six official, one probationary) plus
    ``extra_members``; one late, one absent with a reason, one without; the review of October's resolution
    with three tasks, two opinions raised, public opinion, and the vote adopting November's resolution."""
    cell = tree.cell_a1
    chair = Member.objects.get(user=people["secretary"])
    recorder = Member.objects.get(user=people["committee"])
    absent = MemberFactory.create(cell=cell, full_name=ABSENT_WITH_REASON)
    truant = MemberFactory.create(cell=cell, full_name=ABSENT_WITHOUT_REASON)
    late = MemberFactory.create(cell=cell, full_name=LATE, admitted_on=dt.date(2026, 3, 1), official_on=None)
    for _ in range(extra_members):
        MemberFactory.create(cell=cell)

    october = ResolutionFactory.create(
        cell=cell,
        number="10-NQ/CB",
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
        title="Về lãnh đạo thực hiện nhiệm vụ tháng 10 năm 2026",
        status=Resolution.Status.IN_PROGRESS,
    )
    for index, (title, status, progress) in enumerate(TASKS):
        TaskFactory.create(
            resolution=october,
            title=title,
            lead_member=recorder,
            status=status,
            progress=progress,
            deadline=dt.date(2026, 10, 20 + index),
            completed_on=dt.date(2026, 10, 25) if status == Task.Status.DONE else None,
        )
    TargetFactory.create(resolution=october, name="Hộ gia đình ký cam kết", target_value=100, actual_value=85)
    november = ResolutionFactory.create(
        cell=cell,
        number="11-NQ/CB",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
        title="Về lãnh đạo thực hiện nhiệm vụ tháng 11 năm 2026",
        status=Resolution.Status.SUBMITTED,
    )

    meeting = plan_meeting(
        cell=cell,
        by=people["secretary"],
        kind=Meeting.Kind.REGULAR,
        date=DAY,
        starts_at=dt.time(19, 30),
        ends_at=dt.time(21, 30),
        place="Nhà văn hóa khu phố 1",
        chair=chair,
        recorder=recorder,
        guest_in_charge=people["in_charge"],
        other_guests="Ông Trần Văn Bảy, Trưởng khu phố",
    )
    set_attendance(
        meeting=meeting,
        changes={
            absent.pk: ("absent_reason", REASON),
            truant.pk: ("absent_no_reason", ""),
            late.pk: ("late", ""),
        },
    )
    items = list(meeting.agenda_items.all())
    AgendaItem.objects.filter(pk=items[1].pk).update(
        notes="Đồng chí Bí thư thông tin về Nghị quyết của Đảng ủy phường."
    )
    save_review(
        meeting=meeting,
        resolution=october,
        texts={
            "results": "Hoàn thành việc vận động ký cam kết.",
            "shortcomings": "Thu quỹ còn chậm.",
            "causes": "Một số hộ khó khăn.",
            "lessons": "Phân công cụ thể từng đảng viên.",
            "next_programme": "Hoàn thành thu quỹ trước ngày 20/11.",
        },
    )
    Speech.objects.create(
        meeting=meeting, agenda_item=items[3], speaker=absent, content="Đề nghị tăng cường tuyên truyền.", order=1
    )
    Speech.objects.create(meeting=meeting, speaker_name="Ông Trần Văn Bảy", content="Nhất trí với dự thảo.", order=2)
    PublicOpinion.objects.create(
        cell=cell, meeting=meeting, received_on=DAY, source="Tổ tự quản số 3", content="Đèn đường hỏng."
    )
    record_vote(
        resolution=november,
        votes_for=3,  # four entitled members present (the one absent without a reason counts, but casts none)
        votes_against=1,
        votes_abstain=0,
        meeting=meeting,
        by=people["secretary"],
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        conclusion="Chi bộ thống nhất tập trung thu quỹ.",
        criticism="Đồng chí Tùng vắng không lý do, cần nghiêm túc rút kinh nghiệm.",
        decisions="Giao Chi ủy đôn đốc thu quỹ.",
        closed_at=dt.time(21, 15),
    )
    touch(meeting)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def meeting(tree, people) -> Meeting:
    return build_meeting(tree, people)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- the PDF ------------------------------------------------------------------------------------


def test_the_minutes_pdf_has_the_header_counts_absentees_vote_and_signatures(meeting, tmp_path) -> None:
    raw = pdf_text(render_minutes_pdf(meeting), tmp_path)
    text = flat(raw)
    for expected in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG BỘ PHƯỜNG PHÚ KHƯƠNG",
        "CHI BỘ KHU PHỐ 1",
        "Phú Khương, ngày 05 tháng 11 năm 2026",
        "BIÊN BẢN SINH HOẠT CHI BỘ THÁNG 11 NĂM 2026",
        "I. THỜI GIAN, ĐỊA ĐIỂM",
        "Vào lúc 19 giờ 30 phút, ngày 05 tháng 11 năm 2026",
        "Nhà văn hóa khu phố 1",
        "II. THÀNH PHẦN",
        "Chủ trì: đồng chí Đảng viên secretary, Bí thư chi bộ",
        "Thư ký: đồng chí Đảng viên committee, Chi ủy viên",
        "Ông Trần Văn Bảy, Trưởng khu phố",
        "Tổng số đảng viên của chi bộ: 7; chính thức: 6; dự bị: 1; miễn sinh hoạt: 0 (dự họp: 0); vắng địa phương: 0",
        "Có mặt: 5 (đi muộn 1)",
        f"Vắng có lý do: 1 (đồng chí {ABSENT_WITH_REASON}, lý do: {REASON})",
        f"Vắng không lý do: 1 (đồng chí {ABSENT_WITHOUT_REASON})",
        "III. NỘI DUNG",
        "Đồng chí Bí thư thông tin về Nghị quyết của Đảng ủy phường.",
        # The review: the frozen summary (the task table's cells wrap, so its titles are checked in the .docx test).
        "Tổng số nhiệm vụ: 3; hoàn thành đúng hạn: 0; hoàn thành trễ hạn: 1; quá hạn: 2; chưa thực hiện: 1",
        "Hoàn thành thu quỹ trước ngày 20/11.",
        f"Đồng chí {ABSENT_WITH_REASON}: Đề nghị tăng cường tuyên truyền.",
        "Ông Trần Văn Bảy: Nhất trí với dự thảo.",
        "Tổ tự quản số 3: Đèn đường hỏng.",
        "Tổng số đảng viên chính thức có quyền biểu quyết: 5; tán thành: 3 (60%); không tán thành: 1; "
        "không biểu quyết: 0",
        "Kết quả: 3/5 đảng viên chính thức có quyền biểu quyết tán thành, quá nửa (Điều 10 Điều lệ Đảng); "
        "nghị quyết được thông qua.",
        "Chi bộ thống nhất tập trung thu quỹ.",
        "Giao Chi ủy đôn đốc thu quỹ.",
        "Buổi sinh hoạt kết thúc lúc 21 giờ 15 phút cùng ngày.",
        "THƯ KÝ",
        "CHỦ TRÌ",
    ]:
        assert flat(expected) in text, expected
    assert "Số " not in raw.split("BIÊN BẢN")[0]  # minutes carry no number
    # The recorder signs on the left, the chair on the right, on the same line; their names under them.
    signature = next(line for line in raw.splitlines() if "THƯ KÝ" in line and "CHỦ TRÌ" in line)
    assert signature.index("THƯ KÝ") < signature.index("CHỦ TRÌ")
    names = next(line for line in raw.splitlines() if "Đảng viên committee" in line and "Đảng viên secretary" in line)
    assert names.index("Đảng viên committee") < names.index("Đảng viên secretary")


def test_the_review_shows_the_frozen_task_table_after_the_tasks_change(meeting, tmp_path) -> None:
    Task.objects.filter(title=TASKS[2][0]).update(status=Task.Status.DONE, progress=100)
    with translation.override("en"):
        rows = minutes_context(meeting)["reviews"][0]["tasks"]
    assert [(row["title"], row["progress"]) for row in rows] == [
        (TASKS[0][0], "100%"),
        (TASKS[1][0], "60%"),
        (TASKS[2][0], "0%"),
    ]
    assert rows[2]["deadline"] == "22/10/2026"
    assert rows[2]["lateness"].startswith("Quá hạn")  # open and past its deadline on the meeting date


def test_a_thematic_meeting_is_titled_as_such(meeting, tmp_path) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(kind=Meeting.Kind.THEMATIC)
    assert minutes_context(meeting)["title_line"] == "BIÊN BẢN SINH HOẠT CHUYÊN ĐỀ THÁNG 11 NĂM 2026"


def test_missing_times_are_left_as_dots_to_fill_in(meeting) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=None)  # the planned end is no closing time
    assert minutes_context(meeting)["closing"] == "Buổi sinh hoạt kết thúc lúc … giờ … phút cùng ngày."


def test_the_minutes_embed_only_liberation_serif_on_a4_numbered_from_page_two(tree, people, tmp_path) -> None:
    pdf = render_minutes_pdf(build_meeting(tree, people, extra_members=30))
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts
    for name, embedded in fonts:
        assert embedded == "yes", name
        assert name.split("+")[-1].startswith("Liberation-Serif"), name
    info = pdf_info(pdf, tmp_path)
    assert info["Page size"].endswith("(A4)")
    pages = int(info["Pages"])
    assert pages >= 2
    first_lines = [pdf_text(pdf, tmp_path, page).strip().splitlines()[0].strip() for page in range(1, pages + 1)]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in first_lines[0]
    assert first_lines[1:] == [str(number) for number in range(2, pages + 1)]


def test_a_meeting_just_planned_prints_with_blanks_to_fill_in_by_hand(tree, tmp_path) -> None:
    meeting = plan_meeting(
        cell=tree.cell_a2, by=None, kind="regular", date=DAY, starts_at=dt.time(8), place="Hội trường khu phố 2"
    )
    text = flat(pdf_text(render_minutes_pdf(meeting), tmp_path))
    assert "Chủ trì: …." in text
    assert "Buổi sinh hoạt kết thúc lúc … giờ … phút cùng ngày." in text
    assert "Tổng số đảng viên của chi bộ: 0" in text


def test_proceedings_follow_the_official_order_or_come_after_a_cells_own_agenda(meeting) -> None:
    doc = minutes_context(meeting)
    assert [item["slot"] for item in doc["items"]] == [None, None, "review", "discussion", None, "vote", "conclusion"]
    AgendaItem.objects.filter(meeting=meeting).exclude(order=0).delete()
    AgendaItem.objects.filter(meeting=meeting).update(title="Nội dung sinh hoạt")
    items = minutes_context(meeting)["items"]
    assert [(item["title"], item["slot"]) for item in items] == [
        ("Nội dung sinh hoạt", None),
        ("Đánh giá tình hình thực hiện nghị quyết", "review"),
        ("Thảo luận", "discussion"),
        ("Biểu quyết", "vote"),
        ("Kết luận", "conclusion"),
    ]
    # The opinion raised under a deleted item is still in the minutes.
    assert any(ABSENT_WITH_REASON in speech["speaker"] for speech in minutes_context(meeting)["loose_speeches"])


# --- the Celery task (eager in the test settings) ---------------------------------------------------


@pytest.fixture
def renders():
    """Counts the renders of the minutes, and nothing else."""
    with mock.patch.object(tasks, "render_minutes_pdf", wraps=render_minutes_pdf) as spy:
        yield spy


def test_the_task_stores_the_pdf_and_a_second_request_reuses_it(
    meeting, media, renders, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert request_minutes_pdf(meeting) is True
    meeting.refresh_from_db()
    assert (meeting.pdf_state, meeting.pdf_version) == ("ready", meeting.version)
    assert meeting.pdf_is_current
    stored = Path(media) / meeting.minutes_pdf.name
    assert stored.read_bytes().startswith(b"%PDF-")
    name = meeting.minutes_pdf.name

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert request_minutes_pdf(meeting) is False
    assert callbacks == []
    assert build_minutes_pdf.delay(meeting.pk, meeting.version).get() == "reused"
    meeting.refresh_from_db()
    assert meeting.minutes_pdf.name == name
    assert renders.call_count == 1


def test_an_edit_makes_the_pdf_stale_and_the_next_build_replaces_the_file(
    meeting, media, renders, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request_minutes_pdf(meeting)
    meeting.refresh_from_db()
    old = meeting.minutes_pdf.name
    touch(meeting)
    meeting.refresh_from_db()
    assert not meeting.pdf_is_current
    with django_capture_on_commit_callbacks(execute=True):
        assert request_minutes_pdf(meeting) is True
    meeting.refresh_from_db()
    assert meeting.pdf_is_current
    assert meeting.minutes_pdf.name != old
    assert not (Path(media) / old).exists()
    assert renders.call_count == 2


def test_a_build_for_an_old_version_does_nothing(meeting, media, renders) -> None:
    old_version = meeting.version
    request_minutes_pdf(meeting)  # the task waits for the commit that never comes in this test
    touch(meeting)
    assert build_minutes_pdf.apply(args=(meeting.pk, old_version)).get() == "stale"
    meeting.refresh_from_db()
    assert not meeting.minutes_pdf
    assert meeting.pdf_state == ""  # nobody is building the current version
    assert renders.call_count == 0


def test_a_build_overtaken_by_an_edit_never_overwrites_the_newer_state(meeting, media) -> None:
    request_minutes_pdf(meeting)
    version = meeting.version

    def render_while_someone_edits(m: Meeting) -> bytes:
        pdf = render_minutes_pdf(m)
        touch(m)  # the secretary saves a change while the worker renders
        return pdf

    with mock.patch.object(tasks, "render_minutes_pdf", side_effect=render_while_someone_edits):
        assert build_minutes_pdf.apply(args=(meeting.pk, version)).get() == "stale"
    meeting.refresh_from_db()
    assert meeting.version == version + 1
    assert not meeting.minutes_pdf
    assert meeting.pdf_state != "ready"
    assert not list((Path(media) / "minutes").rglob("*.pdf"))  # the overtaken file was removed


def test_a_rendering_error_marks_the_build_failed(meeting, media) -> None:
    request_minutes_pdf(meeting)
    with (
        mock.patch.object(tasks, "render_minutes_pdf", side_effect=ValueError("bad template")),
        pytest.raises(ValueError, match="bad template"),
    ):
        build_minutes_pdf.apply(args=(meeting.pk, meeting.version)).get()
    meeting.refresh_from_db()
    assert meeting.pdf_state == "failed"


# --- the pages ----------------------------------------------------------------------------------


def test_the_secretary_builds_the_pdf_from_the_meeting_page_and_downloads_it(
    meeting, media, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for("secretary")
    pdf_url = reverse("meetings:minutes-pdf", args=[meeting.pk])
    status_url = reverse("meetings:minutes-status", args=[meeting.pk])
    assert client.get(pdf_url).status_code == 302  # not built yet: back to the meeting page

    # The task is queued when the request's transaction commits; until then the block says "building" and polls.
    response = client.post(pdf_url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in response.content.decode()
    assert f'hx-get="{status_url}"' in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(pdf_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:meeting-detail", args=[meeting.pk])
    html = client.get(status_url).content.decode()
    assert "every 2s" not in html
    assert f'href="{pdf_url}"' in html

    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    touch(meeting)
    with translation.override("en"):
        html = client.get(status_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "every 2s" not in html
    assert client.get(pdf_url).status_code == 302  # a stale file is never served


def test_a_member_sees_the_state_but_cannot_ask_for_a_build(meeting, client_for) -> None:
    client = client_for("member")
    html = client.get(reverse("meetings:minutes-status", args=[meeting.pk])).content.decode()
    assert "<form" not in html
    assert client.post(reverse("meetings:minutes-pdf", args=[meeting.pk])).status_code == 403
    meeting.refresh_from_db()
    assert meeting.pdf_state == ""


def test_the_pdf_url_refuses_other_methods_after_checking_access(meeting, client_for) -> None:
    url = reverse("meetings:minutes-pdf", args=[meeting.pk])
    assert client_for("member").put(url).status_code == 405
    assert client_for("other_secretary").put(url).status_code == 404


DOCUMENT_URLS = [
    "meetings:minutes-print",
    "meetings:minutes-pdf",
    "meetings:minutes-status",
    "meetings:minutes-docx",
    "meetings:meeting-pack",
]


@pytest.mark.parametrize("name", DOCUMENT_URLS)
def test_a_member_of_another_cell_gets_404_on_every_document(meeting, client_for, name) -> None:
    client = client_for("other_secretary")
    url = reverse(name, args=[meeting.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_a_member_of_another_cell_gets_404_on_the_resolution_docx(meeting, client_for) -> None:
    url = reverse("resolutions:resolution-docx", args=[meeting.votes.get().resolution_id])
    assert client_for("other_secretary").get(url).status_code == 404


def test_the_print_page_shows_the_minutes_with_a_toolbar_hidden_on_paper(meeting, client_for) -> None:
    response = client_for("member").get(reverse("meetings:minutes-print", args=[meeting.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "CHI BỘ KHU PHỐ 1" in html
    assert ABSENT_WITHOUT_REASON in html
    assert 'class="print-toolbar no-print"' in html
    assert reverse("meetings:minutes-docx", args=[meeting.pk]) in html
    assert reverse("meetings:meeting-detail", args=[meeting.pk]) in html
    assert reverse("meetings:minutes-pdf", args=[meeting.pk]) not in html  # no PDF built yet
    assert "@font-face" not in html
    assert "@media print" in html


@pytest.mark.parametrize("extra_members", [0, 12])
def test_the_print_page_makes_the_same_queries_whatever_the_attendance(
    tree, people, client_for, django_assert_num_queries, extra_members
) -> None:
    meeting = build_meeting(tree, people, extra_members=extra_members)
    client = client_for("member")
    url = reverse("meetings:minutes-print", args=[meeting.pk])
    # 1 session, 2 user, 3 access_for (roles with the user's member), 4 the meeting with its cell (access),
    # then minutes_context: 5 the meeting with chair, recorder and the member in charge, 6 the cell's parent,
    # 7 the chair's and recorder's positions, 8 agenda items, 9 opinions raised with speakers, 10 public
    # opinion, 11 the attendance roll with members, 12 reviews with their resolutions, 13 votes with theirs.
    with django_assert_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200


# --- the meeting pack ---------------------------------------------------------------------------


def test_the_meeting_pack_has_the_agenda_last_months_review_and_the_draft_resolution(
    meeting, tree, people, client_for, tmp_path
) -> None:
    draft = ResolutionFactory.create(
        cell=tree.cell_a1,
        number="12-NQ/CB",
        period_start=dt.date(2026, 12, 1),
        period_end=dt.date(2026, 12, 31),
        title="Về lãnh đạo thực hiện nhiệm vụ tháng 12 năm 2026",
        status=Resolution.Status.DRAFT,
        focal_tasks="Tổng kết công tác năm 2026.",
    )
    TaskFactory.create(resolution=draft, title="Chuẩn bị hội nghị tổng kết năm", deadline=dt.date(2026, 12, 20))
    ResolutionFactory.create(
        cell=tree.cell_a1, status=Resolution.Status.DRAFT, period_end=dt.date(2026, 10, 31)
    )  # over
    ResolutionFactory.create(
        cell=tree.cell_b1, status=Resolution.Status.DRAFT, period_end=dt.date(2026, 12, 31)
    )  # other
    pdf = render_meeting_pack_pdf(meeting, on=dt.date(2026, 11, 3))
    text = flat(pdf_text(pdf, tmp_path))
    for expected in [
        "CHƯƠNG TRÌNH",
        "Sinh hoạt chi bộ tháng 11 năm 2026",
        "19 giờ 30 phút, ngày 05 tháng 11 năm 2026",
        "Thông tin thời sự, văn bản chỉ đạo của cấp trên",
        # Last month's review, as written for the meeting: its figures and the cell's texts
        "Báo cáo sơ kết việc thực hiện Nghị quyết số 10-NQ/CB",
        "BÁO CÁO",
        "Sơ kết việc thực hiện Nghị quyết số 10-NQ/CB",
        "Tổng số nhiệm vụ: 3; hoàn thành đúng hạn: 0; hoàn thành trễ hạn: 1;",
        "Thu quỹ còn chậm.",
        "Phân công cụ thể từng đảng viên.",
        # The draft
        "Dự thảo Nghị quyết số 12-NQ/CB về lãnh đạo thực hiện nhiệm vụ tháng 12 năm 2026",
        "DỰ THẢO",
        "Chuẩn bị hội nghị tổng kết năm",
        "Tổng kết công tác năm 2026.",
    ]:
        assert flat(expected) in text, expected
    assert text.count("NGHỊ QUYẾT") == 1  # the draft only: November's was adopted at the meeting, October's is over
    assert "11-NQ/CB" not in text  # adopted at this meeting: not yet reviewed
    # Each document is paged on its own: the review and the draft each start on a new page, unnumbered.
    pages = int(pdf_info(pdf, tmp_path)["Pages"])
    starts = [p for p in range(1, pages + 1) if "ĐẢNG CỘNG SẢN VIỆT NAM" in pdf_text(pdf, tmp_path, p)]
    assert len(starts) == 3
    assert "BÁO CÁO" in pdf_text(pdf, tmp_path, starts[1])
    assert "DỰ THẢO" in pdf_text(pdf, tmp_path, starts[2])
    assert pdf_text(pdf, tmp_path, starts[2]).strip().splitlines()[0].strip().startswith("ĐẢNG BỘ")

    # Members read it once the secretary releases it; the committee beforehand, to prepare it.
    url = reverse("meetings:meeting-pack", args=[meeting.pk])
    assert client_for("member").get(url).status_code == 403
    assert client_for("committee").get(url).status_code == 200
    publish_pack(meeting=meeting, by=people["secretary"])
    response = client_for("member").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.clock("2026-11-18 10:00")  # the pack is made two days before the meeting of 20/11/2026
def test_the_pack_shows_the_figures_of_a_review_not_yet_written(tree, people, tmp_path) -> None:
    cell = tree.cell_a1
    october = ResolutionFactory.create(
        cell=cell,
        number="10-NQ/CB",
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
        status=Resolution.Status.IN_PROGRESS,
    )
    TaskFactory.create(resolution=october, title="Sửa đèn đường tổ 3", deadline=dt.date(2026, 10, 20))
    meeting = plan_meeting(
        cell=cell,
        by=None,
        kind=Meeting.Kind.REGULAR,
        date=dt.date(2026, 11, 20),
        starts_at=dt.time(19),
        ends_at=dt.time(21),
        place="Nhà văn hóa",
    )
    text = flat(pdf_text(render_meeting_pack_pdf(meeting), tmp_path))
    assert flat("Sơ kết việc thực hiện Nghị quyết số 10-NQ/CB") in text
    assert flat("(số liệu đến ngày 18/11/2026)") in text  # as they stand the day the pack is made
    assert flat("Sửa đèn đường tổ 3") in text
    assert flat("Tổng số nhiệm vụ: 1; hoàn thành đúng hạn: 0; hoàn thành trễ hạn: 0; quá hạn: 1;") in text


def test_the_meeting_page_carries_the_pdf_block_and_polls_while_it_builds(meeting, client_for) -> None:
    client = client_for("secretary")
    detail = reverse("meetings:meeting-detail", args=[meeting.pk])
    pdf_url = reverse("meetings:minutes-pdf", args=[meeting.pk])
    html = client.get(detail).content.decode()
    assert f'id="minutes-pdf-status-{meeting.pk}"' in html
    assert f'hx-post="{pdf_url}"' in html
    assert "every 2s" not in html
    request_minutes_pdf(meeting)  # queued on commit, which never comes in this test: still building
    assert 'hx-trigger="every 2s"' in client.get(detail).content.decode()
    touch(meeting)  # an edit while it builds: that build is out of date, the page stops waiting for it
    html = client.get(detail).content.decode()
    assert "every 2s" not in html
    assert f'hx-post="{pdf_url}"' in html
