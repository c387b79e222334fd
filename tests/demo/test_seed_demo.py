"""``manage.py seed_demo``: the Bến Tre-shaped demo, seeded once for the module (twice, to check idempotence)."""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count

from chibo.lib.layout import RESOLUTION, SUMMARY_REPORT, document_signature
from chibo.lib.text import search_key
from demo.assemble import delete_demo_data  # it removes the resolution side first, which protects members
from demo.members import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, NAMED_ACCOUNTS, SCALES, demo_root
from members.access import access_for
from members.models import (
    AwayPeriod,
    Background,
    Exemption,
    Member,
    MemberEvent,
    Organisation,
    ResidentialGroup,
    Role,
    office_holders,
    today,
)
from members.rules import add_months, official_date_error, probation

K = Organisation.Kind
R = Role.Kind
User = get_user_model()


@dataclass(frozen=True)
class Seeded:
    first_output: str
    second_output: str
    counts_after_first: dict[str, int]


def _counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "residential_groups": ResidentialGroup.objects.count(),
        "members": Member.objects.count(),
        "users": User.objects.count(),
        "roles": Role.objects.count(),
        "exemptions": Exemption.objects.count(),
        "away": AwayPeriod.objects.count(),
        "backgrounds": Member.backgrounds.through.objects.count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[Seeded]:
    """Seed twice outside the per-test transactions; remove the demo when the module is done."""
    with django_db_blocker.unblock():
        first, second = StringIO(), StringIO()
        call_command("seed_demo", stdout=first)
        counts = _counts()
        call_command("seed_demo", stdout=second)
    yield Seeded(first.getvalue(), second.getvalue(), counts)
    with django_db_blocker.unblock():
        delete_demo_data()


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def named_cell() -> Organisation:
    ward = Organisation.objects.get(kind=K.WARD, name="Đảng bộ phường Phú Khương")
    return Organisation.objects.get_children(ward).get(name="Chi bộ khu phố 1")


def test_the_tree_has_the_shape_of_ben_tre_city() -> None:
    root = demo_root(SCALES["city"])
    assert root is not None
    assert (root.kind, root.name, root.code) == (K.PROVINCE, "Đảng bộ thành phố Bến Tre", "BT")
    wards = Organisation.objects.get_children(root)
    assert wards.count() == 16
    assert set(wards.values_list("kind", flat=True)) == {K.WARD}
    assert {"Đảng bộ phường Phú Khương", "Đảng bộ phường An Hội", "Đảng bộ xã Mỹ Thạnh An"} <= set(
        wards.values_list("name", flat=True)
    )
    assert Organisation.objects.cells().count() == 72
    for ward in wards:
        cells = Organisation.objects.get_children(ward)
        assert 4 <= cells.count() <= 5
        assert set(cells.values_list("kind", flat=True)) == {K.CELL}
        assert all(cell.place_name == ward.place_name for cell in cells)
    assert Organisation.objects.filter(kind=K.CELL, name="Chi bộ ấp Mỹ An").exists()
    assert Organisation.objects.get_children(named_cell()).filter(kind=K.GROUP, name="Tổ đảng 1").exists()
    # Only large cells have party groups, two or three of them.
    with_groups = Organisation.objects.cells().filter(numchild__gt=0).annotate(n=Count("members"))
    assert 0 < with_groups.count() < 72 / 3
    assert all(cell.n >= 85 and 2 <= cell.numchild <= 3 for cell in with_groups)
    # treebeard's own consistency check: paths, depths and child counts all agree.
    assert not any(Organisation.objects.find_problems())


def test_72_cells_hold_exactly_4374_members_in_realistic_sizes() -> None:
    assert Member.objects.count() == 4374
    sizes = list(Organisation.objects.cells().annotate(n=Count("members")).values_list("n", flat=True))
    assert sum(sizes) == 4374
    assert min(sizes) >= 25
    assert max(sizes) <= 110
    groups = Organisation.objects.cells().annotate(n=Count("residential_groups")).values_list("n", flat=True)
    assert all(3 <= n <= 6 for n in groups)


