"""Who may see and do what. Every view asks this module; nothing else decides access.

The rules, by role (a login account may hold several roles):

=========================== ============================================ ===============================
role                        sees (members' personal data included)       manages (creates, edits)
=========================== ============================================ ===============================
administrator               everything                                   everything
standing committee          every organisation under its committee       —
party secretary, deputy     every organisation under its committee       —
member in charge of a cell  the cells it is in charge of                 —
secretary, deputy           their own cell                               their own cell
cell committee member       their own cell                               —
party member                their own cell's page and their own record   —
=========================== ============================================ ===============================

The secretary and deputy of a party committee ("party secretary, deputy") sign its documents; like the standing
committee they manage no cell. The committee's own documents (its resolutions, plans, conclusions, directives)
are drafted, voted on and issued by its standing members, secretary and deputy (``can_issue_for``).

An object outside what a user sees answers 404 (its existence is not revealed); an object the user
sees but may not change answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.db.models import Q
from django.http import Http404, HttpRequest

from members.models import Member, Organisation, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

_CACHE_ATTR = "_chibo_access"

# The roles held in a party committee that issue its documents.
ISSUING_ROLES = (Role.Kind.STANDING, Role.Kind.PARTY_SECRETARY, Role.Kind.PARTY_DEPUTY)


@dataclass(frozen=True)
class Access:
    user_id: int | None
    is_admin: bool
    roles: tuple[tuple[str, str, int], ...]  # (kind, organisation path, organisation id)
    member_id: int | None
    member_cell_path: str | None

    # --- what the user sees --------------------------------------------------------------------

    @property
    def oversight_paths(self) -> tuple[str, ...]:
        """Subtrees where the user sees everything, personal data included."""
        return tuple(path for kind, path, _ in self.roles if kind != Role.Kind.ADMIN)

    @property
    def manage_paths(self) -> tuple[str, ...]:
        return tuple(path for kind, path, _ in self.roles if kind in (Role.Kind.SECRETARY, Role.Kind.DEPUTY))

    @property
    def visible_paths(self) -> tuple[str, ...]:
        own = (self.member_cell_path,) if self.member_cell_path else ()
        return self.oversight_paths + own

    @property
    def has_any_access(self) -> bool:
        return self.is_admin or bool(self.visible_paths)

    @property
    def can_list_members(self) -> bool:
        return self.is_admin or bool(self.oversight_paths)

    def role_kinds(self) -> set[str]:
        kinds = {kind for kind, _, _ in self.roles}
        if self.is_admin:
            kinds.add(Role.Kind.ADMIN)
        return kinds

    def org_filter(self) -> Q:
        """A filter on Organisation for what the user sees."""
        return self._prefix_filter("path", self.visible_paths)

    def member_filter(self) -> Q:
        """A filter on Member for the records whose personal data the user sees."""
        q = self._prefix_filter("cell__path", self.oversight_paths)
        # One's own record, unless the oversight already covers it: an OR across the join would keep the
        # database from using the cell index (a scan of every member of the province).
        if self.member_id and not self.is_admin and not _under_any(self.member_cell_path or "", self.oversight_paths):
            q |= Q(pk=self.member_id)
        return q

    def managed_org_filter(self) -> Q:
        return self._prefix_filter("path", self.manage_paths)

    def _prefix_filter(self, field: str, paths: tuple[str, ...]) -> Q:
        if self.is_admin:
            return Q()
        if not paths:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{field}__startswith": path}) for path in _outermost(paths)))

    # --- checks on one object -------------------------------------------------------------------

    def can_view_org(self, org: Organisation) -> bool:
        return self.is_admin or _under_any(org.path, self.visible_paths)

    def can_oversee_org(self, org: Organisation) -> bool:
        """Sees the organisation's members with their personal data."""
        return self.is_admin or _under_any(org.path, self.oversight_paths)

    def can_manage_org(self, org: Organisation) -> bool:
        return self.is_admin or _under_any(org.path, self.manage_paths)

    def can_issue_for(self, org: Organisation) -> bool:
        """Drafts, puts to the vote and issues the documents of a party committee: its standing members, its
        secretary and deputy (roles held in that committee itself), and administrators. A cell issues none."""
        if org.is_cell:
            return False
        return self.is_admin or any(kind in ISSUING_ROLES and path == org.path for kind, path, _ in self.roles)

    def can_draft_for(self, org: Organisation) -> bool:
        """Drafts and moves through their workflow the resolutions of ``org``: a cell's secretary and deputy for
        the cell (``can_manage_org``), a committee's standing members for the committee (``can_issue_for``)."""
        return self.can_manage_org(org) if org.is_cell else self.can_issue_for(org)

    def can_view_member(self, member: Member) -> bool:
        return self.is_admin or member.pk == self.member_id or _under_any(member.cell.path, self.oversight_paths)

    def can_manage_member(self, member: Member) -> bool:
        return self.can_manage_org(member.cell)

    def can_see_identity_numbers(self, member: Member) -> bool:
        """Sees the member's citizen ID and party card number in full: those who manage the member (administrators,
        the cell's secretary and deputy) and the member themself. Everyone else who sees the record (the cell
        committee, the ward committee overseeing it) sees them masked (``chibo.lib.crypto.mask``)."""
        return self.can_manage_member(member) or (self.member_id is not None and member.pk == self.member_id)

    def home_organisation_id(self) -> int | None:
        """Where the home page sends the user: the highest organisation they work in."""
        ranked = sorted(self.roles, key=lambda role: (len(role[1]), role[1]))
        if ranked and len({path for _, path, _ in ranked if len(path) == len(ranked[0][1])}) == 1:
            return ranked[0][2]
        return None


