"""The results report of a closed year is numbered from the cell's run of reports the first time it is printed and
signed for the cell by its secretary; a draft keeps the blank."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import EvaluationCycle, Level
from evaluations.services import approve
from members.models import DocumentSequence, Role
from tests.evaluations.conftest import YEAR
from tests.resolutions.test_pdf import flat, in_order, pdf_text

pytestmark = pytest.mark.django_db
S = EvaluationCycle.Status


def test_the_closed_years_report_takes_the_cells_next_number_once(make_cycle, people, client_for, tmp_path) -> None:
    cycle = make_cycle(S.APPROVAL)
    DocumentSequence.draw(organisation=cycle.cell, kind="BC", year=YEAR + 1)  # another report of the cell, earlier
    approve(cycle=cycle, levels={}, cell_level=Level.GOOD, by=people["in_charge"])
    cycle.refresh_from_db()
    issued = timezone.localtime(cycle.approved_at).year  # the local year the report is issued in

    url = reverse("evaluations:results-pdf", args=[cycle.pk])
    first = flat(pdf_text(client_for("member").get(url).content, tmp_path))
    again = flat(pdf_text(client_for("secretary").get(url).content, tmp_path))
    cycle.refresh_from_db()
    expected = "01-BC/CB" if issued != YEAR + 1 else "02-BC/CB"
    assert cycle.report_number == expected
    assert f"Số {expected}" in first
    assert f"Số {expected}" in again  # printed again, the same number
    assert in_order(first, "T/M CHI BỘ", "BÍ THƯ", "Đảng viên secretary")


def test_a_draft_is_not_numbered_and_the_deputy_signs_without_a_secretary(
    make_cycle, people, client_for, tmp_path
) -> None:
    cycle = make_cycle(S.VOTE)
    Role.objects.filter(kind=Role.Kind.SECRETARY, organisation=cycle.cell).delete()
    text = flat(
        pdf_text(client_for("deputy").get(reverse("evaluations:results-pdf", args=[cycle.pk])).content, tmp_path)
    )
    cycle.refresh_from_db()
    assert cycle.report_number == ""
    assert re.search(r"Số\s+-BC/CB", text)
    assert not DocumentSequence.objects.exists()
    assert in_order(text, "T/M CHI BỘ", "PHÓ BÍ THƯ", "Đảng viên deputy")
