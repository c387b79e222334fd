"""The pages of the yearly evaluation: who may open what, the query budget of the cycle page, the forms."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from evaluations.models import EmulationCriterion, EvaluationCycle, Level, PeopleComment
from tests.evaluations.conftest import YEAR, evaluation_of
from tests.factories import MemberFactory
from tests.resolutions.factories import ResolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db
S = EvaluationCycle.Status

EVERYONE = ["admin", "standing", "in_charge", "secretary", "deputy", "committee", "member", "other_secretary", "nobody"]

# (page, the cycle's status, who gets 200; everyone else outside cell A1's people gets 404, inside 403)
PAGES = [
    ("cycle-detail", S.SELF_ASSESSMENT, {"admin", "standing", "in_charge", "secretary", "deputy", "committee"}),
    ("self-assessment", S.SELF_ASSESSMENT, {"secretary", "deputy", "committee", "member"}),
    ("proposal", S.PROPOSAL, {"admin", "secretary", "deputy", "committee"}),
    ("vote", S.VOTE, {"admin", "secretary", "deputy"}),
    ("approval", S.APPROVAL, {"admin", "standing", "in_charge"}),
    ("comments", S.SELF_ASSESSMENT, {"admin", "standing", "in_charge", "secretary", "deputy", "committee"}),
    ("emulation", S.OPEN, {"admin", "standing", "in_charge", "secretary", "deputy", "committee"}),
    ("results-pdf", S.PROPOSAL, {"admin", "standing", "in_charge", "secretary", "deputy", "committee"}),
    ("results-pdf", S.CLOSED, {"admin", "standing", "in_charge", "secretary", "deputy", "committee", "member"}),
]
# Those who do not see cell A1 at all: its cycle does not exist for them.
OUTSIDERS = {"other_secretary", "nobody"}


@pytest.mark.parametrize(("page", "status", "allowed"), PAGES, ids=[f"{p}-{s}" for p, s, _ in PAGES])
def test_who_may_open_each_page(client_for, make_cycle, page, status, allowed) -> None:
    cycle = make_cycle(status)
    url = reverse(f"evaluations:{page}", args=[cycle.pk])
    for who in EVERYONE:
        response = client_for(who).get(url)
        expected = 200 if who in allowed else 404 if who in OUTSIDERS else 403
        assert response.status_code == expected, f"{who} {page}: {response.status_code}"


def test_the_cells_cycles_page(client_for, make_cycle, tree) -> None:
    make_cycle(S.OPEN)
    url = reverse("evaluations:cell-cycles", args=[tree.cell_a1.pk])
    assert client_for("committee").get(url).status_code == 200
    assert client_for("member").get(url).status_code == 403
    assert client_for("other_secretary").get(url).status_code == 404
    assert client_for("committee").post(url, {"year": 2026}).status_code == 403
    response = client_for("secretary").post(url, {"year": 2026})
    assert response.status_code == 302
    assert EvaluationCycle.objects.filter(cell=tree.cell_a1, year=2026).exists()
    again = client_for("secretary").post(url, {"year": 2026})
    assert "đã có đợt đánh giá năm 2026" in again.content.decode()


def test_home_lists_the_members_own_evaluation_and_the_cells(client_for, make_cycle) -> None:
    cycle = make_cycle(S.SELF_ASSESSMENT)
    member_page = client_for("member").get(reverse("evaluations:home")).content.decode()
    assert reverse("evaluations:self-assessment", args=[cycle.pk]) in member_page
    assert f'href="{reverse("evaluations:cycle-detail", args=[cycle.pk])}"' not in member_page
    ward_page = client_for("standing").get(reverse("evaluations:home")).content.decode()
    assert f'href="{reverse("evaluations:cycle-detail", args=[cycle.pk])}"' in ward_page
    assert client_for("nobody").get(reverse("evaluations:home")).status_code == 403


def test_only_the_secretary_moves_the_cycle(client_for, make_cycle) -> None:
    cycle = make_cycle(S.OPEN)
    url = reverse("evaluations:cycle-step", args=[cycle.pk, "self_assessment"])
    assert client_for("committee").post(url).status_code == 403
    assert client_for("in_charge").post(url).status_code == 403
    assert client_for("secretary").get(url).status_code == 405
    assert client_for("secretary").post(url).status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == S.SELF_ASSESSMENT
    assert client_for("secretary").post(reverse("evaluations:cycle-step", args=[cycle.pk, "nope"])).status_code == 404


def test_the_member_fills_the_self_assessment_and_bad_input_writes_nothing(client_for, make_cycle, people) -> None:
    cycle = make_cycle(S.SELF_ASSESSMENT)
    url = reverse("evaluations:self-assessment", args=[cycle.pk])
    client = client_for("member")
    bad = client.post(url, {"strengths": "", "self_level": "best"})
    assert bad.status_code == 200
    assert evaluation_of(cycle, people["member"]).submitted_at is None
    response = client.post(url, {"strengths": "Gương mẫu", "shortcomings": "", "direction": "", "self_level": "good"})
    assert response.status_code == 302
    evaluation = evaluation_of(cycle, people["member"])
    assert (evaluation.strengths, evaluation.self_level) == ("Gương mẫu", Level.GOOD)


def test_the_proposal_page_refuses_too_many_excellent_in_vietnamese(client_for, make_cycle) -> None:
    cycle = make_cycle(S.PROPOSAL)
    data = {f"level_{e.pk}": "excellent" for e in cycle.evaluations.all()}
    data["cell-cell_proposed_level"] = "good"
    response = client_for("committee").post(reverse("evaluations:proposal", args=[cycle.pk]), data, follow=True)
    page = response.content.decode()
    assert (
        "4 đảng viên xếp loại hoàn thành xuất sắc nhiệm vụ, vượt quá 20% của 0 đảng viên hoàn thành tốt nhiệm vụ "
        "(tối đa 0)" in page
    )
    assert not cycle.evaluations.exclude(proposed_level="").exists()
    data = {f"level_{e.pk}": "good" for e in cycle.evaluations.all()}
    data["cell-cell_proposed_level"] = "good"
    response = client_for("committee").post(reverse("evaluations:proposal", args=[cycle.pk]), data)
    assert response.status_code == 302
    assert cycle.evaluations.filter(proposed_level="good").count() == 4


def test_the_ward_approves_or_sends_back(client_for, make_cycle) -> None:
    cycle = make_cycle(S.APPROVAL)
    url = reverse("evaluations:approval", args=[cycle.pk])
    client_for("in_charge").post(url, {"action": "send_back", "reason": ""})
    assert EvaluationCycle.objects.get(pk=cycle.pk).status == S.APPROVAL
    client_for("in_charge").post(url, {"action": "send_back", "reason": "Bổ sung minh chứng"})
    assert EvaluationCycle.objects.get(pk=cycle.pk).status == S.PROPOSAL


def test_approving_asks_first_with_the_levels_chosen_and_writes_nothing_until_confirmed(client_for, make_cycle) -> None:
    cycle = make_cycle(S.APPROVAL)
    url = reverse("evaluations:approval", args=[cycle.pk])
    data = {f"level_{e.pk}": "done" for e in cycle.evaluations.all()}
    data.update({"action": "approve", "cell_level": "good"})
    client = client_for("in_charge")
    asked = client.post(url, data)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Việc phê duyệt không thể hoàn tác" in page
    assert 'name="confirmed" value="yes"' in page
    assert page.count('value="done" selected') == len(data) - 2  # the levels chosen are kept
    assert EvaluationCycle.objects.get(pk=cycle.pk).status == S.APPROVAL
    assert client.post(url, {**data, "confirmed": "yes"}).status_code == 302
    assert EvaluationCycle.objects.get(pk=cycle.pk).status == S.CLOSED


def test_the_approve_button_carries_the_question_for_the_dialog(client_for, make_cycle) -> None:
    cycle = make_cycle(S.APPROVAL)
    page = client_for("in_charge").get(reverse("evaluations:approval", args=[cycle.pk])).content.decode()
    assert 'data-confirm="Các mức xếp loại đang hiển thị sẽ được phê duyệt' in page
    assert 'data-confirm-title="Đồng chí có chắc chắn không?"' in page


def test_the_vote_page_records_the_vote(client_for, make_cycle) -> None:
    cycle = make_cycle(S.VOTE)
    url = reverse("evaluations:vote", args=[cycle.pk])
    bad = client_for("secretary").post(url, {"day": "31/02/2025", "votes_for": "3"})
    assert bad.status_code == 200
    response = client_for("secretary").post(
        url, {"day": "20/12/2025", "votes_for": "3", "votes_against": "1", "votes_abstain": "0"}
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.status, cycle.vote_date, cycle.entitled_count) == (S.APPROVAL, dt.date(2025, 12, 20), 4)


def test_comments_and_emulation_are_recorded(client_for, make_cycle, people) -> None:
    cycle = make_cycle(S.OPEN)
    comments = reverse("evaluations:comments", args=[cycle.pk])
    assert client_for("committee").post(comments, {}).status_code == 403
    client_for("secretary").post(
        comments,
        {
            "source": "Mặt trận Tổ quốc khu phố",
            "about": people["secretary"].member.pk,
            "text": "Gần dân",
            "given_on": "10/12/2025",
        },
    )
    comment = PeopleComment.objects.get(cycle=cycle)
    assert (comment.about, comment.given_on) == (people["secretary"].member, dt.date(2025, 12, 10))

    emulation = reverse("evaluations:emulation", args=[cycle.pk])
    client_for("secretary").post(emulation, {"action": "add", "text": "100% hộ ký cam kết", "max_points": "20"})
    criterion = EmulationCriterion.objects.get(cycle=cycle)
    response = client_for("secretary").post(emulation, {"action": "scores", f"score_{criterion.pk}": "25"})
    assert "từ 0 đến 20" in response.content.decode()
    client_for("secretary").post(emulation, {"action": "scores", f"score_{criterion.pk}": "18"})
    criterion.refresh_from_db()
    assert criterion.score == 18
    page = client_for("in_charge").get(reverse("evaluations:cycle-detail", args=[cycle.pk])).content.decode()
    assert "18/20" in page


def _grow(cell, n: int) -> None:
    members = MemberFactory.create_batch(n, cell=cell)
    resolution = ResolutionFactory.create(cell=cell, period_start=dt.date(YEAR, 3, 1), period_end=dt.date(YEAR, 3, 31))
    for member in members:
        TaskFactory.create(
            resolution=resolution, lead_member=member, deadline=dt.date(YEAR, 3, 20), supporters=members[:2]
        )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize("page", ["cycle-detail", "proposal", "approval"])
def test_the_list_pages_take_the_same_queries_for_a_small_and_a_larger_cell(client_for, make_cycle, tree, page) -> None:
    status = {"cycle-detail": S.SELF_ASSESSMENT, "proposal": S.PROPOSAL, "approval": S.APPROVAL}[page]
    who = "in_charge" if page == "approval" else "secretary"
    _grow(tree.cell_a1, 2)
    cycle = make_cycle(status)
    client = client_for(who)
    url = reverse(f"evaluations:{page}", args=[cycle.pk])
    small = _queries(client, url)
    _grow(tree.cell_a1, 12)
    EvaluationCycle.objects.filter(pk=cycle.pk).delete()
    cycle = make_cycle(status)
    url = reverse(f"evaluations:{page}", args=[cycle.pk])
    assert cycle.evaluations.count() == 18
    assert _queries(client, url) == small


def test_the_cycle_page_shows_each_members_evidence(client_for, make_cycle, people, tree) -> None:
    resolution = ResolutionFactory.create(
        cell=tree.cell_a1, period_start=dt.date(YEAR, 3, 1), period_end=dt.date(YEAR, 3, 31)
    )
    TaskFactory.create(
        resolution=resolution,
        lead_member=people["member"].member,
        deadline=dt.date(YEAR, 3, 20),
        status="done",
        completed_on=dt.date(YEAR, 3, 25),
    )
    cycle = make_cycle(S.SELF_ASSESSMENT)
    page = client_for("secretary").get(reverse("evaluations:cycle-detail", args=[cycle.pk])).content.decode()
    text = re.sub(r"\s+", " ", page)
    assert "1: 0 đúng hạn, 1 trễ hạn" in text


def test_the_home_page_takes_the_same_queries_for_one_cycle_or_several(client_for, make_cycle, tree, people) -> None:
    make_cycle(S.OPEN)
    client = client_for("standing")
    url = reverse("evaluations:home")
    one = _queries(client, url)
    for cell in (tree.cell_a1, tree.cell_a2):
        EvaluationCycle.objects.create(cell=cell, year=YEAR + 1)
    EvaluationCycle.objects.create(cell=tree.cell_a2, year=YEAR)
    assert EvaluationCycle.objects.count() == 4
    assert _queries(client, url) == one


def test_the_cycle_page_names_each_members_levels_in_the_requests_language(client_for, make_cycle) -> None:
    cycle = make_cycle(S.CLOSED)
    evaluations = list(cycle.evaluations.all())
    assert evaluations
    assert all(e.proposed_level and e.approved_level for e in evaluations)
    url = reverse("evaluations:cycle-detail", args=[cycle.pk])
    for language in ("vi", "en"):
        page = client_for("secretary").get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        with translation.override(language):
            proposed, approved = gettext("Proposed"), gettext("Approved")
            for e in evaluations:
                assert f'<td data-label="{proposed}">{e.get_proposed_level_display()}</td>' in page
                assert f'<td data-label="{approved}">{e.get_approved_level_display()}</td>' in page
