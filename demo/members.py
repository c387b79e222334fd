"""Demo data shaped like Bến Tre city in the source article: 16 ward/commune committees, 72 cells, 4,374 members.

Used by ``manage.py seed_demo``. Everything is drawn from one ``random.Random`` with a fixed seed, so every run
builds the same tree, people and accounts. Dates are drawn as offsets from the day of the run (ages, "admitted
within the last twelve months", a current away period), so that probationary, away and exempt stay true on
whatever day the demo is seeded.

Speed: the organisation tree goes through treebeard's ``load_bulk`` (which computes the materialised paths) and
every other row through ``bulk_create`` in batches; nothing is written one member at a time. Demo rows carry no
history (``bulk_create`` sends no signals, and history is switched off around the few saves and the deletions).

The demo is recognised by the code of its root organisation (``BT`` for the city, ``TBT`` for the province) and
its login accounts by their e-mail domain (``@demo.chibo.invalid``), so ``--reset`` removes exactly the demo.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from chibo.lib.text import normalize, search_key
from members.models import (
    AwayPeriod,
    Background,
    Discipline,
    Exemption,
    Member,
    MemberEvent,
    Organisation,
    ResidentialGroup,
    Role,
    citizen_id_key,
    status_counts,
)
from members.rules import MINIMUM_ADMISSION_AGE, add_years, probation_ends_on

SEED = 4374
DEMO_PASSWORD = "chibo-demo-2026"
DEMO_EMAIL_DOMAIN = "demo.chibo.invalid"  # ".invalid" never routes, so no reminder can reach a real mailbox
BATCH_SIZE = 2000
DEPUTY_FROM = 40  # a cell of this many members or more has a deputy secretary

K = Organisation.Kind
R = Role.Kind


class DemoDataError(Exception):
    """The demo cannot be seeded as asked; the message says why and what to do."""


# ---------------------------------------------------------------------------------------------------
# Scales
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    key: str
    root_name: str
    root_code: str
    root_place: str
    wards: int
    cells: int
    members: int
    cells_per_ward: tuple[int, int]
    cell_size: tuple[int, int]
    cell_size_mode: int  # the peak of the triangular draw; with the bounds it sets the average size

    def __post_init__(self) -> None:
        low, high = self.cells_per_ward
        if not low * self.wards <= self.cells <= high * self.wards:
            raise ValueError(f"{self.cells} cells do not fit in {self.wards} wards of {low}–{high} cells")
        low, high = self.cell_size
        if not low * self.cells <= self.members <= high * self.cells:
            raise ValueError(f"{self.members} members do not fit in {self.cells} cells of {low}–{high}")


SCALES: dict[str, Scale] = {
    # The article: 72 hamlet/neighbourhood cells with 4,374 members in Bến Tre city.
    "city": Scale(
        key="city",
        root_name="Đảng bộ thành phố Bến Tre",
        root_code="BT",
        root_place="Bến Tre",
        wards=16,
        cells=72,
        members=4374,
        cells_per_ward=(4, 5),
        cell_size=(25, 110),
        cell_size_mode=48,
    ),
    # A whole province, for benchmarks: same code path, bigger numbers.
    "province": Scale(
        key="province",
        root_name="Đảng bộ tỉnh Bến Tre",
        root_code="TBT",
        root_place="Bến Tre",
        wards=100,
        cells=2000,
        members=120_000,
        cells_per_ward=(15, 25),
        cell_size=(25, 110),
        cell_size_mode=45,
    ),
}

# The cell every named demo account revolves around (the first cell of the first ward) is a large one, so that
# it has a deputy, three committee members and party groups to show.
NAMED_CELL_SIZE = 96

# The easy-to-type accounts printed for the README, in the order they are shown.
NAMED_ACCOUNTS = ("admin", "thuongtruc", "phutrach", "bithu", "phobithu", "chiuyvien", "dangvien", "bithu2")

# ---------------------------------------------------------------------------------------------------
# Places and people
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A ward or commune, whose party committee holds the cells of its neighbourhoods or hamlets."""

    place: str  # "Phú Khương", "Phường 4", "Bình Phú"
    is_ward: bool
    hamlets: tuple[str, ...] = ()  # hamlet names of a commune (more are made up when needed)

    @property
    def label(self) -> str:
        """As written inside a sentence or an address: "phường Phú Khương", "Phường 4", "xã Bình Phú"."""
        if self.place.startswith("Phường "):
            return self.place
        return f"{'phường' if self.is_ward else 'xã'} {self.place}"

    @property
    def committee_name(self) -> str:
        return f"Đảng bộ {self.label}"


# Bến Tre city before the 2025 merger. Phú Khương comes first: the named demo accounts live there.
BEN_TRE_UNITS: tuple[Unit, ...] = (
    Unit("Phú Khương", True),
    Unit("An Hội", True),
    Unit("Phú Tân", True),
    Unit("Phường 4", True),
    Unit("Phường 5", True),
    Unit("Phường 6", True),
    Unit("Phường 7", True),
    Unit("Phường 8", True),
    Unit("Bình Phú", False, ("Bình Thành", "Bình Khởi", "Bình Công", "Bình Thạnh", "Bình Lợi")),
    Unit("Mỹ Thành", False, ("Mỹ An", "Mỹ Hòa", "Mỹ Thuận", "Mỹ Lợi", "Mỹ Tân")),
    Unit("Mỹ Thạnh An", False, ("Mỹ An A", "Mỹ An C", "Mỹ Thạnh", "Thạnh Hưng", "An Thuận")),
    Unit("Nhơn Thạnh", False, ("Nhơn Phú", "Nhơn Hòa", "Nhơn Thuận", "Nhơn Trị", "Thạnh Lợi")),
    Unit("Phú Hưng", False, ("Phú Hào", "Phú Chánh", "Phú Khánh", "Phú Lợi", "Phú Thạnh")),
    Unit("Phú Nhuận", False, ("Phú Chiến", "Phú Hữu", "Phú Thuận", "Phú Hòa", "Phú Thành")),
    Unit("Sơn Đông", False, ("Sơn Qui", "Sơn Lợi", "Sơn Thuận", "Sơn Phú", "Sơn Hòa")),
    Unit("Hữu Định", False, ("Hữu Thạnh", "Hữu Lợi", "Hữu Hòa", "Hữu Phước", "Hữu Nhơn")),
)

