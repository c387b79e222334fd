"""A cell with something of every kind, and the same things in another cell whose ids hostile posts try."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from evaluations.models import EmulationCriterion, EvaluationCycle
from evaluations.services import open_cycle, take_step
from inspections.models import Inspection
from meetings.models import Meeting, Vote
from meetings.services import plan_meeting, request_absence
from members.models import AwayPeriod, Exemption, MassOrganisation, Member, ResidentialGroup, today
from propagandists.models import Propagandist
from propagandists.services import save_entry
from resolutions.models import ProgressUpdate, Resolution
from tests.factories import MemberFactory
from tests.resolutions.factories import ResolutionFactory, TargetFactory, TaskFactory


@dataclass
class World:
    member: Member  # the plain member of cell A1, with a login
    ward_id: int  # the ward above cell A1
    other_member: Member  # of cell B1
    draft: Resolution
    live: Resolution
    submitted: Resolution
    probationary: Member
    foreign_resolution: Resolution
    meeting: Meeting
    held_meeting: Meeting
    foreign_meeting: Meeting
    absence_id: int
    update: ProgressUpdate
    cycle: EvaluationCycle
    proposal_cycle: EvaluationCycle
    inspection: Inspection
    running_inspection: Inspection
    propagandist: Propagandist
    exemption: Exemption
    away: AwayPeriod
    vote: Vote  # a vote on ``submitted`` that did not adopt it: it can be corrected

    def foreign_ids(self) -> dict[str, list[str]]:
        """Ids of cell B1's objects, by the form field names that take such ids."""
        member = [str(self.other_member.pk)]
        resolution = [str(self.foreign_resolution.pk)]
        group = [
            str(pk) for pk in ResidentialGroup.objects.filter(cell=self.other_member.cell).values_list("pk", flat=True)
        ]
        return {
            "member": member,
            "lead_member": member,
            "supporters": member,
            "follower": member,
            "chair": member,
            "recorder": member,
            "speaker": member,
            "about": member,
            "subject_member": member,
            "absent_with_reason": member,
            "absent_without_reason": member,
            "exempt_present": member,
            "resolution": resolution,
            "upper_resolutions": resolution,
            "task": [str(pk) for pk in self.foreign_resolution.tasks.values_list("pk", flat=True)],
            "meeting": [str(self.foreign_meeting.pk)],
            "residential_group": group,
            "areas": group,
            "to_cell": [str(self.other_member.cell_id)],
        }


@pytest.fixture
def world(tree, people) -> World:
    a1, b1 = tree.cell_a1, tree.cell_b1
    secretary = people["secretary"]
    member = Member.objects.get(user=people["member"])
    for cell in (a1, b1):
        ResidentialGroup.objects.create(cell=cell, name=f"Tổ tự quản {cell.code}")
        MassOrganisation.objects.create(cell=cell, kind=MassOrganisation.Kind.WOMEN, name=f"Hội Phụ nữ {cell.code}")
    other_member = MemberFactory.create(cell=b1, full_name="Phạm Văn Bình")
    draft = ResolutionFactory.create(cell=a1, status=Resolution.Status.DRAFT)
    TaskFactory.create(resolution=draft, lead_member=member)
    TargetFactory.create(resolution=draft)
    live = ResolutionFactory.create(cell=a1, status=Resolution.Status.IN_PROGRESS)
    task = TaskFactory.create(resolution=live, lead_member=member)
    update = ProgressUpdate.objects.create(task=task, author=member, status="in_progress", progress=40, note="Đã làm")
    submitted = ResolutionFactory.create(cell=a1, status=Resolution.Status.SUBMITTED)
    probationary = MemberFactory.create(
        cell=a1, full_name="Võ Thị Lan", admitted_on=today() - dt.timedelta(days=400), official_on=None
    )
    foreign_resolution = ResolutionFactory.create(cell=b1, status=Resolution.Status.DRAFT)
    TaskFactory.create(resolution=foreign_resolution, lead_member=other_member)
    times = {"kind": "regular", "starts_at": dt.time(19, 30), "ends_at": dt.time(21, 30), "place": "Nhà văn hóa"}
    meeting = plan_meeting(cell=a1, by=secretary, date=today() + dt.timedelta(days=5), **times)
    held_meeting = plan_meeting(cell=a1, by=secretary, date=today() - dt.timedelta(days=3), **times)
    foreign_meeting = plan_meeting(cell=b1, by=people["other_secretary"], date=today(), **times)
    absence = request_absence(meeting=meeting, member=member, reason="Đi công tác")
    year = today().year - 1
    cycle = open_cycle(cell=a1, year=year, by=secretary)
    take_step(cycle=cycle, step="self_assessment", by=secretary)
    EmulationCriterion.objects.create(cycle=cycle, order=1, text="Hoàn thành chỉ tiêu", max_points=10)
    EmulationCriterion.objects.create(cycle=cycle, order=2, text="Không có giới hạn điểm")
    proposal_cycle = open_cycle(cell=tree.cell_a2, year=year, by=people["admin"])
    take_step(cycle=proposal_cycle, step="self_assessment", by=people["admin"])
    take_step(cycle=proposal_cycle, step="proposal", by=people["admin"])
    subject = {"subject_org": a1, "body_org": a1, "body": Inspection.Body.CELL_COMMITTEE}
    dates = {"planned_start": today() - dt.timedelta(days=20), "planned_end": today() + dt.timedelta(days=10)}
    inspection = Inspection.objects.create(title="Kiểm tra việc thực hiện nghị quyết", **subject, **dates)
    running = Inspection.objects.create(
        title="Giám sát sinh hoạt chi bộ",
        status=Inspection.Status.IN_PROGRESS,
        actual_start=today() - dt.timedelta(days=10),
        **subject,
        **dates,
    )
    propagandist = save_entry(
        entry=Propagandist(cell=a1, member=member, starts_on=today() - dt.timedelta(days=100)), topics=["law"], areas=[]
    )
    exemption = Exemption.objects.create(
        member=member, starts_on=today() - dt.timedelta(days=400), ends_on=today() - dt.timedelta(days=300), reason="Ốm"
    )
    away = AwayPeriod.objects.create(
        member=member, kind=AwayPeriod.Kind.WORKING_AWAY, starts_on=today() - dt.timedelta(days=200), place="Hà Nội"
    )
    return World(
        member=member,
        ward_id=tree.ward_a.pk,
        other_member=other_member,
        draft=draft,
        live=live,
        submitted=submitted,
        probationary=probationary,
        foreign_resolution=foreign_resolution,
        meeting=meeting,
        held_meeting=held_meeting,
        foreign_meeting=foreign_meeting,
        absence_id=absence.pk,
        update=update,
        cycle=cycle,
        proposal_cycle=proposal_cycle,
        inspection=inspection,
        running_inspection=running,
        propagandist=propagandist,
        exemption=exemption,
        away=away,
        vote=Vote.objects.create(
            resolution=submitted,
            held_on=today() - dt.timedelta(days=3),
            official_count=5,
            entitled_count=5,
            present_count=4,
            votes_for=2,
            votes_against=2,
            votes_abstain=0,
            adopted=False,
            explanation="2/5",
        ),
    )
