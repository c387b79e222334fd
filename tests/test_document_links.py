"""Every document a user may need (a PDF, a Word or Excel file, a print page, a calendar) is reachable from the
page of its record, for the people allowed to get it, with a label that says what it is and its file type.

``DOCUMENTS`` is a table: document URL name → the record's page, who looks at it, and the words its link
shows. Every URL of the project whose address looks like a document (``DOCUMENT_ROUTE``) must have a line in it
(or in ``NOT_DOCUMENTS`` with the reason), so a document added later without a link on any page fails here.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from evaluations.models import EvaluationCycle
from evaluations.services import open_cycle
from inspections.models import Inspection
from meetings.models import Meeting
from members.models import Member, Organisation
from notifications.calendar import create_feed
from tests.conftest import Tree
from tests.evaluations.conftest import YEAR, advance
from tests.factories import MemberFactory
from tests.resolutions.factories import ProgressUpdateFactory, ResolutionFactory

# An address that serves a file or a page to print: its name says so.
DOCUMENT_ROUTE = re.compile(r"pdf|docx?|xlsx?|csv|odt|zip|\.ics|print|export|pack|template|evidence|minutes|summary")

# Document-looking URLs that are not documents of their own, with the reason.
NOT_DOCUMENTS = {
    "meetings:minutes-status": "the state of the minutes PDF being built: a fragment of the meeting page",
    "dashboards:dashboard-summary-status": "the state of the summary PDF being built: a fragment of the dashboard",
    "dashboards:document-cells": "a page (a committee document over its cells): its address says documents/",
    "dashboards:upper-documents": "a page (the documents the cells have not made concrete): its address says documents",
    "resolutions:document-list": "a page (a committee's own documents): its address says documents/",
    "resolutions:document-create": "a form (a committee's new document): its address says documents/",
}


@dataclass
class World:
    tree: Tree
    people: dict[str, User]
    member: Member  # a member of cell A1 without a login

    @property
    def cell(self) -> Organisation:
        return self.tree.cell_a1


Args = Callable[[World], tuple[list[object], list[object]]]  # (the document's URL arguments, the page's)


def _cell(w: World) -> tuple[list[object], list[object]]:
    return [w.cell.pk], [w.cell.pk]


@dataclass(frozen=True)
class Document:
    page: str  # the record's page
    role: str  # who looks at it (the least privileged allowed, where it makes a difference)
    label: str  # words the link shows (in Vietnamese, the site's language)
    args: Args = _cell
    attribute: str = "href"  # a form that builds the document posts to it: "action"
    builds: bool = False  # a POST that builds the document: the page's form is what reaches it
    also: tuple[tuple[str, str], ...] = ()  # other (page, role) that must show it: (the page args are the same)


def _resolution(w: World) -> tuple[list[object], list[object]]:
    resolution = ResolutionFactory.create(cell=w.cell)
    return [resolution.pk], [resolution.pk]


def _meeting(w: World, *, pdf: bool = False) -> tuple[list[object], list[object]]:
    meeting = Meeting.objects.create(cell=w.cell, date=dt.date(2026, 11, 5), starts_at=dt.time(19), place="Nhà văn hóa")
    meeting.pack_published_at = timezone.now() - dt.timedelta(days=20)
    if pdf:
        meeting.minutes_pdf.save("bien-ban.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        meeting.pdf_state = Meeting.PdfState.READY
        meeting.pdf_version = meeting.version
    meeting.save()
    return [meeting.pk], [meeting.pk]


def _update(w: World) -> tuple[list[object], list[object]]:
    update = ProgressUpdateFactory.create(task__resolution__cell=w.cell, task__lead_member=w.member)
    update.evidence.save("bien-ban.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    update.evidence_name = "bien-ban.pdf"
    update.save()
    return [update.pk], [update.task_id]


def _cycle(w: World) -> tuple[list[object], list[object]]:
    cycle = open_cycle(cell=w.cell, year=YEAR, by=w.people["admin"])
    cycle = advance(cycle, EvaluationCycle.Status.CLOSED, w.people["admin"])
    return [cycle.pk], [cycle.pk]


def _inspection(w: World) -> tuple[list[object], list[object]]:
    inspection = Inspection.objects.create(
        body=Inspection.Body.CELL_COMMITTEE,
        body_org=w.cell,
        subject_org=w.cell,
        subject_member=w.member,
        title="Việc thực hiện nhiệm vụ đảng viên",
        planned_start=dt.date(2026, 3, 1),
        planned_end=dt.date(2026, 3, 15),
        status=Inspection.Status.CONCLUDED,
    )
    return [inspection.pk], [inspection.pk]


def _ward(w: World) -> tuple[list[object], list[object]]:
    ward = w.tree.ward_a
    return [ward.pk], [ward.pk]


def _ward_document(w: World) -> tuple[list[object], list[object]]:
    document = ResolutionFactory.create(cell=w.tree.ward_a, document_type="KH", status="adopted")
    return [document.pk], [document.pk]


def _feed(w: World) -> tuple[list[object], list[object]]:
    return [create_feed(user=w.people["secretary"]).token], []


DOCUMENTS: dict[str, Document] = {
    # Members: the lists as Excel files, and the blank list to import from.
    "members:cell-members-export": Document("members:org-detail", "secretary", "Excel"),
    "members:member-list-export": Document("members:member-list", "secretary", "Excel", args=lambda w: ([], [])),
    "members:member-import-template": Document("members:member-import", "secretary", ".xlsx"),
    # Everything held about one member, for the member on request (and for the cell's secretary).
    "members:member-data-export": Document(
        "members:member-detail",
        "secretary",
        "Tải dữ liệu của đảng viên",
        lambda w: ([w.member.pk], [w.member.pk]),
    ),
    # A resolution: the print page, the PDF and the Word file, for every member of the cell.
    "resolutions:resolution-print": Document("resolutions:resolution-detail", "member", "Bản in", _resolution),
    "resolutions:resolution-pdf": Document("resolutions:resolution-detail", "member", "Tải PDF", _resolution),
    "resolutions:resolution-docx": Document(
        "resolutions:resolution-detail", "member", "Tải bản Word (.docx)", _resolution
    ),
    # A meeting: the pack, the minutes to print, as PDF (once built) and as a Word file.
    "meetings:meeting-pack": Document("meetings:meeting-detail", "member", "(PDF)", _meeting),
    "meetings:minutes-print": Document("meetings:meeting-detail", "member", "bản in", _meeting),
    "meetings:minutes-pdf": Document("meetings:meeting-detail", "member", "(PDF)", lambda w: _meeting(w, pdf=True)),
    "meetings:minutes-docx": Document("meetings:meeting-detail", "member", "Word (.docx)", _meeting),
    # A report's evidence file, on its task's page.
    "resolutions:update-evidence": Document("resolutions:task-detail", "member", "bien-ban.pdf", _update),
    # The dashboard: its rows as Excel, the monthly summary built (a form) and read as PDF.
    "dashboards:dashboard-xlsx": Document("dashboards:dashboard", "secretary", "Excel"),
    "dashboards:dashboard-summary": Document(
        "dashboards:dashboard", "standing", "PDF", _ward, attribute="action", builds=True
    ),
    "dashboards:dashboard-summary-pdf": Document("dashboards:dashboard", "standing", "(PDF)", _ward),
    # A committee's document over its cells: the page's rows as Excel, the report to the level above as PDF.
    "dashboards:document-cells-xlsx": Document("dashboards:document-cells", "standing", "Excel", _ward_document),
    "dashboards:document-cells-pdf": Document("dashboards:document-cells", "standing", "Tải PDF", _ward_document),
    # One's calendar: the address to subscribe to, shown to copy.
    "notifications:calendar-feed": Document("notifications:notification-settings", "secretary", "", _feed, "value"),
    # The yearly evaluation's results, and an inspection's notice of conclusion.
    "evaluations:results-pdf": Document(
        "evaluations:cycle-detail", "secretary", "(PDF)", _cycle, also=(("evaluations:self-assessment", "member"),)
    ),
    "inspections:conclusion-pdf": Document("inspections:inspection-detail", "secretary", "(PDF)", _inspection),
}


def _walk(patterns: Sequence[object], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            joined = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), joined)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), prefix + str(pattern.pattern)


def document_urls() -> set[str]:
    return {
        name
        for name, route in _walk(get_resolver().url_patterns)
        if not name.startswith("admin:") and DOCUMENT_ROUTE.search(route)
    }


def test_every_document_url_has_a_line() -> None:
    missing = document_urls() - set(DOCUMENTS) - set(NOT_DOCUMENTS)
    assert not missing, (
        f"{sorted(missing)}: add a line to DOCUMENTS in tests/test_document_links.py naming the record's page that "
        "links to it (and put the link on that page)"
    )
    assert set(DOCUMENTS) | set(NOT_DOCUMENTS) <= document_urls()  # no line left behind by a renamed URL


def _links(page: str, attribute: str, url: str) -> list[str]:
    """The texts of the elements whose ``attribute`` is the URL (a query string allowed)."""
    pattern = re.compile(
        rf'<(\w+)\b[^>]*\b{attribute}="(?:https?://[^/"]+)?{re.escape(url)}(?:\?[^"]*)?"[^>]*>(.*?)</\1>', re.DOTALL
    )
    found = [re.sub(r"<[^>]+>", " ", match.group(2)) for match in pattern.finditer(page)]
    if attribute == "value":
        found += re.findall(rf'<input\b[^>]*\bvalue="https?://[^/"]+{re.escape(url)}"', page)
    return [" ".join(html.unescape(text).split()) for text in found]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_document_is_linked_from_its_record_page(tree, people, settings, tmp_path, name) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    document = DOCUMENTS[name]
    world = World(tree, people, MemberFactory.create(cell=tree.cell_a1, full_name="Nguyễn Thị Hồng"))
    doc_args, page_args = document.args(world)
    url = reverse(name, args=doc_args)
    for page, role in ((document.page, document.role), *document.also):
        client = Client()
        client.force_login(people[role])
        response = client.get(reverse(page, args=page_args))
        assert response.status_code == 200, (page, role)
        links = _links(response.content.decode(), document.attribute, url)
        assert links, f"{page} shows no link to {name} ({url}) to {role}"
        assert any(document.label in text for text in links), (name, page, links)

    answer = client.post(url) if document.builds else client.get(url)
    assert answer.status_code in (200, 302), (name, answer.status_code)  # the link is not a dead end
