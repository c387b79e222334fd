"""Demo resolutions: a year of monthly resolutions for every demo cell, with votes, tasks and their progress.

Used by ``demo.assemble`` (``manage.py seed_demo``) after ``demo.members`` has built the tree and the people, in the
same transaction.
For every cell and each of the last ``months`` months (the current one included): a monthly resolution numbered as
``services.next_number`` would have numbered it (one run per cell and calendar year), its sections, two targets,
four to six tasks led by members, the cell committee or a mass organisation, the adoption vote (the Charter rule
met on the members on roll that day), version 1 with its snapshot, the status changes, the dissemination, the
members' progress reports and a few public opinions. The secretary ``bithu``'s cell also has next month's draft.

Each month the resolution is adopted at the cell's regular meeting (sinh hoạt chi bộ thường kỳ) in the first week:
its agenda in the official order with what was said under each item, the attendance of every member on the roll
that day (exempt and away members as ``rules.default_attendance`` gives them; the others mostly present, some late,
some absent with or without a reason), the vote counted on that attendance (members absent with a reason leave the
Charter base), the monthly review (sơ kết) of last month's resolution frozen as its tasks stood during the meeting,
opinions raised and public opinion brought to it. About one cell in ten has chronic absences (an attendance rate of
60–75% against 85–97% elsewhere), with its own trend over the year and a few members who are absent again and again.
Past meetings have approved minutes, the current month's is held; ``bithu``'s cell has next month's meeting planned,
with an approved absence request and one from ``dangvien`` waiting for a decision. A few cells also hold thematic
meetings, and a few meetings carry the quality self-score.

States follow the run day, as ``demo.members`` does: earlier months are completed (late reports and "not met"
included), the current month is being implemented with some tasks done, some started, some not yet and some
already overdue. A month is closed a few days after the next month's meeting, so in the first days of a month
the previous one is still being implemented: its unfinished tasks are the overdue work dashboards show then.

Everything is drawn from one ``random.Random`` with a fixed seed and written with ``bulk_create`` in batches, a
chunk of cells at a time, with history off; nothing is read or written one row at a time. ``bulk_create`` stamps
``auto_now_add`` fields with the present time, so the times that tell the story (when a report came in, a vote was
recorded, a status changed) are written back afterwards, one ``UPDATE … FROM (VALUES …)`` per batch.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Max, Q
from django.utils import timezone, translation

from demo import members as members_demo
from demo.members import DemoDataError
from meetings.models import AbsenceRequest, AgendaItem, Attendance, Meeting, MonthlyReview, Speech, Vote
from meetings.rules import (
    DEFAULT_AGENDA,
    AttendanceCounts,
    Roll,
    count_attendance,
    default_attendance,
    entitled_voters,
    judge_vote,
    proposed_quality,
)
from meetings.services import meeting_settings, review_summary, target_snapshot
from members.models import (
    AwayPeriod,
    Exemption,
    MassOrganisation,
    Member,
    Organisation,
    ResidentialGroup,
    Role,
    Suspension,
)
from resolutions.models import (
    Dissemination,
    ProgressUpdate,
    PublicOpinion,
    Resolution,
    StatusChange,
    Target,
    Task,
    Version,
)
from resolutions.rules import in_force
from resolutions.services import SECTIONS, format_number

if TYPE_CHECKING:
    from demo.documents import DemoDocument, DemoTarget

SEED = 2026
DEFAULT_MONTHS = 12
BATCH_SIZE = members_demo.BATCH_SIZE
UPDATE_BATCH_SIZE = 1000  # (pk, time) pairs per UPDATE … FROM (VALUES …)
CHUNK_CELL_MONTHS = 3000  # cell-months planned and written together: bounds the memory at province scale

CENTS = Decimal("0.01")

S = Resolution.Status
TS = Task.Status
LK = Task.LeadKind
MK = MassOrganisation.Kind
REVIEW = ProgressUpdate.Review
MS = Meeting.Status
A = Attendance.Status
AR = AbsenceRequest.Status


# ---------------------------------------------------------------------------------------------------
# What hamlet cells work on
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    """A line of work that recurs in hamlet resolutions, with what is written about it."""

    key: str
    subject: str  # in a title: "vệ sinh môi trường"
    focal: str  # a focal task (nhiệm vụ trọng tâm)
    solution: str
    result: str  # how last month went, for the assessment
    tasks: tuple[tuple[str, str], ...]  # (title, details); {hamlet}, {year} are filled in
    targets: tuple[tuple[str, str, int], ...]  # (name, unit, value)
    mass: tuple[str, ...] = ()  # the mass organisations that usually lead this work
    months: frozenset[int] = frozenset(range(1, 13))
    where: str = "any"  # "ward" (neighbourhoods), "commune" (hamlets) or "any"
    weight: float = 1.0


def _months(*numbers: int) -> frozenset[int]:
    return frozenset(numbers)


THEMES: tuple[Theme, ...] = (
    Theme(
        key="environment",
        subject="vệ sinh môi trường",
        focal="Ra quân tổng vệ sinh môi trường, khơi thông cống rãnh, phát quang bụi rậm; vận động hộ gia đình "
        "phân loại rác thải tại nguồn.",
        solution="Phân công đảng viên phụ trách từng tổ tự quản, đến từng hộ tuyên truyền, vận động; kết hợp loa "
        "truyền thanh và nhóm Zalo của {hamlet}.",
        result="công tác vệ sinh môi trường có chuyển biến, các tuyến đường, hẻm sạch hơn",
        tasks=(
            (
                "Tổ chức ra quân tổng vệ sinh môi trường ngày Chủ nhật xanh",
                "Phối hợp các đoàn thể ra quân dọn vệ sinh, khơi thông cống rãnh, phát quang bụi rậm trên tuyến "
                "đường chính và các hẻm của {hamlet}.",
            ),
            (
                "Vận động hộ gia đình ký cam kết giữ gìn vệ sinh môi trường",
                "Đến từng hộ tuyên truyền, vận động ký cam kết không xả rác ra đường, kênh rạch; tổng hợp danh "
                "sách hộ đã ký gửi chi ủy.",
            ),
            (
                "Tuyên truyền phân loại rác thải sinh hoạt tại nguồn",
                "Hướng dẫn hộ dân phân loại rác hữu cơ, rác tái chế; vận động làm hố rác, ủ phân hữu cơ tại vườn.",
            ),
            (
                "Chăm sóc tuyến đường hoa, hàng cây xanh của {hamlet}",
                "Phân công các tổ tự quản tưới, tỉa, trồng dặm hoa và cây xanh; thay thế cây chết.",
            ),
        ),
        targets=(
            ("Tỷ lệ hộ gia đình ký cam kết giữ gìn vệ sinh môi trường", "%", 100),
            ("Số buổi ra quân tổng vệ sinh", "buổi", 2),
        ),
        mass=(MK.WOMEN, MK.YOUTH),
        weight=1.4,
    ),
    Theme(
        key="security",
        subject="an ninh trật tự",
        focal="Giữ vững an ninh chính trị, trật tự an toàn xã hội ở khu dân cư; phòng, chống lừa đảo qua mạng.",
        solution="Duy trì tổ an ninh tự quản tuần tra ban đêm; đảng viên nắm tình hình ở tổ tự quản nơi cư trú, "
        "kịp thời báo công an khu vực.",
        result="tình hình an ninh trật tự ổn định, không để xảy ra vụ việc phức tạp",
        tasks=(
            (
                "Duy trì tổ an ninh tự quản tuần tra ban đêm",
                "Phân lịch tuần tra các tuyến hẻm, khu vực vắng; ghi sổ nhật ký tuần tra, báo công an khu vực "
                "khi có việc bất thường.",
            ),
            (
                "Tuyên truyền phòng, chống lừa đảo qua mạng, tội phạm công nghệ cao",
                "Phổ biến các thủ đoạn lừa đảo qua điện thoại, mạng xã hội tại các buổi họp tổ tự quản; chú ý "
                "người cao tuổi.",
            ),
            (
                "Nắm tình hình người tạm trú, người chấp hành xong án phạt tù trở về",
                "Phối hợp công an khu vực rà soát người từ địa phương khác đến tạm trú; giúp đỡ người chấp hành "
                "xong án phạt tù hòa nhập cộng đồng.",
            ),
            (
                "Vận động giao nộp vũ khí, vật liệu nổ, công cụ hỗ trợ",
                "Tuyên truyền đến từng hộ; tiếp nhận và chuyển công an phường, xã số vật liệu được giao nộp.",
            ),
        ),
        targets=(
            ("Số cuộc tuần tra của tổ an ninh tự quản", "cuộc", 8),
            ("Tỷ lệ hộ được tuyên truyền phòng, chống lừa đảo qua mạng", "%", 100),
        ),
        mass=(MK.VETERANS, MK.YOUTH),
        weight=1.2,
    ),
    Theme(
        key="funds",
        subject="vận động các loại quỹ",
        focal="Vận động nhân dân đóng góp Quỹ Vì người nghèo, quỹ phòng, chống thiên tai; công khai thu chi.",
        solution="Đảng viên gương mẫu đóng góp trước; phân công đảng viên cùng tổ trưởng tổ tự quản đến từng hộ "
        "vận động; niêm yết công khai danh sách đóng góp.",
        result="công tác vận động các loại quỹ đạt khá, nhân dân đồng tình",
        tasks=(
            (
                "Vận động đóng góp Quỹ Vì người nghèo",
                "Phối hợp Ban công tác Mặt trận lập danh sách, vận động hộ gia đình, hộ kinh doanh đóng góp; nộp "
                "về Ủy ban Mặt trận đúng hạn.",
            ),
            (
                "Thu quỹ phòng, chống thiên tai năm {year}",
                "Thu theo danh sách hộ trong độ tuổi lao động; lập biên lai, nộp về Ủy ban nhân dân.",
            ),
            (
                "Công khai thu chi các khoản đóng góp tại nhà văn hóa {hamlet}",
                "Niêm yết bảng thu chi, thông báo tại buổi họp tổ tự quản để nhân dân giám sát.",
            ),
        ),
        targets=(
            ("Thu quỹ đạt", "%", 90),
            ("Tỷ lệ hộ tham gia đóng góp Quỹ Vì người nghèo", "%", 95),
        ),
        mass=(MK.FATHERLAND_FRONT,),
    ),
    Theme(
        key="poverty",
        subject="giảm nghèo bền vững",
        focal="Giúp đỡ hộ nghèo, hộ cận nghèo phát triển sinh kế, thoát nghèo bền vững; vận động tham gia bảo hiểm "
        "y tế.",
        solution="Mỗi đảng viên có điều kiện nhận giúp đỡ một hộ khó khăn; phối hợp các đoàn thể giới thiệu vốn vay, "
        "việc làm.",
        result="các hộ nghèo được thăm hỏi, hỗ trợ kịp thời; thêm hộ có phương án sinh kế",
        tasks=(
            (
                "Rà soát, cập nhật danh sách hộ nghèo, hộ cận nghèo",
                "Đến từng hộ nắm thu nhập, hoàn cảnh; đối chiếu danh sách của Ủy ban nhân dân và đề xuất điều chỉnh.",
            ),
            (
                "Vận động hỗ trợ con giống, vốn vay cho hộ nghèo phát triển sinh kế",
                "Giới thiệu hộ nghèo vay vốn Ngân hàng Chính sách xã hội qua tổ tiết kiệm và vay vốn; vận động "
                "mạnh thường quân hỗ trợ con giống.",
            ),
            (
                "Vận động hộ nghèo, hộ cận nghèo tham gia bảo hiểm y tế",
                "Hướng dẫn thủ tục, giới thiệu chính sách hỗ trợ mức đóng cho hộ cận nghèo.",
            ),
            (
                "Thăm, động viên hộ nghèo, hộ có hoàn cảnh khó khăn",
                "Phân công đảng viên thăm hỏi; kịp thời báo chi ủy những trường hợp cần hỗ trợ đột xuất.",
            ),
        ),
        targets=(
            ("Số hộ nghèo được hỗ trợ sinh kế", "hộ", 3),
            ("Tỷ lệ người dân tham gia bảo hiểm y tế", "%", 95),
        ),
        mass=(MK.FATHERLAND_FRONT, MK.WOMEN, MK.FARMERS),
    ),
    Theme(
        key="vaccination",
        subject="tiêm chủng mở rộng",
        focal="Vận động các gia đình đưa trẻ đi tiêm chủng đầy đủ, đúng lịch; không để sót trẻ trong độ tuổi.",
        solution="Phối hợp trạm y tế và cộng tác viên dân số rà soát danh sách trẻ; đảng viên nhắc lịch đến từng hộ.",
        result="tỷ lệ trẻ em được tiêm chủng đầy đủ đạt chỉ tiêu",
        tasks=(
            (
                "Rà soát danh sách trẻ em trong độ tuổi tiêm chủng",
                "Phối hợp cộng tác viên dân số đối chiếu danh sách trẻ dưới 5 tuổi với sổ tiêm chủng của trạm y tế.",
            ),
            (
                "Thông báo, nhắc lịch tiêm chủng đến từng hộ có trẻ",
                "Gửi giấy mời, nhắc qua điện thoại và nhóm Zalo; vận động các hộ còn e ngại.",
            ),
            (
                "Phối hợp trạm y tế tổ chức buổi tiêm chủng tại {hamlet}",
                "Chuẩn bị địa điểm, sắp xếp chỗ chờ, hướng dẫn người dân giữ trật tự.",
            ),
        ),
        targets=(
            ("Tỷ lệ trẻ em dưới 1 tuổi được tiêm chủng đầy đủ", "%", 95),
            ("Tỷ lệ phụ nữ có thai được tiêm phòng uốn ván", "%", 90),
        ),
        mass=(MK.WOMEN,),
    ),
    Theme(
        key="digital",
        subject="chuyển đổi số",
        focal="Đẩy mạnh chuyển đổi số ở khu dân cư: tài khoản định danh điện tử, dịch vụ công trực tuyến, thanh "
        "toán không dùng tiền mặt.",
        solution="Phát huy Tổ công nghệ số cộng đồng và đoàn viên thanh niên; hỗ trợ tận nhà cho người cao tuổi.",
        result="số người dân sử dụng tài khoản định danh điện tử và dịch vụ công trực tuyến tăng",
        tasks=(
            (
                "Hỗ trợ người dân cài đặt, kích hoạt tài khoản định danh điện tử VNeID",
                "Tổ chức điểm hỗ trợ tại nhà văn hóa vào tối thứ Bảy; đến nhà hỗ trợ người cao tuổi.",
            ),
            (
                "Hướng dẫn người dân nộp hồ sơ trên Cổng dịch vụ công trực tuyến",
                "Hướng dẫn các thủ tục thường gặp: đăng ký khai sinh, cư trú, chứng thực.",
            ),
            (
                "Vận động hộ kinh doanh thanh toán không dùng tiền mặt",
                "Hướng dẫn tạo mã QR thanh toán; vận động tiểu thương chợ và hộ kinh doanh nhỏ tham gia.",
            ),
            (
                "Duy trì hoạt động Tổ công nghệ số cộng đồng",
                "Phân công thành viên trực hỗ trợ; báo cáo số người được hỗ trợ hằng tuần.",
            ),
        ),
        targets=(
            ("Số người dân được hỗ trợ kích hoạt tài khoản VNeID mức 2", "người", 30),
            ("Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến", "%", 60),
        ),
        mass=(MK.YOUTH,),
        weight=1.2,
    ),
    Theme(
        key="dengue",
        subject="phòng, chống dịch sốt xuất huyết",
        focal="Chủ động phòng, chống dịch sốt xuất huyết: diệt lăng quăng, bọ gậy; không để dịch lây lan trong "
        "khu dân cư.",
        solution="Chia địa bàn cho từng đảng viên cùng đoàn viên, hội viên kiểm tra từng hộ; phối hợp trạm y tế "
        "xử lý ổ dịch.",
        result="không có ổ dịch sốt xuất huyết phát sinh trên địa bàn",
        tasks=(
            (
                "Tổ chức chiến dịch diệt lăng quăng, bọ gậy",
                "Kiểm tra từng hộ, lật úp vật dụng chứa nước, thả cá vào lu, khạp; ghi phiếu kiểm tra.",
            ),
            (
                "Tuyên truyền phòng, chống sốt xuất huyết đến từng hộ",
                "Phát tờ rơi, nhắc ngủ mùng, súc rửa dụng cụ chứa nước hằng tuần.",
            ),
            (
                "Phối hợp trạm y tế phun thuốc diệt muỗi khu vực có ca bệnh",
                "Thông báo trước cho hộ dân, hướng dẫn che đậy thức ăn, mở cửa khi phun.",
            ),
            (
                "Vận động hộ dân súc rửa, đậy kín dụng cụ chứa nước",
                "Đảng viên kiểm tra các hộ trong tổ tự quản nơi cư trú mỗi tuần một lần.",
            ),
        ),
        targets=(
            ("Tỷ lệ hộ được kiểm tra, diệt lăng quăng", "%", 100),
            ("Số hộ được tuyên truyền phòng, chống sốt xuất huyết", "hộ", 150),
        ),
        mass=(MK.WOMEN, MK.YOUTH),
        months=_months(4, 5, 6, 7, 8, 9, 10, 11),
        weight=1.6,
    ),
    Theme(
        key="countryside",
        subject="xây dựng nông thôn mới nâng cao",
        focal="Giữ vững và nâng chất các tiêu chí nông thôn mới nâng cao, ấp nông thôn mới kiểu mẫu.",
        solution="Phát huy vai trò chủ thể của người dân; đảng viên đi đầu hiến đất, góp ngày công.",
        result="các tiêu chí nông thôn mới được giữ vững, đường giao thông ấp được sửa chữa",
        tasks=(
            (
                "Vận động nhân dân góp ngày công sửa chữa đường giao thông nông thôn",
                "Lập danh sách hộ đăng ký ngày công, vật liệu; phối hợp Ban nhân dân ấp tổ chức thi công.",
            ),
            (
                "Chỉnh trang hàng rào, cổng ngõ, trồng cây xanh dọc tuyến đường",
                "Vận động các hộ dọc tuyến đường chính làm hàng rào xanh, chỉnh trang cổng ngõ.",
            ),
            (
                "Xây dựng vườn mẫu theo tiêu chí nông thôn mới kiểu mẫu",
                "Chọn hộ làm vườn mẫu; phối hợp Chi hội Nông dân hướng dẫn kỹ thuật.",
            ),
            (
                "Rà soát các tiêu chí ấp văn hóa, ấp nông thôn mới kiểu mẫu năm {year}",
                "Đối chiếu từng tiêu chí, đề xuất việc cần làm để giữ vững danh hiệu.",
            ),
        ),
        targets=(
            ("Số mét đường giao thông nông thôn được sửa chữa", "m", 200),
            ("Tỷ lệ hộ đạt danh hiệu gia đình văn hóa", "%", 90),
        ),
        mass=(MK.FARMERS, MK.FATHERLAND_FRONT),
        where="commune",
        weight=1.3,
    ),
    Theme(
        key="urban",
        subject="xây dựng đô thị văn minh",
        focal="Xây dựng khu phố văn minh đô thị: hẻm sáng, xanh, sạch, đẹp; lòng đường, vỉa hè thông thoáng.",
        solution="Mỗi đảng viên vận động các hộ lân cận; phối hợp tổ quản lý trật tự đô thị của phường.",
        result="lòng đường, vỉa hè thông thoáng hơn, thêm tuyến hẻm được lắp đèn chiếu sáng",
        tasks=(
            (
                "Vận động hộ kinh doanh không lấn chiếm vỉa hè, lòng đường",
                "Đến từng hộ kinh doanh tuyên truyền, vận động ký cam kết; báo phường các trường hợp tái phạm.",
            ),
            (
                "Vận động lắp đèn chiếu sáng hẻm theo chương trình thắp sáng hẻm",
                "Khảo sát các hẻm còn tối; vận động hộ dân góp kinh phí, phối hợp điện lực lắp đặt.",
            ),
            (
                "Xây dựng tuyến hẻm văn minh, sáng - xanh - sạch - đẹp",
                "Chọn một tuyến hẻm làm điểm; vận động các hộ trồng cây, giữ vệ sinh, treo cờ ngày lễ.",
            ),
        ),
        targets=(
            ("Tỷ lệ hộ kinh doanh ký cam kết không lấn chiếm vỉa hè", "%", 100),
            ("Số tuyến hẻm được lắp đèn chiếu sáng", "tuyến", 2),
        ),
        mass=(MK.FATHERLAND_FRONT, MK.YOUTH),
        where="ward",
        weight=1.3,
    ),
    Theme(
        key="party",
        subject="công tác xây dựng Đảng",
        focal="Nâng cao chất lượng sinh hoạt chi bộ; thu đảng phí đúng quy định; tạo nguồn phát triển đảng viên.",
        solution="Chi ủy nhắc lịch sinh hoạt trước một ngày qua Sổ tay đảng viên điện tử; gặp gỡ đảng viên vắng "
        "sinh hoạt không lý do.",
        result="chất lượng sinh hoạt chi bộ được nâng lên, đảng phí thu đủ, đúng hạn",
        tasks=(
            (
                "Thu đảng phí theo quy định",
                "Thu, ghi sổ đảng phí của đảng viên; nộp về Đảng ủy đúng hạn.",
            ),
            (
                "Tạo nguồn, bồi dưỡng quần chúng ưu tú để kết nạp Đảng",
                "Giới thiệu quần chúng ưu tú trong đoàn viên, hội viên đi học lớp nhận thức về Đảng.",
            ),
            (
                "Hướng dẫn đảng viên sử dụng ứng dụng Sổ tay đảng viên điện tử",
                "Hỗ trợ đảng viên cài đặt, đăng nhập; hướng dẫn xem thông báo sinh hoạt và tài liệu.",
            ),
            (
                "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
                "Mỗi đảng viên đăng ký một việc làm cụ thể; chi ủy theo dõi và biểu dương điển hình.",
            ),
        ),
        targets=(
            ("Tỷ lệ đảng viên dự sinh hoạt chi bộ", "%", 90),
            ("Tỷ lệ đảng viên đóng đảng phí đúng hạn", "%", 100),
        ),
    ),
    Theme(
        key="salinity",
        subject="phòng, chống hạn mặn",
        focal="Chủ động phòng, chống hạn hán, xâm nhập mặn; bảo đảm nước sinh hoạt cho nhân dân và nước tưới vườn "
        "dừa, cây ăn trái.",
        solution="Theo dõi thông báo độ mặn hằng ngày; vận động hộ dân trữ nước ngọt, ưu tiên hộ khó khăn.",
        result="các hộ dân cơ bản có đủ nước sinh hoạt trong đợt mặn",
        tasks=(
            (
                "Vận động hộ dân trữ nước ngọt phục vụ sinh hoạt, sản xuất",
                "Hướng dẫn hộ dân vệ sinh lu, bồn, túi trữ nước; trữ nước khi độ mặn xuống thấp.",
            ),
            (
                "Phối hợp cấp phát nước sinh hoạt cho hộ khó khăn",
                "Lập danh sách hộ thiếu nước, phối hợp Ủy ban nhân dân cấp phát nước đến từng hộ.",
            ),
            (
                "Hướng dẫn nông dân theo dõi độ mặn, lấy nước tưới vườn",
                "Thông báo lịch đóng, mở cống; hướng dẫn đo độ mặn trước khi tưới.",
            ),
        ),
        targets=(
            ("Tỷ lệ hộ có dụng cụ trữ nước ngọt", "%", 95),
            ("Số hộ khó khăn được cấp nước sinh hoạt", "hộ", 15),
        ),
        mass=(MK.FARMERS, MK.WOMEN),
        months=_months(1, 2, 3, 4, 5),
        weight=1.6,
    ),
    Theme(
        key="storms",
        subject="phòng, chống thiên tai mùa mưa bão",
        focal="Chủ động phòng, chống thiên tai trong mùa mưa bão theo phương châm bốn tại chỗ.",
        solution="Kiện toàn lực lượng xung kích; rà soát hộ ven sông, nhà yếu; sẵn sàng phương án di dời.",
        result="không có thiệt hại về người; các hộ bị ảnh hưởng được hỗ trợ kịp thời",
        tasks=(
            (
                "Kiểm tra, gia cố nhà ở, tỉa cây xanh có nguy cơ gãy đổ",
                "Phối hợp lực lượng xung kích giúp hộ neo chằng nhà, tỉa cành cây dọc đường.",
            ),
            (
                "Rà soát hộ sống ven sông, nhà tạm để sẵn sàng di dời",
                "Lập danh sách hộ, người già, trẻ em cần di dời; thống nhất nơi tạm trú.",
            ),
            (
                "Kiện toàn lực lượng xung kích phòng, chống thiên tai tại {hamlet}",
                "Bổ sung thành viên, phân công nhiệm vụ, kiểm tra phương tiện, áo phao.",
            ),
        ),
        targets=(
            ("Tỷ lệ hộ được hướng dẫn kỹ năng phòng, chống thiên tai", "%", 100),
            ("Số nhà ở được kiểm tra, gia cố", "căn", 10),
        ),
        mass=(MK.VETERANS, MK.YOUTH),
        months=_months(8, 9, 10, 11),
        weight=1.4,
    ),
    Theme(
        key="tet",
        subject="chăm lo Tết cho nhân dân",
        focal="Chăm lo cho gia đình chính sách, hộ nghèo để mọi nhà đều có Tết; bảo đảm an ninh trật tự, phòng, "
        "chống cháy nổ dịp Tết.",
        solution="Phối hợp Mặt trận và các đoàn thể vận động nguồn lực; đảng viên trực tiếp đến thăm hộ khó khăn.",
        result="các gia đình chính sách, hộ nghèo đều được thăm hỏi, tặng quà dịp Tết",
        tasks=(
            (
                "Thăm, tặng quà gia đình chính sách, hộ nghèo nhân dịp Tết Nguyên đán",
                "Lập danh sách, vận động nguồn quà; tổ chức trao quà trước ngày 25 tháng Chạp.",
            ),
            (
                "Tuyên truyền phòng, chống cháy nổ, đốt pháo trái phép dịp Tết",
                "Phát loa, nhắc tại các buổi họp tổ; kiểm tra bình chữa cháy của hộ kinh doanh.",
            ),
            (
                "Vận động nhân dân treo cờ Tổ quốc, trang trí đường phố đón Tết",
                "Nhắc các hộ treo cờ đúng quy định; chỉnh trang tuyến đường chính.",
            ),
        ),
        targets=(
            ("Số phần quà trao cho gia đình chính sách, hộ khó khăn", "phần", 30),
            ("Tỷ lệ hộ treo cờ Tổ quốc", "%", 100),
        ),
        mass=(MK.FATHERLAND_FRONT, MK.VETERANS),
        months=_months(12, 1, 2),
        weight=1.8,
    ),
    Theme(
        key="gratitude",
        subject="đền ơn đáp nghĩa",
        focal="Tổ chức các hoạt động đền ơn đáp nghĩa nhân kỷ niệm Ngày Thương binh – Liệt sĩ 27/7.",
        solution="Phối hợp Chi hội Cựu chiến binh và Chi đoàn; vận động nhân dân đóng góp Quỹ Đền ơn đáp nghĩa.",
        result="các gia đình chính sách được thăm hỏi đầy đủ",
        tasks=(
            (
                "Thăm hỏi, tặng quà gia đình thương binh, liệt sĩ nhân ngày 27/7",
                "Lập danh sách; phân công đảng viên cùng đại diện đoàn thể đến thăm từng gia đình.",
            ),
            (
                "Dọn vệ sinh, thắp hương tại nghĩa trang liệt sĩ",
                "Phối hợp Chi đoàn tổ chức buổi lao động, thắp hương tri ân.",
            ),
            (
                "Vận động đóng góp Quỹ Đền ơn đáp nghĩa",
                "Vận động đảng viên, hộ gia đình đóng góp; nộp về Ủy ban nhân dân.",
            ),
        ),
        targets=(
            ("Tỷ lệ gia đình chính sách được thăm hỏi", "%", 100),
            ("Thu Quỹ Đền ơn đáp nghĩa đạt", "%", 90),
        ),
        mass=(MK.VETERANS, MK.YOUTH),
        months=_months(7),
        weight=2.5,
    ),
    Theme(
        key="solidarity",
        subject="Ngày hội Đại đoàn kết toàn dân tộc",
        focal="Tổ chức Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư (18/11); bình xét gia đình văn hóa.",
        solution="Phối hợp Ban công tác Mặt trận; vận động nguồn lực xã hội hóa; tổ chức gọn, thiết thực.",
        result="Ngày hội Đại đoàn kết được tổ chức vui tươi, đông đảo nhân dân tham gia",
        tasks=(
            (
                "Tổ chức Ngày hội Đại đoàn kết toàn dân tộc ở {hamlet}",
                "Xây dựng kế hoạch, phân công chuẩn bị hội trường, văn nghệ, khen thưởng hộ tiêu biểu.",
            ),
            (
                "Bình xét gia đình văn hóa năm {year}",
                "Tổ chức bình xét từ tổ tự quản; tổng hợp kết quả báo Ban công tác Mặt trận.",
            ),
            (
                "Vận động đóng góp xây dựng nhà Đại đoàn kết",
                "Vận động mạnh thường quân, con em xa quê hỗ trợ hộ khó khăn về nhà ở.",
            ),
        ),
        targets=(
            ("Tỷ lệ hộ tham gia Ngày hội Đại đoàn kết", "%", 80),
            ("Tỷ lệ hộ đạt danh hiệu gia đình văn hóa", "%", 90),
        ),
        mass=(MK.FATHERLAND_FRONT,),
        months=_months(10, 11),
        weight=1.8,
    ),
    Theme(
        key="traffic",
        subject="an toàn giao thông",
        focal="Tuyên truyền chấp hành pháp luật về trật tự an toàn giao thông; xử lý điểm mất an toàn.",
        solution="Lồng ghép tuyên truyền trong họp tổ tự quản; vận động phụ huynh nhắc con em đội mũ bảo hiểm.",
        result="không xảy ra tai nạn giao thông nghiêm trọng trên địa bàn",
        tasks=(
            (
                "Tuyên truyền đội mũ bảo hiểm, không uống rượu bia khi lái xe",
                "Tuyên truyền tại các buổi họp tổ, đám tiệc; nhắc nhở các trường hợp vi phạm.",
            ),
            (
                "Phát quang tầm nhìn tại các điểm giao cắt nguy hiểm",
                "Khảo sát các điểm khuất tầm nhìn; vận động hộ dân tỉa cây, dời vật cản.",
            ),
            (
                "Vận động học sinh chấp hành luật giao thông khi đến trường",
                "Phối hợp nhà trường và Chi đoàn nhắc nhở học sinh; không để học sinh chạy xe máy khi chưa đủ tuổi.",
            ),
        ),
        targets=(
            ("Tỷ lệ người tham gia giao thông đội mũ bảo hiểm", "%", 100),
            ("Số điểm giao cắt được phát quang", "điểm", 3),
        ),
        mass=(MK.YOUTH, MK.VETERANS),
    ),
)

MASS_ORGANISATIONS = (
    (MK.FATHERLAND_FRONT, "Ban công tác Mặt trận {hamlet}"),
    (MK.WOMEN, "Chi hội Phụ nữ {hamlet}"),
    (MK.FARMERS, "Chi hội Nông dân {hamlet}"),
    (MK.VETERANS, "Chi hội Cựu chiến binh {hamlet}"),
    (MK.YOUTH, "Chi đoàn {hamlet}"),
)

SHORTCOMINGS = (
    "Một số đảng viên chưa thật sự gương mẫu, việc báo cáo kết quả còn chậm.",
    "Công tác thu quỹ còn chậm so với kế hoạch.",
    "Một số hộ dân chưa chấp hành tốt việc phân loại rác tại nguồn.",
    "Tỷ lệ đảng viên dự sinh hoạt chưa đạt chỉ tiêu do một số đồng chí đi làm ăn xa.",
    "Việc phối hợp giữa các đoàn thể có lúc chưa chặt chẽ.",
    "Một số nhiệm vụ hoàn thành chậm so với thời gian đề ra.",
    "Công tác nắm dư luận nhân dân có lúc chưa kịp thời.",
)
CAUSES = (
    "thời tiết mưa nhiều",
    "nhiều đảng viên tuổi cao, sức yếu",
    "một số hộ đi làm ăn xa, khó gặp",
    "kinh phí hoạt động còn hạn chế",
    "chi ủy đôn đốc chưa thường xuyên",
)
DISSENT = (
    "Đồng chí {name} đề nghị lùi thời hạn thu quỹ sang tuần sau do nhiều hộ chưa có thu nhập.",
    "Đồng chí {name} đề nghị giao nhiệm vụ tuần tra cho đoàn viên thanh niên thay vì đảng viên cao tuổi.",
    "Đồng chí {name} chưa thống nhất chỉ tiêu, cho rằng quá cao so với khả năng thực hiện.",
)
NOTES_IN_PROGRESS = (
    "Đã triển khai đến các tổ tự quản, đang thực hiện.",
    "Đang phối hợp với các đoàn thể thực hiện.",
    "Đã vận động được khoảng {progress}% số hộ.",
    "Đã họp tổ, phân công người phụ trách từng tuyến hẻm.",
    "Đã lập danh sách, đang đến từng hộ.",
)
NOTES_DONE = (
    "Đã hoàn thành, có danh sách kèm theo.",
    "Hoàn thành đúng kế hoạch.",
    "Đã tổ chức xong, có hình ảnh kèm theo.",
    "Đã hoàn thành; sẽ báo cáo chi ủy tại kỳ sinh hoạt.",
    "Hoàn thành, nhân dân đồng tình hưởng ứng.",
)
NOTES_LATE = (
    "Hoàn thành chậm do thời tiết mưa nhiều.",
    "Hoàn thành chậm vài ngày do một số hộ đi vắng.",
    "Đã hoàn thành, chậm so với thời hạn do chờ kinh phí.",
)
NOTES_NOT_MET = (
    "Chưa đạt do nhiều hộ đi làm ăn xa, chưa gặp được.",
    "Chưa hoàn thành do thiếu kinh phí; đề nghị chuyển sang tháng sau.",
    "Mới đạt {progress}%, đề nghị chi bộ cho tiếp tục thực hiện tháng sau.",
)
SENT_BACK_NOTES = (
    "Đề nghị bổ sung danh sách hộ đã ký cam kết.",
    "Chưa có hình ảnh, biên bản kèm theo; đề nghị bổ sung.",
    "Số liệu chưa khớp với báo cáo của tổ tự quản, đề nghị kiểm tra lại.",
)
OPINIONS = (  # (the themes of the tasks it concerns, the opinion, the response)
    (
        ("urban", "security"),
        "Bà con {group} phản ánh đèn chiếu sáng trong hẻm bị hư, đề nghị sửa chữa để bảo đảm an ninh.",
        "Chi ủy đã báo Ủy ban nhân dân; điện lực đã thay bóng đèn.",
    ),
    (
        ("environment",),
        "Người dân đề nghị tăng số lần thu gom rác lên ba lần mỗi tuần.",
        "Đã kiến nghị đơn vị thu gom; tạm thời vận động hộ dân giữ rác đúng giờ.",
    ),
    (
        ("funds",),
        "Một số hộ chưa đồng tình mức đóng góp quỹ, đề nghị công khai thu chi.",
        "Đã niêm yết công khai thu chi tại nhà văn hóa và thông báo tại họp tổ.",
    ),
    (
        ("dengue",),
        "Người dân đề nghị phun thuốc diệt muỗi ở khu vực giáp ranh, nơi có nhiều cây rậm.",
        "Đã phối hợp trạm y tế phun thuốc và tổ chức phát quang.",
    ),
    (
        ("traffic",),
        "Bà con phản ánh xe tải chạy tốc độ cao trên đường liên ấp, nguy hiểm cho học sinh.",
        "Đã kiến nghị đặt biển hạn chế tốc độ; công an xã tăng cường tuần tra giờ tan học.",
    ),
    (
        ("digital",),
        "Người cao tuổi gặp khó khăn khi cài đặt VNeID, đề nghị hỗ trợ tại nhà.",
        "Chi đoàn đã phân công đoàn viên đến tận nhà hỗ trợ.",
    ),
    (
        ("salinity",),
        "Hộ dân đề nghị hỗ trợ nước ngọt cho các hộ khó khăn trong đợt mặn.",
        "Đã lập danh sách, phối hợp Ủy ban nhân dân cấp nước.",
    ),
    (
        ("environment", "storms"),
        "Bà con đề nghị nạo vét cống thoát nước trước mùa mưa để tránh ngập.",
        "Đã đưa vào nội dung ra quân vệ sinh môi trường tháng sau.",
    ),
)
OPINION_SOURCES = (
    "Bà con {group}",
    "Hội viên {mass}",
    "Người dân {hamlet}",
    "Tổ trưởng {group}",
    "Đảng viên phản ánh qua buổi sinh hoạt",
)


# --- the monthly meeting ---------------------------------------------------------------------------

CHRONIC_SHARE = (0.085, 0.11)  # of the cells: those with chronic absences (6 to 8 of the city's 72)
ABSENCE_REASONS = ("Ốm", "Đi công tác", "Việc gia đình")
REQUEST_MONTHS = 3  # absence requests in advance are recent practice: the last three months' meetings
REFUSAL = "Kỳ sinh hoạt này biểu quyết nghị quyết tháng mới; đề nghị đồng chí sắp xếp dự họp."
NEWS = (
    "Thông tin tình hình thời sự trong nước, quốc tế nổi bật trong tháng; quán triệt văn bản chỉ đạo của Đảng ủy "
    "về nhiệm vụ trọng tâm tháng {month}.",
    "Phổ biến kế hoạch của Đảng ủy về thực hiện nhiệm vụ phát triển kinh tế - xã hội, bảo đảm quốc phòng, an ninh "
    "năm {year}.",
    "Thông tin về tình hình an ninh trật tự trên địa bàn; cảnh báo các thủ đoạn lừa đảo qua mạng mới.",
    "Quán triệt hướng dẫn của cấp trên về nâng cao chất lượng sinh hoạt chi bộ; nhắc đảng viên sử dụng Sổ tay "
    "đảng viên điện tử.",
    "Thông tin kết quả hội nghị Ban Chấp hành Đảng bộ; triển khai các văn bản mới của cấp trên.",
)
SPEECHES = (
    "Thống nhất với báo cáo sơ kết; đề nghị chi ủy phân công cụ thể đảng viên phụ trách từng tổ tự quản trong "
    "việc {subject}.",
    "Thống nhất với dự thảo nghị quyết; đề nghị bổ sung chỉ tiêu cụ thể về {subject}.",
    "Đề nghị chi ủy đôn đốc đảng viên báo cáo kết quả đúng hạn, không để dồn đến kỳ sinh hoạt.",
    "Phản ánh một số hộ ở {group} chưa đồng tình; đề nghị đảng viên đến từng hộ gặp gỡ, vận động.",
    "Đề nghị phối hợp chặt chẽ với {mass} để triển khai nhiệm vụ {subject}.",
    "Đề nghị chi bộ gặp gỡ, nhắc nhở các đồng chí vắng sinh hoạt nhiều lần không có lý do.",
    "Đề nghị xem xét lùi thời hạn một số nhiệm vụ do trùng thời gian thu hoạch, làm ăn của bà con.",
    "Thống nhất cao với báo cáo sơ kết và dự thảo nghị quyết; xin nhận thêm nhiệm vụ ở tổ tự quản nơi cư trú.",
)
LESSONS = (
    "Nhiệm vụ nào có đảng viên phụ trách cụ thể, được chi ủy đôn đốc hằng tuần thì hoàn thành đúng hạn.",
    "Phải gắn nhiệm vụ với tổ tự quản nơi đảng viên cư trú; đảng viên gương mẫu thì nhân dân đồng tình.",
    "Phối hợp sớm với các đoàn thể ngay từ đầu tháng, không để dồn việc cuối tháng.",
    "Nắm dư luận nhân dân thường xuyên để kịp thời điều chỉnh cách làm.",
)
THEMATIC_TOPICS = (
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về nêu gương của đảng viên",
    "Nâng cao vai trò tiền phong, gương mẫu của đảng viên nơi cư trú",
    "Phát huy quyền làm chủ của nhân dân, thực hiện dân chủ ở cơ sở",
    "Chuyển đổi số trong sinh hoạt chi bộ và sử dụng Sổ tay đảng viên điện tử",
)
THEMATIC_AGENDA = (
    "Khai mạc, tuyên bố lý do, giới thiệu đại biểu, cử thư ký, thông báo tình hình đảng viên dự họp",
    "Báo cáo chuyên đề: {topic}",
    "Thảo luận, liên hệ trách nhiệm của đảng viên",
    "Kết luận, bế mạc",
)


# ---------------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------------


def seed_resolutions(
    root: Organisation, today: dt.date, months: int, documents: dict[str, list[DemoDocument]] | None = None
) -> None:
    """The resolution side of a demo whose people ``demo.members`` has just built under ``root``: the resolutions
    and meetings of the last ``months`` months, the named accounts' work, then the members' status history, which
    keeps clear of the meetings held and of the tasks given. Called by ``demo.assemble.seed_demo`` inside its
    transaction, with history off. ``documents`` (``demo.documents``, by their committee's path) are carried out
    by the cells under each committee."""
    _Builder(root, today, months, documents or {}).build()
    give_named_accounts_work(today)
    last_meetings = (
        Meeting.objects.filter(cell__path__startswith=root.path)
        .values("cell_id")
        .annotate(last=Max("date"))
        .values_list("cell_id", "last")
    )
    tasks = Task.objects.filter(resolution__cell__path__startswith=root.path)
    with_tasks = {*tasks.exclude(lead_member=None).values_list("lead_member_id", flat=True)}
    with_tasks |= {*Task.supporters.through.objects.filter(task__in=tasks).values_list("member_id", flat=True)}
    members_demo.seed_status_history(root, today, busy_until=dict(last_meetings), settled=with_tasks)


# The member ``dangvien``'s own work in the month the demo is seeded: what a visitor trying the member's account
# finds on the home page, whatever the day of the month.
DANGVIEN_REPORT = "Đã vận động được 12/40 hộ; tuần sau đi tiếp các hộ còn lại."


def give_named_accounts_work(today: dt.date) -> None:
    """Make sure every named demo account has something to do on ``today``, the day the demo is seeded.

    In ``bithu``'s cell, on the monthly resolution in force (``rules.in_force``): ``dangvien`` leads an open task
    due this month, with a progress report waiting for the secretary's confirmation, and supports another one;
    the committee member ``chiuyvien`` supports an open task too. Open tasks are given to them (their deadline moved
    into this month when it has passed), never created, so the demo's totals stay what the builder drew."""
    role = Role.objects.filter(user__username="bithu", kind=Role.Kind.SECRETARY).first()
    member = Member.objects.filter(user__username="dangvien").first()
    if role is None or member is None:
        return
    committee = Member.objects.filter(user__username="chiuyvien", cell_id=role.organisation_id).first()
    live = Resolution.objects.filter(
        cell_id=role.organisation_id, kind=Resolution.Kind.MONTHLY, status__in=Resolution.LIVE
    )
    resolutions = in_force(live, today)
    if not resolutions:
        return
    # Not the tasks that carry a committee's target: their deadline is the target's.
    open_tasks = list(
        resolutions[0].tasks.filter(status__in=Task.OPEN, cell_target__isnull=True).order_by("deadline", "pk")
    )
    if not open_tasks:
        return
    month_end = _month_end(today.replace(day=1))
    due = min(month_end, today + dt.timedelta(days=7))

    # The latest deadline (the one most likely still ahead), a member's task rather than another lead's if any.
    led = next((t for t in reversed(open_tasks) if t.lead_kind == LK.MEMBER), open_tasks[-1])
    if not today <= led.deadline <= month_end:
        led.deadline = due
    # A member's task is reported on by its lead: the reports so far become the new lead's.
    ProgressUpdate.objects.filter(task=led).update(author=member)
    led.lead_kind, led.lead_member, led.lead_mass_organisation = LK.MEMBER, member, None
    if led.follower_id == member.pk:  # lead and follower differ
        led.follower_id = committee.pk if committee is not None else None
    # A report waiting for the secretary: the one already there, else a new one. It counts toward the task's
    # progress once she confirms it.
    waiting = ProgressUpdate.objects.filter(task=led, review=REVIEW.PENDING).exists()
    led.save(update_fields=["deadline", "lead_kind", "lead_member", "lead_mass_organisation", "follower"])
    led.supporters.remove(member)
    if not waiting:
        ProgressUpdate.objects.create(
            task=led,
            author=member,
            status=TS.IN_PROGRESS,
            progress=max(led.progress, 30),
            note=DANGVIEN_REPORT,
        )
    others = [t for t in open_tasks if t.pk != led.pk]
    if others:
        supported = others[-1]
        if not today <= supported.deadline <= month_end:
            supported.deadline = due
            supported.save(update_fields=["deadline"])
        _support(supported, member)
    if committee is not None:
        helped = next((t for t in reversed(open_tasks) if t.lead_member_id != committee.pk), None)
        if helped is not None:
            _support(helped, committee)


def _support(task: Task, member: Member) -> None:
    """Add a supporter to a task, in place of its last one when it has two already (the demo's most)."""
    current = list(task.supporters.order_by("pk").values_list("pk", flat=True))
    if member.pk in current or task.lead_member_id == member.pk:
        return
    if len(current) >= 2:
        task.supporters.remove(current[-1])
    task.supporters.add(member)


def delete_demo_resolutions(ward: Organisation) -> None:
    """Remove the meetings and resolutions of the demo cells under ``ward``. Called by
    ``demo.assemble.delete_demo_data`` inside its transaction, with history off, before the people go: attendance,
    tasks and progress reports hold on to their members, meetings and resolutions to their cells (``PROTECT``)."""
    meetings = Meeting.objects.filter(cell__path__startswith=ward.path)
    # A row per member and meeting: plain DELETEs, as the collector would load every row (simple_history's
    # delete signal turns off its fast path, though history is off here). Nothing points at these rows but
    # speeches at agenda items, so speeches go first.
    for model in (Speech, Attendance, AbsenceRequest, MonthlyReview, AgendaItem):
        model.objects.filter(meeting__in=meetings)._raw_delete(model.objects.db)
    meetings.delete()  # attendance holds members
    Resolution.objects.filter(cell__path__startswith=ward.path).delete()


def demo_counts(root: Organisation, today: dt.date) -> dict[str, int]:
    """The resolution side of the demo, in seven queries."""
    resolutions = Resolution.objects.filter(cell__path__startswith=root.path).aggregate(
        resolutions=Count("pk"),
        drafts=Count("pk", filter=Q(status=S.DRAFT)),
        in_progress=Count("pk", filter=Q(status=S.IN_PROGRESS)),
        completed=Count("pk", filter=Q(status=S.COMPLETED)),
    )
    tasks = Task.objects.filter(resolution__cell__path__startswith=root.path).aggregate(
        tasks=Count("pk"),
        tasks_open=Count("pk", filter=Q(status__in=Task.OPEN)),
        tasks_overdue=Count("pk", filter=Q(status__in=Task.OPEN, deadline__lt=today)),
        tasks_done=Count("pk", filter=Q(status=TS.DONE)),
        tasks_late=Count("pk", filter=Q(status=TS.DONE, completed_on__gt=F("deadline"))),
        tasks_not_met=Count("pk", filter=Q(status=TS.NOT_MET)),
    )
    return {
        **resolutions,
        **tasks,
        "votes": Vote.objects.filter(resolution__cell__path__startswith=root.path).count(),
        "progress_updates": ProgressUpdate.objects.filter(task__resolution__cell__path__startswith=root.path).count(),
        **meeting_counts(root),
    }


def meeting_counts(root: Organisation) -> dict[str, int]:
    """Meetings held (minutes approved or not) and planned, the attendance rate of the meetings held in percent of
    the members expected (exempt and away members are not expected, as ``AttendanceCounts.rate``), and the absence
    requests: three queries."""
    under = Q(cell__path__startswith=root.path)
    meetings = Meeting.objects.filter(under).aggregate(
        meetings=Count("pk"),
        meetings_held=Count("pk", filter=Q(status__in=(MS.HELD, MS.APPROVED))),
        meetings_planned=Count("pk", filter=Q(status=MS.PLANNED)),
    )
    held = Attendance.objects.filter(
        meeting__cell__path__startswith=root.path, meeting__status__in=(MS.HELD, MS.APPROVED)
    ).aggregate(
        attended=Count("pk", filter=Q(status__in=Attendance.ATTENDED)),
        expected=Count("pk", filter=~Q(status__in=(A.EXEMPT, A.AWAY))),
    )
    rate = round(held["attended"] * 100 / held["expected"]) if held["expected"] else 0
    requests = AbsenceRequest.objects.filter(meeting__cell__path__startswith=root.path).count()
    return {**meetings, "attendance_rate": rate, "absence_requests": requests}


# ---------------------------------------------------------------------------------------------------
# The plan, built in memory before anything is written
# ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Person:
    """A member as read back after ``demo.members`` wrote them, with their exempt/away/suspended periods."""

    pk: int
    name: str
    search_name: str
    admitted_on: dt.date
    official_on: dt.date | None
    left_on: dt.date | None
    periods: list[tuple[str, dt.date, dt.date | None]] = field(default_factory=list)  # (kind, from, to)

    def on_roll(self, day: dt.date) -> bool:
        return self.admitted_on <= day and (self.left_on is None or self.left_on > day)

    def is_official(self, day: dt.date) -> bool:
        return self.on_roll(day) and self.official_on is not None and self.official_on <= day

    def kinds_on(self, day: dt.date) -> set[str]:
        return {kind for kind, start, end in self.periods if start <= day and (end is None or end >= day)}

    def free_between(self, start: dt.date, end: dt.date) -> bool:
        """Neither exempt, away nor suspended at any time from ``start`` to ``end``."""
        return not any(s <= end and (e is None or e >= start) for _, s, e in self.periods)


@dataclass
class Cell:
    pk: int
    name: str
    hamlet: str  # "khu phố 1", "ấp Mỹ An"
    ward_path: str = ""  # its committee's
    people: list[Person] = field(default_factory=list)
    committee: list[Person] = field(default_factory=list)  # the secretary first, then the deputy
    secretary_user_id: int | None = None
    committee_users: dict[int, int] = field(default_factory=dict)  # a committee member's record → their account
    groups: list[tuple[int, str]] = field(default_factory=list)
    mass: dict[str, MassOrganisation] = field(default_factory=dict)
    meeting_day: int = 3
    meeting_hour: int = 19
    in_charge_user_id: int | None = None  # the ward committee member in charge of the cell
    # Attendance: the rate of the middle month, its change per month, the share of absences with a reason, the
    # share of those present who come late, and the members absent more often than the others (a weight).
    rate: float = 0.9
    trend: float = 0.0
    with_reason: float = 0.7
    late: float = 0.04
    absentees: dict[int, float] = field(default_factory=dict)

    @property
    def is_ward(self) -> bool:
        return self.hamlet.startswith("khu phố")

    @property
    def hall(self) -> str:
        return f"Nhà văn hóa {self.hamlet}"

    @property
    def meeting_place(self) -> str:
        return self.hall if self.is_ward else f"Hội trường {self.hamlet}"


@dataclass
class PlannedTask:
    task: Task
    lead: Person | None  # for a member-led task
    author: Person  # who reports: the lead, or the committee member following the task
    supporters: list[Person]
    theme: Theme | None = None  # None for work carried over from last month
    target: DemoTarget | None = None  # the committee's target it carries
    updates: list[ProgressUpdate] = field(default_factory=list)  # in time order


@dataclass
class PlannedResolution:
    resolution: Resolution
    themes: list[Theme]
    targets: list[Target] = field(default_factory=list)
    tasks: list[PlannedTask] = field(default_factory=list)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    present: int = 0  # at the meeting that adopted it
    opinion: PublicOpinion | None = None  # heard while it was carried out
    carries: list[int] = field(default_factory=list)  # the committees' documents it carries out


@dataclass
class PlannedMeeting:
    meeting: Meeting
    start: dt.datetime
    index: int  # of the month
    # Member id → (attendance, reason), for every member on the roll on the day, in the cell's order.
    attendance: dict[int, tuple[str, str]] = field(default_factory=dict)
    agenda: list[AgendaItem] = field(default_factory=list)
    vote: Vote | None = None

    def attended(self) -> list[int]:
        return [pk for pk, (status, _) in self.attendance.items() if status in Attendance.ATTENDED]


@dataclass
class Rows:
    """What a chunk of cells writes. Kept by month, as a resolution points at last month's (``previous``)
    and a carried-over task at last month's task (``carried_from``)."""

    resolutions: dict[int, list[PlannedResolution]] = field(default_factory=lambda: defaultdict(list))
    updates: list[ProgressUpdate] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)
    absent: list[tuple[Vote, int]] = field(default_factory=list)
    versions: list[Version] = field(default_factory=list)
    changes: list[StatusChange] = field(default_factory=list)
    disseminations: list[Dissemination] = field(default_factory=list)
    opinions: list[PublicOpinion] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    agenda: list[AgendaItem] = field(default_factory=list)
    # (meeting, member id, attendance, reason): plain tuples, turned into rows a batch at a time.
    attendance: list[tuple[Meeting, int, str, str]] = field(default_factory=list)
    requests: list[AbsenceRequest] = field(default_factory=list)
    speeches: list[Speech] = field(default_factory=list)
    reviews: list[MonthlyReview] = field(default_factory=list)


