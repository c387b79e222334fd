"""The notice of conclusion, read back from the PDF with poppler."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from inspections.models import Inspection
from members.models import Role
from tests.factories import MemberFactory, UserFactory, grant
from tests.resolutions.test_pdf import flat, in_order, pdf_fonts, pdf_text


def test_the_notice_of_conclusion_prints_in_the_party_layout(client_for, tree, tmp_path) -> None:
    member = MemberFactory.create(cell=tree.cell_a1, full_name="Nguyễn Văn Được")
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


def _notice(tree, body: str, body_org):
    return Inspection.objects.create(
        activity=Inspection.Activity.SUPERVISION,
        mode=Inspection.Mode.REGULAR,
        body=body,
        body_org=body_org,
        subject_org=tree.cell_a1,
        title="việc thực hiện nghị quyết tháng",
        planned_start=dt.date(2026, 7, 1),
        planned_end=dt.date(2026, 7, 20),
        actual_start=dt.date(2026, 7, 2),
        actual_end=dt.date(2026, 7, 18),
        status=Inspection.Status.CONCLUDED,
        findings="Chi bộ thực hiện đúng kế hoạch.",
        conclusion=Inspection.Conclusion.GOOD,
        number_year=2026,
        number_seq=1,
    )


@pytest.mark.parametrize(
    ("body", "org", "lines"),
    [
        # The cell committee's notice: for the cell committee, its secretary by name.
        (Inspection.Body.CELL_COMMITTEE, "cell_a1", ("T/M CHI ỦY", "BÍ THƯ", "Đảng viên secretary")),
        # The ward's committee and standing committee: the party committee's secretary.
        (Inspection.Body.PARTY_COMMITTEE, "ward_a", ("T/M ĐẢNG ỦY", "BÍ THƯ", "Nguyễn Văn Tâm")),
        (Inspection.Body.STANDING_COMMITTEE, "ward_a", ("T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nguyễn Văn Tâm")),
    ],
)
def test_the_notice_is_signed_by_name_for_the_body_that_conducted_it(
    client_for, tree, tmp_path, body, org, lines
) -> None:
    user = UserFactory.create(username="bithu_dang_uy")
    MemberFactory.create(cell=tree.cell_a2, user=user, full_name="Nguyễn Văn Tâm")
    grant(user, Role.Kind.PARTY_SECRETARY, tree.ward_a)
    inspection = _notice(tree, body, getattr(tree, org))
    response = client_for("standing").get(reverse("inspections:conclusion-pdf", args=[inspection.pk]))
    assert in_order(flat(pdf_text(response.content, tmp_path)), *lines)


def test_without_a_secretary_the_deputy_of_the_cell_signs_the_notice(client_for, tree, tmp_path) -> None:
    Role.objects.filter(kind=Role.Kind.SECRETARY, organisation=tree.cell_a1).delete()
    inspection = _notice(tree, Inspection.Body.CELL_COMMITTEE, tree.cell_a1)
    response = client_for("deputy").get(reverse("inspections:conclusion-pdf", args=[inspection.pk]))
    assert in_order(flat(pdf_text(response.content, tmp_path)), "T/M CHI ỦY", "PHÓ BÍ THƯ", "Đảng viên deputy")