def test_running_twice_duplicates_nothing(seeded: Seeded) -> None:
    assert "nothing created" in seeded.second_output
    assert _counts() == seeded.counts_after_first
    assert Organisation.objects.filter(kind=K.WARD).count() == 16
    assert Organisation.objects.cells().count() == 72
    assert Member.objects.count() == 4374
    assert not User.objects.values("username").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not Role.objects.values("user", "kind", "organisation").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_every_cell_has_one_secretary_and_a_member_in_charge() -> None:
    for cell in Organisation.objects.cells().annotate(size=Count("members")):
        roles = list(Role.objects.filter(organisation=cell).select_related("user__member__cell"))
        secretaries = [role for role in roles if role.kind == R.SECRETARY]
        assert len(secretaries) == 1, cell.code
        assert secretaries[0].user.member.cell == cell
        assert sum(role.kind == R.DEPUTY for role in roles) == (1 if cell.size >= 40 else 0)
        assert 1 <= sum(role.kind == R.COMMITTEE for role in roles) <= 3
        in_charge = [role for role in roles if role.kind == R.IN_CHARGE]
        assert len(in_charge) == 1, cell.code
        # The member in charge sits on the committee of the ward above the cell.
        ward_path = cell.path[: -cell.steplen]
        assert in_charge[0].user.member.cell.path.startswith(ward_path)


def test_every_ward_has_two_standing_members_and_two_or_three_in_charge() -> None:
    for ward in Organisation.objects.filter(kind=K.WARD):
        standing = Role.objects.filter(organisation=ward, kind=R.STANDING).select_related("user__member__cell")
        assert standing.count() == 2
        # One of them is the committee's secretary and the other its deputy, who sign its documents.
        offices = Role.objects.filter(organisation=ward, kind__in=(R.PARTY_SECRETARY, R.PARTY_DEPUTY))
        assert sorted(offices.values_list("kind", flat=True)) == [R.PARTY_DEPUTY, R.PARTY_SECRETARY]
        assert set(offices.values_list("user", flat=True)) == set(standing.values_list("user", flat=True))
        assert all(role.user.member.cell.path.startswith(ward.path) for role in standing)
        in_charge = Role.objects.filter(kind=R.IN_CHARGE, organisation__path__startswith=ward.path)
        cells_per_user = Counter(in_charge.values_list("user", flat=True))
        assert 2 <= len(cells_per_user) <= 3
        assert all(2 <= n <= 3 for n in cells_per_user.values())


def test_every_demo_ward_and_cell_signs_its_documents_by_name() -> None:
    """The signature rule over the seeded roles: each ward's summary is signed for the party committee by its
    secretary, each cell's documents for the cell by its secretary, by the name on the member record."""
    for org in Organisation.objects.filter(kind__in=(K.WARD, K.CELL)):
        head, deputy = office_holders(org)
        document = SUMMARY_REPORT if not org.is_cell else RESOLUTION
        signer = document_signature(document, is_cell=org.is_cell, head=head, deputy=deputy)
        kind = R.SECRETARY if org.is_cell else R.PARTY_SECRETARY
        secretary = Member.objects.get(user__roles__organisation=org, user__roles__kind=kind)
        assert (signer.for_line, signer.title, signer.name) == (
            "T/M CHI BỘ" if org.is_cell else "T/M ĐẢNG ỦY",
            "BÍ THƯ",
            secretary.full_name,
        ), org.code


def test_every_demo_account_but_the_administrator_is_a_member() -> None:
    demo = User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
    assert demo.filter(member__isnull=True).count() == 1
    assert demo.get(member__isnull=True).username == "admin"
    assert all(
        user.get_full_name() == user.member.full_name for user in demo.exclude(member=None).select_related("member")
    )


