"""The resolution page, "my tasks" and the edit page are kept in the cache (``resolutions.pages``): a second request
reads less, every write the page shows is shown at the next request, each viewer sees the page of their rights,
and the statuses follow the day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from meetings.models import Vote
from meetings.services import plan_meeting
from members.models import AwayPeriod, Member, Organisation, today
from members.services import transfer_member
from resolutions.models import Dissemination, Resolution, StatusChange, Target, Task
from resolutions.services import post_update, review_update
from tests.factories import MemberFactory, UserFactory
from tests.resolutions.factories import ResolutionFactory, TargetFactory, TaskFactory
from tests.resolutions.pages import option_label, same_page, without_csrf
from tests.resolutions.test_drafting import edit_data

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """Cell A1's resolution in force: a task led by a member with a login, supported by another, followed by a
    committee member; a target; the step that started its implementation, taken by the secretary."""

    tree: Any
    people: dict[str, User]
    resolution: Resolution
    task: Task
    lead: Member
    supporter: Member
    target: Target

    def client(self, who: str | Member) -> Client:
        client = Client()
        user = who.user if isinstance(who, Member) else self.people[who]
        assert user is not None
        client.force_login(user)
        return client

    def page(self, client: Client, url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()


@pytest.fixture
def world(tree, people) -> World:
    day = today()
    resolution = ResolutionFactory.create(
        cell=tree.cell_a1,
        status=Resolution.Status.IN_PROGRESS,
        period_start=day.replace(day=1),
        period_end=day.replace(day=1) + dt.timedelta(days=27),
    )
    lead = MemberFactory.create(cell=tree.cell_a1, full_name="Lê Văn An", user=UserFactory.create(username="an"))
    supporter = MemberFactory.create(cell=tree.cell_a1, full_name="Trần Thị Bích")
    task = TaskFactory.create(
        resolution=resolution,
        title="Vận động hộ gia đình ký cam kết",
        lead_member=lead,
        supporters=[supporter],
        follower=Member.objects.get(user=people["committee"]),
        deadline=day + dt.timedelta(days=10),
    )
    target = TargetFactory.create(resolution=resolution, name="Hộ ký cam kết")
    StatusChange.objects.create(
        resolution=resolution, from_status="adopted", to_status="in_progress", by=people["secretary"]
    )
    return World(tree, people, resolution, task, lead, supporter, target)


def detail_url(world: World) -> str:
    return reverse("resolutions:resolution-detail", args=[world.resolution.pk])


# --- the resolution page ---------------------------------------------------------------------------------------


def test_the_resolution_page_is_read_from_the_cache_the_second_time(world, django_assert_num_queries) -> None:
    client = world.client("secretary")
    first = client.get(detail_url(world))
    # session, user, roles with member; the tokens of the organisations the page shows; the resolution; the bell
    with django_assert_num_queries(6):
        again = client.get(detail_url(world))
    assert same_page(first, again)
    assert "Vận động hộ gia đình ký cam kết" in again.content.decode()
    assert 'name="csrfmiddlewaretoken"' in again.content.decode()  # the secretary's forms, with this request's token


def _report_confirmed(world: World) -> str:
    update = post_update(task=world.task, author=world.lead, status="in_progress", progress=60, note="Đã xong 60%")
    review_update(update=update, confirm=True, note="", by=world.people["secretary"])
    return ">60%<"


def _deadline_moved(world: World) -> str:
    world.task.deadline = today() + dt.timedelta(days=20)
    world.task.save()
    return world.task.deadline.strftime("%d/%m/%Y")


def _lead_renamed(world: World) -> str:
    world.lead.full_name = "Lê Văn Ân"
    world.lead.save()
    return "Lê Văn Ân"


def _supporter_added(world: World) -> str:
    world.task.supporters.add(MemberFactory.create(cell=world.tree.cell_a1, full_name="Phạm Văn Cường"))
    return "Phạm Văn Cường"


def _secretary_renamed(world: World) -> str:
    secretary = world.people["secretary"]
    secretary.first_name, secretary.last_name = "Hồng", "Nguyễn Thị"
    secretary.save()
    return secretary.get_full_name()


def _cell_renamed(world: World) -> str:
    cell = Organisation.objects.get(pk=world.tree.cell_a1.pk)
    cell.name = "Chi bộ khu phố Mỹ Thạnh"
    cell.save()
    return "Chi bộ khu phố Mỹ Thạnh"


def _target_reached(world: World) -> str:
    Target.objects.filter(pk=world.target.pk).update(actual_value=87)
    return "87 %"


def _disseminated(world: World) -> str:
    Dissemination.objects.create(
        resolution=world.resolution,
        held_on=today(),
        audience="party_members",
        place="Nhà văn hóa khu phố 1",
        people_reached=30,
    )
    return "Nhà văn hóa khu phố 1"


def _vote_recorded(world: World) -> str:
    Vote.objects.create(
        resolution=world.resolution,
        held_on=today(),
        official_count=9,
        entitled_count=9,
        votes_for=8,
        votes_against=1,
        votes_abstain=0,
        adopted=True,
        explanation="8 phiếu tán thành / 9 đảng viên chính thức",
    )
    return "8 phiếu tán thành / 9 đảng viên chính thức"


def _upper_linked_then_renumbered(world: World) -> str:
    ward = ResolutionFactory.create(cell=world.tree.ward_a, number="07-NQ/ĐU", status=Resolution.Status.ADOPTED)
    world.resolution.upper_resolutions.add(ward)
    assert "07-NQ/ĐU" in world.page(world.client("secretary"), detail_url(world))
    ward.number = "08-NQ/ĐU"  # a write in the ward, not in the cell
    ward.save()
    return "Phường Phú Khương 08-NQ/ĐU"


def _lead_moved_then_renamed(world: World) -> str:
    ward_b = world.tree.cell_b1
    transfer_member(member=world.lead, to_cell=ward_b, on=today(), decision="QĐ 12", by=world.people["admin"])
    assert "Lê Văn An" in world.page(world.client("secretary"), detail_url(world))  # still leads the task
    Member.objects.filter(pk=world.lead.pk).update(full_name="Lê Văn Anh")  # a write in the other cell only
    return "Lê Văn Anh"


@pytest.mark.parametrize(
    "write",
    [
        _report_confirmed,
        _deadline_moved,
        _lead_renamed,
        _supporter_added,
        _secretary_renamed,
        _cell_renamed,
        _target_reached,
        _disseminated,
        _vote_recorded,
        _upper_linked_then_renumbered,
        _lead_moved_then_renamed,
    ],
)
def test_the_resolution_page_shows_each_write_at_the_next_request(world, write: Callable[[World], str]) -> None:
    client = world.client("secretary")
    world.page(client, detail_url(world))
    world.page(client, detail_url(world))  # from the cache
    shown = write(world)
    assert shown in world.page(client, detail_url(world))


@pytest.mark.parametrize("order", [("secretary", "member", "standing"), ("standing", "member", "secretary")])
def test_each_viewer_sees_the_resolution_page_of_their_rights(world, order: tuple[str, ...]) -> None:
    pages = {who: world.page(world.client(who), detail_url(world)) for who in order}
    next_steps, history = "Bước tiếp theo", "Lịch sử thay đổi"
    assert next_steps in pages["secretary"]
    assert history in pages["secretary"]
    assert next_steps not in pages["member"]
    assert history not in pages["member"]
    assert next_steps not in pages["standing"]
    assert history in pages["standing"]


def test_a_kept_resolution_page_is_no_way_round_the_access_rules(world) -> None:
    world.page(world.client("secretary"), detail_url(world))
    assert world.client("other_secretary").get(detail_url(world)).status_code == 404


@pytest.mark.clock("2026-11-18 22:00")
def test_the_resolution_page_follows_the_day(world, clock) -> None:
    world.task.deadline = dt.date(2026, 11, 18)
    world.task.save()
    assert "quá hạn" not in world.page(world.client("member"), detail_url(world))
    clock.move_to("2026-11-19 07:00")  # the next morning: what was kept last night is still kept
    assert "quá hạn" in world.page(world.client("member"), detail_url(world))


# --- my tasks --------------------------------------------------------------------------------------------------


def _my_tasks(world: World, client: Client) -> str:
    return world.page(client, reverse("resolutions:my-tasks"))


def _task_given(world: World) -> str:
    TaskFactory.create(resolution=world.resolution, title="Thu gom rác thải", lead_member=world.lead)
    return "Thu gom rác thải"


def _task_renamed(world: World) -> str:
    Task.objects.filter(pk=world.task.pk).update(title="Vận động 120 hộ ký cam kết")
    return "Vận động 120 hộ ký cam kết"


def _meeting_planned(world: World) -> str:
    plan_meeting(
        cell=world.tree.cell_a1,
        by=world.people["secretary"],
        kind="regular",
        date=today() + dt.timedelta(days=5),
        starts_at=dt.time(19, 30),
        ends_at=dt.time(21, 0),
        place="Nhà văn hóa khu phố 1",
    )
    return "Nhà văn hóa khu phố 1"


def _task_of_the_old_cell_renamed(world: World) -> str:
    transfer_member(member=world.lead, to_cell=world.tree.cell_b1, on=today(), decision="QĐ 12", by=None)
    assert "Vận động hộ gia đình ký cam kết" in _my_tasks(world, world.client(world.lead))  # kept after the move
    Task.objects.filter(pk=world.task.pk).update(title="Vận động 120 hộ ký cam kết")  # a write in the old cell
    return "Vận động 120 hộ ký cam kết"


@pytest.mark.parametrize("write", [_task_given, _task_renamed, _meeting_planned, _task_of_the_old_cell_renamed])
def test_my_tasks_shows_each_write_at_the_next_request(world, write: Callable[[World], str]) -> None:
    client = world.client(world.lead)
    _my_tasks(world, client)
    _my_tasks(world, client)  # from the cache
    shown = write(world)
    assert shown in _my_tasks(world, world.client(world.lead))


def test_a_task_leaves_my_tasks_when_its_resolution_is_completed(world) -> None:
    client = world.client(world.lead)
    assert "Vận động hộ gia đình ký cam kết" in _my_tasks(world, client)
    Resolution.objects.filter(pk=world.resolution.pk).update(status=Resolution.Status.COMPLETED)
    assert "Vận động hộ gia đình ký cam kết" not in _my_tasks(world, client)


def test_each_member_sees_their_own_tasks(world) -> None:
    supporter_user = UserFactory.create(username="bich")
    Member.objects.filter(pk=world.supporter.pk).update(user=supporter_user)
    TaskFactory.create(resolution=world.resolution, title="Thu gom rác thải", lead_member=world.lead)
    lead_page = _my_tasks(world, world.client(world.lead))
    supporter_page = _my_tasks(world, world.client(Member.objects.get(pk=world.supporter.pk)))
    assert "Thu gom rác thải" in lead_page
    assert "Thu gom rác thải" not in supporter_page
    assert "Vận động hộ gia đình ký cam kết" in supporter_page


@pytest.mark.clock("2026-11-18 22:00")
def test_my_tasks_follows_the_day(world, clock) -> None:
    world.task.deadline = dt.date(2026, 11, 18)
    world.task.save()
    assert "quá hạn 1 ngày" not in _my_tasks(world, world.client(world.lead))
    clock.move_to("2026-11-19 07:00")  # the next morning: what was kept last night is still kept
    assert "quá hạn 1 ngày" in _my_tasks(world, world.client(world.lead))


# --- the edit page ---------------------------------------------------------------------------------------------


@pytest.fixture
def draft(world) -> Resolution:
    day = today()
    draft = ResolutionFactory.create(
        cell=world.tree.cell_a1,
        status=Resolution.Status.DRAFT,
        title="Vệ sinh môi trường",
        period_start=day.replace(day=1),
        period_end=day.replace(day=1) + dt.timedelta(days=27),
    )
    TaskFactory.create(resolution=draft, title="Phát quang bụi rậm", lead_member=world.lead, deadline=day)
    return draft


def edit_url(resolution: Resolution) -> str:
    return reverse("resolutions:resolution-edit", args=[resolution.pk])


def _posted(resolution: Resolution, page: str, **fields: Any) -> dict[str, Any]:
    """The edit page's form posted as it was served (its lock version), with ``fields`` changed."""
    data = edit_data(resolution, **fields)
    data["lock_version"] = int(page.split('name="lock_version" value="')[1].split('"')[0])
    return data


