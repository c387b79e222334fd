"""Who must sign in in two steps (a password, then a code from a phone).

The rule: two-factor sign-in is required when the account is an administrator (a superuser, a staff account of the
Django admin, or one holding the administrator role), or holds any role on a ward or province organisation — the
standing committee, the secretary or deputy of a party committee — including the committee member in charge of a
cell, a ward role held on the cell it follows. A cell's secretary, deputy, committee member and a plain member are
offered it, not required to use it.
"""

from __future__ import annotations

from collections.abc import Iterable

from members.models import Organisation, Role

# Roles of the committee above the cells, whatever organisation they are recorded on (the member in charge of a cell
# is a ward committee member, recorded on the cell).
WARD_ROLES = frozenset({Role.Kind.STANDING, Role.Kind.PARTY_SECRETARY, Role.Kind.PARTY_DEPUTY, Role.Kind.IN_CHARGE})
UPPER_LEVELS = frozenset({Organisation.Kind.WARD, Organisation.Kind.PROVINCE})


def two_factor_required(*, superuser: bool, staff: bool, roles: Iterable[tuple[str, str | None]]) -> bool:
    """``roles``: (role kind, kind of the organisation it is held on, or None for an administrator of the whole
    system), one pair per role of the account."""
    if superuser or staff:
        return True
    return any(kind == Role.Kind.ADMIN or kind in WARD_ROLES or org_kind in UPPER_LEVELS for kind, org_kind in roles)
