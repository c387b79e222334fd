"""A secretary, on a phone, imports the cell's Excel list (one bad row shown and left out), finds a new member
on the cell's list of probations ending, is refused an official date before her twelve months end, records the
recognition and sees it on the member's timeline."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from members.models import Member, MemberEvent
from tests.browser.conftest import log_in
from tests.members.test_imports import workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_imports_a_list_and_recognises_a_member(
    live_server, page: Page, tree, people, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = tmp_path / "danh-sach.xlsx"
    upload.write_bytes(
        workbook(
            [
                [1, "Phan Văn Khải", "05/03/1962", "Nam", "19/05/1990", "19/05/1991", "Tổ 2", "0912 111 222"],
                [2, "Lý Thị Dự", "5/3/1990", "Nữ", dt.date(2025, 6, 1), None, "Tổ 3", None],
                [3, "Hà Văn Sai", "31/02/1970", "Nam", "01/01/2000", None, None, None],
            ]
        ).getvalue()
    )
    page.goto(f"{live_server.url}/organisations/{tree.cell_a1.pk}/")
    log_in(page, "secretary")
    page.get_by_role("link", name="Nhập từ Excel").click()
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(upload))
    page.get_by_role("button", name="Kiểm tra tệp").click()

    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("Ngày sinh")
    expect(errors).to_contain_text("không có thật")
    expect(errors.locator("tbody tr")).to_have_count(1)
    assert not Member.objects.filter(full_name="Phan Văn Khải").exists()
    page.get_by_role("button", name="Chỉ nhập 2 dòng hợp lệ").click()

    expect(page.get_by_role("alert")).to_contain_text("Đã thêm 2 đảng viên")
    # Her twelve months ended on 01/06/2026 and the 30 working days for the cell's review on 13/07/2026.
    probation = page.locator("#probation-ending")
    expect(probation.get_by_role("row").filter(has_text="Lý Thị Dự")).to_contain_text("01/06/2026")
    expect(probation.get_by_role("row").filter(has_text="Lý Thị Dự")).to_contain_text("13/07/2026")
    probation.screenshot(path=str(tmp_path / "probation.png"))
    probation.get_by_role("link", name="Lý Thị Dự").click()
    page.get_by_role("link", name="Công nhận chính thức").click()
    expect(page.get_by_label("Chính thức từ ngày")).to_have_value("01/06/2026")  # the end of probation
    page.get_by_label("Chính thức từ ngày").fill("31/05/2026")
    page.get_by_label("Quyết định").fill("Quyết định số 125-QĐ/ĐU")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("sớm nhất từ ngày 01/06/2026")).to_be_visible()
    assert Member.objects.get(full_name="Lý Thị Dự").official_on is None
    page.get_by_label("Chính thức từ ngày").fill("02/06/2026")
    page.get_by_label("Quyết định").fill("Quyết định số 125-QĐ/ĐU")
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_role("alert")).to_contain_text("Đã lưu")
    expect(page.get_by_text("Công nhận đảng viên chính thức")).to_be_visible()
    page.screenshot(path=str(tmp_path / "member.png"), full_page=True)
    member = Member.objects.get(full_name="Lý Thị Dự")
    assert member.official_on == dt.date(2026, 6, 2)
    recorded_by = MemberEvent.objects.get(member=member).recorded_by
    assert recorded_by is not None
    assert recorded_by.username == "secretary"
