"""Factories for the resolutions app. Shared: add to this file, keep the existing names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from resolutions.models import ProgressUpdate, Resolution, Target, Task
from tests.factories import MemberFactory


class ResolutionFactory(factory.django.DjangoModelFactory[Resolution]):
    """A monthly resolution of a cell; pass ``cell=`` (a cell of the ``tree`` fixture)."""

    class Meta:
        model = Resolution

    kind = Resolution.Kind.MONTHLY
    period_start = dt.date(2026, 3, 1)
    period_end = dt.date(2026, 3, 31)
    year = factory.LazyAttribute(lambda o: o.period_start.year)
    seq = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda o: f"{o.seq:02d}-NQ/CB")
    title = factory.Sequence(lambda n: f"Nghị quyết lãnh đạo thực hiện nhiệm vụ tháng, số {n + 1}")
    status = Resolution.Status.IN_PROGRESS


class TaskFactory(factory.django.DjangoModelFactory[Task]):
    """A task led by a new member of the resolution's cell, unless ``lead_member=`` is given."""

    class Meta:
        model = Task
        skip_postgeneration_save = True

    resolution = factory.SubFactory(ResolutionFactory)
    title = factory.Sequence(lambda n: f"Vận động hộ gia đình ký cam kết, đợt {n + 1}")
    deadline = dt.date(2026, 3, 25)
    lead_kind = Task.LeadKind.MEMBER
    lead_member = factory.SubFactory(MemberFactory, cell=factory.SelfAttribute("..resolution.cell"))
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def supporters(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.supporters.set(extracted)


class ProgressUpdateFactory(factory.django.DjangoModelFactory[ProgressUpdate]):
    """A report by the task's lead; the task itself is not updated (use ``post_update`` for that)."""

    class Meta:
        model = ProgressUpdate

    task = factory.SubFactory(TaskFactory)
    author = factory.LazyAttribute(lambda o: o.task.lead_member)
    status = Task.Status.IN_PROGRESS
    progress = 50
    note = "Đã vận động được một nửa số hộ."


class TargetFactory(factory.django.DjangoModelFactory[Target]):
    """A measurable target of a resolution: "100% hộ gia đình ký cam kết"."""

    class Meta:
        model = Target

    resolution = factory.SubFactory(ResolutionFactory)
    name = factory.Sequence(lambda n: f"Hộ gia đình ký cam kết giữ gìn vệ sinh môi trường, khu vực {n + 1}")
    unit = "%"
    target_value = Decimal("100")
    order = factory.Sequence(lambda n: n)
