"""Long texts are plain paragraphs: the conversion of the HTML stored before, the ``paragraphs`` filter, and one
text typed on the edit page read back from the page, the PDF and the Word file."""

from __future__ import annotations

import importlib
import io
import re
from pathlib import Path

import docx
import pytest
from django.apps import apps
from django.template import Context, Template
from django.urls import reverse

import resolutions.migrations
from chibo.lib.html import html_to_text, text_blocks, tidy_paragraphs
from resolutions.models import Resolution, Version
from resolutions.services import SECTIONS, create_resolution, diff_versions, snapshot
from tests.resolutions.factories import ResolutionFactory, TaskFactory
from tests.resolutions.test_drafting import edit_data, month_end, month_start
from tests.resolutions.test_pdf import flat, pdf_text


def convert_long_texts(*args: object) -> None:
    """The data migration's function (found by name: its number may change when branches meet)."""
    folder = Path(resolutions.migrations.__file__).parent
    module = next(folder.glob("*_long_texts_as_plain_paragraphs.py")).stem
    importlib.import_module(f"resolutions.migrations.{module}").convert_long_texts(*args)


@pytest.mark.parametrize(
    ("stored", "plain"),
    [
        ("", ""),
        ("<p>Một</p><p>Hai</p>", "Một\n\nHai"),
        ("<p>Dòng một<br>dòng hai</p>", "Dòng một\ndòng hai"),
        ("<p>Một <strong>hai</strong> <em>ba</em> <u>bốn</u></p>", "Một hai ba bốn"),
        ("<p>A &amp; B &lt;script&gt; &quot;C&quot;&nbsp;D</p>", 'A & B <script> "C" D'),
        ("<ul><li>Thứ nhất</li><li>Thứ hai</li></ul>", "- Thứ nhất\n- Thứ hai"),
        ("<ol><li>Thứ nhất</li><li><p>Thứ hai</p></li></ol>", "1. Thứ nhất\n2. Thứ hai"),
        ("<p>Trước</p><ul><li>a</li></ul><p>Sau</p>", "Trước\n\n- a\n\nSau"),
        ("<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>", "- a\n  - b\n- c"),
        ("<h3>Tiêu đề</h3><blockquote>Trích</blockquote>", "Tiêu đề\n\nTrích"),
        ("<p>  nhiều   khoảng\n trắng </p>\n<p>x</p>", "nhiều khoảng trắng\n\nx"),
        ("Chữ <b>đậm</b> ngoài đoạn", "Chữ đậm ngoài đoạn"),
        ("a<br><br>b", "a\n\nb"),
        # Already plain: kept as it is (tidied), an entity or a "<" included.
        ("Đoạn một\r\ndòng hai  \n\n\n\nĐoạn hai", "Đoạn một\ndòng hai\n\nĐoạn hai"),
        ("3 < 5 &amp; 7 > 2", "3 < 5 &amp; 7 > 2"),
    ],
)
def test_stored_html_becomes_plain_paragraphs(stored: str, plain: str) -> None:
    assert html_to_text(stored) == plain
    assert html_to_text(plain) == plain  # converting twice changes nothing


@pytest.mark.parametrize(
    ("text", "blocks"),
    [
        ("", []),
        ("Một", [["Một"]]),
        ("Một\nhai\n\nba", [["Một", "hai"], ["ba"]]),
        ("Một\n   \n\n\nhai\r\nba", [["Một"], ["hai", "ba"]]),
        ("\n\n  thụt lề  \n\n", [["  thụt lề"]]),
    ],
)
def test_a_blank_line_separates_paragraphs(text: str, blocks: list[list[str]]) -> None:
    assert text_blocks(text) == blocks


def test_the_form_stores_tidy_text() -> None:
    assert tidy_paragraphs("Một  \r\nhai\r\n\r\n\r\n\r\nba\n\n") == "Một\nhai\n\nba"


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (None, ""),
        ("", ""),
        ("Một đoạn", "<p>Một đoạn</p>"),
        ("Dòng một\ndòng hai\n\nĐoạn hai", "<p>Dòng một<br>dòng hai</p><p>Đoạn hai</p>"),
        ('<script>alert("x")</script>', "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>"),
        ("<p>Họp &amp; dân</p>", "<p>&lt;p&gt;Họp &amp;amp; dân&lt;/p&gt;</p>"),
    ],
)
def test_the_paragraphs_filter_escapes_and_breaks(text: str | None, html: str) -> None:
    template = Template("{% load chibo_tags %}{{ text|paragraphs }}")
    assert template.render(Context({"text": text})) == html


@pytest.fixture
def draft(tree, people) -> Resolution:
    return create_resolution(
        cell=tree.cell_a1,
        by=people["secretary"],
        kind="monthly",
        period_start=month_start(),
        period_end=month_end(),
        title="Vệ sinh môi trường",
    )


def textareas(html: str) -> dict[str, str]:
    return dict(re.findall(r'<textarea name="(\w+)"[^>]*>\n?(.*?)</textarea>', html, re.DOTALL))


