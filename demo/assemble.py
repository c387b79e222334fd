"""The demo dataset (``manage.py seed_demo``), put together from every app's part: the tree, the people and their
accounts (``demo.members``), the committees' documents (``demo.documents``), the resolutions and meetings that
carry them out (``demo.resolutions``), the propagandists
(``demo.propagandists``), the inspections (``demo.inspections``) and the evaluations (``demo.evaluations``).

It lives at the top of the layers because it imports every app; no app imports it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from demo import documents as documents_demo
from demo import inspections as inspections_demo
from demo import members as members_demo
from demo import propagandists as propagandists_demo
from demo import resolutions as resolutions_demo
from demo.evaluations import delete_demo_evaluations, seed_evaluations
from demo.members import DemoDataError, Report, Scale
from demo.notifications import ring_the_bells
from demo.resolutions import DEFAULT_MONTHS
from members.models import Organisation


@contextmanager
def _history_off() -> Iterator[None]:
    # As in demo.members (private there): demo rows need no "created"/"deleted" history.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        yield


def seed_demo(
    scale: Scale, *, reset: bool = False, today: dt.date | None = None, months: int = DEFAULT_MONTHS
) -> Report:
    """Seed the people (``demo.members``), then their resolutions and the rest, unless the demo is present. All or
    nothing.

    The demo is present when its root organisation exists; then nothing is created, resolutions included.
    """
    if months < 1:
        raise DemoDataError("Seed at least one month of resolutions.")
    started = time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic(), _history_off():
        if reset:
            delete_demo_data()
        people = members_demo.seed_demo(scale, today=today)
        root = members_demo.demo_root(scale)
        assert root is not None
        if people.created:
            documents = documents_demo.seed_documents(root, today)
            resolutions_demo.seed_resolutions(root, today, months, documents)
            propagandists_demo.seed_demo(root, today)
            inspections_demo.seed_demo(root, today)
            seed_evaluations(root, today)
            ring_the_bells(root, today)
    counts = {**people.counts, **resolutions_demo.demo_counts(root, today)}
    return Report(scale, people.created, time.perf_counter() - started, counts)


def delete_demo_data() -> int:
    """Remove every demo: what holds on to the people first (meetings and resolutions among them), then the people
    and the tree. Returns the members removed."""
    with transaction.atomic(), _history_off():
        roots = Organisation.objects.filter(depth=1, code__in=[s.root_code for s in members_demo.SCALES.values()])
        for root in roots:
            # Ward by ward, so that the deletion collector never holds a whole province in memory.
            for ward in Organisation.objects.get_children(root):
                propagandists_demo.delete_demo_data(ward)
                inspections_demo.delete_demo_data(ward)
                delete_demo_evaluations(ward)
                resolutions_demo.delete_demo_resolutions(ward)
        return members_demo.delete_demo_data()
