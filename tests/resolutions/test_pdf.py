"""A resolution in the official party layout: the PDF read back with poppler, the print page, and the layout helpers."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from chibo.lib.layout import (
    FONT_FACES,
    PartyDocumentLayout,
    committee_name,
    number_text,
    party_body_name,
    percent,
    place_and_date,
    place_from_name,
    roman,
)
from members.models import MassOrganisation
from resolutions.documents import render_resolution_pdf, resolution_document
from resolutions.models import Resolution, Task
from resolutions.views.printing import load_for_printing
from tests.factories import MemberFactory
from tests.resolutions.factories import ResolutionFactory, TargetFactory, TaskFactory

ROOT = Path(__file__).resolve().parents[2]
TITLE = "Về việc vận động hộ gia đình ký cam kết giữ gìn vệ sinh môi trường"
TASK_TITLES = [
    "Vận động hộ gia đình ký cam kết giữ gìn vệ sinh môi trường",
    "Tổ chức ngày chủ nhật xanh – sạch – đẹp",
    "Thu quỹ vì người nghèo năm 2026",
]
ASSESSMENT = "Nguyên nhân: công tác tuyên truyền chưa thường xuyên; sự phối hợp với các đoàn thể chưa chặt chẽ."


# --- poppler ------------------------------------------------------------------------------------


def _poppler(tool: str, *args: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: install poppler-utils (sudo apt-get install -y poppler-utils)")
    return subprocess.run([path, *args], capture_output=True, text=True, check=True, timeout=60).stdout


def _write(pdf: bytes, tmp_path: Path, name: str = "document.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    return str(path)


def pdf_text(pdf: bytes, tmp_path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return _poppler("pdftotext", "-layout", *pages, _write(pdf, tmp_path), "-")


def flat(text: str) -> str:
    """NFC, with every run of white space (line breaks of the layout included) made one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def in_order(text: str, *parts: str) -> bool:
    """Each part appears in ``text`` after the one before it (the signature block's lines, read back from the PDF
    where the recipients' lines on the left are interleaved with them)."""
    at = 0
    for part in parts:
        found = text.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(font name, embedded) for each font in the PDF, from the table ``pdffonts`` prints."""
    lines = _poppler("pdffonts", _write(pdf, tmp_path)).splitlines()[2:]
    # Columns: name, type (may contain spaces), encoding, emb, sub, uni, object, generation.
    return [(line.split()[0], line.split()[-5]) for line in lines if line.strip()]


def pdf_info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    lines = _poppler("pdfinfo", _write(pdf, tmp_path)).splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}


# --- data ---------------------------------------------------------------------------------------


def make_resolution(cell, *, tasks: int = 3, status: str = Resolution.Status.ADOPTED) -> Resolution:
    """Resolution 01-NQ/CB of November 2026, adopted on 05/11/2026, with Vietnamese text everywhere."""
    resolution = ResolutionFactory.create(
        cell=cell,
        seq=1,
        number="01-NQ/CB",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
        title=TITLE,
        status=status,
        adopted_on=dt.date(2026, 11, 5) if status == Resolution.Status.ADOPTED else None,
        assessment=f"Chi bộ đã lãnh đạo hoàn thành 8/10 nhiệm vụ đề ra.\n\n{ASSESSMENT}",
        focal_tasks="Tập trung vận động 100% hộ gia đình ký cam kết, phân loại rác tại nguồn.",
        solutions="- Phát huy vai trò tiên phong, gương mẫu của đảng viên nơi cư trú.",
        implementation="Chi ủy phân công đảng viên phụ trách từng tổ tự quản.",
    )
    lead = MemberFactory.create(cell=cell, full_name="Trần Văn Dũng")
    helpers = [
        MemberFactory.create(cell=cell, full_name="Huỳnh Thị Mỹ Duyên"),
        MemberFactory.create(cell=cell, full_name="Võ Đăng Khoa"),
    ]
    women = MassOrganisation.objects.create(
        cell=cell, kind=MassOrganisation.Kind.WOMEN, name="Chi hội Phụ nữ khu phố 1"
    )
    for index in range(tasks):
        title = TASK_TITLES[index] if index < len(TASK_TITLES) else f"Rà soát hộ cận nghèo ở tổ tự quản số {index + 1}"
        if index == 2:
            TaskFactory.create(
                resolution=resolution,
                title=title,
                lead_kind=Task.LeadKind.MASS_ORGANISATION,
                lead_member=None,
                lead_mass_organisation=women,
                deadline=dt.date(2026, 11, 20),
            )
        else:
            TaskFactory.create(
                resolution=resolution,
                title=title,
                is_focal=index == 0,
                lead_member=lead,
                supporters=helpers,
                deadline=dt.date(2026, 11, 5 + index % 20),
            )
    TargetFactory.create(resolution=resolution, name="Hộ gia đình ký cam kết", unit="%", target_value=Decimal("100"))
    TargetFactory.create(resolution=resolution, name="Thu quỹ vì người nghèo", unit="%", target_value=Decimal("90.50"))
    return resolution


@pytest.fixture
def resolution(tree, people) -> Resolution:
    return make_resolution(tree.cell_a1)


def pdf_of(resolution: Resolution, rf, user) -> bytes:
    request = rf.get("/")
    request.user = user
    return render_resolution_pdf(load_for_printing(request, resolution.pk))


# --- the PDF ------------------------------------------------------------------------------------


def test_the_pdf_has_the_official_header_every_task_and_the_signature(resolution, people, rf, tmp_path) -> None:
    text = flat(pdf_text(pdf_of(resolution, rf, people["member"]), tmp_path))
    for expected in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG BỘ PHƯỜNG PHÚ KHƯƠNG",
        "CHI BỘ KHU PHỐ 1",
        "Số 01-NQ/CB",
        "Phú Khương, ngày 05 tháng 11 năm 2026",
        "NGHỊ QUYẾT",
        TITLE,
        *TASK_TITLES,
        "Chủ trì: Trần Văn Dũng; phối hợp: Huỳnh Thị Mỹ Duyên, Võ Đăng Khoa; thời hạn: 05/11/2026",
        "Chủ trì: Chi hội Phụ nữ khu phố 1; thời hạn: 20/11/2026",
        "T/M CHI BỘ",
        "BÍ THƯ",
        "Đảng viên secretary",  # the member linked to the secretary's account (tests/conftest.py)
        "Nơi nhận:",
        "Đảng ủy phường Phú Khương",
    ]:
        assert flat(expected) in text, expected
    assert "Số:" not in text
    assert "DỰ THẢO" not in text


def test_the_vietnamese_text_comes_back_intact(resolution, people, rf, tmp_path) -> None:
    # A title typed on a phone that sends letters and their marks separately (NFD) prints as the same words.
    decomposed = unicodedata.normalize("NFD", "Tuyên truyền phòng chống sốt xuất huyết ở tổ tự quản số 3")
    TaskFactory.create(resolution=resolution, title=decomposed, deadline=dt.date(2026, 11, 30))
    text = flat(pdf_text(pdf_of(resolution, rf, people["member"]), tmp_path))
    assert flat(decomposed) in text
    assert flat(ASSESSMENT) in text
    assert flat(TITLE) in text


def test_sections_follow_the_official_order_with_roman_numerals(resolution, people, rf, tmp_path) -> None:
    text = flat(pdf_text(pdf_of(resolution, rf, people["member"]), tmp_path))
    headings = [
        "I. ĐÁNH GIÁ KẾT QUẢ",
        "II. NHIỆM VỤ TRỌNG TÂM",
        "III. CHỈ TIÊU",
        "IV. GIẢI PHÁP",
        "V. TỔ CHỨC THỰC HIỆN",
        "T/M CHI BỘ",
    ]
    positions = [text.index(flat(heading)) for heading in headings]
    assert positions == sorted(positions)
    assert "Hộ gia đình ký cam kết 100 %" in text
    assert "Thu quỹ vì người nghèo 90,5 %" in text


def test_every_font_is_embedded_liberation_serif(resolution, people, rf, tmp_path) -> None:
    fonts = pdf_fonts(pdf_of(resolution, rf, people["member"]), tmp_path)
    assert fonts
    for name, embedded in fonts:
        assert embedded == "yes", name
        assert name.split("+")[-1].startswith("Liberation-Serif"), name


def test_the_pdf_is_a4(resolution, people, rf, tmp_path) -> None:
    info = pdf_info(pdf_of(resolution, rf, people["member"]), tmp_path)
    assert info["Page size"].endswith("(A4)")
    width, _, height = info["Page size"].split(" pts")[0].partition(" x ")
    assert (round(float(width)), round(float(height))) == (595, 842)


def test_pages_are_numbered_from_the_second_page_at_the_top(tree, people, rf, tmp_path) -> None:
    pdf = pdf_of(make_resolution(tree.cell_a1, tasks=40), rf, people["member"])
    pages = int(pdf_info(pdf, tmp_path)["Pages"])
    assert pages >= 3
    first_lines = [pdf_text(pdf, tmp_path, page).strip().splitlines()[0].strip() for page in range(1, pages + 1)]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in first_lines[0]
    assert first_lines[1:] == [str(number) for number in range(2, pages + 1)]


def test_a_draft_is_marked_and_dated_today(tree, people, rf, tmp_path) -> None:
    draft = make_resolution(tree.cell_a1, status=Resolution.Status.DRAFT)
    text = flat(pdf_text(pdf_of(draft, rf, people["member"]), tmp_path))
    assert "DỰ THẢO" in text
    assert place_and_date("Phú Khương", timezone.localdate()) in text


def test_the_place_is_the_wards_place_name_when_it_has_one(resolution, tree, people, rf) -> None:
    tree.ward_a.place_name = "Phường Phú Khương mới"
    tree.ward_a.save(update_fields=["place_name"])
    request = rf.get("/")
    request.user = people["member"]
    doc = resolution_document(load_for_printing(request, resolution.pk))
    assert doc["place_date"] == "Phường Phú Khương mới, ngày 05 tháng 11 năm 2026"


def test_a_cell_without_a_secretary_leaves_the_name_blank(tree, people, rf) -> None:
    resolution = make_resolution(tree.cell_a2)
    request = rf.get("/")
    request.user = people["admin"]
    doc = resolution_document(load_for_printing(request, resolution.pk))
    assert (doc["signature"].for_line, doc["signature"].title, doc["signature"].name) == ("T/M CHI BỘ", "BÍ THƯ", "")
    assert doc["issuing_body"] == "CHI BỘ KHU PHỐ 2"


def test_empty_sections_are_left_out_and_the_numerals_run_on(tree, people, rf) -> None:
    resolution = ResolutionFactory.create(cell=tree.cell_a1, assessment="", solutions="Phát huy vai trò đảng viên.")
    request = rf.get("/")
    request.user = people["member"]
    doc = resolution_document(load_for_printing(request, resolution.pk))
    assert [(s["numeral"], s["key"]) for s in doc["sections"]] == [("I", "solutions")]


def test_the_upper_level_resolutions_carried_out_are_named(resolution, tree, people, rf, tmp_path) -> None:
    upper = ResolutionFactory.create(cell=tree.ward_a, number="12-NQ/ĐU", title="về xây dựng phường văn minh đô thị")
    resolution.upper_resolutions.add(upper)
    text = flat(pdf_text(pdf_of(resolution, rf, people["member"]), tmp_path))
    assert "Nghị quyết số 12-NQ/ĐU của Đảng bộ phường Phú Khương về xây dựng phường văn minh đô thị" in text


def test_the_pdf_does_not_depend_on_the_fonts_of_the_system(tmp_path) -> None:
    """With fontconfig given no fonts at all, the PDF still embeds Liberation Serif: the bundled files."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path / "cache"}</cachedir></fontconfig>', encoding="utf-8"
    )
    script = (
        "import sys, django; django.setup(); from chibo.lib.pdf import render_pdf; "
        "sys.stdout.buffer.write(render_pdf('pdf/party_document.html', {}))"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "DJANGO_SETTINGS_MODULE": "chibo.test_settings"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    fonts = pdf_fonts(result.stdout, tmp_path)
    assert fonts
    assert all(name.split("+")[-1].startswith("Liberation-Serif") and embedded == "yes" for name, embedded in fonts)


def test_the_bundled_fonts_and_their_licence_are_there() -> None:
    assert len(FONT_FACES) == 4
    for face in FONT_FACES:
        assert face.path.read_bytes()[:4] == b"\x00\x01\x00\x00", face.filename  # a TrueType file
        assert face.url.startswith("file://")
    assert "SIL Open Font License" in (FONT_FACES[0].path.parent / "OFL.txt").read_text(encoding="utf-8")


def test_importing_the_pdf_module_is_cheap_and_imports_no_app() -> None:
    script = "import sys, chibo.lib.pdf, chibo.lib.layout; print(sorted({m.split('.')[0] for m in sys.modules}))"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = result.stdout
    for name in ("weasyprint", "members", "resolutions"):
        assert f"'{name}'" not in loaded


# --- the pages ----------------------------------------------------------------------------------


def test_a_member_of_the_cell_gets_the_pdf(resolution, client_for) -> None:
    response = client_for("member").get(reverse("resolutions:resolution-pdf", args=[resolution.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="01-NQ-CB.pdf"'
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize("name", ["resolutions:resolution-pdf", "resolutions:resolution-print"])
def test_a_secretary_of_another_cell_gets_404(resolution, client_for, name) -> None:
    response = client_for("other_secretary").get(reverse(name, args=[resolution.pk]))
    assert response.status_code == 404


def test_the_print_page_shows_the_document_with_a_pdf_button_hidden_on_paper(resolution, client_for) -> None:
    response = client_for("member").get(reverse("resolutions:resolution-print", args=[resolution.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in html
    assert TASK_TITLES[0] in html
    assert 'class="print-toolbar no-print"' in html
    assert reverse("resolutions:resolution-pdf", args=[resolution.pk]) in html
    assert reverse("resolutions:resolution-detail", args=[resolution.pk]) in html
    assert "@font-face" not in html  # the browser uses the installed fonts; file URLs would not load
    assert "@media print" in html


@pytest.mark.parametrize("tasks", [2, 12])
def test_the_pdf_view_makes_the_same_queries_whatever_the_number_of_tasks(
    tree, people, client_for, django_assert_num_queries, tasks
) -> None:
    resolution = make_resolution(tree.cell_a1, tasks=tasks)
    client = client_for("member")
    url = reverse("resolutions:resolution-pdf", args=[resolution.pk])
    # 1 session, 2 user, 3 access_for (roles with the user's member), 4 the resolution with its cell,
    # 5 tasks with their lead member and mass organisation, 6 their supporters, 7 targets,
    # 8 upper-level resolutions with their cells, 9 the cell's parent, 10 the secretary's name.
    with django_assert_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200


# --- the layout helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 11, 28), "Phú Khương, ngày 28 tháng 11 năm 2026"),
        (dt.date(2026, 3, 5), "Phú Khương, ngày 05 tháng 03 năm 2026"),
        (dt.date(2026, 1, 10), "Phú Khương, ngày 10 tháng 01 năm 2026"),
    ],
)
def test_the_place_and_date_line_pads_days_and_months(day, expected) -> None:
    assert place_and_date("Phú Khương", day) == expected


def test_padding_only_january_and_february_is_one_setting_away() -> None:
    layout = PartyDocumentLayout(pad_every_month=False)
    assert place_and_date("Phú Khương", dt.date(2026, 3, 5), layout) == "Phú Khương, ngày 05 tháng 3 năm 2026"
    assert place_and_date("Phú Khương", dt.date(2026, 2, 5), layout) == "Phú Khương, ngày 05 tháng 02 năm 2026"


def test_organisation_names_become_header_lines_and_places() -> None:
    assert party_body_name("Phường Phú Khương") == "Đảng bộ phường Phú Khương"
    assert party_body_name("Đảng bộ phường Phú Khương") == "Đảng bộ phường Phú Khương"
    assert committee_name("Đảng bộ xã Mỹ Thạnh An") == "Đảng ủy xã Mỹ Thạnh An"
    assert place_from_name("Đảng bộ phường Phú Khương") == "Phú Khương"
    assert place_from_name("Đảng bộ phường 4") == "Phường 4"


@pytest.mark.parametrize(
    ("part", "whole", "places", "expected"),
    [
        (2, 3, 2, Decimal("66.67")),
        (1, 3, 2, Decimal("33.33")),
        (3, 3, 2, Decimal("100.00")),
        (1, 16, 1, Decimal("6.3")),  # 6.25: a half is rounded up
        (3, 16, 1, Decimal("18.8")),  # 18.75
        (1, 8, 0, Decimal("13")),  # 12.5
        (1, 800, 2, Decimal("0.13")),  # 0.125
        (0, 7, 1, Decimal("0.0")),
        (0, 0, 2, None),  # no whole: no share
        (5, 0, 1, None),
    ],
)
def test_a_share_in_percent_is_rounded_half_up(part, whole, places, expected) -> None:
    assert percent(part, whole, places) == expected
    assert expected is None or str(percent(part, whole, places)) == str(expected)


def test_numbers_are_written_the_vietnamese_way() -> None:
    assert [number_text(Decimal(v)) for v in ("100.00", "90.50", "1250.5", "0")] == ["100", "90,5", "1.250,5", "0"]
    assert [roman(n) for n in (1, 4, 5, 9, 14)] == ["I", "IV", "V", "IX", "XIV"]
