"""Writes to the roster, each one atomic function, and the suggestions read from members' backgrounds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from members.models import Member, Organisation, ResidentialGroup
from propagandists.access import PREFERRED_BACKGROUNDS, Suggestion, suggest
from propagandists.models import Propagandist, PropagandistTopic


@transaction.atomic
def save_entry(*, entry: Propagandist, topics: Iterable[str], areas: Iterable[ResidentialGroup]) -> Propagandist:
    """Save an entry (new or edited) with its topics and the residential groups it covers."""
    entry.save()
    entry.areas.set(list(areas))
    wanted = set(topics)
    PropagandistTopic.objects.filter(propagandist=entry).exclude(topic__in=wanted).delete()
    have = set(PropagandistTopic.objects.filter(propagandist=entry).values_list("topic", flat=True))
    PropagandistTopic.objects.bulk_create(
        [PropagandistTopic(propagandist=entry, topic=topic) for topic in sorted(wanted - have)]
    )
    return entry


def suggestions_for(cell: Organisation, day: dt.date) -> list[tuple[Member, Suggestion]]:
    """Members of the cell not on the roster on ``day`` whose background or flag makes them good candidates.

    Two queries: the candidates (with the away and exempt flags) and their backgrounds."""
    on_roster = Propagandist.objects.active_on(day).filter(member__isnull=False).values("member_id")
    candidates = (
        Member.objects.filter(cell=cell)
        .active()
        .on_roll(day)
        .exclude(pk__in=on_roster)
        .filter(Q(is_propagandist=True) | Q(backgrounds__code__in=list(PREFERRED_BACKGROUNDS)))
        .distinct()
        .with_flags(day)
        .select_related("residential_group")
        .prefetch_related("backgrounds")
        .order_by("search_name", "pk")
    )
    out = []
    for member in candidates:
        backgrounds = [(b.code, b.name) for b in member.backgrounds.all()]
        suggestion = suggest(
            member.pk,
            backgrounds,
            flagged=member.is_propagandist,
            is_away=member.is_away,  # type: ignore[attr-defined]  # annotated by with_flags, unknown to the checker
            is_exempt=member.is_exempt,  # type: ignore[attr-defined]  # as above
        )
        if suggestion is not None:
            out.append((member, suggestion))
    return out


@transaction.atomic
def add_suggested_member(*, cell: Organisation, member_id: int, on: dt.date) -> Propagandist:
    """One click: put a suggested member on the roster from today, with the group and topics of their background
    and their own residential group as the area covered."""
    match = next((pair for pair in suggestions_for(cell, on) if pair[0].pk == member_id), None)
    if match is None:
        raise ValidationError(_("This member is not a candidate for the roster (already on it, away or exempt)."))
    member, suggestion = match
    entry = Propagandist(
        cell=cell,
        member=member,
        group=suggestion.group,
        residential_group=member.residential_group,
        starts_on=on,
    )
    areas = [member.residential_group] if member.residential_group else []
    return save_entry(entry=entry, topics=suggestion.topics, areas=areas)


@transaction.atomic
def end_entry(*, entry: Propagandist, on: dt.date, reason: str) -> None:
    """End an open entry on ``on``; an entry already ended is left as it is."""
    if on < entry.starts_on:
        raise ValidationError(_("The end date cannot be before the start date."))
    locked = Propagandist.objects.select_for_update().get(pk=entry.pk)
    if locked.ends_on is not None:
        raise ValidationError(_("This entry has already ended."))
    locked.ends_on, locked.end_reason = on, reason
    locked.save(update_fields=["ends_on", "end_reason"])
