"""Who sees which dashboard: the scope of an organisation's dashboard for a user, built on ``members.access``.

A standing committee (or an administrator) oversees everything under its organisation; a member in charge, a
secretary or a cell committee member sees the dashboard of any organisation above their cells with only the cells
they oversee; an ordinary member is refused (403); an organisation outside what the user sees answers 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from members.access import Access
from members.models import Organisation, Role
from members.versions import with_token


def dashboard_scope(access: Access, org: Organisation) -> tuple[str, ...] | None:
    """None when the user oversees everything under ``org``; else the paths of the cells they oversee under it.

    404 when the user does not see the organisation at all, 403 when they see it but oversee nothing in it."""
    if access.can_oversee_org(org):
        return None
    inside = tuple(p for p in access.oversight_paths if p.startswith(org.path))
    if inside:
        return inside
    if access.can_view_org(org) or any(p.startswith(org.path) for p in access.visible_paths):
        raise PermissionDenied
    raise Http404


def dashboard_org(access: Access, org_id: int) -> tuple[Organisation, tuple[str, ...] | None]:
    """The organisation of a dashboard, read with its token (``members.versions.with_token``), and the scope the
    user sees of it (``dashboard_scope``); 404 for none."""
    org = with_token(Organisation.objects.filter(pk=org_id)).first()
    if org is None:
        raise Http404
    return org, dashboard_scope(access, org)


def home_dashboard_org_id(access: Access) -> int | None:
    """The highest organisation the user oversees; for a member in charge of cells, the organisation above them."""
    if access.is_admin:
        return Organisation.objects.filter(depth=1).values_list("pk", flat=True).first()
    candidates: list[str] = []
    for kind, org_path, _org_id in access.roles:
        if kind == Role.Kind.IN_CHARGE and len(org_path) > Organisation.steplen:
            candidates.append(org_path[: -Organisation.steplen])
        else:
            candidates.append(org_path)
    if not candidates:
        return None
    top = min(candidates, key=lambda p: (len(p), p))
    return Organisation.objects.filter(path=top).values_list("pk", flat=True).first()
