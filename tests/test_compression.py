"""Pages go compressed to a browser that asks for it; documents that are compressed already go as they are."""

from __future__ import annotations

import gzip

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from chibo.lib.middleware import GZipMiddleware

BODY = "Nghị quyết chi bộ ấp Bình Minh, tháng 12/2026. " * 200


def _answer(content_type: str, *, accept: str = "gzip, deflate, br") -> HttpResponse:
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING=accept)
    response = GZipMiddleware(lambda r: HttpResponse(BODY.encode(), content_type=content_type))(request)
    assert isinstance(response, HttpResponse)  # the middleware is synchronous, and the answer is not streamed
    return response


@pytest.mark.django_db
def test_a_page_goes_compressed_and_reads_back_the_same(client_for) -> None:
    response = client_for("member").get(reverse("resolutions:my-tasks"), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    body = gzip.decompress(response.content)
    html = body.decode()
    assert "</html>" in html
    assert len(response.content) < len(body) / 2


@pytest.mark.parametrize(
    ("content_type", "compressed"),
    [
        ("text/html; charset=utf-8", True),
        ("text/calendar; charset=utf-8", True),
        ("application/json", True),
        ("application/pdf", False),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
        ("image/png", False),
    ],
)
def test_only_text_is_compressed(content_type: str, compressed: bool) -> None:
    response = _answer(content_type)
    assert (response.get("Content-Encoding") == "gzip") is compressed
    body = gzip.decompress(response.content) if compressed else response.content
    assert body == BODY.encode()


def test_a_browser_that_does_not_ask_gets_plain_text() -> None:
    response = _answer("text/html; charset=utf-8", accept="identity")
    assert "Content-Encoding" not in response
    assert response.content == BODY.encode()
