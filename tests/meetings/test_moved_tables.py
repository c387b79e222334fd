"""The meeting's models moved from resolutions to meetings with their tables: rows written before the move
(history included) are read through the new models after it, content types follow, and the move goes back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from meetings.models import Attendance, Meeting, MonthlyReview, Vote
from tests.factories import MemberFactory
from tests.resolutions.factories import ResolutionFactory

OLD = [("resolutions", "0020_task_lead_is_not_follower"), ("meetings", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _leaves() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _write_before_the_move(apps, cell, member, resolution) -> dict[str, int]:
    """Rows as the old resolutions models wrote them: a meeting, its attendance, a review, a vote naming a member
    absent with a reason, and their history rows."""
    old = {name: apps.get_model("resolutions", name) for name in ("Meeting", "Attendance", "MonthlyReview", "Vote")}
    meeting = old["Meeting"].objects.create(
        cell_id=cell.pk, date=dt.date(2026, 3, 5), starts_at=dt.time(19, 30), place="Nhà văn hóa khu phố"
    )
    attendance = old["Attendance"].objects.create(meeting_id=meeting.pk, member_id=member.pk, status="late")
    review = old["MonthlyReview"].objects.create(meeting_id=meeting.pk, resolution_id=resolution.pk, results="Đạt")
    vote = old["Vote"].objects.create(
        resolution_id=resolution.pk,
        meeting_id=meeting.pk,
        held_on=meeting.date,
        official_count=10,
        entitled_count=9,
        present_count=9,
        votes_for=8,
        votes_against=1,
        votes_abstain=0,
        adopted=True,
        explanation="8/9",
    )
    vote.absent_with_reason.add(member.pk)
    now = timezone.now()
    history = {"history_date": now, "history_type": "+", "history_change_reason": "trước khi chuyển"}
    historical_meeting = apps.get_model("resolutions", "HistoricalMeeting").objects.create(
        id=meeting.pk,
        cell_id=cell.pk,
        date=meeting.date,
        starts_at=meeting.starts_at,
        place=meeting.place,
        created_at=now,
        **history,
    )
    historical_vote = apps.get_model("resolutions", "HistoricalVote").objects.create(
        id=vote.pk,
        resolution_id=resolution.pk,
        meeting_id=meeting.pk,
        held_on=vote.held_on,
        official_count=10,
        entitled_count=9,
        votes_for=8,
        votes_against=1,
        votes_abstain=0,
        adopted=True,
        explanation="8/9",
        recorded_at=now,
        **history,
    )
    apps.get_model("resolutions", "HistoricalVote_absent_with_reason").objects.create(
        id=1, history_id=historical_vote.pk, vote_id=vote.pk, member_id=member.pk
    )
    return {
        "meeting": meeting.pk,
        "attendance": attendance.pk,
        "review": review.pk,
        "vote": vote.pk,
        "historical_meeting": historical_meeting.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_after_it_and_the_move_goes_back(tree) -> None:
    member = MemberFactory.create(cell=tree.cell_a1)
    resolution = ResolutionFactory.create(cell=tree.cell_a1)
    leaves = _leaves()
    executor = _migrate(OLD)
    try:
        old_apps = executor.loader.project_state(OLD[:1]).apps
        # The content types as the old database had them: under resolutions.
        ContentType.objects.filter(app_label="meetings").update(app_label="resolutions")
        meeting_type = ContentType.objects.get(app_label="resolutions", model="meeting").pk
        pks = _write_before_the_move(old_apps, tree.cell_a1, member, resolution)

        executor = _migrate(leaves)
        ContentType.objects.clear_cache()
        meeting = Meeting.objects.get(pk=pks["meeting"])
        assert (meeting.cell, meeting.place) == (tree.cell_a1, "Nhà văn hóa khu phố")
        assert Attendance.objects.get(pk=pks["attendance"]).status == Attendance.Status.LATE
        assert MonthlyReview.objects.get(pk=pks["review"]).resolution == resolution
        vote = Vote.objects.get(pk=pks["vote"])
        assert (vote.meeting, vote.resolution, list(vote.absent_with_reason.all())) == (meeting, resolution, [member])
        assert list(resolution.votes.all()) == [vote]
        assert [h.history_id for h in meeting.history.all()] == [pks["historical_meeting"]]
        assert meeting.history.get().history_change_reason == "trước khi chuyển"
        (historical_vote,) = vote.history.all()
        assert [row.member_id for row in historical_vote.absent_with_reason.all()] == [member.pk]
        moved = ContentType.objects.get(pk=meeting_type)
        assert (moved.app_label, moved.model_class()) == ("meetings", Meeting)
        assert not ContentType.objects.filter(app_label="resolutions", model__in=["meeting", "vote"]).exists()

        executor = _migrate(OLD)
        back_apps = executor.loader.project_state(OLD[:1]).apps
        assert back_apps.get_model("resolutions", "Meeting").objects.get(pk=pks["meeting"]).place == meeting.place
        assert back_apps.get_model("resolutions", "Vote").objects.get(pk=pks["vote"]).votes_for == 8
        assert ContentType.objects.get(pk=meeting_type).app_label == "resolutions"
    finally:
        _migrate(leaves)
        ContentType.objects.clear_cache()
