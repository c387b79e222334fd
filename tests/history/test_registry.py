"""The registry of the history pages (``chibo.lib.history``): each app registers its own kinds from its
``history.py``, which the ``history`` app imports when Django starts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from chibo.lib.history import KINDS, NAMINGS, Kind, Naming, Source, register
from evaluations.models import EvaluationCycle
from meetings.models import Meeting, Vote
from members.models import Member
from resolutions.models import Resolution, Task


def test_every_app_registered_its_kinds_when_django_started() -> None:
    assert {name: kind.model for name, kind in KINDS.items()} == {
        "member": Member,
        "resolution": Resolution,
        "task": Task,
        "meeting": Meeting,
        "cycle": EvaluationCycle,
    }
    assert {Meeting, Vote} <= set(NAMINGS)


def test_each_kind_shows_its_own_history_first() -> None:
    for kind in KINDS.values():
        assert kind.sources[0] == Source(kind.model, "id")


def test_registering_the_same_kind_again_changes_nothing_and_another_under_its_name_is_refused() -> None:
    member = KINDS["member"]
    register(member)
    assert KINDS["member"] is member
    with pytest.raises(ImproperlyConfigured):
        register(Kind("member", Member, "member_id", "members:member-detail", "cell", (Source(Member, "id"),)))
    assert KINDS["member"] is member
    with pytest.raises(ImproperlyConfigured):
        register(Naming(Meeting))