def test_a_saved_draft_shows_its_new_values_at_the_next_request(world, draft) -> None:
    client = world.client("secretary")
    page = world.page(client, edit_url(draft))
    assert without_csrf(world.page(client, edit_url(draft))) == without_csrf(page)  # from the cache
    response = client.post(edit_url(draft), _posted(draft, page, title="Vệ sinh môi trường và phòng dịch"))
    assert response.status_code == 302
    again = world.page(client, edit_url(draft))
    assert 'value="Vệ sinh môi trường và phòng dịch"' in again
    assert f'name="lock_version" value="{Resolution.objects.get(pk=draft.pk).lock_version}"' in again
    assert 'name="lock_version" value="0"' in page


def form_of(page: str) -> str:
    """The edit page's form, its CSRF token blanked out (the rest of the page names the viewer)."""
    return without_csrf(page[page.index('<form method="post" novalidate>') : page.index("</form>")])


def test_the_kept_form_posts_with_the_token_of_whoever_it_is_served_to(world, draft) -> None:
    world.page(world.client("secretary"), edit_url(draft))  # kept by the secretary's request
    deputy = Client(enforce_csrf_checks=True)
    deputy.force_login(world.people["deputy"])
    page = world.page(deputy, edit_url(draft))
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    data = {**_posted(draft, page, title="Vệ sinh môi trường và phòng dịch"), "csrfmiddlewaretoken": token}
    assert deputy.post(edit_url(draft), data).status_code == 302
    assert Resolution.objects.get(pk=draft.pk).title == "Vệ sinh môi trường và phòng dịch"


