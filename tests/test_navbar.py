"""The navigation bar of every page, rendered once per kind of user and kept (chibo/templatetags/chibo_base.py).

The reference is base.html as it was before the bar was kept: the bar's template included the ordinary way, with
the page's own request, and ``{% static %}``. Every page must be the same, byte for byte, but for the CSRF tokens
(masked anew at each use); that each page carries its own session's token is checked by using it."""

from __future__ import annotations

import itertools
import re

import pytest
from django.template import Context, Engine, engines
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from chibo.templatetags.chibo_base import nav_of, rendered
from members.access import access_for
from members.models import Role, today
from notifications.models import Kind, Notification
from tests.factories import UserFactory, grant

PASSWORD = "chibo-test-2026"
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]{64}"')
_refs = itertools.count(1)


def old_base():
    """base.html with the bar included as a plain template and the static files' URLs asked of ``{% static %}``."""
    source = Engine.get_default().get_template("base.html").source
    assert source.count("{% navbar %}") == 1
    source = source.replace("{% navbar %}", '{% include "includes/_navbar.html" %}')
    source = source.replace("{% static_url ", "{% static ").replace("{% load ", "{% load static ", 1)
    return engines["django"].from_string(source)


def without_tokens(html: str) -> str:
    return TOKEN.sub(r"\1TOKEN", html)


def bar(html: str) -> str:
    start = html.index('<nav class="navbar')
    return html[start : html.index("</nav>", start) + len("</nav>")]


def notify(user, n: int = 1, **fields) -> None:
    for _ in range(n):
        ref = next(_refs)
        Notification.objects.create(
            recipient=user, kind=Kind.DUE_SOON, object_ref=f"task:{ref}", day=today(), subject="Việc", url="/", **fields
        )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pending(user, settings) -> Client:
    """Signed in with the password; the code from the phone still to give."""
    settings.TWO_FACTOR_REQUIRED = True
    TOTPDevice.objects.get_or_create(user=user, name="phone", confirmed=True)
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def staff() -> object:
    return UserFactory.create(
        username="staffer", first_name="Trần <b>\"Ánh\" & 'Sao'</b>", last_name="Lê", is_staff=True, is_superuser=True
    )


def assert_same_as_before(client: Client, url: str, lang: str) -> str:
    """The page's bar is the old template's; and base.html alone, rendered for that request, is the old one."""
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    request = response.wsgi_request
    reference = old_base().render(request=request)
    assert without_tokens(bar(response.content.decode())) == without_tokens(bar(reference))
    page = engines["django"].get_template("base.html")
    for _ in range(2):  # rendered then kept, and read from what was kept
        assert without_tokens(page.render(request=request)) == without_tokens(reference)
    return bar(response.content.decode())


KINDS = ["member", "secretary", "standing", "admin", "nobody", "staff"]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_the_bar_of_each_kind_of_user_is_the_template_as_it_was(people, kind, lang) -> None:
    notify(people["member"], 2)
    notify(people["member"], read_at=timezone.now())
    notify(people["secretary"], 120)
    user = staff() if kind == "staff" else people[kind]
    html = assert_same_as_before(signed_in(user), reverse("password_change"), lang)
    assert ("Log out" if lang == "en" else "Đăng xuất") in html


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_bar_of_a_visitor_and_of_a_second_step_pending_is_the_template_as_it_was(people, settings, lang) -> None:
    html = assert_same_as_before(Client(), reverse("login"), lang)
    assert "csrfmiddlewaretoken" not in html
    html = assert_same_as_before(pending(people["secretary"], settings), "/accounts/two-factor/code/", lang)
    assert reverse("members:org-tree") not in html  # nothing but logging out
    assert html.count("csrfmiddlewaretoken") == 1


def test_each_language_has_its_own_bar(people) -> None:
    client = signed_in(people["secretary"])
    vi = bar(client.get(reverse("password_change")).content.decode())
    en = bar(client.get(reverse("password_change"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Tổ chức" in vi
    assert "Organisations" in en
    assert "Tổ chức" not in en
    assert without_tokens(bar(client.get(reverse("password_change")).content.decode())) == without_tokens(vi)


def test_a_new_name_and_a_new_role_show_on_the_next_page(people, tree) -> None:
    user = people["member"]
    client = signed_in(user)
    before = bar(client.get(reverse("password_change")).content.decode())
    assert f'href="{reverse("members:member-list")}"' not in before
    user.first_name, user.last_name = "Phạm <i>Mới</i>", ""
    user.save()
    grant(user, Role.Kind.COMMITTEE, tree.cell_a1)
    after = bar(client.get(reverse("password_change")).content.decode())
    assert "Phạm &lt;i&gt;Mới&lt;/i&gt;</a>" in after
    assert f'href="{reverse("members:member-list")}"' in after  # the committee lists the cell's members


def badge(client: Client) -> str:
    html = bar(client.get(reverse("password_change")).content.decode())
    after = html.split('<span class="unread-count">', 1)[1]
    return "" if after.startswith("</span>") else after.split("</span></span>", 1)[0]


def test_the_bell_counts_the_unread_messages_of_the_page_s_user(people) -> None:
    member, secretary = people["member"], people["secretary"]
    client = signed_in(member)
    assert badge(client) == ""  # nothing unread: no badge
    notify(member)
    notify(secretary, 3)
    assert badge(client).startswith('<span class="badge rounded-pill text-bg-light">1<')
    notify(member, 2)
    notify(member, read_at=timezone.now())
    assert badge(client).startswith('<span class="badge rounded-pill text-bg-light">3<')
    assert badge(signed_in(secretary)).startswith('<span class="badge rounded-pill text-bg-light">3<')
    notify(member, 100)
    assert badge(client).startswith('<span class="badge rounded-pill text-bg-light">99+<')
    Notification.objects.filter(recipient=member).update(read_at=timezone.now())
    assert badge(client) == ""


def logout_token(client: Client) -> str:
    html = bar(client.get(reverse("password_change")).content.decode())
    (token,) = re.findall(r'<form method="post" action="/accounts/logout/">.*?value="([A-Za-z0-9]{64})"', html, re.S)
    return token


def test_each_page_s_logout_form_carries_its_own_session_s_token(people) -> None:
    # Two sessions of one account (the same bar, kept once) and a session of another.
    alice, alice_elsewhere, bob = (Client(enforce_csrf_checks=True) for _ in range(3))
    alice.force_login(people["secretary"])
    alice_elsewhere.force_login(people["secretary"])
    bob.force_login(people["member"])
    tokens = {client: logout_token(client) for client in (alice, alice_elsewhere, bob)}
    # No session's token logs another out: each is its own session's.
    for client, other in itertools.permutations(tokens, 2):
        assert client.post(reverse("logout"), {"csrfmiddlewaretoken": tokens[other]}).status_code == 403
        assert client.get(reverse("password_change")).status_code == 200
    # Each one's own does.
    for client, token in tokens.items():
        assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
        assert client.get(reverse("password_change")).status_code == 302  # signed out: to the login page


def test_the_kept_bar_holds_no_token(people) -> None:
    request = signed_in(people["secretary"]).get(reverse("password_change")).wsgi_request
    nav = nav_of(Context({"user": request.user, "request": request, "access": access_for(request.user)}))
    hits = rendered.cache_info().hits
    kept = rendered(nav)
    assert rendered.cache_info().hits == hits + 1  # the page's own key: what the page was made from
    assert people["secretary"].get_full_name() in kept
    assert not re.search(r"[A-Za-z0-9]{64}", kept)
    assert 'name="csrfmiddlewaretoken" value="csrf-token-of-the-page"' in kept
