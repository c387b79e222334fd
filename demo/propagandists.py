"""Demo rosters: every cell's members flagged as propagandists, plus a few trusted people outside the party.

Deterministic (one ``random.Random`` with a fixed seed) and written with ``bulk_create``: a few queries whatever the
number of cells. Members with a trusted background who are not on the roster are left for the suggestions.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from chibo.lib.text import search_key
from members.models import Member, Organisation, ResidentialGroup
from propagandists.access import PREFERRED_BACKGROUNDS
from propagandists.models import Propagandist, PropagandistTopic, Topic

SEED = 20260707
BATCH = 2000
G = Propagandist.Group

OUTSIDERS = (
    (G.RETIRED_CADRE, "Cán bộ hưu trí, nguyên cán bộ xã", (Topic.POLICY, Topic.LAW)),
    (G.VETERAN, "Hội viên Hội Cựu chiến binh", (Topic.PUBLIC_ORDER,)),
    (G.TEACHER, "Giáo viên trường tiểu học", (Topic.EDUCATION, Topic.DIGITAL)),
    (G.HEALTH_WORKER, "Nhân viên y tế ấp", (Topic.HEALTH, Topic.ENVIRONMENT)),
    (G.ELDER, "Trưởng ban nhân dân ấp", (Topic.CULTURE, Topic.LAW)),
    (G.RELIGIOUS, "Chức sắc tôn giáo", (Topic.CULTURE,)),
    (G.MASS_ORGANISATION, "Chi hội trưởng Chi hội Phụ nữ", (Topic.HEALTH, Topic.CULTURE)),
    (G.OTHER, "Kỹ sư nông nghiệp", (Topic.AGRICULTURE, Topic.DIGITAL)),
)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Hữu", "Ngọc")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hạnh", "Hòa", "Lan", "Long", "Mai", "Phúc", "Tâm", "Thảo", "Trí", "Vân")


def seed_demo(root: Organisation, today: dt.date) -> int:
    """Rosters for every cell under ``root``; returns the number of entries."""
    rng = random.Random(SEED)
    cells = list(Organisation.objects.cells().under(root).order_by("path").values_list("pk", flat=True))
    groups: dict[int, list[int]] = defaultdict(list)
    for pk, cell_id in ResidentialGroup.objects.filter(cell__path__startswith=root.path).values_list("pk", "cell_id"):
        groups[cell_id].append(pk)
    preferred: dict[int, str] = {}
    through = Member.backgrounds.through.objects.filter(
        member__cell__path__startswith=root.path, background__code__in=list(PREFERRED_BACKGROUNDS)
    )
    for holder_id, background_code in through.order_by("member_id", "background__code").values_list(
        "member_id", "background__code"
    ):
        preferred.setdefault(holder_id, background_code)
    flagged: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    rows = Member.objects.in_org(root).active().filter(is_propagandist=True, left_on__isnull=True)
    for pk, cell_id, home_group_id in rows.order_by("pk").values_list("pk", "cell_id", "residential_group_id"):
        flagged[cell_id].append((pk, home_group_id))

    entries: list[Propagandist] = []
    topics: list[tuple[int, tuple[str, ...]]] = []
    areas: list[tuple[int, list[int]]] = []
    for cell_id in cells:
        cell_groups = groups.get(cell_id, [])
        for member_id, group_id in flagged.get(cell_id, []):
            if rng.random() < 0.15:  # left for the suggestions
                continue
            code = preferred.get(member_id)
            group, usual = PREFERRED_BACKGROUNDS[code] if code else (G.OTHER, (rng.choice(list(Topic)),))
            entries.append(
                Propagandist(
                    cell_id=cell_id,
                    member_id=member_id,
                    group=group,
                    residential_group_id=group_id,
                    starts_on=today - dt.timedelta(days=rng.randint(60, 1500)),
                )
            )
            topics.append((len(entries) - 1, tuple(usual)))
            areas.append(
                (len(entries) - 1, [group_id] if group_id else rng.sample(cell_groups, min(1, len(cell_groups))))
            )
        for _n in range(rng.randint(2, 4)):
            group, occupation, usual = rng.choice(OUTSIDERS)
            lives = rng.choice(cell_groups) if cell_groups else None
            entries.append(
                Propagandist(
                    cell_id=cell_id,
                    full_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                    phone=f"09{rng.randint(10_000_000, 99_999_999)}",
                    group=group,
                    occupation=occupation,
                    residential_group_id=lives,
                    starts_on=today - dt.timedelta(days=rng.randint(30, 1200)),
                )
            )
            topics.append((len(entries) - 1, tuple(usual)))
            covered = rng.sample(cell_groups, min(len(cell_groups), rng.randint(1, 3)))
            areas.append((len(entries) - 1, covered))
    for entry in entries:  # bulk_create skips save(), which keys the name for the search
        entry.search_name = search_key(entry.full_name)
    Propagandist.objects.bulk_create(entries, batch_size=BATCH)
    PropagandistTopic.objects.bulk_create(
        [PropagandistTopic(propagandist_id=entries[i].pk, topic=t) for i, ts in topics for t in ts], batch_size=BATCH
    )
    Areas = Propagandist.areas.through
    Areas.objects.bulk_create(
        [Areas(propagandist_id=entries[i].pk, residentialgroup_id=g) for i, gs in areas for g in gs], batch_size=BATCH
    )
    return len(entries)


def delete_demo_data(org: Organisation) -> None:
    """The rosters of the cells under ``org`` (before their members and cells go)."""
    entries = Propagandist.objects.filter(cell__path__startswith=org.path)
    PropagandistTopic.objects.filter(propagandist__in=entries).delete()
    Propagandist.areas.through.objects.filter(propagandist__in=entries).delete()
    entries.delete()
