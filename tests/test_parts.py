"""``chibo.lib.parts``: a part of a page is rendered once per key, in the active language, from its context alone,
and its forms carry the CSRF token of the request that is served, never one stored in the cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.middleware.csrf import (  # type: ignore[attr-defined]  # private helpers, absent from the stubs
    _check_token_format,
    _unmask_cipher_token,
    get_token,
)
from django.test import RequestFactory, override_settings
from django.utils import translation

from chibo.lib.parts import CSRF_PLACEHOLDER, cached_part, part_key, release

PART = (
    '{% load i18n %}<form method="post">{% csrf_token %}<p>{{ name }}</p><p>{% translate "Log out" %}</p>'
    "<p>[{{ user }}]</p></form>"
)
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [("django.template.loaders.locmem.Loader", {"part.html": PART})],
            "context_processors": ["django.contrib.auth.context_processors.auth"],
        },
    }
]


@pytest.fixture(autouse=True)
def templates():
    with override_settings(TEMPLATES=TEMPLATES):
        yield


def _request():
    return RequestFactory().get("/")  # a new visitor: get_token makes its secret


def test_a_part_is_rendered_once_per_key() -> None:
    calls = []

    def context():
        calls.append(1)
        return {"name": f"Chi bộ {len(calls)}"}

    first = cached_part(_request(), "part.html", ("token-a",), context)
    again = cached_part(_request(), "part.html", ("token-a",), context)
    renewed = cached_part(_request(), "part.html", ("token-b",), context)
    assert len(calls) == 2
    assert "Chi bộ 1" in first
    assert "Chi bộ 1" in again
    assert "Chi bộ 2" in renewed


def test_each_request_gets_its_own_csrf_token_and_the_cache_holds_none() -> None:
    one, two = _request(), _request()
    html_one = cached_part(one, "part.html", ("k",), lambda: {"name": "x"})
    html_two = cached_part(two, "part.html", ("k",), lambda: {"name": "x"})
    secret_one = _unmask_cipher_token(get_token(one))
    secret_two = _unmask_cipher_token(get_token(two))
    assert secret_one != secret_two

    def token_in(html: str) -> str:
        token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        _check_token_format(token)
        return _unmask_cipher_token(token)

    assert token_in(html_one) == secret_one
    assert token_in(html_two) == secret_two
    stored = cache.get(part_key("part.html", ("k",)))
    assert CSRF_PLACEHOLDER in stored
    assert secret_one not in stored
    assert secret_two not in stored


def test_a_part_is_kept_per_language() -> None:
    with translation.override("vi"):
        vi = cached_part(_request(), "part.html", ("k",), lambda: {"name": "x"})
    with translation.override("en"):
        en = cached_part(_request(), "part.html", ("k",), lambda: {"name": "x"})
    assert "Đăng xuất" in vi
    assert "Log out" in en


def test_a_part_sees_its_context_only(django_user_model) -> None:
    request = _request()
    request.user = django_user_model(username="bithu")
    html = cached_part(request, "part.html", ("k",), lambda: {"name": "x"})
    assert "[]" in html  # no context processor: the user is not in it


def test_the_release_names_the_code() -> None:
    assert release() == release()
    assert len(release()) == 16