def test_the_migration_converts_every_stored_copy_and_the_edit_page_shows_plain_text(tree, client_for, draft) -> None:
    html = {
        "assessment": "<p>Tháng qua tốt.</p><p>Hạn chế: chậm &amp; thiếu.</p>",
        "focal_tasks": "<ol><li>Vệ sinh</li><li>Thu quỹ</li></ol>",
        "solutions": "<p>Họp dân<br>từng tổ</p>",
        "implementation": "Đã là văn bản thường.\n\nGiữ nguyên.",
    }
    Resolution.objects.filter(pk=draft.pk).update(**html)
    draft.refresh_from_db()
    draft.save()  # a history row with the HTML, as before
    version = Version.objects.create(resolution=draft, number=1, snapshot=snapshot(draft))
    plain = {
        "assessment": "Tháng qua tốt.\n\nHạn chế: chậm & thiếu.",
        "focal_tasks": "1. Vệ sinh\n2. Thu quỹ",
        "solutions": "Họp dân\ntừng tổ",
        "implementation": "Đã là văn bản thường.\n\nGiữ nguyên.",
    }

    convert_long_texts(apps, None)
    convert_long_texts(apps, None)  # twice: nothing more changes

    draft.refresh_from_db()
    assert {name: getattr(draft, name) for name in SECTIONS} == plain
    for row in draft.history.all():
        assert "<" not in "".join(getattr(row, name) for name in SECTIONS)
    version.refresh_from_db()
    assert version.snapshot["sections"] == plain
    assert version.history.get().snapshot["sections"] == plain

    page = client_for("secretary").get(reverse("resolutions:resolution-edit", args=[draft.pk])).content.decode()
    shown = textareas(page)
    assert shown["focal_tasks"] == "1. Vệ sinh\n2. Thu quỹ"
    assert shown["assessment"] == "Tháng qua tốt.\n\nHạn chế: chậm &amp; thiếu."  # escaped once, as text
    assert not any("&lt;p&gt;" in value or "<p>" in value for value in shown.values())
    assert "Plain text; a blank line starts a new paragraph." in page or "mỗi dòng trống" in page


TYPED = 'Đoạn một, dòng một\nđoạn một, dòng hai\n\n\nĐoạn hai <script>alert("x")</script> & hết.'


def test_a_typed_text_reads_the_same_on_the_page_the_pdf_and_the_word_file(client_for, draft, tmp_path) -> None:
    client = client_for("secretary")
    response = client.post(reverse("resolutions:resolution-edit", args=[draft.pk]), edit_data(draft, solutions=TYPED))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.solutions == 'Đoạn một, dòng một\nđoạn một, dòng hai\n\nĐoạn hai <script>alert("x")</script> & hết.'

    edit = client.get(reverse("resolutions:resolution-edit", args=[draft.pk])).content.decode()
    assert textareas(edit)["solutions"].startswith("Đoạn một, dòng một\nđoạn một, dòng hai\n\nĐoạn hai &lt;script&gt;")

    detail = client.get(reverse("resolutions:resolution-detail", args=[draft.pk])).content.decode()
    assert (
        "<p>Đoạn một, dòng một<br>đoạn một, dòng hai</p>"
        "<p>Đoạn hai &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; hết.</p>"
    ) in detail
    assert '<script>alert("x")' not in detail

    pdf = client.get(reverse("resolutions:resolution-pdf", args=[draft.pk])).content
    text = flat(pdf_text(pdf, tmp_path))
    assert 'Đoạn một, dòng một đoạn một, dòng hai Đoạn hai <script>alert("x")</script> & hết.' in text

    word = docx.Document(io.BytesIO(client.get(reverse("resolutions:resolution-docx", args=[draft.pk])).content))
    texts = [p.text for p in word.paragraphs]
    assert "Đoạn một, dòng một\nđoạn một, dòng hai" in texts
    assert 'Đoạn hai <script>alert("x")</script> & hết.' in texts


def test_task_details_are_plain_paragraphs_in_the_pdf(tree, people, rf, tmp_path) -> None:
    from resolutions.documents import render_resolution_pdf

    resolution = ResolutionFactory.create(cell=tree.cell_a1, solutions="")
    TaskFactory.create(resolution=resolution, title="Vận động", details="Gặp <b>từng</b> hộ\n\nBáo cáo tổ")
    text = flat(pdf_text(render_resolution_pdf(resolution), tmp_path))
    assert "Gặp <b>từng</b> hộ Báo cáo tổ" in text


def test_the_task_page_shows_its_details_as_paragraphs(tree, client_for) -> None:
    task = TaskFactory.create(resolution__cell=tree.cell_a1, details="Gặp <b>từng</b> hộ\ntổ 1\n\nBáo cáo tổ")
    page = client_for("secretary").get(reverse("resolutions:task-detail", args=[task.pk])).content.decode()
    assert "<p>Gặp &lt;b&gt;từng&lt;/b&gt; hộ<br>tổ 1</p><p>Báo cáo tổ</p>" in page


def test_a_version_diff_compares_the_lines_of_the_paragraphs() -> None:
    def version(solutions: str) -> Version:
        sections = dict.fromkeys(SECTIONS, "") | {"solutions": solutions}
        return Version(
            snapshot={"number": "01-NQ/CB", "title": "Vệ sinh", "sections": sections, "targets": [], "tasks": []}
        )

    lines = diff_versions(version("Họp dân\ntừng tổ\n\nBáo cáo"), version("Họp dân\ntừng hộ\n\n\nBáo cáo"))
    assert [(kind, line) for kind, line in lines if not line.startswith(("01-", "##"))] == [
        ("same", "Họp dân"),
        ("removed", "từng tổ"),
        ("added", "từng hộ"),
        ("same", "Báo cáo"),
    ]
