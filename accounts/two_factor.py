"""Two-factor sign-in: what a session still owes, the codes, the devices.

After the password, a session is in one of three states, kept in the session (``STATE_KEY``) so that a page costs
no query to know it:

- ``VERIFY``: the account has a phone set up; nothing opens until a code from it (or a recovery code) is given, and
  django-otp marks the session verified (``user.is_verified()``).
- ``SETUP``: the account must use two-factor sign-in (``accounts.rules``, when ``TWO_FACTOR_REQUIRED`` is on) and
  has no phone yet; nothing opens but the set-up page until it is done.
- ``FREE``: neither; the account may set it up from its security page.

The state is decided at login (``on_login``) and, for a session that has none (one opened before this existed), on
its first request.
"""

from __future__ import annotations

import logging
import math
import re
import time
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import escape
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.rules import two_factor_required
from chibo.lib.requests import SignedInRequest
from members.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger("chibo.accounts")

STATE_KEY = "two_factor"
VERIFY, SETUP, FREE = "verify", "setup", "free"
# The secret of a phone being set up, kept in the session until its first code confirms it.
SETUP_KEY = "two_factor_setup_key"

RECOVERY_CODES = 10
DIGITS = 6


# ---------------------------------------------------------------------------------------------------
# Who must, and what a session owes
# ---------------------------------------------------------------------------------------------------


def must_use(user: User) -> bool:
    """The account may not go without two-factor sign-in (the rule, and the setting that turns it on)."""
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    roles = Role.objects.filter(user=user).values_list("kind", "organisation__kind")
    return two_factor_required(superuser=user.is_superuser, staff=user.is_staff, roles=roles)


def phone(user: User) -> TOTPDevice | None:
    """The account's confirmed phone (authenticator app)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def state_for(user: User) -> str:
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return VERIFY
    return SETUP if must_use(user) else FREE


def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Whatever the way in (the login page, the admin's, a test's force_login), the session's state is decided anew."""
    if request is not None and hasattr(request, "session"):
        request.session[STATE_KEY] = state_for(user)


def pending_step(request: SignedInRequest) -> str | None:
    """What the signed-in session still owes: ``VERIFY``, ``SETUP``, or None when it may go anywhere."""
    state = request.session.get(STATE_KEY)
    if state not in (VERIFY, SETUP, FREE):
        state = request.session[STATE_KEY] = state_for(request.user)
    if state == FREE or request.user.is_verified():  # type: ignore[attr-defined]  # added by django-otp's OTPMiddleware
        return None
    return state


# ---------------------------------------------------------------------------------------------------
# Codes
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    device: TOTPDevice | StaticDevice | None = None
    wait_seconds: int = 0  # > 0: refused unread, too many wrong codes in a row


def normalise(code: str) -> str:
    """What people type: spaces and dashes between the groups, any case."""
    return "".join(code.split()).replace("-", "").lower()


def is_phone_code(code: str) -> bool:
    return len(code) == DIGITS and code.isdigit()


def check_code(user: User, code: str) -> Outcome:
    """A code from the phone, or one recovery code (used up by this). Wrong codes slow down the next tries of both:
    django-otp's throttling doubles the wait after each failure (1, 2, 4, 8… seconds) until a right one."""
    code = normalise(code)
    with transaction.atomic():
        phones = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
        lists = list(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True))
        devices: list[TOTPDevice | StaticDevice] = [*phones, *lists]
        wait = max((_wait(device) for device in devices), default=0)
        if wait:
            return Outcome(wait_seconds=wait)
        tried = phones if is_phone_code(code) else lists
        for device in tried:
            if device.verify_token(code):
                for other in devices:
                    if other is not device:
                        other.throttle_reset()
                return Outcome(device)
        # verify_token counted the failure on the devices tried; it counts on the others too, so that switching
        # between a phone code and a recovery code buys no extra tries.
        for device in devices:
            if device not in tried:
                device.throttle_increment()
    return Outcome()


def _wait(device: TOTPDevice | StaticDevice) -> int:
    allowed, details = device.verify_is_allowed()
    if allowed or not details or "locked_until" not in details:
        return 0
    return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))


# ---------------------------------------------------------------------------------------------------
# Setting up, recovery codes, turning off
# ---------------------------------------------------------------------------------------------------


def new_secret() -> str:
    return random_hex(20)


def secret_text(key_hex: str) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of four."""
    text = b32encode(unhexlify(key_hex)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def config_url(user: User, key_hex: str) -> str:
    """The otpauth:// address the QR code holds (issuer and account name as django-otp writes them)."""
    return TOTPDevice(user=user, key=key_hex).config_url


def qr_svg(text: str, label: str) -> str:
    """The QR code of ``text`` as an <svg> element to put in the page: drawn here, no outside service, no style
    attribute (its size comes from the site's CSS, class ``qr-code``)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', "<svg", svg, count=1)
    return svg.replace("<svg ", f'<svg class="qr-code" role="img" aria-label="{escape(label)}" ', 1)


def set_up_phone(*, user: User, key_hex: str, code: str) -> TOTPDevice | None:
    """The phone is confirmed by its first code; it replaces any phone set up before. None: the code is wrong."""
    code = normalise(code)
    if not is_phone_code(code):
        return None
    totp = TOTP(unhexlify(key_hex), step=30, t0=0, digits=DIGITS)
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=1):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name="phone", key=key_hex, confirmed=True, last_t=totp.t(), created_at=timezone.now()
        )
    logger.info("two-factor sign-in set up for user %s", user.pk)
    return device


def new_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes, each good once; those given before stop working. Shown once, stored as django-otp
    keeps them."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "recovery", "confirmed": True})
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        device.throttle_reset()
    logger.info("recovery codes renewed for user %s", user.pk)
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def remove_devices(user: User) -> int:
    """Every phone and recovery code of the account. The number of devices removed."""
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
        removed += StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
    return removed
