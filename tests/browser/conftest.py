"""Browser journeys: pytest-playwright driving the system's Chromium against Django's live server."""

import os
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, expect

# The live server runs in a thread beside the test; Playwright's sync API runs an event loop in the
# test thread, and Django refuses ORM calls from a thread with a running loop unless told otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: sudo apt-get install -y chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


# Playwright acts as soon as an element is in the page, which may be before the page has finished loading: a date
# box typed in before the page's script moves it into its calendar group, a search box typed in before htmx listens
# to it. A person waits for the page to be there; so do the journeys: each action on an element first waits for
# the page's "load" (at once when it is already loaded).
ACTIONS = ("fill", "press_sequentially", "type", "press", "click", "select_option", "check", "uncheck", "set_checked")


def _after_load(original: Callable[..., Any]) -> Callable[..., Any]:
    def act(self: Locator, *args: Any, **kwargs: Any) -> Any:
        self.page.wait_for_load_state()
        return original(self, *args, **kwargs)

    return act


@pytest.fixture(autouse=True)
def _act_on_loaded_pages(monkeypatch):
    for name in ACTIONS:
        monkeypatch.setattr(Locator, name, _after_load(getattr(Locator, name)))


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A phone: secretaries often work from one.
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "locale": "vi-VN"}


def log_in(page, username: str, password: str = "chibo-test-2026") -> None:
    """Fill the Vietnamese login form the page is on, as a person would."""
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def log_in_as(page, base_url: str, username: str) -> None:
    """Leave whatever session the browser has and log in as someone else, from the login page. The page open before
    finishes its own requests first: a late answer to one of them would set the old session's CSRF cookie after the
    login page set the new one, and the login would be refused."""
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(base_url + "/accounts/login/")
    log_in(page, username)


def plan_meeting(page, day, place: str, chair_pk: int, recorder_pk: int) -> None:
    """From the cell's page: the meeting planning form filled for 19:00–21:00 on ``day``, and sent."""
    page.get_by_role("link", name="Sinh hoạt chi bộ").click()
    page.get_by_role("link", name="Lên kế hoạch sinh hoạt").click()
    page.locator("#id_date").fill(day.strftime("%d/%m/%Y"))
    page.locator("#id_starts_at").fill("19:00")
    page.locator("#id_ends_at").fill("21:00")
    page.locator("#id_place").fill(place)
    page.locator("#id_chair").select_option(str(chair_pk))
    page.locator("#id_recorder").select_option(str(recorder_pk))
    page.get_by_role("button", name="Lên kế hoạch").click()


def pdf_text(path) -> str:
    """The text of a PDF as pdftotext reads it, with the lines the page wraps joined by single spaces."""
    raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(raw.split())


def expect_fits_the_screen(page, heading: str) -> None:
    """Once the page whose heading says ``heading`` is there: it does not scroll sideways on the phone (a wide
    table may scroll inside its own box). The message names the first elements that stick out."""
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    page.wait_for_load_state()  # the style sheets applied and the page's script run, not only the heading parsed
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('body *')]
                .filter((e) => e.getBoundingClientRect().right > width + 1)
                .slice(0, 5)
                .map((e) => `${e.tagName}.${e.className}: ${(e.textContent || '').trim().slice(0, 60)}`);
            return {scroll: document.documentElement.scrollWidth, width: width, wide: wide};
        }"""
    )
    assert overflow["scroll"] <= overflow["width"], f"{page.url} scrolls sideways on a phone: {overflow}"