def test_two_secretaries_see_the_current_version(world, draft) -> None:
    secretary, deputy = world.client("secretary"), world.client("deputy")
    first = world.page(secretary, edit_url(draft))
    stale = world.page(deputy, edit_url(draft))  # the same form, from the cache
    assert form_of(first) == form_of(stale)
    saved = secretary.post(edit_url(draft), _posted(draft, first, title="Vệ sinh môi trường và phòng dịch"))
    assert saved.status_code == 302
    current = world.page(deputy, edit_url(draft))
    assert 'value="Vệ sinh môi trường và phòng dịch"' in current
    # The form the deputy read before the save is refused, not saved over the secretary's.
    refused = deputy.post(edit_url(draft), _posted(draft, stale, title="Vệ sinh"))
    assert refused.status_code == 200
    assert "Người khác đã lưu nghị quyết này" in refused.content.decode()
    assert Resolution.objects.get(pk=draft.pk).title == "Vệ sinh môi trường và phòng dịch"


def test_the_kept_form_is_for_those_who_manage_the_cell(world, draft) -> None:
    secretary = world.page(world.client("secretary"), edit_url(draft))
    assert form_of(world.page(world.client("admin"), edit_url(draft))) == form_of(secretary)
    assert world.client("member").get(edit_url(draft)).status_code == 403
    assert world.client("other_secretary").get(edit_url(draft)).status_code == 404


