"""Two-factor sign-in: who must use it (the rule, table-tested), the second step of the login, recovery codes,
setting a phone up, turning it off, the administrator's reset, and the production default."""

from __future__ import annotations

import datetime as dt
import logging
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.rules import two_factor_required
from accounts.two_factor import SETUP_KEY, new_recovery_codes
from members.models import Organisation, Role
from members.personal_data import member_data
from tests.factories import MemberFactory, UserFactory
from tests.production import PRODUCTION, environment

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "chibo-test-2026"
K, ORG = Role.Kind, Organisation.Kind

WRONG = "Mã xác thực không đúng hoặc đã hết hạn"
WAIT = "Nhập sai quá nhiều lần"

# ---------------------------------------------------------------------------------------------------
# The rule: "required when the user is an administrator (superuser or ADMIN role, or is_staff) or holds any role
# on a ward or province organisation, including the member in charge of a cell, which is a ward role".
# ---------------------------------------------------------------------------------------------------

RULE = [
    # superuser, staff, roles (kind, organisation's kind), required
    (False, False, [], False),  # a login with no role
    (True, False, [], True),  # a superuser
    (False, True, [], True),  # a staff account of the Django admin
    (False, False, [(K.ADMIN, None)], True),  # the administrator role
    (False, False, [(K.STANDING, ORG.WARD)], True),
    (False, False, [(K.STANDING, ORG.PROVINCE)], True),
    (False, False, [(K.PARTY_SECRETARY, ORG.WARD)], True),
    (False, False, [(K.PARTY_DEPUTY, ORG.WARD)], True),
    (False, False, [(K.PARTY_SECRETARY, ORG.PROVINCE)], True),
    (False, False, [(K.IN_CHARGE, ORG.CELL)], True),  # a ward role, recorded on the cell it follows
    (False, False, [(K.SECRETARY, ORG.CELL)], False),
    (False, False, [(K.DEPUTY, ORG.CELL)], False),
    (False, False, [(K.COMMITTEE, ORG.CELL)], False),
    (False, False, [(K.SECRETARY, ORG.CELL), (K.COMMITTEE, ORG.CELL)], False),
    (False, False, [(K.SECRETARY, ORG.CELL), (K.STANDING, ORG.WARD)], True),  # one ward role is enough
]


@pytest.mark.parametrize(("superuser", "staff", "roles", "required"), RULE)
def test_who_must_use_two_factor_sign_in(superuser, staff, roles, required) -> None:
    assert two_factor_required(superuser=superuser, staff=staff, roles=roles) is required


def test_the_rule_reads_the_roles_of_the_accounts(people, settings) -> None:
    from accounts.two_factor import must_use

    settings.TWO_FACTOR_REQUIRED = True
    required = {name for name, user in people.items() if must_use(user)}
    assert required == {"admin", "standing", "in_charge"}
    settings.TWO_FACTOR_REQUIRED = False
    assert not any(must_use(user) for user in people.values())


# ---------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------


def phone_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def code_of(key_hex: str) -> str:
    """The code an authenticator app shows now: the pinned clock is the server's (time-machine moves time.time())."""
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = time.time()
    return f"{totp.token():06d}"


def log_in(client: Client, user, next_url: str = "") -> None:
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("login"), data)
    assert response.status_code == 302, response.content.decode()[:500]


VERIFY_URL = "/accounts/two-factor/code/"
SETUP_URL = "/accounts/two-factor/setup/"


# ---------------------------------------------------------------------------------------------------
# The second step of the login
# ---------------------------------------------------------------------------------------------------


def test_a_login_with_a_phone_needs_a_valid_code(client, people) -> None:
    secretary = people["secretary"]
    device = phone_for(secretary)
    log_in(client, secretary)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY_URL)
    page = client.get(response["Location"])
    assert "Mã xác thực 6 số" in page.content.decode()

    response = client.post(VERIFY_URL, {"code": code_of(device.key), "next": reverse("home")})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_is_refused_in_vietnamese(client, people) -> None:
    secretary = people["secretary"]
    device = phone_for(secretary)
    log_in(client, secretary)
    right = code_of(device.key)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY_URL, {"code": wrong})
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert client.get(reverse("home"))["Location"].startswith(VERIFY_URL)


