"""A ward committee's own documents, the committee's side: draft, targets for the cells, submit, the committee's
vote by the Charter's rule, numbers in one run per kind, who reads and who writes, and the printed document."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from meetings.models import Vote
from resolutions.documents import render_resolution_pdf
from resolutions.models import CellTarget, Resolution
from resolutions.services import create_resolution
from resolutions.views.printing import prefetch_for_document
from tests.resolutions.test_pdf import flat, pdf_text

S = Resolution.Status
KH = Resolution.DocumentType.PLAN


def plan(tree, people, **fields) -> Resolution:
    values = {
        "document_type": KH,
        "kind": Resolution.Kind.QUARTERLY,
        "period_start": dt.date(2026, 10, 1),
        "period_end": dt.date(2026, 12, 31),
        "title": "Kế hoạch vận động phân loại rác tại nguồn",
        "concretise_by": dt.date(2026, 11, 30),
        **fields,
    }
    return create_resolution(cell=tree.ward_a, by=people["standing"], **values)


def edit_data(document: Resolution, targets: list[dict[str, str]], **fields: str) -> dict[str, str]:
    data = {
        "kind": document.kind,
        "period_start": document.period_start.strftime("%d/%m/%Y"),
        "period_end": document.period_end.strftime("%d/%m/%Y"),
        "number": document.number,
        "title": document.title,
        "focal_tasks": "Vận động các hộ phân loại rác.",
        "concretise_by": "30/11/2026",
        "lock_version": str(document.lock_version),
        "targets-TOTAL_FORMS": str(len(targets)),
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "30",
        "save": "1",
        **fields,
    }
    for n, target in enumerate(targets):
        data.update({f"targets-{n}-{key}": value for key, value in target.items()})
    return data


HOUSEHOLDS = {"name": "Hộ phân loại rác", "measure": "percent", "goal": "90", "unit": "", "deadline": "15/12/2026"}


def vote_data(**fields: str) -> dict[str, str]:
    return {
        "held_on": "18/11/2026",
        "entitled": "5",
        "present": "4",
        "votes_for": "3",
        "votes_against": "1",
        "votes_abstain": "0",
        "dissent": "",
        **fields,
    }


def test_the_standing_member_drafts_edits_submits_and_the_committee_adopts(tree, people, client_for) -> None:
    client = client_for("standing")
    page = client.get(reverse("resolutions:document-list", args=[tree.ward_a.pk]))
    assert page.status_code == 200
    assert reverse("resolutions:document-create", args=[tree.ward_a.pk]) in page.content.decode()
    new = {
        "document_type": "KH",
        "kind": "quarterly",
        "period_start": "01/10/2026",
        "period_end": "31/12/2026",
        "title": "Kế hoạch vận động phân loại rác tại nguồn",
        "concretise_by": "30/11/2026",
    }
    response = client.post(reverse("resolutions:document-create", args=[tree.ward_a.pk]), new)
    document = Resolution.objects.get(cell=tree.ward_a)
    assert response.url == reverse("resolutions:resolution-edit", args=[document.pk])
    assert (document.number, document.document_type, document.concretise_by) == ("01-KH/ĐU", KH, dt.date(2026, 11, 30))
    edit_url = reverse("resolutions:resolution-edit", args=[document.pk])
    page = client.get(edit_url)
    assert page.status_code == 200
    assert tree.cell_a1.name in page.content.decode()  # the cells offered

    # A percentage above 100: refused in Vietnamese, nothing written.
    bad = edit_data(document, [{**HOUSEHOLDS, "goal": "110"}], addressed_cells=str(tree.cell_a1.pk))
    page = client.post(edit_url, bad)
    assert page.status_code == 200
    assert "Mức giao theo tỷ lệ phần trăm không quá 100." in page.content.decode()
    document.refresh_from_db()
    assert not CellTarget.objects.exists()
    assert document.focal_tasks == ""
    assert document.lock_version == 0
    assert not document.addressed_cells.exists()

    response = client.post(edit_url, edit_data(document, [HOUSEHOLDS], addressed_cells=str(tree.cell_a1.pk)))
    assert response.status_code == 302
    target = CellTarget.objects.get()
    assert (target.resolution, target.goal, target.measure, target.order) == (document, Decimal(90), "percent", 1)
    assert list(document.addressed_cells.all()) == [tree.cell_a1]

    # An edit read before that save is stale: refused, nothing written.
    stale = client.post(edit_url, edit_data(document, [], focal_tasks="Khác."))
    assert stale.status_code == 200
    document.refresh_from_db()
    assert document.focal_tasks == "Vận động các hộ phân loại rác."
    assert CellTarget.objects.count() == 1

    detail = client.get(reverse("resolutions:resolution-detail", args=[document.pk])).content.decode()
    assert "90%" in detail
    assert tree.cell_a1.name in detail
    assert "30/11/2026" in detail
    submit = reverse("resolutions:resolution-step", args=[document.pk, "submit"])
    assert submit in detail
    client.post(submit)
    document.refresh_from_db()
    assert document.status == S.SUBMITTED
    vote_url = reverse("meetings:committee-vote", args=[document.pk])
    assert vote_url in client.get(reverse("resolutions:resolution-detail", args=[document.pk])).content.decode()

    # Not more than half of the 5 entitled: recorded, not adopted (Charter's rule).
    page = client.get(vote_url)
    assert page.status_code == 200
    client.post(vote_url, vote_data(held_on="17/11/2026", votes_for="2", votes_against="2"))
    document.refresh_from_db()
    refused = Vote.objects.get(resolution=document)
    assert (refused.adopted, document.status) == (False, S.SUBMITTED)
    # More present than entitled: a form error, nothing written.
    page = client.post(vote_url, vote_data(present="6"))
    assert page.status_code == 200
    assert Vote.objects.count() == 1
    # 3 of 5: adopted.
    client.post(vote_url, vote_data())
    document.refresh_from_db()
    assert (document.status, document.adopted_on) == (S.ADOPTED, dt.date(2026, 11, 18))
    assert Vote.objects.filter(resolution=document, adopted=True).count() == 1

    # Numbers: one run per kind and year.
    second = plan(tree, people, title="Kế hoạch tổng vệ sinh")
    resolution = create_resolution(
        cell=tree.ward_a,
        by=people["standing"],
        document_type=Resolution.DocumentType.RESOLUTION,
        kind=Resolution.Kind.QUARTERLY,
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 12, 31),
        title="Nghị quyết về công tác xây dựng Đảng",
    )
    assert (second.number, resolution.number) == ("02-KH/ĐU", "01-NQ/ĐU")
    listed = client.get(reverse("resolutions:document-list", args=[tree.ward_a.pk])).content.decode()
    assert "01-KH/ĐU" in listed
    assert "02-KH/ĐU" in listed
    assert "01-NQ/ĐU" in listed


def test_a_cell_secretary_does_not_draft_for_the_ward(tree, people, client_for) -> None:
    """A1's secretary does not see the ward (404 for its list, a new document and its drafts); once a document
    addressed to A1 is adopted she reads it, and may not change it (403) nor record a vote on it."""
    document = plan(tree, people)
    document.addressed_cells.set([tree.cell_a1])
    client = client_for("secretary")
    edit = reverse("resolutions:resolution-edit", args=[document.pk])
    vote = reverse("meetings:committee-vote", args=[document.pk])
    assert client.get(reverse("resolutions:document-list", args=[tree.ward_a.pk])).status_code == 404
    assert client.get(reverse("resolutions:document-create", args=[tree.ward_a.pk])).status_code == 404
    assert client.post(edit, edit_data(document, [HOUSEHOLDS])).status_code == 404
    Resolution.objects.filter(pk=document.pk).update(status=S.ADOPTED, adopted_on=dt.date(2026, 11, 1))
    assert client.get(reverse("resolutions:resolution-detail", args=[document.pk])).status_code == 200
    assert client.post(edit, edit_data(document, [HOUSEHOLDS])).status_code == 403
    assert client.post(vote, vote_data()).status_code == 403
    assert not CellTarget.objects.exists()
    assert not Vote.objects.exists()


def test_the_member_in_charge_of_a_cell_reads_the_ward_but_does_not_issue(tree, people, client_for) -> None:
    """The committee member in charge of cell A1 reads the ward's adopted documents addressed to A1 (every cell
    here) but does not issue them (403)."""
    document = plan(tree, people)
    client = client_for("in_charge")
    Resolution.objects.filter(pk=document.pk).update(status=S.ADOPTED, adopted_on=dt.date(2026, 11, 1))
    assert client.get(reverse("resolutions:resolution-detail", args=[document.pk])).status_code == 200
    assert client.get(reverse("resolutions:resolution-edit", args=[document.pk])).status_code == 403


def test_the_other_ward_finds_nothing(tree, people, client_for) -> None:
    document = plan(tree, people)
    client = client_for("other_secretary")
    for url in (
        reverse("resolutions:document-list", args=[tree.ward_a.pk]),
        reverse("resolutions:document-create", args=[tree.ward_a.pk]),
        reverse("resolutions:resolution-detail", args=[document.pk]),
        reverse("resolutions:resolution-edit", args=[document.pk]),
        reverse("meetings:committee-vote", args=[document.pk]),
        reverse("resolutions:resolution-pdf", args=[document.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_a_cell_is_no_committee(tree, client_for) -> None:
    client = client_for("admin")
    assert client.get(reverse("resolutions:document-list", args=[tree.cell_a1.pk])).status_code == 404
    assert client.get(reverse("resolutions:document-create", args=[tree.cell_a1.pk])).status_code == 404


def test_a_member_of_an_addressed_cell_reads_the_adopted_document_not_the_draft(tree, people, client_for) -> None:
    document = plan(tree, people)
    document.addressed_cells.set([tree.cell_a1])
    client = client_for("member")
    url = reverse("resolutions:resolution-detail", args=[document.pk])
    assert client.get(url).status_code == 404
    Resolution.objects.filter(pk=document.pk).update(status=S.ADOPTED, adopted_on=dt.date(2026, 11, 1))
    page = client.get(url)
    assert page.status_code == 200
    assert "01-KH/ĐU" in page.content.decode()
    assert client.get(reverse("resolutions:resolution-edit", args=[document.pk])).status_code == 403


def test_the_printed_plan(tree, people, tmp_path) -> None:
    document = plan(tree, people)
    CellTarget.objects.create(
        resolution=document,
        name="Hộ phân loại rác tại nguồn",
        measure="percent",
        goal=Decimal(90),
        deadline=dt.date(2026, 12, 15),
    )
    document.addressed_cells.set([tree.cell_a1])
    Resolution.objects.filter(pk=document.pk).update(status=S.ADOPTED, adopted_on=dt.date(2026, 11, 18))
    document = Resolution.objects.select_related("cell").get(pk=document.pk)
    prefetch_for_document([document])
    text = flat(pdf_text(render_resolution_pdf(document), tmp_path))
    assert "ĐẢNG ỦY PHƯỜNG PHÚ KHƯƠNG" in text
    assert "KẾ HOẠCH" in text
    assert "NGHỊ QUYẾT" not in text
    assert "Số 01-KH/ĐU" in text
    assert "Hộ phân loại rác tại nguồn" in text
    assert "90%" in text
    assert "15/12/2026" in text
    assert "T/M ĐẢNG ỦY" in text
    assert "Các chi bộ: Chi bộ khu phố 1" in text
    assert "trước ngày 30/11/2026" in text


def test_the_document_list_has_a_fixed_query_count(tree, people, client_for, django_assert_num_queries) -> None:
    for n in range(3):
        plan(tree, people, title=f"Kế hoạch {n}")
    client = client_for("standing")
    url = reverse("resolutions:document-list", args=[tree.ward_a.pk])
    client.get(url)
    # session, user, roles; the organisation; the count and the page; the bell
    with django_assert_num_queries(7):
        page = client.get(url)
    assert page.content.decode().count("-KH/ĐU") == 3


@pytest.mark.parametrize("kind", ["KH", "NQ"])
def test_the_detail_page_of_a_committee_document(tree, people, client_for, kind) -> None:
    document = plan(tree, people, document_type=kind)
    page = client_for("standing").get(reverse("resolutions:resolution-detail", args=[document.pk])).content.decode()
    assert "Tất cả chi bộ" in page
    assert reverse("meetings:resolution-vote", args=[document.pk]) not in page
    assert reverse("resolutions:document-list", args=[tree.ward_a.pk]) in page


def test_the_word_file_of_a_plan(tree, people, client_for) -> None:
    document = plan(tree, people)
    CellTarget.objects.create(
        resolution=document,
        name="Buổi sinh hoạt chuyên đề",
        goal=Decimal(2),
        unit="buổi",
        deadline=dt.date(2026, 12, 15),
    )
    response = client_for("standing").get(reverse("resolutions:resolution-docx", args=[document.pk]))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
        xml = docx.read("word/document.xml").decode()
    text = re.sub(r"<[^>]+>", "", xml)
    assert "KẾ HOẠCH" in text
    assert "Buổi sinh hoạt chuyên đề" in text
    assert "2 buổi" in text
    assert "T/M ĐẢNG ỦY" in text
