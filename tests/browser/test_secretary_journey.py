"""A branch secretary, on a phone, finds a member by typing the name without accents and fixes a phone."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from chibo.lib.text import search_key
from members.models import Member, Role
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_finds_a_member_without_accents_and_edits_the_phone(live_server, page: Page) -> None:
    call_command("seed_demo", verbosity=0)
    cell = Role.objects.get(user__username="bithu", kind=Role.Kind.SECRETARY).organisation
    assert cell is not None
    member = Member.objects.filter(cell=cell, user__isnull=True).order_by("pk").first()
    assert member is not None
    typed = search_key(member.full_name)
    assert typed != member.full_name.lower()  # the name really has accents to ignore

    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    log_in(page, "bithu", "chibo-demo-2026")

    # She lands on her home page, what needs her now, and goes on to her cell's page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần đồng chí xử lý")
    page.get_by_role("link", name="Trang chi bộ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(cell.name)
    page.get_by_role("link", name="Tìm đảng viên").click()
    page.get_by_role("searchbox").fill(typed)
    # The list follows the typing after a short pause, and the address then says what was searched: a click on
    # a row of the list shown before it would race the new list (and its new address) on a slow machine.
    expect(page).to_have_url(re.compile(r"[?&]q="), timeout=15_000)
    row_link = page.locator("#member-table").get_by_role("link", name=member.full_name, exact=True)
    expect(row_link).to_be_visible(timeout=15_000)  # the list follows the typing after a short pause
    row_link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(member.full_name)
    page.get_by_role("link", name="Sửa").click()
    page.get_by_label("Số điện thoại").fill("0918 222 333")
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_role("alert")).to_contain_text("Đã lưu")
    expect(page.get_by_role("link", name="0918222333")).to_be_visible()
    member.refresh_from_db()
    assert member.phone == "0918222333"
    assert member.history.latest().history_user.username == "bithu"
