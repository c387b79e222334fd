"""What the yearly evaluation holds about a member, for the member's data export (``members.personal_data``):
their self-assessment and levels, and the people's comments about them."""

from __future__ import annotations

from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.models import MemberEvaluation, PeopleComment
from members.personal_data import Section, model_rows, plain


def _evaluations(member: Any) -> list[dict[str, Any]]:
    rows = MemberEvaluation.objects.filter(member=member).select_related("cycle").order_by("cycle__year", "pk")
    return model_rows(
        rows,
        exclude=("member",),
        extra=lambda e: {capfirst(_("year")): e.cycle.year, capfirst(_("submitted at")): plain(e.submitted_at)},
    )


def _comments(member: Any) -> list[dict[str, Any]]:
    rows = PeopleComment.objects.filter(about=member).select_related("cycle").order_by("given_on", "pk")
    return model_rows(rows, exclude=("about",), extra=lambda c: {capfirst(_("year")): c.cycle.year})


SECTIONS = (
    Section("evaluations", gettext_lazy("Yearly evaluations"), _evaluations, ("evaluations.MemberEvaluation.member",)),
    Section("people_comments", gettext_lazy("People's comments"), _comments, ("evaluations.PeopleComment.about",)),
)
