"""A cell's documents carry their signature block with the signer's name (the PDF read back with poppler, the Word
file read with python-docx), and the minutes count the exempt members and those of them who attended."""

from __future__ import annotations

import datetime as dt

import pytest

from meetings.documents import minutes_context, render_meeting_pack_pdf, render_minutes_docx, render_minutes_pdf
from meetings.models import Meeting
from meetings.services import plan_meeting, set_attendance
from members.models import Exemption, Member, Role
from resolutions.documents import render_resolution_docx, render_resolution_pdf
from resolutions.models import Resolution
from resolutions.views.printing import load_for_printing
from tests.factories import MemberFactory
from tests.meetings.test_minutes import build_meeting
from tests.resolutions.factories import ResolutionFactory
from tests.resolutions.test_docx import open_docx, text_of
from tests.resolutions.test_pdf import flat, in_order, pdf_text

pytestmark = pytest.mark.django_db


def _resolution(tree, people, rf):
    resolution = ResolutionFactory.create(cell=tree.cell_a1, number="07-NQ/CB", status=Resolution.Status.ADOPTED)
    request = rf.get("/")
    request.user = people["secretary"]
    return load_for_printing(request, resolution.pk)


def test_a_resolution_is_signed_for_the_cell_by_its_secretary_in_the_pdf_and_the_word_file(
    tree, people, rf, tmp_path
) -> None:
    resolution = _resolution(tree, people, rf)
    text = flat(pdf_text(render_resolution_pdf(resolution), tmp_path))
    assert in_order(text, "T/M CHI BỘ", "BÍ THƯ", "Đảng viên secretary")
    assert "PHÓ BÍ THƯ" not in text
    word = text_of(open_docx(render_resolution_docx(resolution)))
    assert in_order(word, "T/M CHI BỘ", "BÍ THƯ", "Đảng viên secretary")


def test_without_a_secretary_the_deputy_signs_the_resolution_and_the_meeting_pack(tree, people, rf, tmp_path) -> None:
    Role.objects.filter(kind=Role.Kind.SECRETARY, organisation=tree.cell_a1).delete()
    resolution = _resolution(tree, people, rf)
    text = flat(pdf_text(render_resolution_pdf(resolution), tmp_path))
    assert in_order(text, "T/M CHI BỘ", "PHÓ BÍ THƯ", "Đảng viên deputy")
    word = text_of(open_docx(render_resolution_docx(resolution)))
    assert in_order(word, "T/M CHI BỘ", "PHÓ BÍ THƯ", "Đảng viên deputy")

    meeting = plan_meeting(
        cell=tree.cell_a1,
        by=people["deputy"],
        kind=Meeting.Kind.REGULAR,
        date=dt.date(2026, 11, 25),
        starts_at=dt.time(19, 30),
        ends_at=dt.time(21, 30),
        place="Nhà văn hóa khu phố 1",
    )
    pack = flat(pdf_text(render_meeting_pack_pdf(meeting, on=dt.date(2026, 11, 20)), tmp_path, page=1))
    assert in_order(pack, "T/M CHI BỘ", "PHÓ BÍ THƯ", "Đảng viên deputy")


def test_the_minutes_count_the_exempt_and_those_of_them_who_attended(tree, people, tmp_path) -> None:
    # Three members exempt on the meeting date (old age, long illness); one of them comes to the meeting.
    exempt = [MemberFactory.create(cell=tree.cell_a1, full_name=f"Đảng viên miễn {n}") for n in (1, 2, 3)]
    for member in exempt:
        Exemption.objects.create(member=member, starts_on=dt.date(2025, 1, 1), reason="Tuổi cao")
    meeting = build_meeting(tree, people)
    set_attendance(meeting=meeting, changes={exempt[0].pk: ("present", "")})

    counts = minutes_context(meeting)["attendance"]
    assert (counts["total"], counts["exempt"], counts["exempt_attended"], counts["attended"]) == (10, 3, 1, 6)
    line = "miễn sinh hoạt: 3 (dự họp: 1); vắng địa phương: 0."
    assert line in flat(pdf_text(render_minutes_pdf(meeting), tmp_path))
    word = text_of(open_docx(render_minutes_docx(meeting)))
    assert line in word
    # Signed by the recorder (left) and the chair (right), each by name.
    assert meeting.recorder is not None
    assert meeting.chair is not None
    recorder, chair = meeting.recorder.full_name, meeting.chair.full_name
    assert in_order(word, "THƯ KÝ", recorder)
    assert in_order(word, "CHỦ TRÌ", chair)
    assert Member.objects.get(pk=exempt[0].pk).exemptions.exists()  # still exempt: attending ends nothing
