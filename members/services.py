"""Changes of a member's status. Each is one dated ``MemberEvent`` beside the change itself, in one transaction.

Every function checks its own rule and raises ``ValidationError`` with a message for the user; nothing is
written when it does.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from members.models import AwayPeriod, Exemption, Member, MemberEvent, Organisation, today
from members.rules import official_date_error

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Kind = MemberEvent.Kind


def _not_future(on: dt.date) -> None:
    if on > today():
        raise ValidationError(_("The date cannot be in the future."))


def _after_admission(member: Member, on: dt.date) -> None:
    if on < member.admitted_on:
        raise ValidationError(_("The date cannot be before the member's admission."))


def _still_active(member: Member) -> None:
    if not member.is_active:
        raise ValidationError(_("The member is no longer on the cell's roll."))


def transfer_cells(member: Member) -> list[Organisation]:
    """The cells a member may be transferred to: the other cells under the same party committee."""
    parent_path = member.cell.path[: -member.cell.steplen]
    return list(Organisation.objects.cells().filter(path__startswith=parent_path).exclude(pk=member.cell_id))


@transaction.atomic
def recognise_official(*, member: Member, on: dt.date, decision: str, by: User | None, note: str = "") -> MemberEvent:
    """A probationary member becomes official from ``on``, by the committee's decision.

    ``on`` is the day the twelve months of probation end (``rules.probation_ends_on``) or later, never earlier."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    _still_active(member)
    if member.official_on:
        raise ValidationError(_("The member is already an official member."))
    _not_future(on)
    if error := official_date_error(member.admitted_on, on):
        raise ValidationError(error)
    if not decision.strip():
        raise ValidationError(_("Enter the decision recognising the member as official."))
    member.official_on = on
    member.save(update_fields=["official_on", "updated_at"])
    return MemberEvent.objects.create(
        member=member, kind=Kind.OFFICIAL, on=on, decision=decision, note=note, recorded_by=by
    )


@transaction.atomic
def start_period(*, period: Exemption | AwayPeriod, by: User | None) -> MemberEvent:
    """Save a new exemption or away period (already validated by its form) and note it on the timeline."""
    member = Member.objects.select_for_update().get(pk=period.member_id)
    _still_active(member)
    _after_admission(member, period.starts_on)
    period.save()
    if isinstance(period, Exemption):
        kind, decision, note = Kind.EXEMPTED, period.decision, period.reason
    else:
        kind, decision, note = Kind.AWAY, "", f"{period.get_kind_display()}: {period.place}"
    return MemberEvent.objects.create(
        member=member, kind=kind, on=period.starts_on, decision=decision, note=note, recorded_by=by
    )


@transaction.atomic
def end_period(
    *, period: Exemption | AwayPeriod, on: dt.date, by: User | None, decision: str = "", note: str = ""
) -> MemberEvent:
    """An exemption ends, or a member away comes back: the period's last day is the day before ``on``."""
    period = type(period).objects.select_for_update().get(pk=period.pk)
    if period.ends_on is not None and period.ends_on < today():
        raise ValidationError(_("This period has already ended."))
    if on <= period.starts_on:
        raise ValidationError(_("The date must be after the start of the period."))
    _not_future(on)
    period.ends_on = on - dt.timedelta(days=1)
    period.save(update_fields=["ends_on"])
    kind = Kind.EXEMPTION_ENDED if isinstance(period, Exemption) else Kind.BACK
    return MemberEvent.objects.create(
        member_id=period.member_id, kind=kind, on=on, decision=decision, note=note, recorded_by=by
    )


@transaction.atomic
def transfer_member(
    *, member: Member, to_cell: Organisation, on: dt.date, decision: str, by: User | None, note: str = ""
) -> MemberEvent:
    """Move a member to another cell from ``on``; before that day they stay on the old cell's roll."""
    member = Member.objects.select_for_update().select_related("cell").get(pk=member.pk)
    _still_active(member)
    if not to_cell.is_cell:
        raise ValidationError(_("Choose a party cell."))
    if to_cell.pk == member.cell_id:
        raise ValidationError(_("The member is already in this cell."))
    _not_future(on)
    _after_admission(member, on)
    last = member.events.filter(kind=Kind.TRANSFERRED).order_by("-on", "-pk").values_list("on", flat=True).first()
    if last and on <= last:
        raise ValidationError(
            _("The member was last transferred on %(day)s; a new transfer must be dated later.")
            % {"day": last.strftime("%d/%m/%Y")}
        )
    if not decision.strip():
        raise ValidationError(_("Enter the decision on the transfer."))
    event = MemberEvent.objects.create(
        member=member,
        kind=Kind.TRANSFERRED,
        on=on,
        from_cell=member.cell,
        to_cell=to_cell,
        decision=decision,
        note=note,
        recorded_by=by,
    )
    # The residential and party groups belong to the old cell.
    member.cell, member.residential_group, member.party_group = to_cell, None, None
    member.save(update_fields=["cell", "residential_group", "party_group", "updated_at"])
    return event


@transaction.atomic
def record_leaving(*, member: Member, by: User | None) -> MemberEvent:
    """Save the leaving recorded on ``member`` (status, date, note; validated by its form) and note it."""
    left_on = cast(dt.date, member.left_on)  # the leaving form requires the date (Member.clean)
    _after_admission(member, left_on)
    member.save(update_fields=["management_status", "left_on", "left_note", "updated_at"])
    return MemberEvent.objects.create(
        member=member,
        kind=Kind.LEFT,
        on=left_on,
        note=" – ".join(filter(None, [str(member.get_management_status_display()), member.left_note])),
        recorded_by=by,
    )
