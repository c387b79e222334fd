"""The Content Security Policy in a real browser: the busiest pages of the demo, as a secretary and as a ward
committee member, raise no policy violation and no script error, and the scripts they need still work."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from meetings.models import Meeting
from resolutions.models import Resolution
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""


def _visit(page: Page, url: str, errors: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__violations")
    assert violations == [], f"{url}: {violations}"
    assert errors == [], f"{url}: {errors}"


def test_the_busiest_pages_raise_no_policy_violation(live_server, page: Page) -> None:
    call_command("seed_demo", verbosity=0)
    page.add_init_script(WATCH)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(live_server.url + "/accounts/login/")
    log_in(page, "bithu", "chibo-demo-2026")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    cell_url = page.url
    resolution = Resolution.objects.filter(cell__roles__user__username="bithu").order_by("-period_start").first()
    assert resolution is not None
    meeting = Meeting.objects.filter(cell=resolution.cell, status=Meeting.Status.APPROVED).order_by("-date").first()
    assert meeting is not None

    for path in [
        cell_url,
        f"/resolutions/{resolution.pk}/",
        f"/resolutions/{resolution.pk}/print/",
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/minutes/",
        "/tasks/mine/",
        "/notifications/",
        "/members/",
    ]:
        _visit(page, path if path.startswith("http") else live_server.url + path, errors)

    # Scripts from the project's own files still run: the menu opens (Bootstrap), the search filters as one
    # types (htmx), the bell's count arrives after the page (htmx).
    page.goto(live_server.url + "/members/")
    page.get_by_role("searchbox").fill("nguyen")
    expect(page).to_have_url(re.compile(r"q=nguyen"))
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Đảng viên", exact=True)).to_be_visible()
    assert page.evaluate("window.__violations") == []

    # The ward's standing committee: the dashboard with its charts.
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    log_in(page, "thuongtruc", "chibo-demo-2026")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Theo dõi").click()
    expect(page.locator("table").first).to_be_visible()
    assert page.evaluate("window.__violations") == []
    assert errors == []