# Syllables of made-up commune and hamlet names (province scale, or a commune with more hamlets than listed).
PLACE_FIRST = (
    "An", "Bình", "Phú", "Mỹ", "Tân", "Long", "Thạnh", "Hòa", "Phước", "Hưng", "Nhơn", "Sơn", "Giao", "Thới",
    "Lương", "Châu", "Tiên", "Quới", "Đại", "Vĩnh", "Định", "Hữu", "Thành", "Lộc", "Tam",
)  # fmt: skip
PLACE_SECOND = (
    "Hòa", "Thạnh", "Phú", "Lợi", "Hưng", "Đông", "Tây", "Mỹ", "An", "Khánh", "Thuận", "Điền", "Định", "Xuân",
    "Long", "Phước", "Thành", "Hiệp", "Nghĩa", "Trị", "Quới", "Bình", "Tân", "Lộc",
)  # fmt: skip


class Weighted:
    """A population with weights; the cumulative weights are computed once, as it is drawn from for every member."""

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.items = [item for item, _ in pairs]
        self.cum_weights: list[float] = []
        total = 0.0
        for _, weight in pairs:
            total += weight
            self.cum_weights.append(total)

    def pick(self, rng: random.Random) -> Any:
        return rng.choices(self.items, cum_weights=self.cum_weights)[0]


FAMILY_NAMES = Weighted(
    [
        ("Nguyễn", 31), ("Trần", 11), ("Lê", 9.5), ("Phạm", 6), ("Huỳnh", 6), ("Võ", 5.5), ("Phan", 4.5),
        ("Trương", 2.5), ("Bùi", 2), ("Đặng", 2), ("Đỗ", 1.5), ("Ngô", 1.5), ("Hồ", 1.5), ("Dương", 1.2),
        ("Lý", 1), ("Đoàn", 0.9), ("Lâm", 0.9), ("Mai", 0.7), ("Cao", 0.7), ("Châu", 0.6), ("Tô", 0.5),
        ("Thái", 0.5), ("Lương", 0.5), ("Đinh", 0.4), ("Lưu", 0.4), ("Tạ", 0.3), ("Kiều", 0.2),
    ]
)  # fmt: skip
# Văn/Thị dominate among older people and are rarer among the young, hence two sets of weights.
MALE_MIDDLE = (
    ("Văn", 40), ("Minh", 9), ("Hữu", 8), ("Thanh", 7), ("Tấn", 6), ("Quốc", 6), ("Công", 4), ("Đức", 4),
    ("Hoàng", 3), ("Ngọc", 3), ("Trọng", 3), ("Phước", 3), ("Thành", 2), ("Việt", 2),
)  # fmt: skip
FEMALE_MIDDLE = (
    ("Thị", 55), ("Ngọc", 10), ("Thanh", 6), ("Kim", 6), ("Thu", 4), ("Mỹ", 4), ("Hồng", 4), ("Bích", 3),
    ("Thúy", 3), ("Phương", 2), ("Diệu", 1), ("Minh", 2),
)  # fmt: skip


def _middle_names(pairs: Sequence[tuple[str, float]], young: bool) -> Weighted:
    return Weighted([(name, weight * 0.35 if young and name in ("Văn", "Thị") else weight) for name, weight in pairs])


MIDDLE_NAMES = {
    (male, young): _middle_names(MALE_MIDDLE if male else FEMALE_MIDDLE, young)
    for male in (True, False)
    for young in (True, False)
}
SECOND_FEMALE_MIDDLE = ("Ngọc", "Kim", "Thu", "Mỹ", "Bích", "Thanh", "Hồng")  # "Nguyễn Thị Ngọc Hân"
MALE_GIVEN = (
    "Hùng", "Dũng", "Tuấn", "Minh", "Phúc", "Thành", "Tâm", "Hải", "Long", "Sơn", "Tài", "Lộc", "Phước", "Hiếu",
    "Trung", "Nghĩa", "Bình", "Khánh", "Hoàng", "Quang", "Tùng", "Cường", "Thắng", "Hậu", "Toàn", "Vinh", "Nhân",
    "Thiện", "Đức", "Tín", "Hòa", "Thuận", "Sang", "Tú", "Kiệt", "Bảo", "Danh", "Lâm", "Nam", "Hưng", "Khoa", "Duy",
    "Trí", "Thông", "Quân", "Lợi", "Nhựt", "Dương", "Hiền", "Triều",
)  # fmt: skip
FEMALE_GIVEN = (
    "Lan", "Hoa", "Hồng", "Mai", "Hương", "Thảo", "Nga", "Hạnh", "Hà", "Ngọc", "Trang", "Linh", "Phương", "Thủy",
    "Tuyết", "Yến", "Loan", "Nhung", "Oanh", "Dung", "Cúc", "Hằng", "Vân", "Diễm", "Thúy", "Xuân", "Liên", "Hiền",
    "Nhi", "Trinh", "Thu", "Nương", "Bích", "Ánh", "Quyên", "Uyên", "Nguyệt", "Huệ", "Trâm", "Châu", "Giang", "Vy",
    "Hân", "Lệ", "Đào",
)  # fmt: skip

# Ages 22–90 with the weight on the old, as in hamlet cells where many members are retired.
AGE_BANDS = Weighted([((22, 40), 18), ((40, 60), 30), ((60, 75), 32), ((75, 90), 20)])
MALE_SHARE = 0.62
PROBATIONARY_SHARE = 0.05

