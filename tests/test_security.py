"""What the security section of the README promises, checked: deployment settings, the Content Security Policy and
the templates it relies on, login throttling, CSRF, cookies."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from members.models import Member
from tests.factories import UserFactory
from tests.production import PRODUCTION, environment

ROOT = Path(__file__).resolve().parents[1]


def _production(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(**PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings() -> None:
    result = _production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_production_cookies_and_https() -> None:
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_AGE",
        "X_FRAME_OPTIONS",
    ]
    code = "from django.conf import settings as s; print(" + ", ".join(f"s.{n}" for n in names) + ")"
    result = _production("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    values = result.stdout.strip().splitlines()[-1].split()
    assert values == ["True", "True", "True", "True", str(365 * 24 * 3600), str(8 * 3600), "DENY"]


# --- Content Security Policy ---------------------------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("who", ["anonymous", "secretary"])
def test_every_page_carries_a_strict_policy(client, client_for, tree, who) -> None:
    browser = client if who == "anonymous" else client_for(who)
    response = browser.get(reverse("login") if who == "anonymous" else reverse("home"), follow=True)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"], "no nonce is sent when the page has no <style> element"
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert not any("unsafe" in source for sources in policy.values() for source in sources)


def test_a_print_page_allows_its_own_style_element_by_nonce(client_for, tree) -> None:
    from tests.resolutions.factories import ResolutionFactory

    resolution = ResolutionFactory.create(cell=tree.cell_a1)
    response = client_for("secretary").get(reverse("resolutions:resolution-print", args=[resolution.pk]))
    assert response.status_code == 200
    nonces = [s for s in _policy(response)["style-src"] if s.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    html = response.content.decode()
    styles = re.findall(r"<style([^>]*)>", html)
    assert styles, "the print page carries the document's style sheet"
    assert all(f'nonce="{nonce}"' in attributes for attributes in styles)
    assert "style=" not in html


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
# E-mails are read by mail programs, not under the site's policy; they need their styles inline.
NOT_UNDER_THE_POLICY = {"emails"}


def _templates() -> list[Path]:
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            if NOT_UNDER_THE_POLICY & set(path.relative_to(folder).parts):
                continue
            found.append(path)
    return found


def test_the_templates_are_found() -> None:
    names = {path.name for path in _templates()}
    assert {"base.html", "party_document.html", "resolution_detail.html"} <= names


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_inline_script_or_style(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"\sstyle\s*=", source), "a style attribute: use a class (static/css/chibo.css)"
    assert not re.search(r"\son[a-z]+\s*=", source), "an inline event handler: use static/js/chibo.js"
    assert not re.search(r"javascript:", source, re.IGNORECASE)
    for attributes in re.findall(r"<script([^>]*)>", source):
        assert "src=" in attributes, "an inline script: move it to static/js/chibo.js"
    for attributes in re.findall(r"<style([^>]*)>", source):
        assert 'nonce="{{ request.csp_nonce }}"' in attributes, "a <style> element without the request's nonce"


def test_no_form_widget_has_a_style_attribute() -> None:
    """A widget's ``attrs={"style": ...}`` reaches the page as a style attribute, which the policy refuses (the
    meeting's agenda rows once raised eight violations this way): use a class."""
    sources = [p for p in ROOT.glob("*/**/*.py") if ".venv" not in p.parts and "tests" not in p.parts]
    pattern = re.compile(r"""attrs\s*=\s*\{[^}]*["']style["']""")
    offenders = [str(p.relative_to(ROOT)) for p in sources if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


# --- Login throttling ----------------------------------------------------------------------------------


def _log_in(client: Client, username: str, password: str, address: str):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_a_username_is_locked_after_repeated_failures_from_any_address(client) -> None:
    UserFactory.create(username="bithu")
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _log_in(client, "bithu", "sai-mat-khau", f"10.0.0.{n + 1}")
        assert response.status_code == 200
        assert response.context["form"].errors
    _log_in(client, "bithu", "sai-mat-khau", "10.0.0.99")
    # The right password, from yet another address, is refused while the lock lasts.
    response = _log_in(client, "bithu", "chibo-test-2026", "10.0.1.1")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in page
    assert f"thử lại sau {round(settings.AXES_COOLOFF_TIME * 60)} phút" in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_address_is_locked_after_failures_on_many_usernames(client) -> None:
    UserFactory.create(username="dangvien")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, f"khong-co-{n}", "sai-mat-khau", "10.0.0.9")
    response = _log_in(client, "dangvien", "chibo-test-2026", "10.0.0.9")
    assert response.status_code == 429
    # Another address logs in with the same account.
    response = _log_in(Client(), "dangvien", "chibo-test-2026", "10.0.0.10")
    assert response.status_code == 302


@pytest.mark.django_db
def test_failures_below_the_limit_do_not_lock(client) -> None:
    UserFactory.create(username="bithu")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, "bithu", "sai-mat-khau", "10.0.0.1")
    response = _log_in(client, "bithu", "chibo-test-2026", "10.0.0.1")
    assert response.status_code == 302


# --- CSRF ----------------------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(tree, people) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people["secretary"])
    response = browser.post(reverse("members:member-create", args=[tree.cell_a1.pk]), {"full_name": "Lê Văn A"})
    assert response.status_code == 403
    # The product's page in Vietnamese, saying what to do, not Django's English "Forbidden (403)".
    page = response.content.decode()
    assert "Không gửi được biểu mẫu" in page
    assert "tải lại trang" in page
    assert "Forbidden" not in page
    assert not Member.objects.filter(full_name="Lê Văn A").exists()


def test_no_view_is_exempt_from_csrf() -> None:
    sources = [p for p in ROOT.glob("*/**/*.py") if ".venv" not in p.parts and "tests" not in p.parts]
    offenders = [str(p.relative_to(ROOT)) for p in sources if "csrf_exempt" in p.read_text(encoding="utf-8")]
    assert offenders == []


# --- Passwords -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["12345678901", "password123", "chibo", "secretary2026"])
def test_weak_passwords_are_refused(client_for, people, password) -> None:
    response = client_for("secretary").post(
        reverse("password_change"),
        {"old_password": "chibo-test-2026", "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    people["secretary"].refresh_from_db()
    assert people["secretary"].check_password("chibo-test-2026")
