"""A new web worker serves a secretary's pages once, to a stand-in, before its first request (``chibo/warmup.py``),
and writes nothing doing so."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.handlers.wsgi import WSGIHandler
from django.urls import reverse

from chibo.warmup import pages, rehearse, stand_in
from members.models import Role
from tests.factories import grant
from tests.resolutions.factories import ResolutionFactory

pytestmark = pytest.mark.django_db


def _rows() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_the_stand_in_serves_the_secretarys_day_and_nothing_is_written(tree, people) -> None:
    resolution = ResolutionFactory.create(cell=tree.cell_a1)
    before = _rows()
    served = rehearse(WSGIHandler())
    cell = tree.cell_a1.pk
    assert served == {
        reverse("home"): 200,
        reverse("members:org-detail", args=[cell]): 200,
        reverse("resolutions:resolution-detail", args=[resolution.pk]): 200,
        reverse("resolutions:my-tasks"): 200,
        reverse("dashboards:dashboard-home"): 302,
        reverse("dashboards:dashboard", args=[cell]): 200,
        # The dashboards above the cell, the secretary's cell alone on them.
        reverse("dashboards:dashboard", args=[tree.ward_a.pk]): 200,
        reverse("dashboards:dashboard", args=[tree.city.pk]): 200,
    }
    # Its session, and the looks at members' personal data the pages record, were rolled back.
    assert _rows() == before
    assert not Session.objects.exists()


def test_the_stand_in_is_the_first_secretary_free_of_the_second_step(tree, people, settings) -> None:
    role = stand_in()
    assert role is not None
    assert role.user == people["secretary"]
    assert pages(role) == [  # a cell without a resolution: no resolution page
        reverse("home"),
        reverse("members:org-detail", args=[tree.cell_a1.pk]),
        reverse("resolutions:my-tasks"),
        reverse("dashboards:dashboard-home"),
        reverse("dashboards:dashboard", args=[tree.ward_a.pk]),
        reverse("dashboards:dashboard", args=[tree.city.pk]),
    ]
    settings.TWO_FACTOR_REQUIRED = True
    grant(people["secretary"], Role.Kind.STANDING, tree.ward_a)  # a ward role: the second step is owed
    role = stand_in()
    assert role is not None
    assert role.user == people["other_secretary"]
    people["other_secretary"].is_active = False
    people["other_secretary"].save()
    assert stand_in() is None


def test_without_a_secretary_there_is_nothing_to_rehearse(db) -> None:
    assert rehearse(WSGIHandler()) == {}