def test_wrong_codes_in_a_row_make_the_next_try_wait(client, people, clock) -> None:
    secretary = people["secretary"]
    device = phone_for(secretary)
    log_in(client, secretary)
    for _ in range(3):
        client.post(VERIFY_URL, {"code": "000000" if code_of(device.key) != "000000" else "111111"})
    # A right code now is refused unread: the third failure asks for 4 seconds.
    response = client.post(VERIFY_URL, {"code": code_of(device.key)})
    assert WAIT in response.content.decode()
    # Recovery codes wait as well.
    code = new_recovery_codes(secretary)[0]
    assert WAIT in client.post(VERIFY_URL, {"code": code}).content.decode()
    clock.shift(dt.timedelta(seconds=40))  # past the wait, and a new 30-second step of the phone
    response = client.post(VERIFY_URL, {"code": code_of(device.key)})
    assert response.status_code == 302


def test_a_recovery_code_works_once(people) -> None:
    member = people["member"]
    phone_for(member)
    codes = new_recovery_codes(member)
    assert len(codes) == 10
    assert len(set(codes)) == 10

    first = Client()
    log_in(first, member)
    response = first.post(VERIFY_URL, {"code": codes[0].upper().replace("-", " ")})  # as typed from paper
    assert response.status_code == 302
    assert first.get(reverse("home")).status_code == 200
    assert StaticToken.objects.filter(device__user=member).count() == 9

    second = Client()
    log_in(second, member)
    response = second.post(VERIFY_URL, {"code": codes[0]})
    assert WRONG in response.content.decode()


def test_new_recovery_codes_replace_the_old_ones(client, people) -> None:
    member = people["member"]
    device = phone_for(member)
    old = new_recovery_codes(member)
    log_in(client, member)
    client.post(VERIFY_URL, {"code": code_of(device.key)})
    response = client.post(reverse("accounts:two-factor-recovery"))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    new = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4})</li>", response.content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)
    assert not StaticToken.objects.filter(token__in=[code.replace("-", "") for code in old]).exists()