# Vietnamese mobile prefixes (Viettel, Vinaphone, Mobifone, Vietnamobile, Gmobile): 0 + 9 digits.
PHONE_PREFIXES = (
    "032", "033", "034", "035", "036", "037", "038", "039", "052", "056", "058", "059", "070", "076", "077", "078",
    "079", "081", "082", "083", "084", "085", "086", "088", "089", "090", "091", "093", "094", "096", "097", "098",
    "099",
)  # fmt: skip
CITIZEN_ID_PROVINCE = "083"  # Bến Tre; a CCCD is province (3) + century and sex (1) + year (2) + 6 digits

BACKGROUNDS = (
    ("can-bo-huu-tri", "Cán bộ hưu trí"),
    ("cuu-chien-binh", "Cựu chiến binh"),
    ("giao-vien", "Giáo viên"),
    ("can-bo-y-te", "Cán bộ y tế"),
    ("cong-an", "Công an"),
    ("doanh-nhan", "Doanh nhân"),
)
TRUSTED_BACKGROUNDS = {"can-bo-huu-tri", "cuu-chien-binh", "giao-vien", "can-bo-y-te"}
# Which background, by age: retired cadres and veterans among the old, teachers and others among the young.
BACKGROUND_BY_AGE = (
    (60, Weighted(list(zip((code for code, _ in BACKGROUNDS), (4, 4, 2, 1, 1, 0.5), strict=True)))),
    (40, Weighted(list(zip((code for code, _ in BACKGROUNDS), (0.5, 2, 3, 2, 2, 2), strict=True)))),
    (0, Weighted(list(zip((code for code, _ in BACKGROUNDS), (0, 1, 3, 2, 2, 2), strict=True)))),
)
# Share with a background by age (≈ 25% overall) and share of propagandists with and without one (≈ 8%).
BACKGROUND_SHARE_BY_AGE = ((60, 0.37), (40, 0.22), (0, 0.09))
PROPAGANDIST_SHARE = {True: 0.26, False: 0.02}

AWAY_PLACES = Weighted(
    [
        ("TP. Hồ Chí Minh", 6), ("Bình Dương", 5), ("Đồng Nai", 2), ("Long An", 1.5), ("Cần Thơ", 1),
        ("Bà Rịa – Vũng Tàu", 1), ("Tiền Giang", 1), ("Hà Nội", 0.5),
    ]
)  # fmt: skip
AWAY_NOTES = ("Làm công nhân khu công nghiệp", "Buôn bán", "Làm việc cho doanh nghiệp", "Lao động tự do", "Ở với con")
TRANSFER_NOTE = "Sinh hoạt tạm thời tại chi bộ nơi làm việc"
REASON_OLD_AGE = "Tuổi cao, sức yếu"
REASON_ILLNESS = "Bệnh dài ngày"

# ---------------------------------------------------------------------------------------------------
# The plan, built in memory before anything is written
# ---------------------------------------------------------------------------------------------------


@dataclass
class CellPlan:
    unit: Unit
    code: str
    hamlet: str  # "khu phố 1", "ấp Mỹ An"
    size: int
    residential_groups: int
    party_groups: int
    org: Organisation | None = None

    @property
    def name(self) -> str:
        return f"Chi bộ {self.hamlet}"


@dataclass
class UnitPlan:
    unit: Unit
    code: str
    cells: list[CellPlan] = field(default_factory=list)
    org: Organisation | None = None


@dataclass
class Draft:
    """A member before it is written, with what is written beside it once it has a primary key."""

    member: Member
    age: float
    backgrounds: list[str]
    exemption: dict[str, Any] | None = None
    away: dict[str, Any] | None = None

    @property
    def can_hold_office(self) -> bool:
        return self.member.official_on is not None and not self.exemption and not self.away and 30 <= self.age < 72


@dataclass
class Account:
    username: str
    draft: Draft | None  # None only for the administrator
    roles: list[tuple[str, Organisation | None]]

    @property
    def is_admin(self) -> bool:
        return any(kind == R.ADMIN for kind, _ in self.roles)


@dataclass
class Report:
    scale: Scale
    created: bool
    elapsed: float
    counts: dict[str, int]


# ---------------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------------


@contextmanager
def _history_off() -> Iterator[None]:
    # simple_history checks this setting on every signal; demo rows need no "created"/"deleted" history.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        yield


def demo_root(scale: Scale) -> Organisation | None:
    return Organisation.objects.filter(code=scale.root_code, depth=1).first()


def seed_demo(scale: Scale, *, reset: bool = False, today: dt.date | None = None) -> Report:
    """Seed the demo of ``scale`` unless it is present; with ``reset``, remove any demo first.

    All or nothing: one transaction, so a failed run leaves no half-built demo behind.
    """
    started = time.perf_counter()
    today = today or timezone.localdate()
    if not connection.features.can_return_rows_from_bulk_insert:
        raise DemoDataError("The database must return primary keys from bulk inserts (PostgreSQL, SQLite ≥ 3.35).")
    with transaction.atomic(), _history_off():
        if reset:
            delete_demo_data()
        root = demo_root(scale)
        if root is None:
            _check_free(scale)
            root = _Builder(scale, today).build()
            created = True
        else:
            created = False
    return Report(scale, created, time.perf_counter() - started, demo_counts(root, today))


DISCIPLINE_EVERY = 12  # one cell in twelve had a member disciplined in the year before the demo's