def _under_any(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path.startswith(prefix) for prefix in prefixes)


def _outermost(paths: tuple[str, ...]) -> list[str]:
    """Drop paths that lie inside another one, so filters stay short."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return kept


def access_for(user: User | AnonymousUser) -> Access:
    """The access of a user, read from the database once per request (cached on the user object)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if not user.is_authenticated:
        access = Access(None, False, (), None, None)
    else:
        all_roles, member = _roles_and_member(user)
        roles = tuple(role for role in all_roles if role[0] != Role.Kind.ADMIN)
        is_admin = user.is_superuser or len(roles) < len(all_roles)
        access = Access(
            user_id=user.pk,
            is_admin=is_admin,
            roles=roles,
            member_id=member[0] if member else None,
            member_cell_path=member[1] if member else None,
        )
    setattr(user, _CACHE_ATTR, access)
    return access


# The user's roles (kind, organisation path, organisation id) in the order of ``Role.Meta.ordering``, and their active
# member record (id, cell path): one query on every page, so written out rather than built by the ORM (which costs
# more Python than the query costs the database). Each row says which of the two it is. tests/members/test_access.py
# checks it against the ORM's answer.
_ROLES_AND_MEMBER = """
    SELECT 'role', r.kind, o.path, r.organisation_id
      FROM members_role r LEFT OUTER JOIN members_organisation o ON o.id = r.organisation_id
     WHERE r.user_id = %s
    UNION ALL
    SELECT 'member', '', o.path, m.id
      FROM members_member m INNER JOIN members_organisation o ON o.id = m.cell_id
     WHERE m.user_id = %s AND m.management_status = %s
    ORDER BY 3, 2
"""


def _roles_and_member(user: User) -> tuple[list[tuple[str, str, int]], tuple[int, str] | None]:
    with connections[router.db_for_read(Role)].cursor() as cursor:
        cursor.execute(_ROLES_AND_MEMBER, [user.pk, user.pk, Member.ManagementStatus.ACTIVE.value])
        rows = cursor.fetchall()
    all_roles = [(kind, path, ref) for row, kind, path, ref in rows if row == "role"]
    member = [(ref, path) for row, _, path, ref in rows if row == "member"]
    return all_roles, member[0] if member else None


def get_organisation(request: HttpRequest, org_id: int, *, manage: bool = False) -> Organisation:
    """The organisation, or 404 when the user does not see it, or 403 when they may not manage it."""
    access = access_for(request.user)
    org = Organisation.objects.filter(pk=org_id).first()
    if org is None or not access.can_view_org(org):
        raise Http404
    if manage and not access.can_manage_org(org):
        raise PermissionDenied
    return org


def get_member(request: HttpRequest, member_id: int, *, manage: bool = False) -> Member:
    """The member, or 404 when the user does not see them, or 403 when they may not manage them."""
    access = access_for(request.user)
    member = (
        Member.objects.select_related("cell", "residential_group", "party_group", "user").filter(pk=member_id).first()
    )
    if member is None or not access.can_view_member(member):
        raise Http404
    if manage and not access.can_manage_member(member):
        raise PermissionDenied
    return member


def require(condition: bool) -> None:
    """Refuse with 403 unless ``condition`` holds."""
    if not condition:
        raise PermissionDenied
