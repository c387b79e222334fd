"""The notice of conclusion, read back from the PDF with poppler."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from inspections.models import Inspection
from tests.factories import MemberFactory
from tests.resolutions.test_pdf import flat, pdf_fonts, pdf_text


def test_the_notice_of_conclusion_prints_in_the_party_layout(client_for, tree, tmp_path) -> None:
    member = MemberFactory(cell=tree.cell_a1, full_name="Nguyễn Văn Được")
    inspection = Inspection.objects.create(
        activity=Inspection.Activity.INSPECTION,
        mode=Inspection.Mode.AD_HOC,
        body=Inspection.Body.INSPECTION_COMMITTEE,
        body_org=tree.ward_a,
        subject_org=tree.cell_a1,
        subject_member=member,
        title="việc chấp hành Điều lệ Đảng",
        period_from=dt.date(2026, 1, 1),
        period_to=dt.date(2026, 6, 30),
        planned_start=dt.date(2026, 7, 1),
        planned_end=dt.date(2026, 7, 20),
        actual_start=dt.date(2026, 7, 2),
        actual_end=dt.date(2026, 7, 18),
        team="Trần Thị Kiểm\nLê Văn Tra",
        status=Inspection.Status.CONCLUDED,
        findings="Đồng chí chưa thực hiện đầy đủ việc sinh hoạt nơi cư trú.",
        conclusion=Inspection.Conclusion.SHORTCOMINGS,
        recommendations="Kiểm điểm trước chi bộ.",
        follow_up_due=dt.date(2026, 8, 31),
        number_year=2026,
        number_seq=3,
    )
    response = client_for("standing").get(reverse("inspections:conclusion-pdf", args=[inspection.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content, tmp_path))
    for line in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG ỦY PHƯỜNG PHÚ KHƯƠNG",
        "ỦY BAN KIỂM TRA",
        "Số 03-TB/UBKT",
        "Phú Khương, ngày 18 tháng 07 năm 2026",
        "THÔNG BÁO KẾT LUẬN KIỂM TRA",
        "Đối với đồng chí Nguyễn Văn Được, đảng viên Chi bộ khu phố 1",
        "từ ngày 01/01/2026 đến ngày 30/06/2026",
        "Trần Thị Kiểm, Lê Văn Tra",
        "Đồng chí chưa thực hiện đầy đủ việc sinh hoạt nơi cư trú.",
        "Đánh giá chung: Có khuyết điểm.",
        "Kiểm điểm trước chi bộ.",
        "trước ngày 31 tháng 08 năm 2026",
        "T/M ỦY BAN KIỂM TRA",
        "CHỦ NHIỆM",
    ):
        assert line in text, line
    fonts = pdf_fonts(response.content, tmp_path)
    assert fonts
    assert all("Liberation" in name and embedded == "yes" for name, embedded in fonts), fonts


def test_only_a_concluded_inspection_has_a_notice(client_for, tree) -> None:
    inspection = Inspection.objects.create(
        body=Inspection.Body.CELL_COMMITTEE,
        body_org=tree.cell_a1,
        subject_org=tree.cell_a1,
        title="Kiểm tra",
        planned_start=dt.date(2026, 7, 1),
        planned_end=dt.date(2026, 7, 20),
    )
    assert client_for("secretary").get(reverse("inspections:conclusion-pdf", args=[inspection.pk])).status_code == 404