@dataclass(frozen=True)
class Reported:
    """A progress report before it becomes a ``ProgressUpdate``."""

    day: dt.date
    status: str
    progress: int
    note: str
    sent_back: bool = False
    figure: Decimal | None = None  # against a committee's target


def _month_start(day: dt.date, shift: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(start: dt.date) -> dt.date:
    return _month_start(start, 1) - dt.timedelta(days=1)


def _days(start: dt.date, end: dt.date) -> int:
    return (end - start).days


# ---------------------------------------------------------------------------------------------------
# The builder
# ---------------------------------------------------------------------------------------------------


class _Builder:
    def __init__(
        self, root: Organisation, today: dt.date, months: int, documents: dict[str, list[DemoDocument]]
    ) -> None:
        self.root = root
        self.documents = documents
        self.doc_rng = random.Random(SEED + 1)  # the documents' draws leave the rest of the demo as it was
        self.fates: dict[tuple[int, int], str] = {}  # (cell, document) → on time, late, never
        self.today = today
        self.rng = random.Random(SEED)
        current = today.replace(day=1)
        self.starts = [_month_start(current, shift) for shift in range(1 - months, 1)]
        self.draft_start = _month_start(current, 1)
        self.tz = timezone.get_current_timezone()  # read once: it is asked for every time stamped
        # Nothing may be stamped later than the present; a demo seeded "as of" another day ends that evening.
        self.now = timezone.now() if today == timezone.localdate() else self._aware(today, 20, 0)
        with translation.override(settings.LANGUAGE_CODE):
            self.committee_label = str(LK.COMMITTEE.label)  # as services.snapshot() writes a committee lead
            # As review_snapshot() writes them.
            self.status_labels: dict[str, str] = {status: str(status.label) for status in TS}
        self.named_cell_id: int | None = None
        self.named_member_id: int | None = None  # the ordinary member ``dangvien``

    def build(self) -> None:
        cells = self._read_cells()
        self._absence_profiles(cells)
        self._fates(cells)
        size = max(1, CHUNK_CELL_MONTHS // len(self.starts))
        # The vote's explanation is judge_vote's, in the language documents are written in.
        with translation.override(settings.LANGUAGE_CODE):
            for start in range(0, len(cells), size):
                chunk = cells[start : start + size]
                self._write_mass_organisations(chunk)
                rows = Rows()
                for cell in chunk:
                    self._plan_cell(cell, rows)
                self._write(rows)

    # --- reading back the people -----------------------------------------------------------------

    def _read_cells(self) -> list[Cell]:
        under = self.root.path
        cells: dict[int, Cell] = {}
        rows = Organisation.objects.cells().filter(path__startswith=under).values_list("pk", "name", "path")
        for pk, name, path in rows:
            ward_path = path[: -Organisation.steplen]
            cells[pk] = Cell(pk, name, hamlet=name.removeprefix("Chi bộ ").strip(), ward_path=ward_path)
        people: dict[int, Person] = {}
        members = (
            Member.objects.filter(cell__path__startswith=under)
            .order_by("pk")
            .values_list("pk", "cell_id", "full_name", "search_name", "admitted_on", "official_on", "left_on")
        )
        for pk, cell_id, name, search_name, admitted_on, official_on, left_on in members:
            people[pk] = person = Person(pk, name, search_name, admitted_on, official_on, left_on)
            cells[cell_id].people.append(person)
        in_demo = Q(member__cell__path__startswith=under)
        for model, kind in ((Exemption, "exempt"), (Suspension, "suspended")):
            periods = model.objects.filter(in_demo).values_list("member_id", "starts_on", "ends_on")
            for member_id, starts, ends in periods:
                people[member_id].periods.append((kind, starts, ends))
        away = AwayPeriod.objects.filter(in_demo).values_list("member_id", "kind", "starts_on", "ends_on")
        for member_id, away_kind, starts, ends in away:
            kind = "transferred" if away_kind == AwayPeriod.Kind.TEMPORARY_TRANSFER else "away"
            people[member_id].periods.append((kind, starts, ends))
        rank: dict[str, int] = {Role.Kind.SECRETARY: 0, Role.Kind.DEPUTY: 1, Role.Kind.COMMITTEE: 2}
        roles = (
            Role.objects.filter(organisation__path__startswith=under, kind__in=list(rank), user__member__isnull=False)
            .order_by("pk")
            .values_list("organisation_id", "kind", "user_id", "user__member__id", "user__username")
        )
        for org_id, kind, user_id, member_id, username in sorted(roles, key=lambda row: (row[0], rank[row[1]])):
            cell = cells[org_id]
            cell.committee.append(people[member_id])
            cell.committee_users[member_id] = user_id
            if kind == Role.Kind.SECRETARY:
                cell.secretary_user_id = user_id
                if username == "bithu":
                    self.named_cell_id = org_id
        in_charge = Role.objects.filter(organisation__path__startswith=under, kind=Role.Kind.IN_CHARGE).order_by("pk")
        for org_id, user_id in in_charge.values_list("organisation_id", "user_id"):
            if org_id in cells:
                cells[org_id].in_charge_user_id = user_id
        named = Member.objects.filter(cell__path__startswith=under, user__username="dangvien")
        self.named_member_id = named.values_list("pk", flat=True).first()
        groups = ResidentialGroup.objects.filter(cell__path__startswith=under).order_by("pk")
        for pk, cell_id, name in groups.values_list("pk", "cell_id", "name"):
            cells[cell_id].groups.append((pk, name))
        for cell in cells.values():
            if not cell.committee or not cell.groups:
                raise DemoDataError(f"{cell.name} has no committee or no residential group: seed the demo again.")
            cell.meeting_day = self.rng.randint(2, 5)
            cell.meeting_hour = self.rng.choice((14, 19, 19, 19, 19))  # hamlet cells mostly meet in the evening
        return list(cells.values())

    def _absence_profiles(self, cells: list[Cell]) -> None:
        """About one cell in ten (never ``bithu``'s) has chronic absences; each cell its own trend over the year."""
        rng = self.rng
        others = [cell for cell in cells if cell.pk != self.named_cell_id]
        count = min(len(others), max(1, round(len(cells) * rng.uniform(*CHRONIC_SHARE))))
        chronic = {cell.pk for cell in rng.sample(others, count)}
        for cell in cells:
            if cell.pk in chronic:
                cell.rate, cell.trend = rng.uniform(0.63, 0.72), rng.uniform(-0.012, 0.012)
                cell.with_reason, cell.late, often = rng.uniform(0.35, 0.5), 0.08, 0.2
            else:
                cell.rate, cell.trend = rng.uniform(0.87, 0.95), rng.uniform(-0.004, 0.004)
                cell.with_reason, cell.late, often = rng.uniform(0.6, 0.8), 0.04, 0.07
            committee = {p.pk for p in cell.committee}
            for person in cell.people:
                if person.pk not in committee and rng.random() < often:
                    cell.absentees[person.pk] = rng.uniform(3, 6)

    def _write_mass_organisations(self, cells: Sequence[Cell]) -> None:
        rows = [
            MassOrganisation(cell_id=cell.pk, kind=kind, name=name.format(hamlet=cell.hamlet))
            for cell in cells
            for kind, name in MASS_ORGANISATIONS
        ]
        MassOrganisation.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        by_cell = {cell.pk: cell for cell in cells}
        for row in rows:
            by_cell[row.cell_id].mass[row.kind] = row

    # --- one cell, month by month --------------------------------------------------------------

    def _plan_cell(self, cell: Cell, rows: Rows) -> None:
        rng, today = self.rng, self.today
        last = len(self.starts) - 1
        held = [start + dt.timedelta(days=cell.meeting_day - 1 + rng.choice((-1, 0, 0, 0, 1))) for start in self.starts]
        held[last] = min(held[last], today)
        seqs: dict[int, int] = defaultdict(int)  # one run of numbers per calendar year, as services.next_number
        heard = set(rng.sample(range(len(self.starts)), min(len(self.starts), rng.randint(3, 6))))
        # A few cells also hold a thematic meeting or two, in the middle of a past month.
        thematic = set(rng.sample(range(last), min(last, rng.choice((1, 2))))) if rng.random() < 0.18 else set()
        previous: PlannedResolution | None = None
        last_meeting: PlannedMeeting | None = None
        carried: set[int] = set()  # the committees' documents carried out so far
        for index, start in enumerate(self.starts):
            held_on = held[index]
            # A month is closed a few days after the next meeting has reviewed it, once late reports are in.
            close_on = held[index + 1] + dt.timedelta(days=rng.randint(4, 7)) if index < last else None
            closed = close_on is not None and close_on < today
            seqs[start.year] += 1
            plan = self._resolution(cell, start, seqs[start.year], previous)
            plan.resolution.status = S.COMPLETED if closed else S.IN_PROGRESS
            plan.resolution.adopted_on = held_on
            self._targets(plan, closed)
            self._tasks(cell, plan, held_on, previous)
            self._carry(cell, plan, held_on, carried)
            # The last day a report could come in: the eve of the closing, or yesterday.
            cutoff = (close_on if closed and close_on else today) - dt.timedelta(days=1)
            for planned in plan.tasks:
                if planned.target is None:
                    self._simulate(cell, planned, held_on, cutoff, closed, rows)
                else:
                    self._simulate_carrying(cell, planned, held_on, cutoff, closed, rows)
            # The meeting that reviews last month's resolution and adopts this one.
            meeting = self._meeting(cell, index, held_on, rows)
            self._vote_and_history(cell, plan, meeting, close_on if closed else None, rows)
            self._proceedings(cell, meeting, plan, previous, last_meeting, rows)
            self._disseminate(cell, plan, held_on, rows)
            if index in heard:
                self._opinion(cell, plan, rows)
            if index in thematic:
                self._thematic(cell, index, start, rows)
            rows.resolutions[index].append(plan)
            previous, last_meeting = plan, meeting
        if cell.pk == self.named_cell_id:  # the secretary `bithu` is drafting next month's resolution
            start = self.draft_start
            seqs[start.year] += 1
            plan = self._resolution(cell, start, seqs[start.year], previous)
            self._targets(plan, closed=False)
            self._tasks(cell, plan, start, previous)
            drafted = max(today - dt.timedelta(days=2), held[last])
            plan.created_at = plan.updated_at = min(self.now, self._aware(drafted, 20, rng.randint(0, 59)))
            rows.resolutions[len(self.starts)].append(plan)
            self._planned_meeting(cell, rows)  # and has planned next month's meeting

    def _resolution(
        self, cell: Cell, start: dt.date, seq: int, previous: PlannedResolution | None
    ) -> PlannedResolution:
        rng = self.rng
        themes = self._themes(cell, start)
        month, year = start.month, start.year
        first, second = themes[0].subject, themes[1].subject
        title = rng.choice(
            (
                f"Về lãnh đạo thực hiện nhiệm vụ chính trị tháng {month} năm {year}",
                f"Lãnh đạo thực hiện nhiệm vụ tháng {month}/{year}: {first} và {second}",
                f"Tập trung {first}, {second} trong tháng {month} năm {year}",
            )
        )
        fill = {"hamlet": cell.hamlet, "year": year}
        following = _month_start(start, 1)
        resolution = Resolution(
            cell_id=cell.pk,
            kind=Resolution.Kind.MONTHLY,
            period_start=start,
            period_end=_month_end(start),
            year=year,
            seq=seq,
            number=format_number(seq),
            title=title,
            assessment=self._assessment(cell, start, previous),
            focal_tasks="\n\n".join(f"{n}. {theme.focal}" for n, theme in enumerate(themes, start=1)),
            solutions="\n\n".join(
                [
                    *(theme.solution.format(**fill) for theme in themes),
                    "Chi ủy phân công chi ủy viên theo dõi từng nhiệm vụ, đôn đốc hằng tuần; đảng viên báo cáo kết "
                    "quả trước kỳ sinh hoạt.",
                ]
            ),
            implementation=(
                f"Chi ủy tổ chức quán triệt nghị quyết đến toàn thể đảng viên; thông báo đến "
                f"{cell.mass[MK.FATHERLAND_FRONT].name}, các đoàn thể và các tổ tự quản để cùng thực hiện.\n\n"
                f"Mỗi đảng viên gương mẫu thực hiện và vận động gia đình, bà con nơi cư trú. Đồng chí "
                f"{cell.committee[0].name}, Bí thư chi bộ, chỉ đạo chung; sơ kết tại kỳ sinh hoạt tháng "
                f"{following.month}/{following.year}."
            ),
            version=1,
            previous=previous.resolution if previous else None,
            created_by_id=cell.secretary_user_id,
        )
        return PlannedResolution(resolution, themes)

    def _themes(self, cell: Cell, start: dt.date) -> list[Theme]:
        where = "ward" if cell.is_ward else "commune"
        pool = [t for t in THEMES if start.month in t.months and t.where in ("any", where)]
        chosen: list[Theme] = []
        for _ in range(self.rng.choice((2, 2, 3))):
            left = [t for t in pool if t not in chosen]
            chosen.append(self.rng.choices(left, weights=[t.weight for t in left])[0])
        return chosen

    def _assessment(self, cell: Cell, start: dt.date, previous: PlannedResolution | None) -> str:
        rng = self.rng
        last = _month_start(start, -1)
        shortcoming = rng.choice(SHORTCOMINGS)
        if previous is None:
            return (
                f"Tháng {last.month}/{last.year}, chi bộ đã lãnh đạo thực hiện cơ bản các nhiệm vụ đề ra; tình "
                f"hình chính trị, an ninh trật tự ở {cell.hamlet} ổn định, đời sống nhân dân từng bước được nâng "
                f"lên.\n\nHạn chế: {shortcoming}"
            )
        done = sum(planned.task.status == TS.DONE for planned in previous.tasks)
        first, second = previous.themes[0].result, previous.themes[1].result
        return (
            f"Tháng {last.month}/{last.year}, chi bộ đã lãnh đạo hoàn thành {done}/{len(previous.tasks)} nhiệm vụ "
            f"đề ra; {first}; {second}.\n\n"
            f"Hạn chế: {shortcoming} Nguyên nhân chủ yếu do {rng.choice(CAUSES)}."
        )

    def _targets(self, plan: PlannedResolution, closed: bool) -> None:
        """Two targets, from the first two themes; what was reached is known once the month is closed."""
        for order, theme in enumerate(plan.themes[:2]):
            name, unit, value = self.rng.choice(theme.targets)
            actual = None
            if closed:
                reached = round(value * self.rng.uniform(0.82, 1.08))
                actual = Decimal(min(reached, 100) if unit == "%" else reached).quantize(CENTS)
            plan.targets.append(
                Target(
                    resolution=plan.resolution,
                    name=name,
                    unit=unit,
                    target_value=Decimal(value).quantize(CENTS),
                    actual_value=actual,
                    order=order,
                )
            )

    # --- tasks ---------------------------------------------------------------------------------

    def _tasks(self, cell: Cell, plan: PlannedResolution, held_on: dt.date, previous: PlannedResolution | None) -> None:
        """Four to six tasks: what was not met last month carried over, then the themes' work, in turn."""
        rng = self.rng
        resolution, themes = plan.resolution, plan.themes
        start, end = resolution.period_start, resolution.period_end
        fill = {"hamlet": cell.hamlet, "year": start.year}
        count = rng.randint(4, 6)
        chosen: list[tuple[str, str, Theme | None, PlannedTask | None]] = []
        for planned in previous.tasks if previous else []:
            if planned.task.status == TS.NOT_MET and len(chosen) < 2 and rng.random() < 0.7:
                chosen.append((planned.task.title, planned.task.details, None, planned))
        queues = [rng.sample(theme.tasks, len(theme.tasks)) for theme in themes]
        turn = 0
        while len(chosen) < count and any(queues):
            queue = queues[turn % len(queues)]
            turn += 1
            if not queue:
                continue
            title, details = queue.pop()
            title, details = title.format(**fill), details.format(**fill)
            if all(title != other for other, *_ in chosen):
                chosen.append((title, details, themes[(turn - 1) % len(queues)], None))

        # Leads: official members on roll all month, neither exempt, away nor suspended then nor today.
        busy_until = max(end, self.today)
        fit_leads = [p for p in cell.people if p.is_official(start) and p.free_between(start, busy_until)]
        fit_leads = fit_leads or cell.committee[:1]
        helpers = [p for p in cell.people if p.on_roll(start) and p.free_between(start, busy_until)]
        leads = rng.sample(fit_leads, min(len(fit_leads), len(chosen)))
        focal = rng.choice((1, 2))
        lead_kind: str  # a LeadKind, or the value of a carried task's
        for order, (title, details, theme, carried) in enumerate(chosen):
            lead_kind, lead, mass = LK.MEMBER, leads[order % len(leads)], None
            roll = rng.random()
            if carried is not None:  # the same lead carries on, if still fit
                lead_kind, mass = carried.task.lead_kind, carried.task.lead_mass_organisation
                if carried.lead is not None and carried.lead in fit_leads:
                    lead = carried.lead
            elif theme is not None and theme.mass and roll < 0.16:
                lead_kind, mass = LK.MASS_ORGANISATION, cell.mass[rng.choice(theme.mass)]
            elif roll < 0.27:
                lead_kind = LK.COMMITTEE
            member_lead = lead if lead_kind == LK.MEMBER else None
            # Lead and follower differ: a cell whose only committee member leads the task leaves it unfollowed.
            others = [p for p in cell.committee if p is not member_lead]
            follower = rng.choice(others) if others else None
            is_focal = theme is themes[0] and focal > 0
            focal -= is_focal
            task = Task(
                resolution=resolution,
                title=title,
                details=details,
                is_focal=is_focal,
                deadline=self._deadline(start, end, held_on, draft=resolution.status == S.DRAFT),
                lead_kind=lead_kind,
                lead_member_id=member_lead.pk if member_lead else None,
                lead_mass_organisation=mass,
                follower_id=follower.pk if follower else None,
                carried_from=carried.task if carried else None,
                order=order,
            )
            others = [p for p in helpers if p is not member_lead]
            supporters = rng.sample(others, min(len(others), rng.choice((0, 1, 1, 2, 2))))
            author = member_lead or follower or cell.committee[0]
            plan.tasks.append(PlannedTask(task, member_lead, author, supporters, theme))

    def _deadline(self, start: dt.date, end: dt.date, held_on: dt.date, *, draft: bool) -> dt.date:
        rng = self.rng
        if draft:
            return rng.choice((start.replace(day=10), start.replace(day=15), start.replace(day=20), end))
        roll = rng.random()
        if roll < 0.3:  # within the week after the meeting: what dashboards show as overdue first
            day = held_on + dt.timedelta(days=rng.randint(3, 8))
        elif roll < 0.75:
            day = start.replace(day=rng.choice((10, 15, 20, 25)))
        else:
            day = end
        return min(end, max(day, held_on + dt.timedelta(days=2)))

    # --- the committees' documents, carried out ---------------------------------------------------

    def _fates(self, cells: list[Cell]) -> None:
        """How each cell carries each document of its committee: most in the first resolution adopted after it
        (in time), about one in seven in the first one after the deadline (late); in each ward one cell, never
        ``bithu``'s, has not carried one of the two (late, the deadline passed)."""
        rng = self.doc_rng
        by_ward: dict[str, list[Cell]] = defaultdict(list)
        for cell in cells:
            by_ward[cell.ward_path].append(cell)
        for ward_path, documents in self.documents.items():
            ward_cells = by_ward.get(ward_path, [])
            if not ward_cells:
                continue
            for cell in ward_cells:
                for document in documents:
                    self.fates[cell.pk, document.pk] = "late" if rng.random() < 0.15 else "on_time"
            candidates = [cell for cell in ward_cells if cell.pk != self.named_cell_id] or ward_cells
            self.fates[rng.choice(candidates).pk, rng.choice(documents).pk] = "never"

    def _carry(self, cell: Cell, plan: PlannedResolution, held_on: dt.date, carried: set[int]) -> None:
        """The month's resolution carries out the committee's documents due to be carried now: a task for each of
        their targets, led by a member, with the target's deadline."""
        rng = self.doc_rng
        start = plan.resolution.period_start
        fit_leads = [p for p in cell.people if p.is_official(start) and p.free_between(start, self.today)]
        fit_leads = fit_leads or cell.committee[:1]
        for document in self.documents.get(cell.ward_path, []):
            fate = self.fates.get((cell.pk, document.pk), "never")
            if document.pk in carried or fate == "never" or held_on <= document.adopted_on:
                continue
            if fate == "late" and held_on <= document.concretise_by:
                continue
            carried.add(document.pk)
            plan.carries.append(document.pk)
            for target in document.targets:
                lead = rng.choice(fit_leads)
                others = [p for p in cell.committee if p is not lead]
                follower = rng.choice(others) if others else None
                goal = f"{target.goal:.0f} {target.unit}".strip() if target.measure != "yes_no" else "hoàn thành"
                task = Task(
                    resolution=plan.resolution,
                    title=target.name,
                    details=f"Thực hiện chỉ tiêu Đảng ủy giao theo văn bản số {document.number}: {goal}.",
                    deadline=target.deadline,
                    lead_kind=LK.MEMBER,
                    lead_member_id=lead.pk,
                    follower_id=follower.pk if follower else None,
                    cell_target_id=target.pk,
                    order=len(plan.tasks),
                )
                plan.tasks.append(PlannedTask(task, lead, lead, [], target=target))

    def _simulate_carrying(
        self, cell: Cell, planned: PlannedTask, held_on: dt.date, cutoff: dt.date, closed: bool, rows: Rows
    ) -> None:
        """Reports on a task that carries a committee's target, each with the figure reached: in a closed month
        mostly done (the goal met or passed), else not met short of it; in the month being implemented some done,
        most under way, some not started."""
        rng = self.doc_rng
        target = planned.target
        assert target is not None
        first = held_on + dt.timedelta(days=1)
        span = _days(first, cutoff)
        reports: list[Reported] = []
        if span >= 0:
            fate = rng.random()
            day = first + dt.timedelta(days=rng.randint(0, span))
            if fate < (0.85 if closed else 0.3):
                if _days(first, day) >= 2 and rng.random() < 0.6:
                    early = first + dt.timedelta(days=rng.randint(0, _days(first, day) - 1))
                    progress = rng.choice((40, 50, 60))
                    reports.append(
                        Reported(early, TS.IN_PROGRESS, progress, rng.choice(NOTES_IN_PROGRESS), figure=None)
                    )
                reports.append(Reported(day, TS.DONE, 100, rng.choice(NOTES_DONE)))
            elif closed:
                reports.append(Reported(day, TS.NOT_MET, rng.choice((40, 50, 60, 70)), rng.choice(NOTES_NOT_MET)))
            elif fate < 0.8:
                reports.append(
                    Reported(day, TS.IN_PROGRESS, rng.choice((20, 30, 50, 60)), rng.choice(NOTES_IN_PROGRESS))
                )
        reports = [
            Reported(r.day, r.status, r.progress, r.note, figure=self._figure(target, r.status, r.progress))
            for r in reports
        ]
        self._record(cell, planned, reports, rows)

    def _figure(self, target: DemoTarget, status: str, progress: int) -> Decimal | None:
        """The figure a report gives against a target: past the goal once done, short of it before."""
        if target.measure == "yes_no":
            return None
        goal = target.goal
        if status == TS.DONE:
            extra = self.doc_rng.choice((0, 0, 1, 2)) if target.measure == "number" else self.doc_rng.choice((0, 3, 8))
            return min(goal + extra, Decimal(100)) if target.measure == "percent" else goal + extra
        reached = (goal * progress / 100).quantize(Decimal(1))
        return min(reached, goal - 1) if goal >= 1 else reached

    def _simulate(
        self, cell: Cell, planned: PlannedTask, held_on: dt.date, cutoff: dt.date, closed: bool, rows: Rows
    ) -> None:
        """Reports on a task up to ``cutoff``; the task takes the state of the latest one not sent back."""
        rng = self.rng
        task = planned.task
        first = held_on + dt.timedelta(days=1)  # implementation starts the day after the vote
        deadline = task.deadline
        fate = rng.random()
        if fate < 0.78:  # on time
            done_on: dt.date | None = deadline - dt.timedelta(days=rng.randint(0, min(10, _days(first, deadline))))
        elif fate < 0.92:  # late, and for a closed month reported before the closing
            done_on = deadline + dt.timedelta(days=rng.randint(1, 10))
            done_on = min(done_on, cutoff) if closed else done_on
        else:  # not met
            done_on = None

        def days_before(until: dt.date, n: int) -> list[dt.date]:
            span = _days(first, until)
            return sorted({first + dt.timedelta(days=rng.randrange(span)) for _ in range(n)}) if span > 0 else []

        reports: list[Reported] = []
        if done_on is not None and first <= done_on <= cutoff:
            days = days_before(done_on, rng.choice((0, 1, 1, 2)))
            for n, day in enumerate(days, start=1):
                progress = min(90, 10 * round(10 * n / (len(days) + 1)) + rng.choice((0, 10)))
                reports.append(Reported(day, TS.IN_PROGRESS, progress, rng.choice(NOTES_IN_PROGRESS)))
            note = rng.choice(NOTES_LATE if done_on > deadline else NOTES_DONE)
            reports.append(Reported(done_on, TS.DONE, 100, note))
            if rng.random() < 0.07 and _days(first, done_on) >= 2:  # a first "done" the secretary sent back
                day = done_on - dt.timedelta(days=rng.randint(1, _days(first, done_on) - 1))
                reports.insert(-1, Reported(day, TS.DONE, 100, rng.choice(NOTES_DONE), sent_back=True))
        elif closed:  # not met: judged after the deadline, before the closing
            progress = 0
            for n, day in enumerate(days_before(deadline, rng.choice((1, 1, 2))), start=1):
                progress = min(70, 20 * n + rng.choice((0, 10, 20)))
                reports.append(Reported(day, TS.IN_PROGRESS, progress, rng.choice(NOTES_IN_PROGRESS)))
            judged = deadline + dt.timedelta(days=rng.randint(1, max(1, _days(deadline, cutoff))))
            final = progress + rng.choice((0, 10)) if progress else rng.choice((10, 20, 30))
            reports.append(Reported(min(judged, cutoff), TS.NOT_MET, final, rng.choice(NOTES_NOT_MET)))
        elif rng.random() < 0.7:  # still open, started: overdue once the deadline has passed
            span = max(1, _days(first, deadline))
            days = days_before(cutoff + dt.timedelta(days=1), rng.choice((1, 1, 2)))
            for n, day in enumerate(days, start=1):
                share = min(0.9, _days(first, day) / span + 0.1)
                progress = max(10, min(90, 10 * round(10 * share) - 10 * (len(days) - n)))
                reports.append(Reported(day, TS.IN_PROGRESS, progress, rng.choice(NOTES_IN_PROGRESS)))
            if days and days[-1] < cutoff and rng.random() < 0.1:  # "done", sent back: the task stays open
                day = days[-1] + dt.timedelta(days=rng.randint(1, _days(days[-1], cutoff)))
                reports.append(Reported(day, TS.DONE, 100, rng.choice(NOTES_DONE), sent_back=True))
        self._record(cell, planned, reports, rows)

    def _record(self, cell: Cell, planned: PlannedTask, reports: list[Reported], rows: Rows) -> None:
        """The reports as ``ProgressUpdate`` rows, reviewed or waiting; the task takes the state of the latest one
        confirmed, and the figure of the latest confirmed one that gave one."""
        rng = self.rng
        task = planned.task
        latest: ProgressUpdate | None = None
        figure: Decimal | None = None
        previous_at: dt.datetime | None = None
        for report in sorted(reports, key=lambda r: r.day):  # stable: a same-day sent-back report comes first
            at = self._aware(report.day, rng.randint(7, 17), rng.randint(0, 59))
            if previous_at is not None and at <= previous_at:
                at = previous_at + dt.timedelta(minutes=rng.randint(20, 90))
            previous_at = at
            update = ProgressUpdate(
                task=task,
                author_id=planned.author.pk,
                status=report.status,
                progress=report.progress,
                note=report.note.format(progress=report.progress),
                figure=report.figure,
                created_at=at,
            )
            # The author of a report never reviews it: the secretary, or for her own reports the next committee
            # member; a report no one else could review waits.
            reviewer = next((u for pk, u in cell.committee_users.items() if pk != planned.author.pk), None)
            if report.sent_back and reviewer is not None:
                update.review = REVIEW.SENT_BACK
                update.review_note = rng.choice(SENT_BACK_NOTES)
                update.reviewed_at = min(self.now, at + dt.timedelta(minutes=rng.randint(30, 180)))
                update.reviewed_by_id = reviewer
            elif (
                not report.sent_back
                and reviewer is not None
                and (_days(report.day, self.today) > 5 or rng.random() < 0.5)  # recent reports may await review
            ):
                latest = update
                figure = report.figure if report.figure is not None else figure
                update.review = REVIEW.CONFIRMED
                update.reviewed_at = min(self.now, at + dt.timedelta(hours=rng.randint(2, 40)))
                update.reviewed_by_id = reviewer
            rows.updates.append(update)
            planned.updates.append(update)
        # As services.apply_latest_confirmed: the latest confirmed report, or the initial state.
        task.figure = figure
        if latest is None:
            task.status, task.progress, task.completed_on = TS.NOT_STARTED, 0, None
        else:
            task.status, task.progress = latest.status, latest.progress
            done = latest.status == TS.DONE
            task.completed_on = latest.created_at.astimezone(self.tz).date() if done else None

    # --- the vote, the version and the history -------------------------------------------------

    def _snapshot(self, plan: PlannedResolution) -> dict[str, Any]:
        """What ``services.snapshot`` returns for the resolution as adopted, built without a query."""
        lead = self._lead_label
        resolution = plan.resolution
        return {
            "number": resolution.number,
            "title": resolution.title,
            "sections": {name: getattr(resolution, name) for name in SECTIONS},
            "targets": [{"name": t.name, "unit": t.unit, "target_value": str(t.target_value)} for t in plan.targets],
            "tasks": [
                {
                    "title": p.task.title,
                    "details": p.task.details,
                    "focal": p.task.is_focal,
                    "deadline": p.task.deadline.strftime("%d/%m/%Y"),
                    "lead": lead(p),
                    # Member's ordering: by the name without diacritics.
                    "supporters": [s.name for s in sorted(p.supporters, key=lambda s: (s.search_name, s.pk))],
                    "status": TS.NOT_STARTED,  # as the tasks stood when the vote adopted it
                }
                for p in plan.tasks
            ],
        }

    def _lead_label(self, planned: PlannedTask) -> str:
        """``Task.lead_label()``, without a query."""
        if planned.lead is not None:
            return planned.lead.name
        if planned.task.lead_mass_organisation is not None:
            return planned.task.lead_mass_organisation.name
        return self.committee_label

    def _vote_and_history(
        self, cell: Cell, plan: PlannedResolution, mp: PlannedMeeting, close_on: dt.date | None, rows: Rows
    ) -> None:
        """The vote counted on the meeting's attendance, as ``record_vote`` counts it (``services.vote_base``):
        every entitled member present votes, so the ballots never exceed them."""
        rng = self.rng
        resolution = plan.resolution
        held_on = mp.meeting.date
        attendance = mp.attendance
        official = [p for p in cell.people if p.is_official(held_on)]
        kinds = {p.pk: p.kinds_on(held_on) for p in official if p.periods}

        def count() -> tuple[list[int], Roll, list[int]]:
            absent = [pk for pk, (status, _) in attendance.items() if status == A.ABSENT_WITH_REASON]
            roll = Roll(
                official=frozenset(p.pk for p in official),
                transferred=frozenset(pk for pk, k in kinds.items() if "transferred" in k),
                suspended=frozenset(pk for pk, k in kinds.items() if "suspended" in k),
                exempt=frozenset(pk for pk, k in kinds.items() if "exempt" in k),
                absent_with_reason=frozenset(absent),
            )
            entitled = entitled_voters(roll).entitled
            return absent, roll, sorted(pk for pk in entitled if attendance[pk][0] in Attendance.ATTENDED)

        absent, roll, voters = count()
        # Not even half of the voters there: those missing without a reason were fetched and came after all.
        missing = [p.pk for p in official if attendance[p.pk][0] == A.ABSENT_WITHOUT_REASON]
        while len(voters) * 2 <= len(entitled_voters(roll).entitled):
            if not missing:
                raise DemoDataError(f"{cell.name} has too few official members to adopt a resolution.")
            attendance[missing.pop(0)] = (A.PRESENT, "")
            absent, roll, voters = count()
        entitlement = entitled_voters(roll)
        entitled = len(entitlement.entitled)
        # Every voter there votes; a few against or abstaining, never enough to defeat it.
        against, abstain = rng.choice((0, 0, 0, 0, 1)), rng.choice((0, 0, 0, 1, 2))
        votes_for = len(voters) - against - abstain
        if votes_for * 2 <= entitled:
            against = abstain = 0
            votes_for = len(voters)
        result = judge_vote(
            entitled=entitled,
            entitled_present=len(voters),
            votes_for=votes_for,
            votes_against=against,
            votes_abstain=abstain,
        )
        if not result.adopted:
            raise DemoDataError(f"{cell.name} has too few official members to adopt a resolution.")
        explanation = result.explanation
        plan.present = len(mp.attended())
        names = {p.pk: p.name for p in official}
        adopted_at = min(self.now, mp.start + dt.timedelta(minutes=rng.randint(80, 105)))
        vote = Vote(
            resolution=resolution,
            meeting=mp.meeting,
            held_on=held_on,
            official_count=len(roll.official),
            entitled_count=entitled,
            present_count=len(voters),
            votes_for=votes_for,
            votes_against=against,
            votes_abstain=abstain,
            excluded=entitlement.excluded,
            dissent=rng.choice(DISSENT).format(name=names[rng.choice(voters)]) if against else "",
            adopted=True,
            explanation=explanation,
            recorded_by_id=cell.secretary_user_id,
            recorded_at=adopted_at,
        )
        mp.vote = vote
        rows.votes.append(vote)
        # As vote_base gives them: everyone absent with a reason (the rule only counts the official ones).
        rows.absent.extend((vote, pk) for pk in absent)
        rows.versions.append(
            Version(
                resolution=resolution,
                number=1,
                snapshot=self._snapshot(plan),
                created_by_id=cell.secretary_user_id,
                created_at=adopted_at,
            )
        )
        drafted = self._aware(held_on - dt.timedelta(days=rng.randint(7, 10)), rng.randint(8, 20), rng.randint(0, 59))
        submitted = self._aware(held_on - dt.timedelta(days=rng.randint(1, 3)), rng.randint(16, 20), rng.randint(0, 59))
        steps = [
            (S.DRAFT, S.SUBMITTED, submitted, ""),
            (S.SUBMITTED, S.ADOPTED, adopted_at, explanation),
            (S.ADOPTED, S.IN_PROGRESS, adopted_at + dt.timedelta(hours=rng.randint(10, 14)), ""),
        ]
        if close_on is not None:
            steps.append((S.IN_PROGRESS, S.COMPLETED, self._aware(close_on, rng.randint(8, 17), 0), ""))
        for from_status, to_status, at, note in steps:
            rows.changes.append(
                StatusChange(
                    resolution=resolution,
                    from_status=from_status,
                    to_status=to_status,
                    by_id=cell.secretary_user_id,
                    at=min(self.now, at),
                    note=note,
                )
            )
        plan.created_at = min(self.now, drafted)
        plan.updated_at = rows.changes[-1].at

    def _disseminate(self, cell: Cell, plan: PlannedResolution, held_on: dt.date, rows: Rows) -> None:
        """Studied by the members at the meeting; told to a mass organisation and a residents' group after."""
        rng = self.rng
        mass = cell.mass[rng.choice(list(cell.mass))]
        group_id, group_name = rng.choice(cell.groups)
        audience = Dissemination.Audience
        plans: list[tuple[dt.date, str, dict[str, Any], str, int, str]] = [
            (held_on, audience.MEMBERS, {}, cell.hall, plan.present, "Quán triệt tại kỳ sinh hoạt chi bộ."),
            (
                held_on + dt.timedelta(days=rng.randint(2, 6)),
                audience.MASS_ORGANISATION,
                {"mass_organisation": mass},
                cell.hall,
                rng.randint(15, 60),
                f"Thông báo nội dung nghị quyết tại buổi sinh hoạt của {mass.name}.",
            ),
            (
                held_on + dt.timedelta(days=rng.randint(3, 10)),
                audience.RESIDENTIAL_GROUP,
                {"residential_group_id": group_id},
                f"Nhà tổ trưởng {group_name.lower()}",
                rng.randint(20, 70),
                "Phổ biến những việc liên quan đến đời sống của bà con tại buổi họp tổ.",
            ),
        ]
        for day, kind, target, place, reached, notes in plans:
            if day <= self.today:
                rows.disseminations.append(
                    Dissemination(
                        resolution=plan.resolution,
                        held_on=day,
                        audience=kind,
                        place=place,
                        people_reached=reached,
                        notes=notes,
                        recorded_by_id=cell.secretary_user_id,
                        **target,
                    )
                )

    def _opinion(self, cell: Cell, plan: PlannedResolution, rows: Rows) -> None:
        """Public opinion heard while a month's resolution was carried out (three to six months a year), mostly about
        one of its tasks; the next meeting often takes it up (``_proceedings``)."""
        rng = self.rng
        start = plan.resolution.period_start
        end = min(plan.resolution.period_end, self.today)
        received = start + dt.timedelta(days=rng.randint(0, _days(start, end)))
        about = [
            (opinion, planned)
            for opinion in OPINIONS
            for planned in plan.tasks
            if planned.theme is not None and planned.theme.key in opinion[0]
        ]
        task: Task | None = None
        if about and rng.random() < 0.8:
            (_, content, response), planned = rng.choice(about)
            task = planned.task
        else:
            _, content, response = rng.choice(OPINIONS)
        group = rng.choice(cell.groups)[1].lower()
        mass = cell.mass[rng.choice(list(cell.mass))].name
        plan.opinion = PublicOpinion(
            cell_id=cell.pk,
            resolution=plan.resolution,
            task=task,
            received_on=received,
            source=rng.choice(OPINION_SOURCES).format(group=group, mass=mass, hamlet=cell.hamlet),
            content=content.format(group=group),
            response=response if _days(received, self.today) > 10 else "",
            recorded_by_id=cell.secretary_user_id,
        )
        rows.opinions.append(plan.opinion)

    # --- the meetings --------------------------------------------------------------------------

    def _meeting(
        self, cell: Cell, index: int, day: dt.date, rows: Rows, kind: str = Meeting.Kind.REGULAR
    ) -> PlannedMeeting:
        """A meeting of month ``index``: earlier months' minutes are approved, this month's meeting is held (its day
        is never later than today: this month's resolution was adopted there), next month's is planned. Attendance is
        drawn for a meeting held, defaulted for one planned."""
        rng = self.rng
        last = len(self.starts) - 1
        status = MS.APPROVED if index < last else MS.HELD if index == last else MS.PLANNED
        start = self._aware(day, cell.meeting_hour, 0)
        # The most junior committee member keeps the minutes, another one now and then.
        others = cell.committee[1:] or cell.committee
        recorder = others[-1] if rng.random() < 0.75 else rng.choice(others)
        planned_at = self._aware(day - dt.timedelta(days=rng.randint(5, 10)), rng.randint(8, 20), rng.randint(0, 59))
        meeting = Meeting(
            cell_id=cell.pk,
            kind=kind,
            date=day,
            starts_at=dt.time(cell.meeting_hour),
            ends_at=dt.time(cell.meeting_hour + 2),
            place=cell.meeting_place,
            chair_id=cell.committee[0].pk,
            recorder_id=recorder.pk,
            guest_in_charge_id=cell.in_charge_user_id if rng.random() < 0.35 else None,
            status=status,
            # Planning is version 1; each later edit, marking it held and approving the minutes add one.
            version=rng.randint(4, 9) if status == MS.APPROVED else rng.randint(2, 4) if status == MS.HELD else 1,
            minutes_revision=1 if status == MS.APPROVED else 0,
            created_by_id=cell.secretary_user_id,
            created_at=min(self.now, planned_at),
            # Its documents reach the members the day after it is planned, days before the meeting (42-HD/BTCTW).
            pack_published_at=min(self.now, planned_at + dt.timedelta(days=1)),
            pack_published_by_id=cell.secretary_user_id,
            # It opened on time; ``_proceedings`` and ``_thematic`` record when it closed.
            opened_at=None if status == MS.PLANNED else dt.time(cell.meeting_hour),
            # The roll was called as it opened.
            attendance_taken_at=None if status == MS.PLANNED else min(self.now, start + dt.timedelta(minutes=10)),
        )
        if kind == Meeting.Kind.REGULAR and status != MS.PLANNED and rng.random() < 0.04:
            meeting.combined_with_thematic = True  # two hours: long enough for both
        if rng.random() < 0.1:
            meeting.other_guests = f"Trưởng {cell.mass[MK.FATHERLAND_FRONT].name}"
        rows.meetings.append(meeting)
        mp = PlannedMeeting(meeting, start, index)
        mp.attendance = self._roll_call(cell, day, None if status == MS.PLANNED else index)
        return mp

    def _roll_call(self, cell: Cell, day: dt.date, index: int | None) -> dict[int, tuple[str, str]]:
        """Every member on the roll on ``day``, with ``rules.default_attendance`` for the exempt and those away. At a
        meeting held (month ``index``) the others are drawn: the cell's rate that month decides how many are absent,
        members often absent are the likeliest, and a committee member is always there."""
        rng = self.rng
        attendance: dict[int, tuple[str, str]] = {}
        expected: list[Person] = []
        for person in cell.people:
            if not person.on_roll(day):
                continue
            kinds = person.kinds_on(day) if person.periods else set()
            is_away = "away" in kinds or "transferred" in kinds  # as Member.with_flags: any away period
            status = default_attendance(is_exempt="exempt" in kinds, is_away=is_away, request=None)
            attendance[person.pk] = (status, "")
            if status == A.PRESENT:
                expected.append(person)
        if index is None:
            return attendance
        middle = (len(self.starts) - 1) / 2
        rate = min(0.995, max(0.45, cell.rate + cell.trend * (index - middle) + rng.uniform(-0.035, 0.035)))
        committee = {p.pk for p in cell.committee}
        candidates = [p for p in expected if p.pk not in committee]
        wanted = len(expected) * (1 - rate)
        count = min(len(candidates), int(wanted) + (rng.random() < wanted % 1))
        # Weighted sampling without replacement (Efraimidis–Spirakis): the often absent come first.
        keyed = sorted(candidates, key=lambda p: rng.random() ** (1 / cell.absentees.get(p.pk, 1.0)), reverse=True)
        absent = {p.pk for p in keyed[:count]}
        for person in expected:
            if person.pk in absent:
                if rng.random() < cell.with_reason - 0.2 * (person.pk in cell.absentees):
                    attendance[person.pk] = (A.ABSENT_WITH_REASON, rng.choice(ABSENCE_REASONS))
                else:
                    attendance[person.pk] = (A.ABSENT_WITHOUT_REASON, "")
            elif person.pk not in committee and rng.random() < cell.late:
                attendance[person.pk] = (A.LATE, "")
        return attendance

    def _proceedings(
        self,
        cell: Cell,
        mp: PlannedMeeting,
        plan: PlannedResolution,
        previous: PlannedResolution | None,
        last_meeting: PlannedMeeting | None,
        rows: Rows,
    ) -> None:
        """What the minutes of a regular meeting record: each agenda item's notes, the opinions raised, the review of
        last month's resolution, the conclusion, absence requests, public opinion taken up and, now and then, the
        quality self-score."""
        rng = self.rng
        meeting, vote = mp.meeting, mp.vote
        assert vote is not None
        day = meeting.date
        last = len(self.starts) - 1
        names = {p.pk: p.name for p in cell.people}
        counts = self._counts(cell, mp)
        review = self._review(cell, mp, previous, plan, rows) if previous is not None else None
        resolution = plan.resolution
        if review is not None and previous is not None:  # the minutes print the review's figures under this item
            reviewed = (
                f"Đồng chí Bí thư báo cáo sơ kết việc thực hiện Nghị quyết số {previous.resolution.number}; chi bộ "
                "đánh giá kết quả, hạn chế và nguyên nhân."
            )
        else:
            reviewed = "Chi bộ đánh giá kết quả thực hiện nhiệm vụ tháng trước."
        following = _month_start(resolution.period_start, 1)
        notes = (
            self._opening(meeting, names, counts),
            rng.choice(NEWS).format(month=day.month, year=day.year),
            reviewed,
            f"Đảng viên thảo luận kết quả tháng qua và dự thảo nghị quyết tháng {day.month}/{day.year}.",
            f"Đồng chí Bí thư trình bày dự thảo Nghị quyết số {resolution.number}: {resolution.title}; phân công chủ "
            "trì, phối hợp và thời hạn của từng nhiệm vụ.",
            "Chi bộ biểu quyết bằng hình thức giơ tay.",  # the minutes print the vote's figures under this item
            "Đồng chí chủ trì kết luận; biên bản được đọc lại, thông qua trước khi bế mạc.",
        )
        mp.agenda = [
            AgendaItem(meeting=meeting, order=order, title=title, notes=note)
            for order, (title, note) in enumerate(zip(DEFAULT_AGENDA, notes, strict=True))
        ]
        self._speeches(cell, mp, mp.agenda[3], [theme.subject for theme in plan.themes], rows)
        meeting.conclusion = (
            f"Chi bộ thống nhất đánh giá kết quả tháng qua và thông qua Nghị quyết số {resolution.number}. Mỗi đảng "
            f"viên thực hiện tốt nhiệm vụ được phân công, báo cáo kết quả trước kỳ sinh hoạt tháng "
            f"{following.month}/{following.year}."
        )
        meeting.decisions = (
            f"Thông qua Nghị quyết số {resolution.number} ({vote.votes_for}/{vote.entitled_count} phiếu tán thành); "
            "giao chi ủy viên theo dõi, đôn đốc từng nhiệm vụ."
        )
        twice = [
            pk
            for pk, (status, _) in mp.attendance.items()
            if status == A.ABSENT_WITHOUT_REASON
            and last_meeting is not None
            and last_meeting.attendance.get(pk, ("", ""))[0] == A.ABSENT_WITHOUT_REASON
        ]
        if twice:
            meeting.criticism = (
                f"Chi bộ phê bình {', '.join(f'đồng chí {names[pk]}' for pk in twice)} vắng sinh hoạt không có lý do "
                "hai kỳ liên tiếp; giao chi ủy gặp gỡ, nhắc nhở."
            )
        lasted = rng.randint(110, 125)
        if meeting.combined_with_thematic:  # two hours at least when combined with a thematic meeting
            lasted = max(lasted, meeting_settings()["minimum_combined"])
        meeting.closed_at = (mp.start + dt.timedelta(minutes=lasted)).time()
        if mp.index > last - REQUEST_MONTHS:
            self._requests(cell, mp, rows)
        if previous is not None and previous.opinion is not None and rng.random() < 0.6:
            previous.opinion.meeting = meeting  # brought to the meeting that reviews the resolution
        named_recent = cell.pk == self.named_cell_id and mp.index >= last - 2
        if meeting.status == MS.APPROVED and (named_recent or rng.random() < 0.08):
            self._quality(mp, counts.rate, review)
        self._emit(mp, rows)

    def _counts(self, cell: Cell, mp: PlannedMeeting) -> AttendanceCounts:
        """``rules.count_attendance`` over the meeting's attendance, as ``attendance_roll`` counts it."""
        day = mp.meeting.date
        official = {p.pk for p in cell.people if p.is_official(day)}
        return count_attendance((status, pk in official) for pk, (status, _) in mp.attendance.items())

    def _opening(self, meeting: Meeting, names: dict[int, str], counts: AttendanceCounts) -> str:
        chair, recorder = meeting.chair_id, meeting.recorder_id
        if chair is None or recorder is None:
            raise ValueError("a demo meeting has a chair and a recorder")
        guest = "; dự họp có đồng chí Đảng ủy viên phụ trách chi bộ" if meeting.guest_in_charge_id else ""
        rate = f" ({counts.rate}%)" if counts.rate is not None else ""
        return (
            f"Đồng chí {names[chair]}, Bí thư chi bộ, chủ trì; đồng chí {names[recorder]} làm "
            f"thư ký{guest}. Đảng viên dự họp {counts.attended}/{counts.expected} đồng chí phải dự{rate}; vắng có lý "
            f"do {counts.absent_with_reason}, vắng không lý do {counts.absent_without_reason}."
        )

    def _speeches(self, cell: Cell, mp: PlannedMeeting, item: AgendaItem, subjects: list[str], rows: Rows) -> None:
        """One to three members who were there speak under ``item`` (never the chair, who concludes)."""
        rng = self.rng
        speakers = [pk for pk in mp.attended() if pk != mp.meeting.chair_id]
        picked = rng.sample(speakers, min(len(speakers), rng.randint(1, 3)))
        for order, (speaker, text) in enumerate(zip(picked, rng.sample(SPEECHES, len(picked)), strict=True)):
            content = text.format(
                subject=rng.choice(subjects),
                group=rng.choice(cell.groups)[1].lower(),
                mass=cell.mass[rng.choice(list(cell.mass))].name,
            )
            rows.speeches.append(
                Speech(meeting=mp.meeting, agenda_item=item, speaker_id=speaker, content=content, order=order)
            )

    def _review(
        self, cell: Cell, mp: PlannedMeeting, previous: PlannedResolution, plan: PlannedResolution, rows: Rows
    ) -> MonthlyReview:
        """The review (sơ kết) of last month's resolution, written during the meeting and frozen then."""
        rng = self.rng
        at = min(self.now, mp.start + dt.timedelta(minutes=rng.randint(35, 60)))
        snapshot = self._review_snapshot(previous, mp.meeting.date, at)
        summary = snapshot["summary"]
        first, second = previous.themes[0].result, previous.themes[1].result
        results = (
            f"Hoàn thành {summary['done'] + summary['done_late']}/{summary['total']} nhiệm vụ, trong đó "
            f"{summary['done_late']} nhiệm vụ trễ hạn; {first}; {second}."
        )
        open_work = summary["overdue"] + summary["not_met"]
        shortcomings = rng.choice(SHORTCOMINGS)
        if open_work:
            shortcomings = f"Còn {open_work} nhiệm vụ quá hạn hoặc chưa đạt. {shortcomings}"
        cause = rng.choice(CAUSES)
        review = MonthlyReview(
            meeting=mp.meeting,
            resolution=previous.resolution,
            snapshot=snapshot,
            results=results,
            shortcomings=shortcomings,
            causes=f"Nguyên nhân chủ yếu do {cause}.",
            lessons=rng.choice(LESSONS),
            next_programme=(
                f"Tập trung {', '.join(theme.subject for theme in plan.themes)} theo Nghị quyết số "
                f"{plan.resolution.number}; tiếp tục hoàn thành các nhiệm vụ còn dở dang của tháng trước."
            ),
            created_at=at,
        )
        rows.reviews.append(review)
        return review

    def _review_snapshot(self, plan: PlannedResolution, day: dt.date, at: dt.datetime) -> dict[str, Any]:
        """What ``meetings.review_snapshot(resolution, day)`` returns, built without a query, with each task as it
        stood at ``at`` (its reports until then), not as it stands after the later reports."""
        tasks = []
        for planned in plan.tasks:  # in the tasks' order
            task = planned.task
            status, progress, closed_on = self._state_at(planned, at)
            # The task as it stood, unsaved, so that lateness is the model's own rule.
            then = Task(deadline=task.deadline, status=status, progress=progress, completed_on=closed_on)
            tasks.append(
                {
                    "title": task.title,
                    "lead": self._lead_label(planned),
                    "deadline": task.deadline.isoformat(),
                    "status": status,
                    "status_label": self.status_labels[status],
                    "progress": 100 if status == TS.DONE else progress,
                    "completed_on": closed_on.isoformat() if closed_on else None,
                    "days_late": then.days_late(day),
                    "overdue": then.is_overdue(day),
                }
            )
        targets = [target_snapshot(t) for t in plan.targets]
        return {"day": day.isoformat(), "tasks": tasks, "targets": targets, "summary": review_summary(tasks)}

    def _state_at(self, planned: PlannedTask, at: dt.datetime) -> tuple[str, int, dt.date | None]:
        """As ``services.apply_latest_confirmed`` would have left the task at ``at``: its latest report by then that
        had been confirmed by then."""
        latest: ProgressUpdate | None = None
        for update in planned.updates:
            if update.created_at > at:
                break
            if update.review == REVIEW.CONFIRMED and update.reviewed_at is not None and update.reviewed_at <= at:
                latest = update
        if latest is None:
            return str(TS.NOT_STARTED), 0, None
        closed = latest.status in (TS.DONE, TS.NOT_MET)
        return str(latest.status), latest.progress, latest.created_at.astimezone(self.tz).date() if closed else None

    def _requests(self, cell: Cell, mp: PlannedMeeting, rows: Rows) -> None:
        """Some of those absent with a reason asked beforehand and were excused; in ``bithu``'s cell someone asked
        to be excused from this month's meeting, was refused and came."""
        rng = self.rng
        day = mp.meeting.date
        for pk, (status, reason) in mp.attendance.items():
            if status == A.ABSENT_WITH_REASON and rng.random() < 0.15:
                asked = self._aware(day - dt.timedelta(days=rng.randint(1, 3)), rng.randint(7, 21), rng.randint(0, 59))
                decided = min(mp.start, asked + dt.timedelta(hours=rng.randint(1, 18)))
                rows.requests.append(self._request(cell, mp, pk, reason, AR.APPROVED, asked, decided))
        if cell.pk == self.named_cell_id and mp.index == len(self.starts) - 1:
            committee = {p.pk for p in cell.committee}
            came = [
                pk
                for pk, (status, _) in mp.attendance.items()
                if status == A.PRESENT and pk not in committee and pk != self.named_member_id
            ]
            if came:
                asked = self._aware(day - dt.timedelta(days=2), 20, 15)
                request = self._request(
                    cell, mp, rng.choice(came), "Việc gia đình", AR.REFUSED, asked, asked + dt.timedelta(hours=14)
                )
                request.refusal_reason = REFUSAL
                rows.requests.append(request)

    def _request(
        self,
        cell: Cell,
        mp: PlannedMeeting,
        member_id: int,
        reason: str,
        status: str,
        asked: dt.datetime,
        decided: dt.datetime | None,
    ) -> AbsenceRequest:
        return AbsenceRequest(
            meeting=mp.meeting,
            member_id=member_id,
            reason=reason,
            status=status,
            decided_by_id=cell.secretary_user_id if decided else None,
            decided_at=min(self.now, decided) if decided else None,
            created_at=min(self.now, asked),
        )

    def _quality(self, mp: PlannedMeeting, rate: int | None, review: MonthlyReview | None) -> None:
        """The 100-point self-score, with the attendance and results parts as ``rules.proposed_quality`` proposes."""
        rng = self.rng
        summary = review.snapshot["summary"] if review is not None else {}
        proposal = proposed_quality(
            attendance_rate=rate,
            tasks_done=summary.get("done", 0) + summary.get("done_late", 0),
            tasks_total=summary.get("total", 0),
        )
        meeting = mp.meeting
        meeting.q_time = rng.choice((4, 5, 5))
        meeting.q_attendance = proposal.get("q_attendance", 4)
        meeting.q_preparation = rng.randint(7, 10)
        meeting.q_conduct = rng.randint(22, 30)
        meeting.q_chairing = rng.randint(7, 10)
        meeting.q_principles = rng.choice((4, 5, 5))
        meeting.q_results = proposal.get("q_results", rng.randint(20, 28))
        meeting.q_closing = rng.choice((4, 5, 5))

    def _thematic(self, cell: Cell, index: int, start: dt.date, rows: Rows) -> None:
        """A thematic meeting (sinh hoạt chuyên đề) in the middle of a past month."""
        rng = self.rng
        day = start + dt.timedelta(days=rng.randint(11, 19))
        mp = self._meeting(cell, index, day, rows, kind=Meeting.Kind.THEMATIC)
        meeting = mp.meeting
        topic = rng.choice(THEMATIC_TOPICS)
        names = {p.pk: p.name for p in cell.people}
        reporter = names[rng.choice(cell.committee).pk]
        notes = (
            self._opening(meeting, names, self._counts(cell, mp)),
            f"Đồng chí {reporter} trình bày báo cáo chuyên đề.",
            "Đảng viên liên hệ bản thân, mỗi đồng chí đăng ký một việc làm cụ thể.",
            "Đồng chí chủ trì kết luận; biên bản được đọc lại, thông qua trước khi bế mạc.",
        )
        mp.agenda = [
            AgendaItem(meeting=meeting, order=order, title=title.format(topic=topic), notes=note)
            for order, (title, note) in enumerate(zip(THEMATIC_AGENDA, notes, strict=True))
        ]
        self._speeches(cell, mp, mp.agenda[2], ["nêu gương của đảng viên nơi cư trú"], rows)
        meeting.conclusion = (
            f"Chi bộ thống nhất nội dung chuyên đề “{topic}”; mỗi đảng viên thực hiện việc làm đã đăng ký, chi ủy "
            "theo dõi và biểu dương điển hình."
        )
        meeting.closed_at = (mp.start + dt.timedelta(minutes=rng.randint(95, 120))).time()
        self._emit(mp, rows)

    def _planned_meeting(self, cell: Cell, rows: Rows) -> None:
        """``bithu``'s cell has planned next month's meeting: the member in charge is invited, one member has been
        excused and ``dangvien`` waits for an answer."""
        rng = self.rng
        day = self.draft_start + dt.timedelta(days=cell.meeting_day - 1)
        mp = self._meeting(cell, len(self.starts), day, rows)
        mp.meeting.guest_in_charge_id = cell.in_charge_user_id
        mp.meeting.created_at = min(self.now, self._aware(self.today - dt.timedelta(days=2), 20, 10))
        mp.meeting.pack_published_at = min(self.now, mp.meeting.created_at + dt.timedelta(days=1))
        mp.agenda = [
            AgendaItem(meeting=mp.meeting, order=order, title=title) for order, title in enumerate(DEFAULT_AGENDA)
        ]
        committee = {p.pk for p in cell.committee}
        ordinary = [
            pk
            for pk, (status, _) in mp.attendance.items()
            if status == A.PRESENT and pk not in committee and pk != self.named_member_id
        ]
        yesterday = self.today - dt.timedelta(days=1)
        if ordinary:
            pk, reason = rng.choice(ordinary), "Đi công tác"
            asked = self._aware(yesterday, 9, rng.randint(0, 59))
            rows.requests.append(self._request(cell, mp, pk, reason, AR.APPROVED, asked, asked + dt.timedelta(hours=6)))
            mp.attendance[pk] = (default_attendance(is_exempt=False, is_away=False, request=AR.APPROVED), reason)
        if self.named_member_id is not None and self.named_member_id in mp.attendance:
            asked = self._aware(self.today, 7, 40)
            rows.requests.append(
                self._request(cell, mp, self.named_member_id, "Việc gia đình", AR.PENDING, asked, None)
            )
        self._emit(mp, rows)

    def _emit(self, mp: PlannedMeeting, rows: Rows) -> None:
        # The counts a meeting keeps with it (``meetings.recount_attendance``), from the rows about to be written.
        statuses = [status for status, _reason in mp.attendance.values()]
        mp.meeting.attended_count = sum(status in Attendance.ATTENDED for status in statuses)
        mp.meeting.expected_count = sum(
            status not in (Attendance.Status.EXEMPT, Attendance.Status.AWAY) for status in statuses
        )
        rows.agenda.extend(mp.agenda)
        rows.attendance.extend((mp.meeting, pk, status, reason) for pk, (status, reason) in mp.attendance.items())

    def _aware(self, day: dt.date, hour: int, minute: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    # --- writing -------------------------------------------------------------------------------

    def _write(self, rows: Rows) -> None:
        plans = [plan for index in sorted(rows.resolutions) for plan in rows.resolutions[index]]
        # Month by month: a resolution points at last month's, a carried-over task at last month's task.
        for index in sorted(rows.resolutions):
            Resolution.objects.bulk_create([p.resolution for p in rows.resolutions[index]], batch_size=BATCH_SIZE)
        for name in ("created_at", "updated_at"):  # auto_now(_add): written by bulk_create as the present time
            _set_column(Resolution, name, [(plan.resolution.pk, getattr(plan, name)) for plan in plans])
        Target.objects.bulk_create([t for plan in plans for t in plan.targets], batch_size=BATCH_SIZE)
        for index in sorted(rows.resolutions):
            tasks = [p.task for plan in rows.resolutions[index] for p in plan.tasks]
            Task.objects.bulk_create(tasks, batch_size=BATCH_SIZE)
        Upper = Resolution.upper_resolutions.through
        Upper.objects.bulk_create(
            [
                Upper(from_resolution_id=plan.resolution.pk, to_resolution_id=pk)
                for plan in plans
                for pk in plan.carries
            ],
            batch_size=BATCH_SIZE,
        )
        Supporter = Task.supporters.through
        Supporter.objects.bulk_create(
            [Supporter(task_id=p.task.pk, member_id=s.pk) for plan in plans for p in plan.tasks for s in p.supporters],
            batch_size=BATCH_SIZE,
        )
        self._create_stamped(ProgressUpdate, rows.updates, "created_at")
        self._create_stamped(Meeting, rows.meetings, "created_at")
        AgendaItem.objects.bulk_create(rows.agenda, batch_size=BATCH_SIZE)
        for start in range(0, len(rows.attendance), BATCH_SIZE):  # a batch of rows in memory at a time
            batch = rows.attendance[start : start + BATCH_SIZE]
            Attendance.objects.bulk_create(
                [
                    Attendance(meeting_id=m.pk, member_id=pk, status=status, reason=reason)
                    for m, pk, status, reason in batch
                ]
            )
        self._create_stamped(AbsenceRequest, rows.requests, "created_at")
        Speech.objects.bulk_create(rows.speeches, batch_size=BATCH_SIZE)
        self._create_stamped(MonthlyReview, rows.reviews, "created_at")
        self._create_stamped(Vote, rows.votes, "recorded_at")  # and the meetings where they were taken
        Absent = Vote.absent_with_reason.through
        Absent.objects.bulk_create([Absent(vote_id=v.pk, member_id=pk) for v, pk in rows.absent], batch_size=BATCH_SIZE)
        self._create_stamped(Version, rows.versions, "created_at")
        self._create_stamped(StatusChange, rows.changes, "at")
        Dissemination.objects.bulk_create(rows.disseminations, batch_size=BATCH_SIZE)
        PublicOpinion.objects.bulk_create(rows.opinions, batch_size=BATCH_SIZE)

    def _create_stamped(self, model: Any, objs: list[Any], stamp: str) -> None:
        """Create the rows, then put back the time each one really happened.

        ``bulk_create`` stamps an ``auto_now_add`` field with the present time (the field's ``pre_save``), and
        ``bulk_update`` builds one ``CASE WHEN`` branch per row through the ORM, which costs more than the rest of
        the seeding put together at province scale. So the times are written with one ``UPDATE … FROM (VALUES …)``
        per batch, which PostgreSQL and SQLite (3.33 or later) both run; values are prepared by the field itself.
        """
        wanted = [getattr(obj, stamp) for obj in objs]
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        _set_column(model, stamp, [(obj.pk, value) for obj, value in zip(objs, wanted, strict=True)])


def _set_column(model: Any, name: str, pairs: list[tuple[int, Any]]) -> None:
    """``UPDATE table SET name = value WHERE pk = …`` for many (pk, value) pairs, a batch per statement."""
    field = model._meta.get_field(name)
    qn = connection.ops.quote_name
    table, pk, column = qn(model._meta.db_table), qn(model._meta.pk.column), qn(field.column)
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), UPDATE_BATCH_SIZE):
            batch = pairs[start : start + UPDATE_BATCH_SIZE]
            values = ", ".join(["(%s, %s)"] * len(batch))
            params = [p for pk_value, value in batch for p in (pk_value, field.get_db_prep_save(value, connection))]
            # A VALUES list names its columns column1, column2 on both databases.
            cursor.execute(
                f"UPDATE {table} SET {column} = v.column2 FROM (VALUES {values}) AS v WHERE {table}.{pk} = v.column1",
                params,
            )
