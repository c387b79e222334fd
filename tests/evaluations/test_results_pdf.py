"""The results of the year as a party document, read back from the PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from evaluations.models import EmulationCriterion, EvaluationCycle, Level
from evaluations.services import approve
from members.models import Exemption
from tests.evaluations.conftest import YEAR
from tests.resolutions.test_pdf import flat, pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db
S = EvaluationCycle.Status


def test_the_results_list_every_member_with_the_approved_level_and_the_counts(
    make_cycle, people, client_for, tmp_path
) -> None:
    Exemption.objects.create(member=people["committee"].member, starts_on=dt.date(2024, 1, 1), reason="Bệnh dài ngày")
    cycle = make_cycle(S.APPROVAL)
    EmulationCriterion.objects.create(cycle=cycle, text="Thu quỹ đạt 100%", max_points=50, score=45)
    mine = cycle.evaluations.get(member=people["member"].member)
    approve(cycle=cycle, levels={mine.pk: Level.DONE}, cell_level=Level.GOOD, by=people["in_charge"])

    response = client_for("member").get(reverse("evaluations:results-pdf", args=[cycle.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content, tmp_path))
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "CHI BỘ KHU PHỐ 1" in text
    assert "BÁO CÁO" in text
    assert f"Kết quả đánh giá, xếp loại chất lượng đảng viên và chi bộ năm {YEAR}" in text
    assert "DỰ THẢO" not in text
    assert "Đảng viên member Hoàn thành nhiệm vụ" in text
    assert "Đảng viên secretary Hoàn thành tốt nhiệm vụ" in text
    assert "- Hoàn thành tốt nhiệm vụ: 2 đảng viên (66,7%)" in text
    assert "- Hoàn thành nhiệm vụ: 1 đảng viên (33,3%)" in text
    assert "- Hoàn thành xuất sắc nhiệm vụ: 0 đảng viên" in text
    assert "Đảng viên committee (được miễn sinh hoạt)" in text
    assert "Chi bộ được xếp loại: Hoàn thành tốt nhiệm vụ" in text
    assert "đạt 45/50 điểm" in text
    fonts = pdf_fonts(response.content, tmp_path)
    assert fonts
    assert all(name.split("+")[-1].startswith("Liberation-Serif") and embedded == "yes" for name, embedded in fonts)


def test_before_approval_the_results_are_a_draft_of_the_proposal(make_cycle, client_for, tmp_path) -> None:
    cycle = make_cycle(S.VOTE)
    response = client_for("secretary").get(reverse("evaluations:results-pdf", args=[cycle.pk]))
    text = flat(pdf_text(response.content, tmp_path))
    assert "DỰ THẢO" in text
    assert "- Hoàn thành tốt nhiệm vụ: 4 đảng viên (100,0%)" in text