def seed_disciplines(root: Organisation, year: int) -> int:
    """A reprimand in ``year`` for one member of every twelfth cell (the yearly classification weighs it); returns
    the records written. Two queries and a bulk insert."""
    cells = list(Organisation.objects.under(root).cells().values_list("pk", flat=True))[::DISCIPLINE_EVERY]
    roll: dict[int, list[int]] = defaultdict(list)
    members = (
        Member.objects.filter(cell_id__in=cells)
        .on_roll(dt.date(year, 12, 31))
        .order_by("cell_id", "search_name", "pk")
        .values_list("cell_id", "pk")
    )
    for cell_id, pk in members:
        roll[cell_id].append(pk)
    records = [
        Discipline(
            member_id=pks[len(pks) // 2],
            form=Discipline.Form.REPRIMAND,
            decided_on=dt.date(year, 8, 15),
            decision=f"Quyết định số {number:02d}-QĐ/CB",
            reason="Nhiều lần vắng sinh hoạt chi bộ không có lý do chính đáng.",
        )
        for number, pks in enumerate((roll[cell] for cell in cells if roll[cell]), start=1)
    ]
    Discipline.objects.bulk_create(records, batch_size=BATCH_SIZE)
    return len(records)


def seed_status_history(
    root: Organisation, today: dt.date, *, busy_until: Mapping[int, dt.date], settled: Collection[int] = ()
) -> int:
    """The status changes of the demo's members, as the timeline shows them; returns the changes written.

    Recognitions of the last two years and the start of every exemption and away period are recorded as they
    already stand; then some exemptions end, some members come back from away, and one member of each ward
    moves to another cell of the ward. Those are dated after the last meeting of the cells concerned
    (``busy_until``: the last meeting date of each cell, planned ones included), so no meeting's roll or
    attendance changes, and a cell with a meeting still to come is left alone. Members in ``settled`` (those
    with tasks in their cell) are not moved. A few queries and bulk writes.
    """
    rng = random.Random(SEED + 7)
    E = MemberEvent.Kind
    cells = list(Organisation.objects.under(root).cells().values_list("pk", "path"))
    recorder = dict(
        Role.objects.filter(kind=R.SECRETARY, organisation__path__startswith=root.path).values_list(
            "organisation_id", "user_id"
        )
    )

    def free_from(cell_id: int) -> dt.date:
        last = busy_until.get(cell_id)
        return last + dt.timedelta(days=1) if last else today - dt.timedelta(days=30)

    def event(member_id: int, cell_id: int, kind: str, on: dt.date, **fields: Any) -> MemberEvent:
        at = dt.datetime.combine(on, dt.time(20, rng.randint(0, 59)), tzinfo=timezone.get_current_timezone())
        return MemberEvent(
            member_id=member_id, kind=kind, on=on, recorded_by_id=recorder.get(cell_id), recorded_at=at, **fields
        )

    members = Member.objects.in_org(root).active()
    events: list[MemberEvent] = [
        event(pk, cell_id, E.OFFICIAL, on, decision=f"Quyết định số {rng.randint(20, 480)}-QĐ/ĐU")
        for pk, cell_id, on in members.filter(official_on__gte=today - dt.timedelta(days=730))
        .order_by("pk")
        .values_list("pk", "cell_id", "official_on")
        if on is not None  # always: filtered on it
    ]
    ended: list[Exemption | AwayPeriod] = []
    exemptions = Exemption.objects.filter(member__in=members).select_related("member").order_by("pk")
    away_periods = AwayPeriod.objects.filter(member__in=members).select_related("member").order_by("pk")
    for exemption in exemptions.only("pk", "starts_on", "ends_on", "reason", "decision", "member__cell_id"):
        cell_id = exemption.member.cell_id
        events.append(
            event(
                exemption.member_id,
                cell_id,
                E.EXEMPTED,
                exemption.starts_on,
                decision=exemption.decision,
                note=exemption.reason,
            )
        )
        back = free_from(cell_id)
        illness_open = exemption.reason == REASON_ILLNESS and exemption.ends_on is None
        if illness_open and exemption.starts_on < back <= today and rng.random() < 0.3:
            exemption.ends_on = back - dt.timedelta(days=1)
            ended.append(exemption)
            decision = f"Nghị quyết chi bộ số {rng.randint(1, 12):02d}-NQ/CB"
            events.append(
                event(
                    exemption.member_id,
                    cell_id,
                    E.EXEMPTION_ENDED,
                    back,
                    decision=decision,
                    note="Đã khỏi bệnh, xin sinh hoạt trở lại",
                )
            )
    for away in away_periods.only("pk", "kind", "starts_on", "ends_on", "place", "member__cell_id"):
        cell_id = away.member.cell_id
        events.append(
            event(away.member_id, cell_id, E.AWAY, away.starts_on, note=f"{away.get_kind_display()}: {away.place}")
        )
        back = free_from(cell_id)
        away_open = away.kind == AwayPeriod.Kind.WORKING_AWAY and away.ends_on is None
        if away_open and away.starts_on < back <= today and rng.random() < 0.25:
            away.ends_on = back - dt.timedelta(days=1)
            ended.append(away)
            events.append(event(away.member_id, cell_id, E.BACK, back, note="Đã về địa phương"))
    Exemption.objects.bulk_update([p for p in ended if isinstance(p, Exemption)], ["ends_on"], batch_size=BATCH_SIZE)
    AwayPeriod.objects.bulk_update([p for p in ended if isinstance(p, AwayPeriod)], ["ends_on"], batch_size=BATCH_SIZE)

    # A move in some wards, between two cells with no meeting to come; never a member with a login, whose roles
    # belong to their cell, nor one that takes either cell across the size where a deputy secretary is elected.
    by_ward: dict[str, list[int]] = defaultdict(list)
    for pk, path in cells:
        if free_from(pk) <= today:
            by_ward[path[: -root.steplen]].append(pk)
    candidates = [c for ids in by_ward.values() for c in ids]
    size = dict(Member.objects.filter(cell_id__in=candidates).values_list("cell_id").annotate(n=Count("pk")).order_by())
    movable: dict[int, list[int]] = defaultdict(list)
    for pk, cell_id in (
        members.filter(user__isnull=True, cell_id__in=candidates).order_by("pk").values_list("pk", "cell_id")
    ):
        if pk not in settled:
            movable[cell_id].append(pk)
    groups: dict[int, int] = {}
    for pk, cell_id in (
        ResidentialGroup.objects.filter(cell_id__in=candidates).order_by("-pk").values_list("pk", "cell_id")
    ):
        groups[cell_id] = pk  # the first group of each cell
    moves: list[Member] = []
    for ward_cells in by_ward.values():
        if len(ward_cells) < 2 or rng.random() >= 0.4:
            continue
        from_cell, to_cell = rng.sample(ward_cells, 2)
        if not movable[from_cell] or size.get(from_cell, 0) == DEPUTY_FROM or size.get(to_cell, 0) == DEPUTY_FROM - 1:
            continue
        member_id = rng.choice(movable[from_cell])
        on = max(free_from(from_cell), free_from(to_cell))
        decision = f"Quyết định số {rng.randint(20, 480)}-QĐ/ĐU"
        events.append(
            event(
                member_id,
                from_cell,
                E.TRANSFERRED,
                on,
                from_cell_id=from_cell,
                to_cell_id=to_cell,
                decision=decision,
                note="Chuyển nơi cư trú",
            )
        )
        moves.append(Member(pk=member_id, cell_id=to_cell, residential_group_id=groups.get(to_cell), party_group=None))
    Member.objects.bulk_update(moves, ["cell", "residential_group", "party_group"], batch_size=BATCH_SIZE)
    MemberEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    return len(events)


def delete_demo_data() -> int:
    """Remove every demo tree (of any scale) with its members, and every demo account. Returns members removed."""
    removed = 0
    with transaction.atomic(), _history_off():
        for root in Organisation.objects.filter(depth=1, code__in=[s.root_code for s in SCALES.values()]):
            # Ward by ward, so that the deletion collector never holds a whole province in memory.
            for ward in Organisation.objects.get_children(root):
                removed += Member.objects.in_org(ward).count()
                Member.objects.in_org(ward).delete()
            Organisation.objects.filter(pk=root.pk).delete()  # treebeard's queryset delete takes the subtree
        get_user_model().objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").delete()
    return removed


def _check_free(scale: Scale) -> None:
    """Refuse, with a way out, when the demo's codes or usernames are taken by something else."""
    other = Organisation.objects.filter(code__in=[s.root_code for s in SCALES.values()]).first()
    if other is not None:
        if other.depth == 1 and other.kind == K.PROVINCE:
            raise DemoDataError(
                f"The demo of another scale is present (root {other.code}); run with --reset to replace it."
            )
        raise DemoDataError(f"The organisation code {other.code} is taken by “{other}”, which is not a demo root.")
    users = get_user_model().objects
    if users.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").exists():
        raise DemoDataError("Demo accounts of an earlier demo remain; run with --reset to remove them.")
    taken = sorted(users.filter(username__in=NAMED_ACCOUNTS).values_list("username", flat=True))
    if taken:
        raise DemoDataError(f"These usernames are taken by accounts that are not demo accounts: {', '.join(taken)}.")


def demo_counts(root: Organisation, today: dt.date) -> dict[str, int]:
    """What the demo holds, in a handful of queries."""
    by_kind = Organisation.objects.under(root).order_by().values("kind").annotate(n=Count("pk"))
    kinds = {row["kind"]: row["n"] for row in by_kind}
    members = Member.objects.in_org(root)
    counts = {
        "wards": kinds.get(K.WARD, 0),
        "cells": kinds.get(K.CELL, 0),
        "groups": kinds.get(K.GROUP, 0),
        "residential_groups": ResidentialGroup.objects.filter(cell__path__startswith=root.path).count(),
        "accounts": get_user_model().objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").count(),
        "roles": Role.objects.filter(user__email__endswith=f"@{DEMO_EMAIL_DOMAIN}").count(),
    }
    counts.update(status_counts(members, today))
    counts["members"] = counts.pop("total")
    return counts


@dataclass(frozen=True)
class AccountRow:
    username: str
    role: str
    organisation: str


def named_accounts() -> list[AccountRow]:
    """The named demo accounts as they stand in the database, for the table printed by the command."""
    users = {
        user.username: user
        for user in get_user_model()
        .objects.filter(username__in=NAMED_ACCOUNTS, email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        .select_related("member__cell")
        .prefetch_related("roles__organisation")
    }
    rows = []
    for username in NAMED_ACCOUNTS:
        user = users.get(username)
        if user is None:
            continue
        roles = list(user.roles.all())
        if roles:
            kinds = sorted({role.kind for role in roles}, key=lambda kind: list(R).index(R(kind)))
            label = ", ".join(str(R(kind).label) for kind in kinds)
            organisation = "; ".join(_org_label(role.organisation) for role in roles)
        else:
            member = getattr(user, "member", None)
            label = str(Member._meta.verbose_name).capitalize()
            organisation = _org_label(member.cell) if member else "—"
        rows.append(AccountRow(username, label, organisation))
    return rows


def _org_label(org: Organisation | None) -> str:
    if org is None:
        return "—"
    if org.kind in (K.CELL, K.GROUP) and org.place_name:
        return f"{org.name} ({org.place_name})"
    return org.name


# ---------------------------------------------------------------------------------------------------
# The builder
# ---------------------------------------------------------------------------------------------------


def _initials(place: str) -> str:
    return "".join(word[0] for word in search_key(place).split()).upper()


def _spread(
    rng: random.Random,
    total: int,
    count: int,
    bounds: tuple[int, int],
    draw: Callable[[], float],
    fixed: dict[int, int] | None = None,
) -> list[int]:
    """``count`` whole numbers within ``bounds`` summing exactly to ``total``: drawn, then nudged one by one."""
    low, high = bounds
    values = [min(high, max(low, round(draw()))) for _ in range(count)]
    fixed = fixed or {}
    for index, value in fixed.items():
        values[index] = value
    free = [index for index in range(count) if index not in fixed]
    missing = total - sum(values)
    while missing:
        step = 1 if missing > 0 else -1
        index = rng.choice(free)
        if low <= values[index] + step <= high:
            values[index] += step
            missing -= step
    return values


class _Builder:
    def __init__(self, scale: Scale, today: dt.date) -> None:
        self.scale = scale
        self.today = today
        self.rng = random.Random(SEED)
        self.phones: set[str] = set()
        # Citizen IDs are unique in the database: steer clear of any already recorded (by their keyed hashes, as
        # the IDs themselves are encrypted).
        self.citizen_id_keys: set[str] = {
            key
            for key in Member.objects.filter(citizen_id_hash__isnull=False).values_list("citizen_id_hash", flat=True)
            if key is not None  # always: filtered on it
        }
        self.backgrounds: dict[str, Background] = {}
        self.drafts: list[Draft] = []
        self.accounts: list[Account] = []
        self.orgs_by_code: dict[str, Organisation] = {}
        self.renames: dict[str, str] = {}  # generated username of a named account → its short name

    # --- the whole run -------------------------------------------------------------------------

    def build(self) -> Organisation:
        units = self._plan_units()
        root = self._write_tree(units)
        self._write_backgrounds()
        residential = self._write_residential_groups(units)
        groups = self._party_groups()
        for unit in units:
            pools = {
                cell.code: self._draft_cell(cell, residential[cell.code], groups[cell.code]) for cell in unit.cells
            }
            self._assign_roles(unit, pools)
        self._write_people()
        return root

    # --- the organisation tree -----------------------------------------------------------------

    def _plan_units(self) -> list[UnitPlan]:
        scale, rng = self.scale, self.rng
        units = list(BEN_TRE_UNITS[: scale.wards])
        places = {unit.place for unit in units}
        while len(units) < scale.wards:
            place = f"{rng.choice(PLACE_FIRST)} {rng.choice(PLACE_SECOND)}"
            if place.split()[0] != place.split()[1] and place not in places:
                places.add(place)
                units.append(Unit(place, is_ward=rng.random() < 0.2))
        codes: set[str] = set()
        plans = []
        for unit in units:
            code, suffix = _initials(unit.place), 1
            while code in codes:
                suffix += 1
                code = f"{_initials(unit.place)}{suffix}"
            codes.add(code)
            plans.append(UnitPlan(unit, f"{scale.root_code}-{code}"))

        low, high = scale.cells_per_ward
        per_unit = _spread(rng, scale.cells, scale.wards, scale.cells_per_ward, lambda: rng.uniform(low, high))
        size_low, size_high = scale.cell_size
        sizes = _spread(
            rng,
            scale.members,
            scale.cells,
            scale.cell_size,
            lambda: rng.triangular(size_low, size_high, scale.cell_size_mode),
            fixed={0: NAMED_CELL_SIZE},
        )
        position = 0
        for plan, count in zip(plans, per_unit, strict=True):
            for index, hamlet in enumerate(self._hamlets(plan.unit, count), start=1):
                size = sizes[position]
                position += 1
                plan.cells.append(
                    CellPlan(
                        unit=plan.unit,
                        code=f"{plan.code}-{index:02d}",
                        hamlet=hamlet,
                        size=size,
                        residential_groups=min(6, max(3, 3 + size // 30 + rng.choice((-1, 0, 0, 1)))),
                        party_groups=3 if size >= 100 else 2 if size >= 85 else 0,
                    )
                )
        return plans

    def _hamlets(self, unit: Unit, count: int) -> list[str]:
        if unit.is_ward:
            return [f"khu phố {index}" for index in range(1, count + 1)]
        names = list(unit.hamlets[:count])
        while len(names) < count:
            name = f"{self.rng.choice(PLACE_FIRST)} {self.rng.choice(PLACE_SECOND)}"
            if name.split()[0] != name.split()[1] and name not in names:
                names.append(name)
        return [f"ấp {name}" for name in names]

    def _write_tree(self, units: list[UnitPlan]) -> Organisation:
        scale = self.scale

        def node(kind: str, name: str, code: str, place: str, children: list[dict[str, Any]]) -> dict[str, Any]:
            return {"data": {"kind": kind, "name": name, "code": code, "place_name": place}, "children": children}

        wards = [
            node(
                K.WARD,
                plan.unit.committee_name,
                plan.code,
                plan.unit.place,
                [
                    node(
                        K.CELL,
                        cell.name,
                        cell.code,
                        plan.unit.place,
                        [
                            node(K.GROUP, f"Tổ đảng {index}", f"{cell.code}-T{index}", plan.unit.place, [])
                            for index in range(1, cell.party_groups + 1)
                        ],
                    )
                    for cell in plan.cells
                ],
            )
            for plan in units
        ]
        tree = [node(K.PROVINCE, scale.root_name, scale.root_code, scale.root_place, wards)]
        # treebeard adds the root, computes every path below it and bulk-creates the descendants.
        Organisation.objects.load_bulk(tree, bulk_create=True, batch_size=BATCH_SIZE)
        root = Organisation.objects.get(code=scale.root_code)
        by_code = {org.code: org for org in Organisation.objects.under(root)}
        for plan in units:
            plan.org = by_code[plan.code]
            for cell in plan.cells:
                cell.org = by_code[cell.code]
        self.orgs_by_code = by_code
        # The named accounts: around the first cell of the first ward, and the first cell of the second ward.
        first, second, ward = units[0].cells[0].code.lower(), units[1].cells[0].code.lower(), units[0].code.lower()
        self.renames = {
            f"bithu.{first}": "bithu",
            f"phobithu.{first}": "phobithu",
            f"chiuyvien1.{first}": "chiuyvien",
            f"thuongtruc1.{ward}": "thuongtruc",
            f"phutrach1.{ward}": "phutrach",
            f"bithu.{second}": "bithu2",
        }
        return root

    def _party_groups(self) -> dict[str, list[Organisation]]:
        """The party groups of each cell (by cell code), in tree order."""
        orgs = sorted(self.orgs_by_code.values(), key=lambda org: org.path)
        cells = {org.path: org.code for org in orgs if org.kind == K.CELL}
        groups: dict[str, list[Organisation]] = {code: [] for code in cells.values()}
        for org in orgs:
            if org.kind == K.GROUP:
                groups[cells[org.path[: -org.steplen]]].append(org)
        return groups

    def _write_backgrounds(self) -> None:
        for code, name in BACKGROUNDS:
            self.backgrounds[code], _ = Background.objects.get_or_create(code=code, defaults={"name": name})

    def _write_residential_groups(self, units: list[UnitPlan]) -> dict[str, list[ResidentialGroup]]:
        rows = {
            cell.code: [
                ResidentialGroup(cell=cell.org, name=f"Tổ tự quản số {n}")
                for n in range(1, cell.residential_groups + 1)
            ]
            for plan in units
            for cell in plan.cells
        }
        ResidentialGroup.objects.bulk_create(
            [row for cell_rows in rows.values() for row in cell_rows], batch_size=BATCH_SIZE
        )
        return rows

    # --- members -------------------------------------------------------------------------------

    def _draft_cell(
        self, cell: CellPlan, residential: list[ResidentialGroup], groups: list[Organisation]
    ) -> list[Draft]:
        """Draft the members of a cell; returns those fit for office, the most likely first."""
        drafts = [self._draft_member(cell, residential, groups) for _ in range(cell.size)]
        self.drafts.extend(drafts)
        fit = [draft for draft in drafts if draft.can_hold_office]
        # Retired cadres, veterans and teachers are the usual choice for the cell committee.
        scores = {id(d): self.rng.random() + (0.6 if TRUSTED_BACKGROUNDS & set(d.backgrounds) else 0) for d in fit}
        return sorted(fit, key=lambda draft: scores[id(draft)], reverse=True)

    def _draft_member(self, cell: CellPlan, residential: list[ResidentialGroup], groups: list[Organisation]) -> Draft:
        rng, today = self.rng, self.today
        male = rng.random() < MALE_SHARE
        probationary = rng.random() < PROBATIONARY_SHARE
        if probationary:  # new members are mostly young
            age = rng.uniform(22, 45) if rng.random() < 0.85 else rng.uniform(45, 60)
        else:
            age = rng.uniform(*AGE_BANDS.pick(rng))
        birth = today - dt.timedelta(days=int(age * 365.25))
        full_name = self._full_name(male, age)

        if probationary:
            # Still within the twelve months of probation, some of them ending in the next few weeks.
            admitted = today - dt.timedelta(days=rng.randint(20, 350))
            official = None
        else:
            # Admitted at 18 or later, mostly young; official the day probation ends, at least a few months ago.
            latest = min(age - 1.2, 55.0)
            youngest = MINIMUM_ADMISSION_AGE
            admission_age = youngest + (latest - youngest) * rng.random() ** 1.6
            admitted = add_years(birth, youngest) + dt.timedelta(days=int((admission_age - youngest) * 365.25))
            admitted = min(admitted, today - dt.timedelta(days=400))
            official = probation_ends_on(admitted)

        phone = self._phone() if rng.random() < (0.75 if age >= 80 else 0.95) else ""
        index = rng.randrange(len(residential))
        citizen_id = self._citizen_id(birth, male)
        member = Member(
            full_name=full_name,
            search_name=search_key(full_name),  # bulk_create skips Member.save(), which sets it
            birth_date=birth,
            sex=Member.Sex.MALE if male else Member.Sex.FEMALE,
            phone=phone,
            citizen_id=citizen_id,
            citizen_id_hash=citizen_id_key(citizen_id),  # set by Member.save(), which bulk_create skips
            admitted_on=admitted,
            official_on=official,
            cell=cell.org,
            residential_group=residential[index],
            # Party groups follow the residential groups: each takes a contiguous part of the hamlet.
            party_group=groups[index * len(groups) // len(residential)] if groups else None,
            address=f"Số {rng.randint(1, 320 if cell.unit.is_ward else 899)}, {cell.hamlet}, {cell.unit.label}",
        )

        backgrounds: list[str] = []
        if rng.random() < next(share for floor, share in BACKGROUND_SHARE_BY_AGE if age >= floor):
            choices = next(weighted for floor, weighted in BACKGROUND_BY_AGE if age >= floor)
            backgrounds.append(choices.pick(rng))
            if rng.random() < 0.15:  # e.g. a retired cadre who is also a veteran
                second = choices.pick(rng)
                if second not in backgrounds:
                    backgrounds.append(second)
        member.is_propagandist = rng.random() < PROPAGANDIST_SHARE[bool(backgrounds)]

        draft = Draft(member, age, backgrounds)
        if not probationary and rng.random() < (0.12 if age >= 75 else 0.01 if age >= 55 else 0):
            reason = REASON_OLD_AGE if age >= 75 and rng.random() < 0.8 else REASON_ILLNESS
            starts = max(official or admitted, today - dt.timedelta(days=rng.randint(60, 5 * 365)))
            draft.exemption = {
                "starts_on": starts,
                "reason": reason,
                "decision": f"Nghị quyết chi bộ số {rng.randint(1, 12):02d}-NQ/CB",
            }
        elif age < 55 and rng.random() < 0.06:
            starts = max(admitted, today - dt.timedelta(days=rng.randint(30, 300)))
            if rng.random() < 0.15:  # transferred for a year to the cell where they work
                away: dict[str, Any] = {"kind": AwayPeriod.Kind.TEMPORARY_TRANSFER, "note": TRANSFER_NOTE}
                away["ends_on"] = starts + dt.timedelta(days=365)
            else:
                away = {"kind": AwayPeriod.Kind.WORKING_AWAY, "note": rng.choice(AWAY_NOTES)}
            draft.away = {"starts_on": starts, "place": AWAY_PLACES.pick(rng), **away}
        return draft

    def _full_name(self, male: bool, age: float) -> str:
        rng = self.rng
        family = FAMILY_NAMES.pick(rng)
        middle = MIDDLE_NAMES[male, age < 40].pick(rng)
        given_names = MALE_GIVEN if male else FEMALE_GIVEN
        given = rng.choice(given_names)
        while given == middle:
            given = rng.choice(given_names)
        if not male and middle == "Thị" and rng.random() < 0.12:
            second = rng.choice(SECOND_FEMALE_MIDDLE)
            if second != given:
                middle = f"{middle} {second}"
        return normalize(f"{family} {middle} {given}")

    def _phone(self) -> str:
        while True:
            phone = f"{self.rng.choice(PHONE_PREFIXES)}{self.rng.randrange(10**7):07d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _citizen_id(self, birth: dt.date, male: bool) -> str:
        century_sex = (0 if male else 1) + (2 if birth.year >= 2000 else 0)
        while True:
            citizen_id = f"{CITIZEN_ID_PROVINCE}{century_sex}{birth.year % 100:02d}{self.rng.randrange(10**6):06d}"
            key = citizen_id_key(citizen_id)
            if key is None:
                raise ValueError("a citizen ID made here is never empty")
            if key not in self.citizen_id_keys:
                self.citizen_id_keys.add(key)
                return citizen_id

    # --- roles and accounts --------------------------------------------------------------------

    def _assign_roles(self, unit: UnitPlan, pools: dict[str, list[Draft]]) -> None:
        rng = self.rng
        first_unit = not self.accounts
        if first_unit:
            self._account("admin", None, (R.ADMIN, None))
        for cell in unit.cells:
            pool = pools[cell.code]
            code = cell.code.lower()
            self._account(f"bithu.{code}", pool.pop(0), (R.SECRETARY, cell.org))
            if cell.size >= DEPUTY_FROM:
                self._account(f"phobithu.{code}", pool.pop(0), (R.DEPUTY, cell.org))
            for n in range(1, 2 + (cell.size >= 50) + (cell.size >= 90)):
                self._account(f"chiuyvien{n}.{code}", pool.pop(0), (R.COMMITTEE, cell.org))
        if first_unit:  # an ordinary member of the named cell, with a login
            self._account("dangvien", pools[unit.cells[0].code].pop(0))

        def someone(avoid: Sequence[CellPlan] = ()) -> Draft:
            """A member of one of the ward's cells fit for office, from a cell outside ``avoid`` if possible."""
            cells = [cell for cell in unit.cells if cell not in avoid] or unit.cells
            for cell in rng.sample(cells, len(cells)):
                if pools[cell.code]:
                    return pools[cell.code].pop(0)
            raise DemoDataError(f"No member left to take a role in {unit.unit.committee_name}.")

        code = unit.code.lower()
        # The first standing member is the committee's secretary and the second its deputy: they sign its reports.
        for n, office in ((1, R.PARTY_SECRETARY), (2, R.PARTY_DEPUTY)):
            self._account(f"thuongtruc{n}.{code}", someone(), (R.STANDING, unit.org), (office, unit.org))
        # Each member in charge looks after two or three neighbouring cells; every cell gets one. In the first
        # ward the first one ("phutrach") has exactly two, the named cell among them.
        start, n = 0, 0
        while start < len(unit.cells):
            left = len(unit.cells) - start
            take = left if left <= 3 else 2 if (left == 4 or (first_unit and n == 0)) else rng.choice((2, 3))
            chunk = unit.cells[start : start + take]
            n += 1
            roles = [(R.IN_CHARGE, cell.org) for cell in chunk]
            self._account(f"phutrach{n}.{code}", someone(avoid=chunk), *roles)
            start += take

    def _account(self, username: str, draft: Draft | None, *roles: tuple[str, Organisation | None]) -> None:
        self.accounts.append(Account(self.renames.get(username, username), draft, list(roles)))

    # --- writing -------------------------------------------------------------------------------

    def _write_people(self) -> None:
        User = get_user_model()
        password = make_password(DEMO_PASSWORD)  # hashed once: the hasher is slow on purpose
        now = timezone.now()
        users = [
            User(
                username=account.username,
                first_name=account.draft.member.full_name if account.draft else "Quản trị hệ thống",
                last_name="",
                email=f"{account.username}@{DEMO_EMAIL_DOMAIN}",
                password=password,
                is_staff=account.is_admin,
                is_superuser=account.is_admin,
                date_joined=now,
            )
            for account in self.accounts
        ]
        User.objects.bulk_create(users, batch_size=BATCH_SIZE)
        for account, user in zip(self.accounts, users, strict=True):
            if account.draft:
                account.draft.member.user_id = user.pk

        Member.objects.bulk_create([draft.member for draft in self.drafts], batch_size=BATCH_SIZE)
        Through = Member.backgrounds.through
        Through.objects.bulk_create(
            [
                Through(member_id=draft.member.pk, background_id=self.backgrounds[code].pk)
                for draft in self.drafts
                for code in draft.backgrounds
            ],
            batch_size=BATCH_SIZE,
        )
        Exemption.objects.bulk_create(
            [Exemption(member=d.member, **d.exemption) for d in self.drafts if d.exemption], batch_size=BATCH_SIZE
        )
        AwayPeriod.objects.bulk_create(
            [AwayPeriod(member=d.member, **d.away) for d in self.drafts if d.away], batch_size=BATCH_SIZE
        )
        Role.objects.bulk_create(
            [
                Role(user=user, kind=kind, organisation=org)
                for account, user in zip(self.accounts, users, strict=True)
                for kind, org in account.roles
            ],
            batch_size=BATCH_SIZE,
        )
