"""Demo committee documents: every ward or commune committee's plan and resolution or directive of the year, with
the targets each cell must meet, adopted by the committee's own vote.

Used by ``demo.assemble`` (``manage.py seed_demo``) after ``demo.members`` has built the tree and the people and
before ``demo.resolutions`` builds the cells' resolutions, which carry these documents out: most cells in the
first monthly resolution adopted after the document (in time), some in a later one (after the deadline), and in
each ward one cell that has not yet carried one of the two (late, the deadline passed). Those resolutions hold the
tasks that carry each target (``Task.cell_target``), led by members, with their figures.

The documents go through the services, as a standing member would issue them (``create_resolution``, the step to
the committee, ``record_committee_vote``): two per ward, a few hundred queries at province scale. Dates follow the
day the demo is seeded: each document was adopted in the month before last and was to be made concrete by the
middle of last month, so the cells' monthly meetings of last month carry it in time and this month's late.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from demo.resolutions import _set_column
from meetings.models import Vote
from meetings.services import record_committee_vote
from members.models import Organisation, Role
from members.models import today as real_today
from resolutions.models import CellTarget, Resolution, StatusChange, Version
from resolutions.rules import DocumentType, Measure
from resolutions.services import create_resolution, take_step

SEED = 2046
DT = DocumentType
M = Measure


@dataclass(frozen=True)
class TargetSpec:
    name: str
    measure: str
    goal: int
    unit: str
    months: int  # its deadline: the end of the month this many months after the current one


@dataclass(frozen=True)
class DocumentSpec:
    document_type: str
    title: str  # {year}
    assessment: str
    focal_tasks: str
    solutions: str
    implementation: str  # {committee}
    targets: tuple[TargetSpec, ...]


WASTE_PLAN = DocumentSpec(
    document_type=DT.PLAN,
    title="Kế hoạch vận động hộ gia đình tham gia phân loại rác tại nguồn năm {year}",
    assessment="Thời gian qua, công tác bảo vệ môi trường ở khu dân cư có chuyển biến; tuy nhiên số hộ phân loại "
    "rác tại nguồn còn ít, một số nơi còn tình trạng xả rác ra kênh rạch, lề đường.",
    focal_tasks="1. Tuyên truyền đến từng hộ gia đình ý nghĩa, cách phân loại rác hữu cơ, rác tái chế và rác khác.\n\n"
    "2. Mỗi chi bộ chọn hộ làm điểm, nhân rộng mô hình phân loại rác tại nguồn trong khu dân cư.",
    solutions="Phân công đảng viên phụ trách tổ tự quản đến từng hộ vận động; phối hợp Ban công tác Mặt trận, Chi "
    "hội Phụ nữ tổ chức hướng dẫn tại nhà văn hóa; biểu dương hộ làm tốt tại các buổi họp tổ.",
    implementation="Các chi bộ cụ thể hóa kế hoạch bằng nghị quyết của chi bộ, giao chỉ tiêu đến đảng viên; báo "
    "cáo kết quả về Văn phòng {committee} hằng tháng.",
    targets=(
        TargetSpec("Vận động ít nhất 5 hộ gia đình phân loại rác tại nguồn", M.NUMBER, 5, "hộ", 0),
        TargetSpec("Tỷ lệ hộ gia đình ký cam kết phân loại rác tại nguồn", M.PERCENT, 80, "%", 1),
        TargetSpec("Tổ chức sinh hoạt chuyên đề về bảo vệ môi trường, phân loại rác tại nguồn", M.YES_NO, 1, "", 0),
    ),
)

MEMBERSHIP_DIRECTIVE = DocumentSpec(
    document_type=DT.DIRECTIVE,
    title="Chỉ thị về tăng cường công tác phát triển đảng viên năm {year}",
    assessment="Công tác phát triển đảng viên ở khu dân cư còn gặp khó khăn: nguồn quần chúng ưu tú ít, đoàn viên "
    "thanh niên đi làm ăn xa; một số chi bộ nhiều năm chưa kết nạp được đảng viên mới.",
    focal_tasks="1. Tạo nguồn phát triển đảng viên từ đoàn viên, hội viên ưu tú, chú trọng người trẻ tuổi.\n\n"
    "2. Phân công đảng viên chính thức giúp đỡ quần chúng phấn đấu vào Đảng.",
    solutions="Chi ủy rà soát, lập danh sách quần chúng ưu tú; giới thiệu học lớp nhận thức về Đảng; phối hợp "
    "Chi đoàn, Chi hội giới thiệu người có đủ điều kiện.",
    implementation="Các chi bộ cụ thể hóa chỉ thị bằng nghị quyết của chi bộ; Ban Tổ chức {committee} theo dõi, "
    "hướng dẫn và báo cáo Ban Thường vụ hằng quý.",
    targets=(
        TargetSpec("Giới thiệu ít nhất 2 quần chúng ưu tú học lớp nhận thức về Đảng", M.NUMBER, 2, "quần chúng", 1),
        TargetSpec("Tỷ lệ đảng viên dự sinh hoạt chi bộ thường kỳ", M.PERCENT, 90, "%", 0),
        TargetSpec("Tổ chức sinh hoạt chuyên đề về công tác phát triển đảng viên", M.YES_NO, 1, "", 1),
    ),
)

DIGITAL_RESOLUTION = DocumentSpec(
    document_type=DT.RESOLUTION,
    title="Nghị quyết về đẩy mạnh chuyển đổi số ở khu dân cư năm {year}",
    assessment="Tổ công nghệ số cộng đồng đã hỗ trợ nhiều người dân; nhưng số người cao tuổi dùng dịch vụ công "
    "trực tuyến và số hộ kinh doanh thanh toán không dùng tiền mặt còn thấp.",
    focal_tasks="1. Hỗ trợ người dân kích hoạt tài khoản định danh điện tử, nộp hồ sơ trực tuyến.\n\n"
    "2. Vận động hộ kinh doanh, tiểu thương thanh toán không dùng tiền mặt.",
    solutions="Phát huy đoàn viên thanh niên trong Tổ công nghệ số cộng đồng; mở điểm hỗ trợ tại nhà văn hóa vào "
    "cuối tuần; đảng viên gương mẫu sử dụng dịch vụ công trực tuyến.",
    implementation="Các chi bộ cụ thể hóa nghị quyết bằng nghị quyết của chi bộ; {committee} sơ kết vào cuối năm.",
    targets=(
        TargetSpec("Hỗ trợ ít nhất 30 người dân kích hoạt tài khoản định danh điện tử mức 2", M.NUMBER, 30, "người", 0),
        TargetSpec("Tỷ lệ hộ kinh doanh thanh toán không dùng tiền mặt", M.PERCENT, 70, "%", 1),
        TargetSpec("Duy trì Tổ công nghệ số cộng đồng hoạt động thường xuyên", M.YES_NO, 1, "", 0),
    ),
)


@dataclass(frozen=True)
class DemoTarget:
    pk: int
    name: str
    measure: str
    goal: Decimal
    unit: str
    deadline: dt.date


@dataclass
class DemoDocument:
    """A committee's document as the cells' builder needs it."""

    pk: int
    number: str
    adopted_on: dt.date
    concretise_by: dt.date
    targets: list[DemoTarget] = field(default_factory=list)


def _month_start(day: dt.date, shift: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


def seed_documents(root: Organisation, today: dt.date) -> dict[str, list[DemoDocument]]:
    """Two documents of ``today``'s year for every ward or commune under ``root``, adopted by its committee's vote;
    returns them by the committee's path. Called inside ``demo.assemble.seed_demo``'s transaction."""
    rng = random.Random(SEED)
    wards = list(Organisation.objects.filter(path__startswith=root.path, kind=Organisation.Kind.WARD).order_by("path"))
    secretaries = Role.objects.filter(organisation__in=wards, kind=Role.Kind.PARTY_SECRETARY).select_related("user")
    issuers: dict[int, User] = {}
    for role in secretaries.order_by("pk"):
        issuers.setdefault(role.organisation_id or 0, role.user)
    year = today.year
    before_last = _month_start(today, -2)
    last = _month_start(today, -1)
    documents: dict[str, list[DemoDocument]] = {}
    targets: list[tuple[DemoDocument, CellTarget]] = []
    stamps: list[tuple[Resolution, dt.date]] = []
    for n, ward in enumerate(wards):
        by = issuers.get(ward.pk)
        if by is None:
            continue
        second = MEMBERSHIP_DIRECTIVE if n % 2 == 0 else DIGITAL_RESOLUTION
        plans = ((WASTE_PLAN, 17, 10), (second, 22, 14))  # adopted on the day of the month before last, due …
        for spec, adopted_day, due_day in plans:
            # The committee's vote is recorded on its day or after it (the real clock: a demo seeded "as of" a
            # later day than today votes today).
            adopted_on = min(before_last + dt.timedelta(days=adopted_day + rng.randint(-2, 2)), real_today())
            concretise_by = last + dt.timedelta(days=due_day - 1)
            document = create_resolution(
                cell=ward,
                by=by,
                document_type=spec.document_type,
                kind=Resolution.Kind.YEARLY,
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                title=spec.title.format(year=year),
                assessment=spec.assessment,
                focal_tasks=spec.focal_tasks,
                solutions=spec.solutions,
                implementation=spec.implementation.format(committee=ward.name),
                concretise_by=concretise_by,
            )
            demo = DemoDocument(document.pk, document.number, adopted_on, concretise_by)
            for order, t in enumerate(spec.targets):
                deadline = _month_start(today, t.months + 1) - dt.timedelta(days=1)
                row = CellTarget(
                    resolution=document,
                    name=t.name,
                    measure=t.measure,
                    goal=Decimal(t.goal),
                    unit=t.unit,
                    deadline=deadline,
                    order=order,
                )
                targets.append((demo, row))
            take_step(resolution=document, step_name="submit", by=by)
            entitled = rng.randint(9, 13)
            present = entitled - rng.choice((0, 1, 1, 2))
            votes_for = present - rng.choice((0, 0, 0, 1))
            record_committee_vote(
                resolution=document,
                held_on=adopted_on,
                entitled=entitled,
                present=present,
                votes_for=votes_for,
                votes_against=0,
                votes_abstain=present - votes_for,
                by=by,
            )
            stamps.append((document, adopted_on))
            documents.setdefault(ward.path, []).append(demo)
    CellTarget.objects.bulk_create([row for _demo, row in targets])
    for demo, row in targets:
        demo.targets.append(DemoTarget(row.pk, row.name, row.measure, Decimal(row.goal), row.unit, row.deadline))
    _stamp(stamps)
    return documents


def _stamp(stamps: list[tuple[Resolution, dt.date]]) -> None:
    """The times that tell the story: drafted a week before the vote, submitted two days before, voted that
    morning (put back as ``demo.resolutions`` puts its times back)."""
    tz, now = timezone.get_current_timezone(), timezone.now()

    def at(day: dt.date, hour: int) -> dt.datetime:
        return min(now, dt.datetime.combine(day, dt.time(hour, 30), tzinfo=tz))

    drafted, submitted, voted = [], [], []
    for document, day in stamps:
        drafted.append((document.pk, at(day - dt.timedelta(days=7), 9)))
        submitted.append((document.pk, at(day - dt.timedelta(days=2), 16)))
        voted.append((document.pk, at(day, 10)))
    _set_column(Resolution, "created_at", drafted)
    _set_column(Resolution, "updated_at", voted)
    ids = [pk for pk, _at in drafted]
    at_submit = dict(submitted)
    at_vote = dict(voted)
    changes = StatusChange.objects.filter(resolution_id__in=ids).values_list("pk", "resolution_id", "to_status")
    _set_column(
        StatusChange,
        "at",
        [
            (pk, at_submit[doc] if status == Resolution.Status.SUBMITTED else at_vote[doc])
            for pk, doc, status in changes
        ],
    )
    votes = Vote.objects.filter(resolution_id__in=ids).values_list("pk", "resolution_id")
    _set_column(Vote, "recorded_at", [(pk, at_vote[doc]) for pk, doc in votes])
    versions = Version.objects.filter(resolution_id__in=ids).values_list("pk", "resolution_id")
    _set_column(Version, "created_at", [(pk, at_vote[doc]) for pk, doc in versions])
