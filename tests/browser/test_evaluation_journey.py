"""On a phone: a member writes the year's self-assessment beside the evidence of their year, the secretary
proposes levels seeing that evidence and has the cell vote, and the ward member in charge approves; the ward cannot
approve one "excellent" more than a fifth of the "well completed"."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from evaluations.models import EvaluationCycle
from evaluations.services import open_cycle, record_vote, save_proposal, take_step
from tests.browser.conftest import expect_fits_the_screen, log_in_as
from tests.factories import MemberFactory
from tests.resolutions.factories import ResolutionFactory, TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2025


def test_self_assessment_proposal_vote_and_approval(live_server, page: Page, tree, people) -> None:
    cell = tree.cell_a1
    member = people["member"].member
    resolution = ResolutionFactory.create(cell=cell, period_start=dt.date(YEAR, 3, 1), period_end=dt.date(YEAR, 3, 31))
    TaskFactory.create(
        resolution=resolution,
        lead_member=member,
        deadline=dt.date(YEAR, 3, 20),
        status="done",
        completed_on=dt.date(YEAR, 3, 27),
    )
    cycle = open_cycle(cell=cell, year=YEAR, by=people["secretary"])
    take_step(cycle=cycle, step="self_assessment", by=people["secretary"])

    # The member writes the self-assessment, the evidence of the year beside it.
    log_in_as(page, live_server.url, "member")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Đánh giá, xếp loại").click()
    page.get_by_role("link", name=f"Tự kiểm điểm năm {YEAR}").click()
    expect(page.locator("aside")).to_contain_text("1: 0 đúng hạn, 1 trễ hạn")
    page.get_by_label("Ưu điểm").fill("Nhiệt tình, gần dân.")
    page.get_by_label("Hạn chế, khuyết điểm").fill("Có việc hoàn thành trễ hạn.")
    page.get_by_label("Phương hướng khắc phục").fill("Lập kế hoạch sớm hơn.")
    page.get_by_label("Tự nhận mức xếp loại").select_option("good")
    page.get_by_role("button", name="Lưu bản tự kiểm điểm").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu bản tự kiểm điểm")

    # The secretary closes the self-assessment and proposes levels, seeing the evidence and what was written.
    log_in_as(page, live_server.url, "secretary")
    page.goto(live_server.url + f"/evaluations/{cycle.pk}/")
    expect(page.locator("main")).to_contain_text("1/4 đảng viên đã nộp bản tự kiểm điểm")
    page.get_by_role("button", name="Kết thúc tự kiểm điểm, chuyển chi ủy đề xuất").click()
    page.get_by_role("link", name="Đề xuất xếp loại").click()
    card = page.locator(".card", has_text="Đảng viên member")
    expect(card).to_contain_text("1: 0 đúng hạn, 1 trễ hạn")
    card.get_by_text("Xem bản tự kiểm điểm").click()
    expect(card).to_contain_text("Có việc hoàn thành trễ hạn.")
    for name in ("secretary", "deputy", "committee"):
        page.get_by_label(f"Mức đề xuất cho Đảng viên {name}").select_option("good")
    page.get_by_label("Mức đề xuất cho Đảng viên member").select_option("done")
    page.get_by_label("Nhận xét của chi ủy").last.fill("")
    page.get_by_label("Mức xếp loại đề xuất cho chi bộ").select_option("good")
    page.get_by_role("button", name="Lưu đề xuất").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu đề xuất")
    page.goto(live_server.url + f"/evaluations/{cycle.pk}/")
    page.get_by_role("button", name="Đưa danh sách ra chi bộ biểu quyết").click()
    page.get_by_role("link", name="Ghi kết quả chi bộ biểu quyết").click()
    page.locator("#id_votes_for").fill("4")
    page.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(page.get_by_role("alert").first).to_contain_text("Thông qua")

    # The ward member in charge approves.
    log_in_as(page, live_server.url, "in_charge")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Đánh giá, xếp loại").click()
    page.get_by_role("link", name=cell.name).click()
    page.get_by_role("link", name="Phê duyệt kết quả xếp loại").click()
    expect(page.locator("main")).to_contain_text("Hoàn thành nhiệm vụ")
    page.get_by_role("button", name="Phê duyệt kết quả xếp loại").click()
    page.get_by_role("dialog").get_by_role("button", name="Đồng ý phê duyệt").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã phê duyệt kết quả xếp loại")

    cycle.refresh_from_db()
    assert cycle.status == EvaluationCycle.Status.CLOSED
    assert cycle.evaluations.get(member=member).approved_level == "done"
    assert cycle.cell_approved_level == "good"


def test_the_ward_cannot_approve_one_excellent_too_many(live_server, page: Page, tree, people) -> None:
    """Ten members proposed and voted: one "excellent" with nine "well completed" (20% of 9 allows 1). The ward
    member in charge raises one more to "excellent" (2 with 8: at most 1) and is refused, with the numbers."""
    cell = tree.cell_a1
    for index in range(6):
        MemberFactory.create(cell=cell, full_name=f"Đảng viên thêm {index}", admitted_on=dt.date(2010, 1, 1))
    cycle = open_cycle(cell=cell, year=YEAR, by=people["secretary"])
    take_step(cycle=cycle, step="self_assessment", by=people["secretary"])
    take_step(cycle=cycle, step="proposal", by=people["secretary"])
    secretary = people["secretary"].member
    levels = {e.pk: ("excellent" if e.member_id == secretary.pk else "good", "") for e in cycle.evaluations.all()}
    assert len(levels) == 10
    save_proposal(cycle=cycle, levels=levels, cell_fields={"cell_proposed_level": "good"})
    cycle.refresh_from_db()
    take_step(cycle=cycle, step="vote", by=people["secretary"])
    record_vote(
        cycle=cycle,
        day=dt.date(YEAR, 12, 20),
        votes_for=10,
        votes_against=0,
        votes_abstain=0,
        absent_with_reason=set(),
        by=people["secretary"],
    )
    assert cycle.status == EvaluationCycle.Status.APPROVAL

    log_in_as(page, live_server.url, "in_charge")
    page.goto(live_server.url + f"/evaluations/{cycle.pk}/approval/")
    expect_fits_the_screen(page, "Phê duyệt kết quả xếp loại")
    page.get_by_label("Mức xếp loại phê duyệt cho Đảng viên member").select_option("excellent")
    page.get_by_role("button", name="Phê duyệt kết quả xếp loại").click()
    page.get_by_role("dialog").get_by_role("button", name="Đồng ý phê duyệt").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Chưa lưu: 2 đảng viên xếp loại hoàn thành xuất sắc nhiệm vụ, vượt quá 20% của 8 đảng viên hoàn thành tốt "
        "nhiệm vụ (tối đa 1)."
    )
    cycle.refresh_from_db()
    assert cycle.status == EvaluationCycle.Status.APPROVAL
    assert not cycle.evaluations.exclude(approved_level="").exists()

    # Back to "well completed", the list within the cap is approved.
    page.get_by_label("Mức xếp loại phê duyệt cho Đảng viên member").select_option("good")
    page.get_by_role("button", name="Phê duyệt kết quả xếp loại").click()
    page.get_by_role("dialog").get_by_role("button", name="Đồng ý phê duyệt").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã phê duyệt kết quả xếp loại")
    cycle.refresh_from_db()
    assert cycle.status == EvaluationCycle.Status.CLOSED
    assert cycle.evaluations.filter(approved_level="excellent").count() == 1
