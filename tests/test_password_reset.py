"""The password reset by email: a link that sets a new password once, nothing said about unknown addresses, and the
second step of the login still asked afterwards."""

from __future__ import annotations

import re
import time

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

NEW_PASSWORD = "trang-moi-2026-xanh"


def _ask(client: Client, email: str):
    return client.post(reverse("password_reset"), {"email": email}, follow=True)


def _link(message) -> str:
    found = re.findall(r"https?://\S+/accounts/password/reset/\S+/\S+/", message.body)
    assert len(found) == 1, message.body
    return found[0]


def test_the_login_page_links_to_the_reset(client, db) -> None:
    html = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in html
    assert "Quên mật khẩu?" in html


def test_a_reset_link_sets_a_new_password_once(client, db, mailoutbox, settings) -> None:
    settings.CHIBO = {**settings.CHIBO, "SITE_URL": "https://chibo.example.vn"}
    user = UserFactory.create(username="bithu", email="bithu@example.vn")
    page = _ask(client, "BITHU@example.vn")
    assert page.redirect_chain[-1][0] == reverse("password_reset_done")
    assert "Hãy kiểm tra email" in page.content.decode()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["bithu@example.vn"]
    assert message.subject == "chibo: đặt mật khẩu mới"
    assert "Có yêu cầu đặt mật khẩu mới cho tài khoản chibo bithu" in message.body
    assert message.alternatives, "an HTML body as well"
    link = _link(message)
    assert link.startswith("https://chibo.example.vn/"), "built on SITE_URL, not on the request's Host"

    path = link.removeprefix("https://chibo.example.vn")
    form = client.get(path, follow=True)
    assert "Đặt mật khẩu mới" in form.content.decode()
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The reset does not log in, and the link does not work twice.
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    again = client.get(path, follow=True).content.decode()
    assert "Liên kết này không dùng được" in again


def test_an_unknown_address_sends_nothing_and_says_the_same(client, db, mailoutbox) -> None:
    UserFactory.create(username="bithu", email="bithu@example.vn")
    known = _ask(client, "bithu@example.vn")
    unknown = _ask(Client(), "ai-do@example.vn")
    assert len(mailoutbox) == 1
    assert unknown.redirect_chain == known.redirect_chain
    assert "Hãy kiểm tra email" in unknown.content.decode()


def test_after_a_reset_the_second_step_is_still_asked(client, db, mailoutbox) -> None:
    user = UserFactory.create(username="thuongtruc", email="tt@example.vn")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _ask(client, "tt@example.vn")
    path = "/" + _link(mailoutbox[0]).split("/", 3)[3]
    set_password_url = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    client.post(reverse("login"), {"username": "thuongtruc", "password": NEW_PASSWORD})
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:two-factor-verify"))
    totp = TOTP(device.bin_key)
    totp.time = time.time()
    client.post(reverse("accounts:two-factor-verify"), {"code": f"{totp.token():06d}"})
    assert client.get(reverse("accounts:two-factor")).status_code == 200


def test_no_more_than_three_reset_emails_an_hour_to_one_account(client, db, mailoutbox) -> None:
    """The form is open to everyone: past three emails an hour it says the same and sends nothing more."""
    UserFactory.create(username="bithu", email="bithu@example.vn")
    UserFactory.create(username="phobithu", email="phobithu@example.vn")
    for _ in range(5):
        page = _ask(client, "bithu@example.vn")
        assert page.redirect_chain[-1][0] == reverse("password_reset_done")
    assert len(mailoutbox) == 3
    _ask(client, "phobithu@example.vn")  # another account is not held back
    assert len(mailoutbox) == 4
