"""Members report progress on their tasks, the committee reviews the reports, evidence is downloaded privately."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from members.models import Member, today
from resolutions.models import ProgressUpdate, Resolution, Task
from tests.factories import MemberFactory, UserFactory
from tests.resolutions.factories import ProgressUpdateFactory, ResolutionFactory, TaskFactory
from tests.resolutions.pages import same_page

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML_BYTES = b"<!doctype html><script>alert(document.cookie)</script>"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@dataclass
class Setup:
    resolution: Resolution
    task: Task
    lead: Member
    supporter: Member
    follower: Member


def _member_with_login(username: str, cell) -> Member:
    return MemberFactory.create(
        cell=cell, user=UserFactory.create(username=username), full_name=f"Đảng viên {username}"
    )


@pytest.fixture
def setup(tree, people) -> Setup:
    """An in-progress resolution of cell A1 with one task: a lead, a supporter, followed by a committee member."""
    resolution = ResolutionFactory.create(cell=tree.cell_a1, status=Resolution.Status.IN_PROGRESS)
    lead = _member_with_login("lead", tree.cell_a1)
    supporter = _member_with_login("supporter", tree.cell_a1)
    follower = Member.objects.get(user=people["committee"])
    task = TaskFactory.create(
        resolution=resolution,
        lead_member=lead,
        supporters=[supporter],
        follower=follower,
        deadline=today() + dt.timedelta(days=10),
    )
    return Setup(resolution, task, lead, supporter, follower)


def _client(member_or_user) -> Client:
    # Pages in English, so messages can be checked before the Vietnamese catalogue has them.
    client = Client(headers={"accept-language": "en"})
    client.force_login(getattr(member_or_user, "user", None) or member_or_user)
    return client


def _in_english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _report(client: Client, task: Task, **data):
    payload = {"status": "in_progress", "progress": "40", "note": "Đã vận động 20 hộ ký cam kết.", **data}
    return client.post(reverse("resolutions:task-detail", args=[task.pk]), payload)


def _texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- reporting -------------------------------------------------------------------------------------


def test_a_report_waits_for_confirmation_and_counts_once_confirmed(client_for, setup: Setup) -> None:
    client = _client(setup.lead)
    response = _report(client, setup.task)
    assert response.status_code == 302
    assert response["Location"] == reverse("resolutions:task-detail", args=[setup.task.pk])
    assert "waits for confirmation" in _texts(response)[0]
    update = ProgressUpdate.objects.get()
    assert (update.author, update.status, update.progress, update.review) == (setup.lead, "in_progress", 40, "pending")
    setup.task.refresh_from_db()
    assert (setup.task.status, setup.task.progress) == ("not_started", 0)  # not counted yet
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Đã vận động 20 hộ ký cam kết." in text
    assert "Report waiting for confirmation" in text
    assert "Waiting for review" in text
    assert list(page.context["updates"]) == [update]
    mine = client.get(reverse("resolutions:my-tasks")).content.decode()
    assert "Report waiting for confirmation" in mine
    on_resolution = client.get(reverse("resolutions:resolution-detail", args=[setup.resolution.pk]))
    assert "Report waiting for confirmation" in on_resolution.content.decode()

    _review(client_for("secretary"), update, "confirm")
    setup.task.refresh_from_db()
    assert (setup.task.status, setup.task.progress) == ("in_progress", 40)
    assert "Report waiting for confirmation" not in client.get(reverse("resolutions:my-tasks")).content.decode()


def test_a_report_of_done_counts_as_complete_once_confirmed(client_for, setup: Setup) -> None:
    _report(_client(setup.lead), setup.task, status="done", progress="60", confirmed="yes")
    setup.task.refresh_from_db()
    assert (setup.task.status, setup.task.progress, setup.task.completed_on) == ("not_started", 0, None)
    _review(client_for("secretary"), ProgressUpdate.objects.get(), "confirm")
    setup.task.refresh_from_db()
    assert (setup.task.status, setup.task.progress, setup.task.completed_on) == ("done", 100, today())


def test_reporting_done_asks_first_and_writes_nothing_until_confirmed(setup: Setup) -> None:
    client = _client(setup.lead)
    response = _report(client, setup.task, status="done", progress="60")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="confirmed" value="yes"' in page
    assert "takes no more reports" in page  # what will happen
    assert "can send the report back, and the task stays open" in page  # how to undo it
    assert 'data-confirm-when="status=done"' in page  # the dialog asks before the form is sent
    assert not ProgressUpdate.objects.exists()
    setup.task.refresh_from_db()
    assert setup.task.status == "not_started"


def test_a_done_task_shows_no_report_form_and_refuses_reports(client_for, setup: Setup) -> None:
    client = _client(setup.lead)
    _report(client, setup.task, status="done", progress="100", confirmed="yes")
    _review(client_for("secretary"), ProgressUpdate.objects.get(), "confirm")
    page = client.get(reverse("resolutions:task-detail", args=[setup.task.pk]))
    assert page.context["form"] is None
    assert "This task is closed" in page.content.decode()
    assert _report(client, setup.task, progress="50").status_code == 302
    assert ProgressUpdate.objects.count() == 1
    setup.task.refresh_from_db()
    assert setup.task.status == "done"


def test_the_resolution_page_lists_open_tasks_first(client_for, setup: Setup) -> None:
    day = today()
    done = TaskFactory.create(resolution=setup.resolution, deadline=day - dt.timedelta(days=20), order=0)
    Task.objects.filter(pk=done.pk).update(status="done", progress=100)
    late = TaskFactory.create(resolution=setup.resolution, deadline=day - dt.timedelta(days=2), order=9)
    page = client_for("member").get(reverse("resolutions:resolution-detail", args=[setup.resolution.pk]))
    assert [t.pk for t in page.context["tasks"]] == [late.pk, setup.task.pk, done.pk]


def test_a_supporter_may_report(setup: Setup) -> None:
    response = _report(_client(setup.supporter), setup.task, progress="10")
    assert response.status_code == 302
    assert ProgressUpdate.objects.get().author == setup.supporter


def test_another_member_of_the_cell_sees_the_task_but_may_not_report(client_for, setup: Setup) -> None:
    client = client_for("member")
    page = client.get(reverse("resolutions:task-detail", args=[setup.task.pk]))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert _report(client, setup.task).status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_the_secretary_may_report_for_the_cell(client_for, setup: Setup) -> None:
    assert _report(client_for("secretary"), setup.task).status_code == 302
    author = ProgressUpdate.objects.get().author
    assert author.user is not None
    assert author.user.username == "secretary"


def test_reporting_is_refused_on_a_draft_resolution(setup: Setup) -> None:
    Resolution.objects.filter(pk=setup.resolution.pk).update(status=Resolution.Status.DRAFT)
    client = _client(setup.lead)
    page = client.get(reverse("resolutions:task-detail", args=[setup.task.pk]))
    assert page.context["form"] is None
    response = _report(client, setup.task)
    assert response.status_code == 302
    assert _texts(response) == ["Progress is reported once the resolution is adopted."]
    assert not ProgressUpdate.objects.exists()
    setup.task.refresh_from_db()
    assert (setup.task.status, setup.task.progress) == ("not_started", 0)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"progress": "150"}, "progress", "less than or equal to 100"),
        ({"progress": "-5"}, "progress", "greater than or equal to 0"),
        ({"status": "cancelled"}, "status", "Select a valid choice"),
        ({"evidence": ("trang.html", HTML_BYTES)}, "evidence", "not accepted"),
        ({"evidence": ("bao-cao.pdf", HTML_BYTES)}, "evidence", "not accepted"),
        ({"evidence": ("bien-ban.pdf", PDF_BYTES * 40)}, "evidence", "the largest allowed is"),
    ],
)
def test_bad_input_is_shown_again_and_writes_nothing(
    settings, media_root: Path, setup: Setup, data: dict, field: str, message: str
) -> None:
    settings.CHIBO = {**settings.CHIBO, "EVIDENCE_MAX_BYTES": 1024}
    if "evidence" in data:
        data = {**data, "evidence": SimpleUploadedFile(*data["evidence"])}
    response = _report(_client(setup.lead), setup.task, **data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not ProgressUpdate.objects.exists()
    assert _files_in(media_root) == []
    setup.task.refresh_from_db()
    assert (setup.task.status, setup.task.progress) == ("not_started", 0)


# --- review ----------------------------------------------------------------------------------------


def _review(client: Client, update: ProgressUpdate, decision: str, note: str = ""):
    return client.post(reverse("resolutions:update-review", args=[update.pk]), {"decision": decision, "note": note})


def test_the_secretary_confirms_a_report(client_for, people, setup: Setup) -> None:
    _report(_client(setup.lead), setup.task, progress="70")
    update = ProgressUpdate.objects.get()
    response = _review(client_for("secretary"), update, "confirm")
    assert response.status_code == 302
    assert response["Location"] == reverse("resolutions:task-detail", args=[setup.task.pk])
    update.refresh_from_db()
    assert (update.review, update.reviewed_by) == ("confirmed", people["secretary"])
    setup.task.refresh_from_db()
    assert setup.task.progress == 70


def test_a_report_sent_back_changes_nothing_and_a_confirmed_one_gives_way(client_for, setup: Setup) -> None:
    lead, secretary = _client(setup.lead), client_for("secretary")
    _report(lead, setup.task, progress="30")
    _report(lead, setup.task, progress="90", note="Xong gần hết.")
    first, latest = ProgressUpdate.objects.get(progress=30), ProgressUpdate.objects.get(progress=90)
    setup.task.refresh_from_db()
    assert setup.task.progress == 0  # neither is confirmed yet
    response = _review(secretary, latest, "send_back", "Chưa có danh sách hộ ký cam kết.")
    assert response.status_code == 302
    latest.refresh_from_db()
    assert (latest.review, latest.review_note) == ("sent_back", "Chưa có danh sách hộ ký cam kết.")
    setup.task.refresh_from_db()
    assert (setup.task.status, setup.task.progress) == ("not_started", 0)  # sent back: no change
    _review(secretary, first, "confirm")
    setup.task.refresh_from_db()
    assert (setup.task.status, setup.task.progress) == ("in_progress", 30)


def test_the_latest_confirmed_report_counts_whatever_the_order_of_confirmation(client_for, setup: Setup) -> None:
    older = ProgressUpdateFactory.create(task=setup.task, progress=30)
    newer = ProgressUpdateFactory.create(task=setup.task, progress=80)
    secretary = client_for("secretary")
    _review(secretary, newer, "confirm")
    _review(secretary, older, "confirm")  # confirmed last, but reported first: the task stays at the newer one
    setup.task.refresh_from_db()
    assert setup.task.progress == 80


@pytest.mark.parametrize("who", ["secretary", "admin"])
def test_the_author_of_a_report_never_reviews_it(client_for, people, setup: Setup, who: str) -> None:
    """A secretary, or an administrator, who reports on a task is not offered, and is refused, its review; the
    report waits for another confirmer."""
    author = Member.objects.filter(user=people[who]).first() or MemberFactory.create(
        cell=setup.resolution.cell, user=people[who], full_name="Quản trị viên"
    )
    update = ProgressUpdateFactory.create(task=setup.task, author=author, progress=60)
    client = _in_english(client_for(who))
    page = client.get(reverse("resolutions:task-detail", args=[setup.task.pk]))
    assert reverse("resolutions:update-review", args=[update.pk]) not in page.content.decode()
    assert "Your own report: another member of the cell committee confirms it." in page.content.decode()
    response = _review(client, update, "confirm")
    assert response.status_code == 302
    assert _texts(response) == [
        "You wrote this report: another member of the cell committee confirms it or sends it back."
    ]
    update.refresh_from_db()
    setup.task.refresh_from_db()
    assert (update.review, update.reviewed_by, setup.task.progress) == ("pending", None, 0)
    _review(client_for("committee"), update, "confirm")  # the follower, another confirmer
    setup.task.refresh_from_db()
    assert setup.task.progress == 60


def test_the_service_refuses_a_review_of_ones_own_report(people, setup: Setup) -> None:
    from resolutions.services import WorkflowError, review_update

    update = ProgressUpdateFactory.create(task=setup.task, author=setup.follower)
    with pytest.raises(WorkflowError):
        review_update(update=update, confirm=True, note="", by=people["committee"])
    update.refresh_from_db()
    assert update.review == "pending"


def test_sending_back_needs_a_note(client_for, setup: Setup) -> None:
    update = ProgressUpdateFactory.create(task=setup.task)
    response = _review(_in_english(client_for("secretary")), update, "send_back", "   ")
    assert response.status_code == 302
    assert _texts(response) == ["Say what is missing when sending a report back."]
    update.refresh_from_db()
    assert update.review == "pending"


def test_a_report_is_reviewed_once(client_for, setup: Setup) -> None:
    update = ProgressUpdateFactory.create(task=setup.task)
    client = client_for("secretary")
    _review(client, update, "confirm")
    _review(client, update, "send_back", "Thiếu minh chứng.")
    update.refresh_from_db()
    assert (update.review, update.review_note) == ("confirmed", "")


def test_the_follower_may_review_an_ordinary_member_may_not(client_for, setup: Setup) -> None:
    first, second = ProgressUpdateFactory.create_batch(2, task=setup.task)
    assert _review(client_for("member"), first, "confirm").status_code == 403
    assert _review(_client(setup.lead), first, "confirm").status_code == 403  # nobody reviews their own work
    assert _review(client_for("committee"), second, "confirm").status_code == 302  # the follower
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.review, second.review) == ("pending", "confirmed")


def test_reviewers_see_the_buttons_others_do_not(client_for, setup: Setup) -> None:
    update = ProgressUpdateFactory.create(task=setup.task)
    review_url = reverse("resolutions:update-review", args=[update.pk])
    url = reverse("resolutions:task-detail", args=[setup.task.pk])
    assert review_url in client_for("secretary").get(url).content.decode()
    assert review_url not in client_for("member").get(url).content.decode()


def test_the_review_is_post_only(client_for, setup: Setup) -> None:
    update = ProgressUpdateFactory.create(task=setup.task)
    assert client_for("secretary").get(reverse("resolutions:update-review", args=[update.pk])).status_code == 405


# --- evidence --------------------------------------------------------------------------------------


def test_the_cell_downloads_evidence_as_an_attachment(client_for, settings, media_root: Path, setup: Setup) -> None:
    evidence = SimpleUploadedFile("Biên bản họp tổ.pdf", PDF_BYTES, content_type="text/html")
    assert _report(_client(setup.lead), setup.task, evidence=evidence).status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.evidence_name == "Biên bản họp tổ.pdf"
    stored = _files_in(media_root)
    assert len(stored) == 1
    assert "Biên" not in str(stored[0])  # the stored name is random, the original is kept in the row
    response = client_for("member").get(reverse("resolutions:update-evidence", args=[update.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"  # from the content, not from what the browser sent
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp%20t%E1%BB%95.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES  # reading it to the end closes the file
    # and there is no public way to the file
    assert client_for("member").get(f"{settings.MEDIA_URL}{update.evidence.name}").status_code == 404


def test_a_report_without_evidence_has_no_download(client_for, setup: Setup) -> None:
    update = ProgressUpdateFactory.create(task=setup.task)
    assert client_for("member").get(reverse("resolutions:update-evidence", args=[update.pk])).status_code == 404


@pytest.mark.parametrize("outsider", ["other_secretary", "a2_member"])
def test_a_member_of_another_cell_gets_404_on_the_task_the_report_and_the_evidence(
    client_for, tree, setup: Setup, outsider: str
) -> None:
    _report(_client(setup.lead), setup.task, evidence=SimpleUploadedFile("anh.pdf", PDF_BYTES))
    update = ProgressUpdate.objects.get()
    client = _client(_member_with_login("a2", tree.cell_a2)) if outsider == "a2_member" else client_for(outsider)
    urls = [
        reverse("resolutions:task-detail", args=[setup.task.pk]),
        reverse("resolutions:update-review", args=[update.pk]),
        reverse("resolutions:update-evidence", args=[update.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"status": "done", "progress": "100", "decision": "confirm"}).status_code == 404, url
    assert ProgressUpdate.objects.count() == 1
    update.refresh_from_db()
    assert update.review == "pending"


@pytest.mark.parametrize("size", [1, 12])
@pytest.mark.parametrize(("who", "queries"), [("secretary", 7), ("supporter", 8)])
def test_the_task_page_runs_a_fixed_number_of_queries(
    client_for, setup: Setup, django_assert_num_queries, size: int, who: str, queries: int
) -> None:
    ProgressUpdateFactory.create_batch(size, task=setup.task)
    client = _client(setup.supporter) if who == "supporter" else client_for(who)
    # session, user, roles with own member record, the task with its resolution, cell, lead, organisation and
    # follower, [whether the user supports the task: not asked of the secretary, who may report anyway,]
    # the supporters, the reports with their authors and reviewers
    with django_assert_num_queries(queries):
        response = client.get(reverse("resolutions:task-detail", args=[setup.task.pk]))
    assert len(response.context["updates"]) == size
    assert response.context["form"] is not None


# --- my tasks --------------------------------------------------------------------------------------


def test_my_tasks_lists_open_work_overdue_first_then_by_deadline_and_closed_work_last(tree, setup: Setup) -> None:
    day = today()
    resolution = setup.resolution
    me = setup.lead
    soon = TaskFactory.create(resolution=resolution, lead_member=me, deadline=day + dt.timedelta(days=3))
    late = TaskFactory.create(resolution=resolution, lead_member=me, deadline=day - dt.timedelta(days=5))
    later_late = TaskFactory.create(resolution=resolution, lead_member=me, deadline=day - dt.timedelta(days=1))
    helped = TaskFactory.create(resolution=resolution, supporters=[me], deadline=day + dt.timedelta(days=20))
    done = TaskFactory.create(
        resolution=resolution, lead_member=me, deadline=day - dt.timedelta(days=9), status="done", progress=100
    )
    draft = ResolutionFactory.create(cell=tree.cell_a1, status=Resolution.Status.DRAFT)
    TaskFactory.create(resolution=draft, lead_member=me, deadline=day - dt.timedelta(days=30))  # not in force
    TaskFactory.create(resolution=resolution, deadline=day - dt.timedelta(days=30))  # someone else's

    response = _client(me).get(reverse("resolutions:my-tasks"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.task for row in rows] == [late, later_late, soon, setup.task, helped, done]
    assert [row.leads for row in rows] == [True, True, True, True, False, True]
    assert [row.days_late for row in rows][:2] == [5, 1]
    assert response.context["counts"] == {"open": 5, "overdue": 2, "due_soon": 1}
    page = response.content.decode()
    assert (day - dt.timedelta(days=5)).strftime("%d/%m/%Y") in page
    assert reverse("resolutions:task-detail", args=[late.pk]) in page


@pytest.mark.parametrize("size", [2, 25])
def test_my_tasks_runs_a_fixed_number_of_queries(setup: Setup, django_assert_num_queries, size: int) -> None:
    for n in range(size):
        TaskFactory.create(
            resolution=setup.resolution,
            lead_member=setup.lead if n % 2 else None,
            lead_kind="member" if n % 2 else "committee",
            supporters=[setup.lead] if not n % 2 else [],
            deadline=today() + dt.timedelta(days=n - size // 2),
        )
    client = _client(setup.lead)
    # session, user, roles with own member record, the tokens of the cells its tasks come from, the tasks with
    # their resolutions and leads, coming meetings and the bell's unread count
    with django_assert_num_queries(7):
        response = client.get(reverse("resolutions:my-tasks"))
    assert len(response.context["rows"]) == size + 1
    # Again: the list from the cache, the tasks and meetings unread.
    with django_assert_num_queries(5):
        again = client.get(reverse("resolutions:my-tasks"))
    assert same_page(response, again)


@pytest.mark.parametrize(
    ("status", "deadline", "completed_on", "expected"),
    [
        ("in_progress", -4, None, 4),
        ("not_started", 0, None, 0),
        ("in_progress", 3, None, 0),
        ("done", -10, -7, 3),  # finished three days after the deadline
        ("done", -10, -12, 0),
        ("not_met", -10, None, 0),  # closed: it does not go on counting
        ("cancelled", -10, None, 0),
        ("done", -10, None, 0),  # done on a day nobody recorded: not counted late
    ],
)
def test_days_late_counts_open_tasks_to_today_and_done_ones_to_completion(
    status: str, deadline: int, completed_on: int | None, expected: int
) -> None:
    day = dt.date(2026, 11, 28)
    task = Task(
        status=status,
        deadline=day + dt.timedelta(days=deadline),
        completed_on=day + dt.timedelta(days=completed_on) if completed_on is not None else None,
    )
    assert task.days_late(day) == expected


@pytest.mark.parametrize(("who", "status"), [("nobody", 403), ("admin", 200)])
def test_an_account_without_a_member_record_is_told_why_it_has_no_tasks(client_for, who: str, status: int) -> None:
    response = _in_english(client_for(who)).get(reverse("resolutions:my-tasks"))
    assert response.status_code == status
    assert "not linked to a member record" in response.content.decode()
