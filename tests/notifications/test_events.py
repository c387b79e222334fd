"""Events told at once: who is told of a task assigned, a report waiting or decided, a meeting invitation and an
absence decided; no one else, never the one who acted, once per event; by email unless muted or in the digest;
the bell counts them and every link opens for its recipient."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from meetings.models import Meeting
from meetings.services import decide_absence, plan_meeting, request_absence
from members.models import Exemption, Member, today
from notifications import events
from notifications.models import Delivery, Kind, Notification, Preference
from resolutions.models import ProgressUpdate, Resolution, Task
from resolutions.services import FLOW, create_resolution, post_update
from tests.factories import MemberFactory, UserFactory
from tests.resolutions.test_drafting import edit_data, task_row


@dataclass
class World:
    resolution: Resolution
    task: Task
    lead: Member
    helper: Member
    follower: Member  # the cell committee member who follows the task
    people: dict


@pytest.fixture
def world(tree, people) -> World:
    """Cell A1 with a submitted resolution: one task led by "lead", supported by "helper", followed by the cell
    committee member. Every account has an email address."""
    for user in people.values():
        user.email = f"{user.username}@example.vn"
        user.save()
    lead = MemberFactory.create(cell=tree.cell_a1, user=UserFactory.create(username="lead", email="lead@example.vn"))
    helper = MemberFactory.create(
        cell=tree.cell_a1, user=UserFactory.create(username="helper", email="helper@example.vn")
    )
    resolution = create_resolution(
        cell=tree.cell_a1,
        by=people["secretary"],
        kind="monthly",
        period_start=today().replace(day=1),
        period_end=today() + dt.timedelta(days=10),
        title="Tháng 11",
    )
    task = Task.objects.create(
        resolution=resolution,
        title="Vận động hộ gia đình ký cam kết",
        deadline=today() + dt.timedelta(days=10),
        lead_member=lead,
        follower=people["committee"].member,
    )
    task.supporters.set([helper])
    Resolution.objects.filter(pk=resolution.pk).update(status=Resolution.Status.SUBMITTED)
    resolution.refresh_from_db()
    return World(resolution, task, lead, helper, people["committee"].member, people)


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def mailed_to() -> set[str]:
    return {address.split("@")[0] for message in mail.outbox for address in message.to}


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run the block's writes with the emails they queue after commit sent (eager Celery in tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# ---------------------------------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------------------------------


def adopt(world: World) -> None:
    """Adoption, the one way a resolution comes into force (``record_vote`` and ``correct_vote`` both go here)."""
    FLOW.move(world.resolution, Resolution.Status.ADOPTED, by=world.people["secretary"], note="Biểu quyết thông qua")


def test_adoption_tells_each_member_their_part_in_the_tasks(world: World, sent) -> None:
    Task.objects.create(  # the secretary leads one herself: she adopted it, she is not told
        resolution=world.resolution,
        title="Thu quỹ",
        deadline=today() + dt.timedelta(days=5),
        lead_member=world.people["secretary"].member,
    )
    with sent():
        adopt(world)
    assert told(Kind.TASK_ASSIGNED) == {"lead", "helper", "committee"}
    bodies = {n.recipient.username: n.body for n in Notification.objects.select_related("recipient")}
    assert "được giao chủ trì nhiệm vụ “Vận động hộ gia đình ký cam kết”" in bodies["lead"]
    assert "phối hợp" in bodies["helper"]
    assert "theo dõi" in bodies["committee"]
    assert "xác nhận các báo cáo tiến độ" in bodies["committee"]
    assert "xác nhận" not in bodies["lead"]
    assert mailed_to() == {"lead", "helper", "committee"}
    [message] = [m for m in mail.outbox if m.to == ["lead@example.vn"]]
    assert message.subject == "Nhiệm vụ được giao: Vận động hộ gia đình ký cam kết"
    assert reverse("resolutions:task-detail", args=[world.task.pk]) in message.body


def test_a_draft_being_edited_tells_no_one(client_for, world: World, sent) -> None:
    Resolution.objects.filter(pk=world.resolution.pk).update(status=Resolution.Status.DRAFT)
    world.resolution.refresh_from_db()
    data = edit_data(world.resolution, tasks=[task_row("Phun thuốc diệt muỗi", world.people["member"].member)])
    with sent():
        response = client_for("secretary").post(
            reverse("resolutions:resolution-edit", args=[world.resolution.pk]), data
        )
    assert response.status_code == 302
    assert world.resolution.tasks.count() == 2
    assert not Notification.objects.exists()
    assert not mail.outbox


def test_an_amendment_tells_only_those_newly_named(client_for, world: World, sent) -> None:
    adopt(world)
    Notification.objects.all().delete()
    newcomer = world.people["member"].member
    url = reverse("resolutions:resolution-edit", args=[world.resolution.pk])
    data = edit_data(world.resolution, tasks=[task_row("Phun thuốc diệt muỗi", newcomer)], reason="Dịch sốt xuất huyết")
    data["tasks-0-supporters"] = [world.helper.pk, world.people["deputy"].member.pk]
    with sent():
        assert client_for("secretary").post(url, data).status_code == 302
    assert told(Kind.TASK_ASSIGNED) == {"member", "deputy"}
    assert mailed_to() == {"member", "deputy"}
    # Saved again unchanged (another amendment): no one is told again.
    world.resolution.refresh_from_db()
    with sent():
        assert client_for("secretary").post(url, edit_data(world.resolution, reason="Sửa câu chữ")).status_code == 302
    assert Notification.objects.count() == 2


# ---------------------------------------------------------------------------------------------------
# Progress reports
# ---------------------------------------------------------------------------------------------------


def report(world: World, by: Member, progress: int = 40) -> ProgressUpdate:
    client = client_of(by.user)
    payload = {"status": "in_progress", "progress": str(progress), "note": "Đã vận động 20 hộ ký cam kết."}
    response = client.post(reverse("resolutions:task-detail", args=[world.task.pk]), payload)
    assert response.status_code == 302
    update = ProgressUpdate.objects.filter(task=world.task).order_by("-pk").first()
    assert update is not None
    return update


def test_a_report_waits_with_the_secretaries_and_the_follower(world: World, sent) -> None:
    adopt(world)
    Notification.objects.all().delete()
    mail.outbox.clear()
    with sent():
        update = report(world, world.lead)
    assert told(Kind.REPORT_WAITING) == {"secretary", "deputy", "committee"}
    assert Notification.objects.count() == 3  # no one else: not the reporter, nor the ward
    n = Notification.objects.get(recipient=world.people["secretary"])
    assert n.object_ref == f"update:{update.pk}"
    assert n.url == reverse("resolutions:task-detail", args=[world.task.pk]) + f"#update-{update.pk}"
    assert "đã báo cáo nhiệm vụ “Vận động hộ gia đình ký cam kết”" in n.body
    assert "40%" in n.body
    assert mailed_to() == {"secretary", "deputy", "committee"}
    # A second report the same day is a new event: told again.
    with sent():
        report(world, world.lead, progress=60)
    assert Notification.objects.filter(kind=Kind.REPORT_WAITING).count() == 6


def test_a_secretary_reporting_herself_is_not_asked_to_confirm(world: World, sent) -> None:
    adopt(world)
    with sent():
        report(world, world.people["secretary"].member)
    assert told(Kind.REPORT_WAITING) == {"deputy", "committee"}


def test_the_same_event_told_twice_makes_one_message_and_one_email(world: World, sent) -> None:
    adopt(world)
    update = post_update(task=world.task, author=world.lead, status="in_progress", progress=30)
    mail.outbox.clear()
    with sent():
        assert events.tell(events.report_waiting_drafts(update)) == 0
        assert events.tell(events.report_waiting_drafts(update)) == 0
    assert Notification.objects.filter(kind=Kind.REPORT_WAITING).count() == 3
    assert Delivery.objects.filter(notification__kind=Kind.REPORT_WAITING).count() == 3


@pytest.mark.parametrize(
    ("decision", "note", "subject", "in_body"),
    [
        ("confirm", "", "Báo cáo đã được xác nhận: Vận động hộ gia đình ký cam kết", "đã được xác nhận"),
        ("send_back", "Thiếu danh sách hộ", "Báo cáo bị trả lại: Vận động hộ gia đình ký cam kết", "Thiếu danh sách"),
    ],
)
def test_a_decided_report_tells_the_reporter(
    client_for, world: World, sent, decision: str, note: str, subject: str, in_body: str
) -> None:
    adopt(world)
    update = report(world, world.lead)
    Notification.objects.all().delete()
    mail.outbox.clear()
    with sent():
        response = client_for("committee").post(
            reverse("resolutions:update-review", args=[update.pk]), {"decision": decision, "note": note}
        )
    assert response.status_code == 302
    [n] = Notification.objects.all()
    assert (n.recipient.username, n.kind, n.subject) == ("lead", Kind.REPORT_DECIDED, subject)
    assert in_body in n.body
    [message] = mail.outbox
    assert (message.to, message.subject) == (["lead@example.vn"], subject)


# ---------------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------------


def plan(world: World, day: dt.date) -> Meeting:
    return plan_meeting(
        cell=world.resolution.cell,
        by=world.people["secretary"],
        kind="regular",
        date=day,
        starts_at=dt.time(19, 30),
        ends_at=dt.time(21, 30),
        place="Nhà văn hóa khu phố 1",
    )


def test_planning_a_meeting_invites_everyone_told_of_the_cells_meetings(world: World, tree, sent) -> None:
    exempt = MemberFactory.create(
        cell=tree.cell_a1, user=UserFactory.create(username="exempt", email="exempt@example.vn")
    )
    Exemption.objects.create(member=exempt, starts_on=today() - dt.timedelta(days=90), reason="Tuổi cao")
    with sent():
        meeting = plan(world, today() + dt.timedelta(days=5))
    # The cell's members with an account and the ward member in charge; not the secretary who planned it, not the
    # exempt member, not the standing committee nor another cell.
    assert told(Kind.MEETING_INVITED) == {"deputy", "committee", "member", "lead", "helper", "in_charge"}
    n = Notification.objects.get(recipient__username="member")
    assert n.subject == f"Giấy mời sinh hoạt chi bộ ngày {meeting.date:%d/%m/%Y} lúc 19:30"
    assert "tại Nhà văn hóa khu phố 1" in n.body
    assert n.url == reverse("meetings:meeting-detail", args=[meeting.pk])
    assert mailed_to() == {"deputy", "committee", "member", "lead", "helper", "in_charge"}


def test_a_meeting_recorded_after_the_day_invites_no_one(world: World) -> None:
    plan(world, today() - dt.timedelta(days=1))
    assert not Notification.objects.exists()


def meeting_edit_data(meeting: Meeting, **changes: str) -> dict[str, object]:
    items = list(meeting.agenda_items.all())
    data: dict[str, object] = {
        "meeting-kind": "regular",
        "meeting-date": meeting.date.strftime("%d/%m/%Y"),
        "meeting-starts_at": "19:30",
        "meeting-ends_at": "21:30",
        "meeting-place": meeting.place,
        "agenda-TOTAL_FORMS": len(items),
        "agenda-INITIAL_FORMS": len(items),
        "agenda-MIN_NUM_FORMS": 0,
        "agenda-MAX_NUM_FORMS": 1000,
        **changes,
    }
    for i, item in enumerate(items):
        data.update({f"agenda-{i}-id": item.pk, f"agenda-{i}-order": item.order, f"agenda-{i}-title": item.title})
    return data


def test_a_meeting_moved_sends_a_new_invitation_and_other_edits_do_not(client_for, world: World, sent) -> None:
    meeting = plan(world, today() + dt.timedelta(days=5))
    url = reverse("meetings:meeting-edit", args=[meeting.pk])
    client = client_for("secretary")
    with sent():
        response = client.post(url, meeting_edit_data(meeting, **{"conclusion-conclusion": "Dự kiến kết luận"}))
    assert response.status_code == 302
    assert Notification.objects.filter(recipient__username="member").count() == 1
    mail.outbox.clear()
    with sent():
        response = client.post(url, meeting_edit_data(meeting, **{"meeting-starts_at": "08:00"}))
    assert response.status_code == 302
    latest = Notification.objects.filter(recipient__username="member").order_by("-pk")
    assert latest.count() == 2
    assert latest[0].subject == f"Thay đổi lịch sinh hoạt chi bộ: nay vào ngày {meeting.date:%d/%m/%Y} lúc 08:00"
    assert "secretary" not in told(Kind.MEETING_INVITED)
    assert mailed_to() == {"deputy", "committee", "member", "lead", "helper", "in_charge"}


@pytest.mark.parametrize(("approve", "words"), [(True, "đã được duyệt"), (False, "không được duyệt: Họp quan trọng")])
def test_an_absence_decision_tells_the_member(world: World, sent, approve: bool, words: str) -> None:
    meeting = plan(world, today() + dt.timedelta(days=5))
    Notification.objects.all().delete()
    mail.outbox.clear()
    request = request_absence(meeting=meeting, member=world.lead, reason="Đi công tác")
    assert not Notification.objects.exists()  # asking is not an event for anyone's bell
    with sent():
        decide_absence(request=request, approve=approve, by=world.people["secretary"], refusal_reason="Họp quan trọng")
    [n] = Notification.objects.all()
    assert (n.recipient.username, n.kind, n.object_ref) == ("lead", Kind.ABSENCE_DECIDED, f"absence:{request.pk}")
    assert words in n.body
    assert n.url == reverse("meetings:meeting-detail", args=[meeting.pk])
    assert mailed_to() == {"lead"}


# ---------------------------------------------------------------------------------------------------
# Mute, digest, the bell, the links
# ---------------------------------------------------------------------------------------------------


def test_a_muted_kind_makes_nothing_and_the_digest_holds_back_the_email(world: World, sent) -> None:
    adopt(world)
    Notification.objects.all().delete()
    mail.outbox.clear()
    Preference.objects.create(user=world.people["deputy"], muted_kinds=[Kind.REPORT_WAITING])
    Preference.objects.create(user=world.people["committee"], daily_digest=True)
    with sent():
        report(world, world.lead)
    assert told(Kind.REPORT_WAITING) == {"secretary", "committee"}  # the deputy muted these
    assert mailed_to() == {"secretary"}  # the follower reads it in the app, and in tomorrow's summary
    assert not Delivery.objects.filter(notification__recipient=world.people["committee"]).exists()


def test_the_bell_rings_and_the_list_shows_the_message(client_for, world: World) -> None:
    adopt(world)
    client = client_for("secretary")
    assert "badge" not in client.get(reverse("notifications:notification-count")).content.decode()
    report(world, world.lead)
    count = client.get(reverse("notifications:notification-count")).content.decode()
    assert ">1<" in count
    page = client.get(reverse("notifications:notification-list")).content.decode()
    assert "Báo cáo tiến độ chờ xác nhận: Vận động hộ gia đình ký cam kết" in page
    n = Notification.objects.get(recipient=world.people["secretary"])
    assert reverse("notifications:notification-open", args=[n.pk]) in page


def test_every_link_opens_for_its_recipient(client_for, world: World) -> None:
    """Every kind of event, then each recipient follows each of their messages to a page they may open."""
    adopt(world)
    update = report(world, world.lead)
    client_for("committee").post(reverse("resolutions:update-review", args=[update.pk]), {"decision": "confirm"})
    meeting = plan(world, today() + dt.timedelta(days=5))
    client_for("secretary").post(
        reverse("meetings:meeting-edit", args=[meeting.pk]), meeting_edit_data(meeting, **{"meeting-place": "Sân"})
    )
    request = request_absence(meeting=meeting, member=world.helper, reason="Đi công tác")
    decide_absence(request=request, approve=True, by=world.people["secretary"])
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {
        Kind.TASK_ASSIGNED,
        Kind.REPORT_WAITING,
        Kind.REPORT_DECIDED,
        Kind.MEETING_INVITED,
        Kind.ABSENCE_DECIDED,
    }
    for n in Notification.objects.select_related("recipient"):
        client = client_of(n.recipient)
        opened = client.get(reverse("notifications:notification-open", args=[n.pk]))
        assert opened.status_code == 302
        assert opened["Location"] == n.url
        assert client.get(n.url).status_code == 200, (n.recipient.username, n.kind, n.url)
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_new_kinds_can_be_muted(client_for, world: World) -> None:
    page = client_for("member").get(reverse("notifications:notification-settings")).content.decode()
    for kind in (Kind.TASK_ASSIGNED, Kind.REPORT_WAITING, Kind.REPORT_DECIDED, Kind.MEETING_INVITED):
        assert f'value="{kind.value}"' in page
    assert f'value="{Kind.ABSENCE_DECIDED.value}"' in page