def test_the_named_accounts_exist_with_their_roles_and_the_demo_password(seeded: Seeded) -> None:
    users = {user.username: user for user in User.objects.filter(username__in=NAMED_ACCOUNTS)}
    assert set(users) == set(NAMED_ACCOUNTS)
    assert all(user.check_password(DEMO_PASSWORD) for user in users.values())
    assert all(name in seeded.first_output for name in NAMED_ACCOUNTS)
    assert DEMO_PASSWORD in seeded.first_output

    admin = users["admin"]
    assert admin.is_staff
    assert admin.is_superuser
    assert list(admin.roles.values_list("kind", "organisation")) == [(R.ADMIN, None)]

    cell = named_cell()
    ward = Organisation.objects.get_parent(cell)

    def roles(username: str) -> set[tuple[str, int]]:
        return set(users[username].roles.values_list("kind", "organisation"))

    assert roles("thuongtruc") == {(R.STANDING, ward.pk), (R.PARTY_SECRETARY, ward.pk)}
    assert roles("bithu") == {(R.SECRETARY, cell.pk)}
    assert roles("phobithu") == {(R.DEPUTY, cell.pk)}
    assert roles("chiuyvien") == {(R.COMMITTEE, cell.pk)}
    assert roles("dangvien") == set()
    in_charge = roles("phutrach")
    assert len(in_charge) == 2
    assert (R.IN_CHARGE, cell.pk) in in_charge
    assert all(Organisation.objects.get_parent(Organisation.objects.get(pk=pk)) == ward for _, pk in in_charge)
    for username in ("thuongtruc", "phutrach", "bithu", "phobithu", "chiuyvien", "dangvien"):
        assert Organisation.objects.get_parent(users[username].member.cell) == ward
    assert users["dangvien"].member.cell == cell

    other_cell = Organisation.objects.get(roles__user=users["bithu2"], roles__kind=R.SECRETARY)
    assert not other_cell.path.startswith(ward.path)
    assert access_for(users["bithu"]).can_manage_org(cell)
    assert not access_for(users["bithu2"]).can_manage_org(cell)
    assert access_for(users["bithu2"]).can_manage_org(other_cell)


def test_about_five_percent_are_probationary_and_admitted_within_a_year() -> None:
    day = today()
    probationary = Member.objects.probationary_on(day)
    assert 0.03 <= probationary.count() / 4374 <= 0.08
    assert not probationary.filter(official_on__isnull=False).exists()
    assert not probationary.filter(admitted_on__lt=add_months(day, -12)).exists()  # on 29 February too


def test_the_demo_obeys_the_twelve_months_of_probation() -> None:
    """Every official date and every recognition on the timeline is on or after the end of probation, and no
    probationary member's review deadline has passed; some probations end within 60 days, for the pages."""
    day = today()
    breaches = [
        (name, admitted, official, error)
        for name, admitted, official in Member.objects.filter(official_on__isnull=False).values_list(
            "full_name", "admitted_on", "official_on"
        )
        if official is not None and (error := official_date_error(admitted, official))
    ]
    breaches += [
        (name, admitted, on, error)
        for name, admitted, on in MemberEvent.objects.filter(kind=MemberEvent.Kind.OFFICIAL).values_list(
            "member__full_name", "member__admitted_on", "on"
        )
        if (error := official_date_error(admitted, on))
    ]
    assert breaches == []
    assert MemberEvent.objects.filter(kind=MemberEvent.Kind.OFFICIAL).count() > 50
    waiting = [
        probation(admitted, day)
        for admitted in Member.objects.probation_ending(day).values_list("admitted_on", flat=True)
    ]
    assert [p for p in waiting if p.review_overdue] == []
    assert len([p for p in waiting if not p.has_ended]) >= 10


