"""Accessibility, checked by axe-core (vendored in ``static/vendor/axe-core``) over the busiest pages of the demo, as a
secretary, an ordinary member, the ward's standing committee and the city's administrator, on a phone and at a desk.
Any violation of impact "serious" or "critical" (WCAG 2.1 A and AA, and axe's best practices) fails the test, with
every one listed: the rule, what it asks, and the elements that break it.

The script is added to the page from the site's own static files, which the Content Security Policy allows. The same
walk fails on any policy violation (an inline style or script left in a template: the meeting's edit page had 16),
and on the dashboard's table sticking out of the screen (at a desk it fits; on a phone only its own box scrolls)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, ViewportSize

from meetings.models import Meeting
from members.models import Member, Organisation, Role
from resolutions.models import Resolution
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "chibo-demo-2026"
SIZES: dict[str, ViewportSize] = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1366, "height": 768}}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")

# A Content Security Policy violation (an inline style or script left in a template) is recorded by the page.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""

# The dashboard's table fits the screen (a desk) or scrolls only inside its own box (a phone).
TABLE_FITS = """() => {
    const box = document.querySelector(".dashboard-table").closest(".table-responsive");
    // The smallest label of a chart shown, in pixels on the screen (a chart is drawn in a 640-unit box).
    const labels = [...document.querySelectorAll("svg.chart")].filter((svg) => svg.getBoundingClientRect().width > 0)
        .flatMap((svg) => [...svg.querySelectorAll("text")].map((t) =>
            parseFloat(t.getAttribute("font-size") || svg.getAttribute("font-size")) *
            svg.getBoundingClientRect().width / svg.viewBox.baseVal.width));
    return {
        page: document.documentElement.scrollWidth <= document.documentElement.clientWidth,
        table: box.scrollWidth <= box.clientWidth + 1,
        smallest_label: labels.length ? Math.min(...labels) : null,
    };
}"""

RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 4).map(
            (n) => n.target.join(" ") + " — " + (n.failureSummary || "").split("\\n").slice(1).join(" ").trim()
        ),
        count: v.nodes.length,
    }));
}"""


def _check(page: Page, base: str, path: str, label: str, found: list[str]) -> None:
    response = page.goto(base + path)
    assert response is not None
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__violations")
    if violations:
        found.append(f"{label} {path} breaks the Content Security Policy: {violations}")
    if "/dashboard/" in path:
        fits = page.evaluate(TABLE_FITS)
        if not fits["page"] or (label.startswith("desk") and not fits["table"]):
            found.append(f"{label} {path}: the dashboard's table does not fit ({fits})")
        if fits["smallest_label"] is not None and fits["smallest_label"] < 11.9:
            found.append(f"{label} {path}: a chart's labels are {fits['smallest_label']:.1f} pixels high")
    page.add_script_tag(url=base + "/static/vendor/axe-core/axe.min.js")
    for v in page.evaluate(RUN_AXE, TAGS):
        if v["impact"] in BLOCKING:
            nodes = "".join(f"\n      {node}" for node in v["nodes"])
            found.append(f"{label} {path} [{v['impact']}] {v['id']}: {v['help']} ({v['count']} elements){nodes}")


def _pages_of(username: str) -> list[str]:
    if username == "admin":
        return [f"/dashboard/{Organisation.objects.get(depth=1).pk}/"]
    if username == "thuongtruc":
        ward = Role.objects.get(user__username=username, kind=Role.Kind.STANDING).organisation
        assert ward is not None
        return ["/", f"/dashboard/{ward.pk}/", "/notifications/"]
    cell = Member.objects.select_related("cell").get(user__username=username).cell
    resolution = Resolution.objects.filter(cell=cell).order_by("-period_start", "-seq").first()
    meeting = Meeting.objects.filter(cell=cell, status=Meeting.Status.APPROVED).order_by("-date").first()
    planned = Meeting.objects.filter(cell=cell).order_by("-date").first()
    assert resolution is not None
    assert meeting is not None
    assert planned is not None
    pages = [
        "/",
        f"/organisations/{cell.pk}/",
        f"/resolutions/{resolution.pk}/",
        f"/meetings/{meeting.pk}/",
        f"/meetings/{planned.pk}/",
        f"/cells/{cell.pk}/tasks/",
        f"/cells/{cell.pk}/meetings/",
        "/tasks/mine/",
        "/notifications/",
    ]
    if username == "bithu":
        draft = Resolution.objects.filter(cell=cell, status=Resolution.Status.DRAFT).first() or resolution
        pages += [
            f"/resolutions/{draft.pk}/edit/",
            f"/meetings/{planned.pk}/edit/",
            f"/meetings/{planned.pk}/attendance/",
            f"/cells/{cell.pk}/resolutions/",
        ]
    return pages


def test_the_busiest_pages_have_no_serious_accessibility_violation(live_server, browser: Browser) -> None:
    call_command("seed_demo", verbosity=0)
    base = live_server.url
    found: list[str] = []
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        page = context.new_page()
        page.add_init_script(WATCH)
        # Before logging in: the login page and an error page.
        _check(page, base, "/accounts/login/", f"{size} anonymous", found)
        _check(page, base, "/no-such-page/", f"{size} anonymous", found)
        for username in ("bithu", "dangvien", "thuongtruc", "admin"):
            context.clear_cookies()
            page.goto(base + "/accounts/login/")
            log_in(page, username, PASSWORD)
            page.wait_for_load_state("networkidle")
            for path in _pages_of(username):
                _check(page, base, path, f"{size} {username}", found)
        context.close()
    assert not found, f"{len(found)} serious or critical accessibility violations:\n" + "\n".join(found)
