"""What the two-factor sign-in holds about a member's login account, for the member's data export
(``members.personal_data``): the phone set up and the recovery codes, by their dates and count; never the secret
key or the codes themselves, which would let whoever holds the file sign in as the member."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.personal_data import Section, plain


def _devices(member: Any) -> list[dict[str, Any]]:
    if not member.user_id:
        return []
    rows = []
    for kind, devices in (
        (_("Authenticator app on a phone"), TOTPDevice.objects.filter(user_id=member.user_id)),
        (_("Recovery codes"), StaticDevice.objects.filter(user_id=member.user_id).prefetch_related("token_set")),
    ):
        for device in devices.order_by("created_at", "pk"):
            row = {
                _("Kind"): kind,
                _("Set up at"): plain(device.created_at),
                _("Last used at"): plain(device.last_used_at),
                _("Confirmed"): plain(device.confirmed),
            }
            if isinstance(device, StaticDevice):
                row[_("Recovery codes left")] = len(device.token_set.all())
            rows.append(row)
    return rows


SECTIONS = (
    Section(
        "two_factor",
        gettext_lazy("Two-factor sign-in"),
        _devices,
        ("otp_totp.TOTPDevice.user", "otp_static.StaticDevice.user"),
    ),
)