def test_statuses_backgrounds_and_propagandists_have_realistic_shares() -> None:
    day = today()
    members = Member.objects.with_flags(day)
    exempt, away = members.filter(is_exempt=True), members.filter(is_away=True)  # type: ignore[misc]  # annotated by with_flags()
    assert 0.01 <= exempt.count() / 4374 <= 0.06
    assert 0.01 <= away.count() / 4374 <= 0.06
    assert not members.filter(is_exempt=True, is_away=True).exists()  # type: ignore[misc]  # annotated by with_flags()
    assert set(Exemption.objects.values_list("reason", flat=True)) == {"Tuổi cao, sức yếu", "Bệnh dài ngày"}
    assert AwayPeriod.objects.filter(place="TP. Hồ Chí Minh").exists()
    with_background = Member.objects.filter(backgrounds__isnull=False).distinct().count()
    assert 0.18 <= with_background / 4374 <= 0.32
    propagandists = Member.objects.filter(is_propagandist=True)
    assert 0.05 <= propagandists.count() / 4374 <= 0.11
    assert propagandists.filter(backgrounds__isnull=False).distinct().count() > propagandists.count() / 2
    assert set(Background.objects.values_list("code", flat=True)) >= {
        "can-bo-huu-tri",
        "cuu-chien-binh",
        "giao-vien",
        "can-bo-y-te",
        "cong-an",
        "doanh-nhan",
    }


def test_members_are_valid_records() -> None:
    rows = Member.objects.values_list(
        "full_name",
        "search_name",
        "birth_date",
        "admitted_on",
        "official_on",
        "phone",
        "cell",
        "residential_group__cell",
    )
    day = today()
    for full_name, search_name, birth, admitted, official, phone, cell, group_cell in rows:
        assert full_name == unicodedata.normalize("NFC", full_name)
        assert search_name == search_key(full_name)
        assert birth is not None
        assert 22 <= (day - birth).days / 365.25 <= 90
        assert admitted >= birth.replace(year=birth.year + 18, day=min(birth.day, 28))
        assert official is None or official.replace(day=min(official.day, 28)) >= admitted.replace(
            year=admitted.year + 1, day=min(admitted.day, 28)
        )
        assert group_cell == cell
        assert not phone or re.fullmatch(r"0[35789]\d{8}", phone)
    phones = [phone for *_, phone, _, _ in rows if phone]
    assert len(set(phones)) == len(phones)
    # The model's own validation, on a sample (it costs a query or two per member).
    sample = random.Random(1).sample(list(Member.objects.values_list("pk", flat=True)), 150)
    for member in Member.objects.filter(pk__in=sample).select_related("cell", "party_group", "residential_group"):
        member.full_clean()
    in_groups = Member.objects.exclude(party_group=None).values_list("cell__path", "party_group__path")
    assert in_groups
    assert all(group_path.startswith(cell_path) for cell_path, group_path in in_groups)


def test_reset_rebuilds_the_same_data() -> None:
    def snapshot() -> list[tuple[str, str, str, str, str | None]]:
        # Sorted here: the citizen IDs are encrypted, so the database cannot order by them.
        return sorted(
            Member.objects.values_list("cell__code", "full_name", "sex", "phone", "citizen_id"),
            key=lambda row: (row[0], row[4] or ""),
        )

    before = snapshot()
    out = StringIO()
    call_command("seed_demo", "--reset", stdout=out)  # inside the test's transaction: rolled back afterwards
    assert "Seeded city scale" in out.getvalue()
    assert snapshot() == before
    assert Organisation.objects.cells().count() == 72


