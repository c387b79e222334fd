"""A member's change history page (the ``history`` app): their record with their exemptions, away periods,
suspensions and recorded status changes (``chibo.lib.history``)."""

from chibo.lib.history import Kind, Source, register
from members.models import AwayPeriod, Exemption, Member, MemberEvent, Suspension

register(
    Kind(
        "member",
        Member,
        "member_id",
        "members:member-detail",
        "cell",
        (
            Source(Member, "id"),
            Source(Exemption, "member_id", "starts_on"),
            Source(AwayPeriod, "member_id", "starts_on"),
            Source(Suspension, "member_id", "starts_on"),
            Source(MemberEvent, "member_id", "kind"),
        ),
    ),
)
