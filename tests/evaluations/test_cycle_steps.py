"""The cycle page lists the cycle's steps with who took each; a step whose account is gone (or that no one took,
as in the demo data) shows a dash instead of breaking the page."""

from __future__ import annotations

from django.urls import reverse

from evaluations.models import CycleStep, EvaluationCycle

S = EvaluationCycle.Status


def test_a_step_without_its_account_shows_a_dash(client_for, make_cycle, people) -> None:
    cycle = make_cycle(S.SELF_ASSESSMENT)
    CycleStep.objects.create(cycle=cycle, from_status=S.OPEN, to_status=S.SELF_ASSESSMENT, by=None, note="mở")
    CycleStep.objects.create(cycle=cycle, from_status=S.OPEN, to_status=S.OPEN, by=people["secretary"])
    page = client_for("in_charge").get(reverse("evaluations:cycle-detail", args=[cycle.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "· — · mở" in html