def test_the_demo_has_a_history_of_status_changes_that_leaves_past_meetings_alone() -> None:
    from meetings.models import Attendance
    from members.models import MemberEvent

    E = MemberEvent.Kind
    kinds = Counter(MemberEvent.objects.values_list("kind", flat=True))
    assert kinds[E.OFFICIAL] > 50
    assert kinds[E.EXEMPTED] == Exemption.objects.count()
    assert kinds[E.AWAY] == AwayPeriod.objects.count()
    transfers = list(MemberEvent.objects.filter(kind=E.TRANSFERRED).select_related("member"))
    assert len(transfers) <= Organisation.objects.filter(kind=K.WARD).count()
    # Changes are dated after a cell's last meeting and never later than today: early in a month, while the
    # month's meetings are still to come (or held today), no cell can have one. Once most cells are past theirs,
    # the demo has each kind of change.
    day = today()
    cells = Organisation.objects.filter(kind=K.CELL)
    free = cells.exclude(meetings__date__gte=day).count()
    if free >= cells.count() // 2:
        assert kinds[E.EXEMPTION_ENDED] > 0
        assert kinds[E.BACK] > 0
        assert len(transfers) >= 3
    for transfer in transfers:
        assert transfer.member.cell_id == transfer.to_cell_id
        assert transfer.from_cell is not None
        assert transfer.to_cell is not None
        assert transfer.from_cell.path[:-4] == transfer.to_cell.path[:-4]  # within one ward
        meetings = Attendance.objects.filter(member=transfer.member).values_list("meeting__cell_id", "meeting__date")
        assert all(cell == transfer.from_cell_id and day < transfer.on for cell, day in meetings)
        assert Member.objects.in_cell(transfer.from_cell, on=transfer.on - dt.timedelta(days=1)).filter(
            pk=transfer.member_id
        )
    assert all(e.recorded_by_id for e in MemberEvent.objects.filter(kind=E.TRANSFERRED))


def test_every_demo_account_finds_something_to_do_on_its_home_page(client) -> None:
    """Whatever the day the demo is seeded: the member has open tasks due this month, the secretary a draft, a
    meeting and a report to confirm, the ward a classification to approve (README, "Demo accounts")."""
    from django.urls import reverse

    from chibo.home import home_for

    day = today()
    month_end = add_months(day.replace(day=1), 1) - dt.timedelta(days=1)
    pages = {}
    for username in NAMED_ACCOUNTS:
        user = User.objects.get(username=username)
        client.force_login(user)
        response = client.get(reverse("home"), follow=True)
        assert response.status_code == 200, username
        pages[username] = response.content.decode()
        home = home_for(access_for(user), day)
        items = [*(i for c in home.cells for i in c.items), *(home.ward.approvals if home.ward else [])]
        tasks = home.member.tasks if home.member else []
        meetings = home.member.meetings if home.member else []
        assert username == "admin" or items or tasks or meetings, username

    member = home_for(access_for(User.objects.get(username="dangvien")), day).member
    assert member is not None
    assert [t for t in member.tasks if day <= t.deadline <= month_end]
    assert "/tasks/" in pages["dangvien"]

    cell = home_for(access_for(User.objects.get(username="bithu")), day).cells[0]
    urls = " ".join(item.url for item in cell.items)
    assert "/edit/" in urls  # the draft to finish
    assert "/meetings/" in urls  # the meeting to prepare
    assert any("chờ xác nhận" in item.label for item in cell.items)  # a report waiting

    for ward_account in ("thuongtruc", "phutrach"):
        ward = home_for(access_for(User.objects.get(username=ward_account)), day).ward
        assert ward is not None
        assert any("/approval/" in item.url for item in ward.approvals), ward_account


def test_the_demo_members_bells_hold_what_they_were_told() -> None:
    """The demo's bells are not empty: the member was told of the tasks given to him and of the meeting to come,
    the secretary of the report waiting for her; stored by the live builders, without email (the addresses are
    not real)."""
    from notifications.models import Delivery, Kind, Notification

    def kinds(username: str) -> set[str]:
        return set(Notification.objects.filter(recipient__username=username).values_list("kind", flat=True))

    assert {Kind.TASK_ASSIGNED, Kind.MEETING_INVITED} <= kinds("dangvien")
    assert Kind.REPORT_WAITING in kinds("bithu")
    waiting = Notification.objects.filter(recipient__username="bithu", kind=Kind.REPORT_WAITING)
    assert all("/tasks/" in n.url for n in waiting)
    assert not Delivery.objects.exists()
