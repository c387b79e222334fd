"""Access checks that need an argument, for templates: ``{% load access_tags %}{% if access|can_oversee:cell %}``.

``access`` is the context processor's lazy callable (members/context_processors.py) or an ``Access`` itself.
"""

from __future__ import annotations

from collections.abc import Callable

from django import template

from members.access import Access
from members.models import Organisation

register = template.Library()


def _resolve(access: Access | Callable[[], Access] | None) -> Access | None:
    return access() if callable(access) else access


@register.filter
def can_oversee(access: Access | Callable[[], Access] | None, org: Organisation | None) -> bool:
    resolved = _resolve(access)
    return bool(resolved and org is not None and resolved.can_oversee_org(org))
