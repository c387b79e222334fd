"""The tags of base.html, which every page pays for, each worked out once per process and kept.

``{% navbar %}``: the navigation bar (templates/includes/_navbar.html). It shows a few things of the user: whether
they are signed in, whether the second step of the sign-in is pending, what their access lets them open, whether
they are staff, their name. A ``Nav`` holds exactly these, with the language and the URLs' prefix; the bar is
rendered once for each ``Nav`` (the least recently used forgotten) and each page puts in its own two values: the
CSRF token of its logout form and the bell's unread count. Rendered on every page, the template cost more Python
than a whole page that does nothing (``accounts/ping/``).

The kept rendering never sees a request: the template is given stand-ins built from the ``Nav`` alone (under the
names it reads), so the bar cannot show anything the key does not hold, and one session's CSRF token never reaches
another page. tests/test_navbar.py checks the bar of each kind of user against the template rendered the ordinary
way.

``{% static_url %}``: ``{% static %}``, asked of the storage once per file.
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple

from django import template
from django.core.signals import setting_changed
from django.template.context import Context
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from members.access import Access

register = template.Library()

TEMPLATE = "includes/_navbar.html"
COUNT_TEMPLATE = "notifications/_count.html"
NO_ACCESS = Access(None, False, (), None, None)
# Put where the CSRF token goes in the kept rendering (the whole hidden input is replaced, so its exact form is
# Django's, whatever the token). Never shown: a user's name is escaped and cannot hold "<input".
_CSRF_MARK = mark_safe("csrf-token-of-the-page")  # a constant of ours
_CSRF_INPUT = CsrfTokenNode().render(Context({"csrf_token": _CSRF_MARK}))


class Nav(NamedTuple):
    """All the navigation bar shows but the CSRF token and the unread count: the key of its kept renderings."""

    language: str
    script_prefix: str
    signed_in: bool
    two_factor_pending: bool = False
    has_any_access: bool = False
    member_id: int | None = None
    is_admin: bool = False
    oversees: bool = False
    can_list_members: bool = False
    is_staff: bool = False
    name: str = ""


def nav_of(context: Context) -> Nav:
    """What the bar shows to the page's user, read from the page's context as the template would read it."""
    language, prefix = translation.get_language(), get_script_prefix()
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return Nav(language, prefix, signed_in=False)
    if getattr(context.get("request"), "two_factor_pending", None):
        return Nav(language, prefix, signed_in=True, two_factor_pending=True)  # the bar shows only "Log out"
    found = context.get("access")
    access: Access = (found() if callable(found) else found) or NO_ACCESS  # the context processor's, read lazily
    return Nav(
        language,
        prefix,
        signed_in=True,
        has_any_access=access.has_any_access,
        member_id=access.member_id,
        is_admin=access.is_admin,
        oversees=bool(access.oversight_paths),
        can_list_members=access.can_list_members,
        is_staff=user.is_staff,
        name=user.get_full_name() or user.username,
    )


@register.simple_tag(takes_context=True)
def navbar(context: Context) -> SafeString:
    nav = nav_of(context)
    html = rendered(nav)
    if nav.signed_in:
        html = html.replace(_CSRF_INPUT, CsrfTokenNode().render(context))
    if nav.has_any_access:  # the bell is shown: only then is the unread count read
        unread = context.get("unread_notifications")
        unread = (unread() if callable(unread) else unread) or 0
        if unread:
            html = html.replace(unread_count(nav.language, 0), unread_count(nav.language, unread))
    return mark_safe(html)  # the template's own rendering, with Django's CSRF input and the count's template


@lru_cache(maxsize=1024)
def rendered(nav: Nav) -> str:
    """The bar for ``nav``, with a mark for the CSRF input and no unread message: rendered from ``nav`` alone."""
    return get_template(TEMPLATE).render(_stand_ins(nav))


def _stand_ins(nav: Nav) -> dict[str, Any]:
    """The template's variables, holding nothing but ``nav``."""
    return {
        "user": SimpleNamespace(
            is_authenticated=nav.signed_in, is_staff=nav.is_staff, get_full_name=nav.name, username=nav.name
        ),
        "request": SimpleNamespace(two_factor_pending=nav.two_factor_pending),
        "access": SimpleNamespace(
            has_any_access=nav.has_any_access,
            member_id=nav.member_id,
            is_admin=nav.is_admin,
            oversight_paths=nav.oversees,  # the template asks only whether there are any
            can_list_members=nav.can_list_members,
        ),
        "csrf_token": _CSRF_MARK,
        "unread_notifications": 0,
    }


@lru_cache(maxsize=256)
def unread_count(language: str, unread: int) -> str:
    """The bell's badge (the count's own template, as the page includes it), in ``language``."""
    with translation.override(language):
        return get_template(COUNT_TEMPLATE).render({"unread": unread})


@register.simple_tag
def static_url(path: str) -> str:
    """What ``{% static path %}`` gives, asked of the storage once per file (base.html names six on every page)."""
    return _static(path)


@lru_cache(maxsize=64)
def _static(path: str) -> str:
    return static(path)


def _forget(**kwargs: Any) -> None:
    """A test that changes the settings (the URLs, the templates, the languages, the storages) gets it all anew."""
    rendered.cache_clear()
    unread_count.cache_clear()
    _static.cache_clear()


setting_changed.connect(_forget)