def _member_joined(world: World, draft: Resolution) -> str:
    MemberFactory.create(cell=world.tree.cell_a1, full_name="Võ Thị Xuân")
    return "Võ Thị Xuân"


def _member_renamed(world: World, draft: Resolution) -> str:
    Member.objects.filter(pk=world.supporter.pk).update(full_name="Trần Thị Bích Ngọc")
    return "Trần Thị Bích Ngọc"


def _upper_adopted(world: World, draft: Resolution) -> str:
    ResolutionFactory.create(cell=world.tree.ward_a, number="07-NQ/ĐU", title="Chỉnh trang đô thị")
    return "Nghị quyết 07-NQ/ĐU – Chỉnh trang đô thị (Phường Phú Khương)"


def _load_in_another_cell(world: World, draft: Resolution) -> str:
    """A member who came from cell B1 keeps a task there; it is done: their count of open tasks drops."""
    newcomer = MemberFactory.create(cell=world.tree.cell_b1, full_name="Đỗ Văn Đông")
    elsewhere = ResolutionFactory.create(cell=world.tree.cell_b1, status=Resolution.Status.IN_PROGRESS)
    task = TaskFactory.create(resolution=elsewhere, lead_member=newcomer)
    transfer_member(member=newcomer, to_cell=world.tree.cell_a1, on=today(), decision="QĐ 12", by=None)
    before = option_label(world.page(world.client("secretary"), edit_url(draft)), newcomer.pk)
    assert "Đỗ Văn Đông" in before
    assert "1 việc đang mở" in before
    Task.objects.filter(pk=task.pk).update(status=Task.Status.DONE)  # a write in cell B1 only
    return before.replace("1 việc đang mở", "0 việc đang mở")


@pytest.mark.parametrize("write", [_member_joined, _member_renamed, _upper_adopted, _load_in_another_cell])
def test_the_edit_page_shows_each_write_at_the_next_request(world, draft, write) -> None:
    client = world.client("secretary")
    world.page(client, edit_url(draft))
    world.page(client, edit_url(draft))  # from the cache
    shown = write(world, draft)
    assert shown in world.page(client, edit_url(draft))


@pytest.mark.clock("2026-11-18 22:00")
def test_the_edit_page_follows_the_day(world, draft, clock) -> None:
    AwayPeriod.objects.create(member=world.supporter, starts_on=dt.date(2026, 11, 19), place="TP. Hồ Chí Minh")
    assert "VẮNG ĐỊA PHƯƠNG" not in option_label(
        world.page(world.client("secretary"), edit_url(draft)), world.supporter.pk
    )
    clock.move_to("2026-11-19 07:00")  # the next morning: what was kept last night is still kept
    assert "VẮNG ĐỊA PHƯƠNG" in option_label(world.page(world.client("secretary"), edit_url(draft)), world.supporter.pk)


def test_a_posted_form_with_errors_is_shown_as_posted_and_never_kept(world, draft) -> None:
    client = world.client("secretary")
    page = world.page(client, edit_url(draft))
    response = client.post(edit_url(draft), _posted(draft, page, title="", number="99-NQ/CB"))
    assert response.status_code == 200
    assert 'value="99-NQ/CB"' in response.content.decode()
    again = world.page(client, edit_url(draft))
    assert 'value="99-NQ/CB"' not in again
    assert without_csrf(again) == without_csrf(page)
