"""The people's side of reminders: the notification centre and its bell, preferences, the calendar address, and the
cell's page of messages sent."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import today
from notifications.models import CalendarFeed, Delivery, Kind, Notification, Preference
from tests.factories import MemberFactory, UserFactory

_refs = itertools.count(1)


def notify(user, **fields) -> Notification:
    n = next(_refs)
    values = {
        "kind": Kind.DUE_SOON,
        "object_ref": f"task:{n}",
        "day": today(),
        "subject": f"Việc sắp đến hạn số {n}",
        "body": "Việc “Vận động hộ gia đình ký cam kết” của nghị quyết 05-NQ/CB đến hạn ngày 20/03/2026.",
        "url": f"/tasks/{n}/",
        **fields,
    }
    return Notification.objects.create(recipient=user, **values)


def deliver(notification: Notification, **fields) -> Delivery:
    values = {"channel": "email", "address": "dangvien@example.vn", **fields}
    return Delivery.objects.create(notification=notification, **values)


# ---------------------------------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------------------------------

OWN_PAGES = ["notification-list", "notification-count", "notification-settings"]


@pytest.mark.parametrize("name", OWN_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, db, name) -> None:
    response = client.get(reverse(f"notifications:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", OWN_PAGES)
def test_an_account_with_no_member_record_and_no_role_gets_no_messages(client_for, name) -> None:
    assert client_for("nobody").get(reverse(f"notifications:{name}")).status_code == 403


def test_the_list_shows_only_my_own_messages_newest_first(client_for, people) -> None:
    older = notify(people["member"], subject="Cũ hơn")
    newer = notify(people["member"], subject="Mới hơn")
    notify(people["secretary"], subject="Của bí thư")
    response = client_for("member").get(reverse("notifications:notification-list"))
    assert list(response.context["page"]) == [newer, older]
    assert "Của bí thư" not in response.content.decode()


def test_unread_messages_stand_out(client_for, people) -> None:
    notify(people["member"], subject="Chưa đọc")
    notify(people["member"], subject="Đã đọc", read_at=timezone.now())
    html = client_for("member").get(reverse("notifications:notification-list")).content.decode()
    unread_item = html.split("Chưa đọc")[0].rsplit("<li", 1)[1]
    read_item = html.split("Đã đọc")[0].rsplit("<li", 1)[1]
    assert "fw-bold" in unread_item
    assert "fw-bold" not in read_item


def test_the_list_is_paginated_by_thirty(client_for, people) -> None:
    for _ in range(31):
        notify(people["member"])
    client = client_for("member")
    assert len(client.get(reverse("notifications:notification-list")).context["page"]) == 30
    assert len(client.get(reverse("notifications:notification-list") + "?page=2").context["page"]) == 1


# ---------------------------------------------------------------------------------------------------
# Opening and marking read
# ---------------------------------------------------------------------------------------------------


def test_opening_a_message_marks_it_read_and_goes_to_what_it_is_about(client_for, people) -> None:
    notification = notify(people["member"], url="/tasks/12/")
    response = client_for("member").get(reverse("notifications:notification-open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/tasks/12/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_a_read_message_keeps_when_it_was_first_read(client_for, people) -> None:
    first = timezone.now() - dt.timedelta(days=2)
    notification = notify(people["member"], read_at=first)
    client_for("member").post(reverse("notifications:notification-open", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at == first


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/login",
        "//evil.example/login",
        "/\\evil.example/login",
        "javascript:alert(1)",
        "tasks/12/",
        "",
    ],
)
def test_opening_refuses_to_leave_the_site(client_for, people, url) -> None:
    notification = notify(people["member"], url=url)
    response = client_for("member").get(reverse("notifications:notification-open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:notification-list")


def test_nobody_opens_another_persons_message(client_for, people) -> None:
    notification = notify(people["member"])
    for who in ("secretary", "admin"):
        response = client_for(who).get(reverse("notifications:notification-open", args=[notification.pk]))
        assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_only_my_own_unread_messages(client_for, people) -> None:
    mine = [notify(people["member"]), notify(people["member"])]
    theirs = notify(people["secretary"])
    client = client_for("member")
    assert client.get(reverse("notifications:notification-read-all")).status_code == 405
    response = client.post(reverse("notifications:notification-read-all"))
    assert response.status_code == 302
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


# ---------------------------------------------------------------------------------------------------
# The bell
# ---------------------------------------------------------------------------------------------------


def test_the_bell_counts_my_unread_messages(client_for, people) -> None:
    notify(people["member"])
    notify(people["member"])
    notify(people["member"], read_at=timezone.now())
    notify(people["secretary"])
    response = client_for("member").get(reverse("notifications:notification-count"))
    assert response.status_code == 200
    assert response.content.decode().split('class="badge', 1)[1].split(">", 1)[1].startswith("2<")


def test_the_bell_shows_no_badge_when_everything_is_read(client_for, people) -> None:
    notify(people["member"], read_at=timezone.now())
    response = client_for("member").get(reverse("notifications:notification-count"))
    assert "badge" not in response.content.decode()


def test_the_navbar_bell_opens_the_list_brings_its_count_and_refreshes_it(client_for, people) -> None:
    notify(people["member"])
    notify(people["member"])
    notify(people["member"], read_at=timezone.now())
    html = client_for("member").get(reverse("resolutions:my-tasks")).content.decode()
    bell = html.split(f'href="{reverse("notifications:notification-list")}"', 1)[1].split("</a>", 1)[0]
    assert bell.split('class="badge', 1)[1].split(">", 1)[1].startswith("2<")  # with the page: no second request
    assert f'hx-get="{reverse("notifications:notification-count")}"' in bell
    assert 'hx-trigger="every 60s"' in bell
    assert 'hx-select=".unread-count"' in bell  # a login page answered after the session ends is not pasted in
    assert "visually-hidden" in bell


def test_the_navbar_has_no_bell_for_an_account_without_messages(client_for) -> None:
    html = client_for("nobody").get(reverse("password_change")).content.decode()
    assert reverse("notifications:notification-count") not in html


# ---------------------------------------------------------------------------------------------------
# Preferences
# ---------------------------------------------------------------------------------------------------


def test_opening_the_settings_writes_nothing(client_for) -> None:
    assert client_for("member").get(reverse("notifications:notification-settings")).status_code == 200
    assert not Preference.objects.exists()


def test_choosing_a_daily_digest_and_muting_kinds_is_saved(client_for, people) -> None:
    response = client_for("member").post(
        reverse("notifications:notification-settings"),
        {"daily_digest": "on", "muted_kinds": [Kind.DUE_SOON, Kind.MEETING_NOTICE]},
    )
    assert response.status_code == 302
    preference = Preference.objects.get(user=people["member"])
    assert preference.daily_digest is True
    assert sorted(preference.muted_kinds) == sorted([Kind.DUE_SOON, Kind.MEETING_NOTICE])


def test_unticking_every_box_is_saved_too(client_for, people) -> None:
    Preference.objects.create(user=people["member"], daily_digest=True, muted_kinds=[Kind.OVERDUE])
    response = client_for("member").post(reverse("notifications:notification-settings"), {})
    assert response.status_code == 302
    preference = Preference.objects.get(user=people["member"])
    assert (preference.daily_digest, preference.muted_kinds) == (False, [])


def test_the_daily_digest_cannot_be_muted(client_for, people) -> None:
    client = client_for("member")
    form = client.get(reverse("notifications:notification-settings")).context["form"]
    offered = {value for value, _label in form.fields["muted_kinds"].choices}
    assert Kind.DAILY_DIGEST not in offered
    assert offered == {value for value in Kind.values if value != Kind.DAILY_DIGEST}
    response = client.post(reverse("notifications:notification-settings"), {"muted_kinds": [Kind.DAILY_DIGEST]})
    assert response.status_code == 200
    assert response.context["form"].errors["muted_kinds"]
    assert not Preference.objects.filter(user=people["member"]).exists()


# ---------------------------------------------------------------------------------------------------
# The calendar address
# ---------------------------------------------------------------------------------------------------


def test_creating_a_calendar_address_shows_it_in_full(client_for, people) -> None:
    client = client_for("member")
    response = client.post(reverse("notifications:calendar-feed-create"), follow=True)
    feed = CalendarFeed.objects.get(user=people["member"])
    url = f"http://testserver/calendar/{feed.token}.ics"
    assert response.context["feed_url"] == url
    assert url in response.content.decode()
    assert response.context["webcal_url"] == f"webcal://testserver/calendar/{feed.token}.ics"


def test_a_new_calendar_address_revokes_the_previous_one(client_for, people) -> None:
    client = client_for("member")
    client.post(reverse("notifications:calendar-feed-create"))
    first = CalendarFeed.objects.get(user=people["member"])
    client.post(reverse("notifications:calendar-feed-create"))
    first.refresh_from_db()
    assert first.revoked_at is not None
    second = CalendarFeed.objects.get(user=people["member"], revoked_at__isnull=True)
    assert second.token != first.token
    assert client.get(reverse("notifications:calendar-feed", args=[first.token])).status_code == 404
    assert client.get(reverse("notifications:calendar-feed", args=[second.token])).status_code == 200


def test_revoking_the_calendar_address_stops_it(client_for, people) -> None:
    client = client_for("member")
    client.post(reverse("notifications:calendar-feed-create"))
    feed = CalendarFeed.objects.get(user=people["member"])
    response = client.post(reverse("notifications:calendar-feed-revoke"), follow=True)
    assert response.context["feed"] is None
    feed.refresh_from_db()
    assert feed.revoked_at is not None


@pytest.mark.parametrize("name", ["calendar-feed-create", "calendar-feed-revoke"])
def test_the_calendar_address_changes_only_by_post(client_for, people, name) -> None:
    assert client_for("member").get(reverse(f"notifications:{name}")).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_revoking_touches_only_my_own_address(client_for, people) -> None:
    theirs = CalendarFeed.objects.create(user=people["secretary"])
    client_for("member").post(reverse("notifications:calendar-feed-revoke"))
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


# ---------------------------------------------------------------------------------------------------
# Query budgets
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 40])
def test_the_list_has_a_fixed_query_count(client_for, people, django_assert_num_queries, n) -> None:
    for _ in range(n):
        notify(people["member"])
    client = client_for("member")
    # session, user, roles with member; count, page; the bell's unread count
    with django_assert_num_queries(6):
        assert client.get(reverse("notifications:notification-list")).status_code == 200


@pytest.mark.parametrize("n", [0, 40])
def test_the_bell_has_a_fixed_query_count(client_for, people, django_assert_num_queries, n) -> None:
    for _ in range(n):
        notify(people["member"])
    client = client_for("member")
    # session, user, roles with member; unread count
    with django_assert_num_queries(4):
        assert client.get(reverse("notifications:notification-count")).status_code == 200


def test_the_settings_page_has_a_fixed_query_count(client_for, people, django_assert_num_queries) -> None:
    Preference.objects.create(user=people["member"], muted_kinds=[Kind.OVERDUE])
    CalendarFeed.objects.create(user=people["member"])
    client = client_for("member")
    # session, user, roles with member; preference; active calendar address; the bell's unread count
    with django_assert_num_queries(6):
        assert client.get(reverse("notifications:notification-settings")).status_code == 200


# ---------------------------------------------------------------------------------------------------
# What was sent to a cell's people
# ---------------------------------------------------------------------------------------------------


def cell_messages(cell, status: str = "") -> str:
    return reverse("notifications:cell-messages", args=[cell.pk]) + (f"?status={status}" if status else "")


def test_the_secretary_sees_failed_emails_with_their_error(client_for, people, tree) -> None:
    failed = notify(people["member"], subject="Thư không gửi được")
    deliver(failed, status=Delivery.Status.FAILED, attempts=5, last_error="SMTPRecipientsRefused: hộp thư không có")
    sent = notify(people["deputy"], subject="Thư đã gửi")
    deliver(sent, status=Delivery.Status.SENT, attempts=1, sent_at=timezone.now())
    waiting = notify(people["committee"], subject="Thư đang chờ")
    deliver(waiting)
    client = client_for("secretary")

    response = client.get(cell_messages(tree.cell_a1))
    assert response.status_code == 200
    assert set(response.context["page"]) == {failed, sent, waiting}
    assert response.context["failed_count"] == 1

    response = client.get(cell_messages(tree.cell_a1, "failed"))
    assert list(response.context["page"]) == [failed]
    html = response.content.decode()
    assert "SMTPRecipientsRefused: hộp thư không có" in html
    assert "Thư đã gửi" not in html


def test_messages_of_the_cells_members_and_of_those_holding_a_role_on_it_are_listed(client_for, people, tree) -> None:
    to_member = notify(people["member"])
    to_in_charge = notify(people["in_charge"])  # a member of A2, in charge of A1
    in_app_only = notify(MemberFactory.create(cell=tree.cell_a1, user=UserFactory.create()).user)
    notify(MemberFactory.create(cell=tree.cell_a2, user=UserFactory.create()).user)
    notify(people["other_secretary"])
    notify(people["nobody"])
    response = client_for("secretary").get(cell_messages(tree.cell_a1))
    assert set(response.context["page"]) == {to_member, to_in_charge, in_app_only}


def test_the_list_of_messages_sent_is_newest_first(client_for, people, tree) -> None:
    first = notify(people["member"])
    second = notify(people["member"])
    assert list(client_for("secretary").get(cell_messages(tree.cell_a1)).context["page"]) == [second, first]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("standing", 200),
        ("in_charge", 200),
        ("secretary", 200),
        ("deputy", 200),
        ("committee", 200),
        ("member", 403),
        ("other_secretary", 404),
        ("nobody", 404),
    ],
)
def test_messages_sent_are_for_those_who_oversee_the_cell(client_for, tree, who, status) -> None:
    assert client_for(who).get(cell_messages(tree.cell_a1)).status_code == status


def test_the_messages_tab_shows_only_to_those_who_oversee_the_cell(client_for, tree) -> None:
    tab = f'href="{cell_messages(tree.cell_a1)}"'
    meetings = reverse("meetings:meeting-list", args=[tree.cell_a1.pk])
    assert tab in client_for("secretary").get(meetings).content.decode()
    assert tab in client_for("in_charge").get(meetings).content.decode()
    assert tab not in client_for("member").get(meetings).content.decode()


def test_an_unknown_filter_shows_everything(client_for, people, tree) -> None:
    notify(people["member"])
    response = client_for("secretary").get(cell_messages(tree.cell_a1, "nonsense"))
    assert response.context["shown"] == "all"
    assert len(response.context["page"]) == 1


@pytest.mark.parametrize("n", [2, 40])
@pytest.mark.parametrize("status", ["all", "failed"])
def test_messages_sent_have_a_fixed_query_count(client_for, people, tree, django_assert_num_queries, n, status) -> None:
    recipients = [people["member"], people["deputy"], people["in_charge"], people["secretary"]]
    for i in range(n):
        n_ = notify(recipients[i % len(recipients)])
        deliver(n_, status=Delivery.Status.FAILED if i % 2 else Delivery.Status.SENT, last_error="boom" * (i % 2))
    client = client_for("secretary")
    # session, user, roles with member; the cell; failed count; count, page (with recipients and their member
    # records); deliveries; the bell's unread count
    with django_assert_num_queries(9):
        assert client.get(cell_messages(tree.cell_a1, status)).status_code == 200