def test_an_unverified_session_opens_nothing_else(client, people, tree) -> None:
    admin = people["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    phone_for(admin)
    log_in(client, admin)
    for url in (
        reverse("home"),
        reverse("members:member-list"),
        reverse("members:org-detail", args=[tree.cell_a1.pk]),
        reverse("password_change"),
        reverse("accounts:two-factor"),
        reverse("accounts:two-factor-recovery"),
        SETUP_URL,  # a second phone would be a way round the first
        "/admin/",
        "/admin/auth/user/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY_URL), url
    assert client.post(reverse("accounts:two-factor-recovery")).status_code == 302
    assert not StaticToken.objects.exists()
    # Pages open to everyone still answer, and logging out works.
    assert client.get(reverse("healthz")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_the_admin_login_page_leads_to_the_second_step_too(client, people) -> None:
    root = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    device = phone_for(root)
    client.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    response = client.get("/admin/")
    assert response["Location"].startswith(VERIFY_URL)
    client.post(VERIFY_URL, {"code": code_of(device.key)})
    assert client.get("/admin/").status_code == 200


# ---------------------------------------------------------------------------------------------------
# Required for administrators and ward roles, offered to everyone
# ---------------------------------------------------------------------------------------------------


def test_an_administrator_without_a_phone_must_set_one_up(client, people, settings) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    admin = people["admin"]
    log_in(client, admin)
    for url in (reverse("home"), reverse("members:org-tree"), VERIFY_URL, reverse("accounts:two-factor")):
        response = client.get(url)
        assert response["Location"].startswith(SETUP_URL), url
    page = client.get(SETUP_URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg class="qr-code"' in html
    assert "style=" not in html  # the QR code passes the Content Security Policy
    key = client.session[SETUP_KEY]
    response = client.post(SETUP_URL, {"code": "123456" if code_of(key) != "123456" else "654321"})
    assert WRONG in response.content.decode()
    assert not TOTPDevice.objects.filter(user=admin).exists()

    response = client.post(SETUP_URL, {"code": code_of(key)})
    assert response.status_code == 200
    assert len(re.findall(r"<li>[a-z2-7]{4}-[a-z2-7]{4}</li>", response.content.decode())) == 10
    assert TOTPDevice.objects.get(user=admin).confirmed
    assert client.get(reverse("home"), follow=True).status_code == 200  # the administrator lands on the tree

    # Its next login asks for the code.
    other = Client()
    log_in(other, admin)
    assert other.get(reverse("home"))["Location"].startswith(VERIFY_URL)


def test_a_ward_role_without_a_phone_must_set_one_up(client, people, settings) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    log_in(client, people["in_charge"])
    assert client.get(reverse("home"))["Location"].startswith(SETUP_URL)
    assert client.post(reverse("logout")).status_code == 302


def test_an_ordinary_member_is_not_forced(client, people, settings) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    for name in ("secretary", "member"):
        browser = Client()
        log_in(browser, people[name])
        assert browser.get(reverse("home")).status_code == 200
        page = browser.get(reverse("accounts:two-factor"))
        assert page.status_code == 200
        assert reverse("accounts:two-factor-setup") in page.content.decode()


def test_the_user_menu_leads_to_the_security_page(client_for) -> None:
    html = client_for("member").get(reverse("home")).content.decode()
    assert reverse("accounts:two-factor") in html
    assert "Bảo mật tài khoản" in html


def test_a_member_sets_it_up_and_turns_it_off(client, people) -> None:
    member = people["member"]
    log_in(client, member)
    client.get(SETUP_URL)
    client.post(SETUP_URL, {"code": code_of(client.session[SETUP_KEY])})
    assert TOTPDevice.objects.filter(user=member).exists()

    response = client.post(reverse("accounts:two-factor-turn-off"), {"secret": "not-my-password"})
    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=member).exists()
    response = client.post(reverse("accounts:two-factor-turn-off"), {"secret": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticToken.objects.filter(device__user=member).exists()
    assert client.get(reverse("home")).status_code == 200
    # The next login needs the password only.
    other = Client()
    log_in(other, member)
    assert other.get(reverse("home")).status_code == 200


def test_a_required_account_cannot_turn_it_off(client, people, settings) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    standing = people["standing"]
    device = phone_for(standing)
    log_in(client, standing)
    client.post(VERIFY_URL, {"code": code_of(device.key)})
    response = client.post(reverse("accounts:two-factor-turn-off"), {"secret": PASSWORD})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=standing).exists()


# ---------------------------------------------------------------------------------------------------
# A lost phone: the administrator's command
# ---------------------------------------------------------------------------------------------------


def test_reset_two_factor_removes_the_devices_and_is_logged(people, settings, caplog) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    standing = people["standing"]
    phone_for(standing)
    new_recovery_codes(standing)
    stuck = Client()
    log_in(stuck, standing)  # a session waiting for a code from the lost phone
    with caplog.at_level(logging.WARNING, logger="chibo.accounts"):
        call_command("reset_two_factor", "standing")
    assert not TOTPDevice.objects.filter(user=standing).exists()
    assert not StaticToken.objects.filter(device__user=standing).exists()
    assert any("reset" in record.getMessage() for record in caplog.records)
    # The waiting session is now sent to set up a new phone, its role requiring one.
    location = stuck.get(reverse("home"))["Location"]
    assert location.startswith(VERIFY_URL)
    assert stuck.get(location, follow=True).redirect_chain[-1][0].startswith(SETUP_URL)


# ---------------------------------------------------------------------------------------------------
# The default
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("env", "required"), [(PRODUCTION, "True"), ({"DEBUG": "true"}, "False")])
def test_required_by_default_in_production_not_in_development(env, required) -> None:
    code = "from django.conf import settings as s; print(s.TWO_FACTOR_REQUIRED)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == required


# ---------------------------------------------------------------------------------------------------
# The member's data export
# ---------------------------------------------------------------------------------------------------


def test_the_members_data_export_says_what_is_set_up_and_never_the_secrets(tree) -> None:
    user = UserFactory.create(username="an")
    member = MemberFactory.create(cell=tree.cell_a1, user=user)
    phone = phone_for(user)
    codes = new_recovery_codes(user)
    data = dict(member_data(member))
    rows = data["Đăng nhập hai bước"]
    assert [row["Loại"] for row in rows] == ["Ứng dụng xác thực trên điện thoại", "Mã khôi phục"]
    assert rows[1]["Số mã khôi phục còn lại"] == len(codes) == 10
    text = repr(data)
    assert phone.key not in text
    assert not any(code in text for code in codes)
