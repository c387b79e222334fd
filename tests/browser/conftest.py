"""Browser journeys: pytest-playwright driving the system's Chromium against Django's live server."""

import os
import shutil

import pytest

# The live server runs in a thread beside the test; Playwright's sync API runs an event loop in the
# test thread, and Django refuses ORM calls from a thread with a running loop unless told otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
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


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):  # type: ignore[no-untyped-def]
    # A phone: secretaries often work from one.
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "locale": "vi-VN"}


def log_in(page, username: str, password: str = "chibo-test-2026") -> None:  # type: ignore[no-untyped-def]
    """Fill the Vietnamese login form the page is on, as a person would."""
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
