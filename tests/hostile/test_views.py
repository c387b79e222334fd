"""Hostile posts to every page that takes input, as a user allowed to post there.

Whatever is posted, the answer is never a server error (the test client raises it); a page shown again with
its errors, or a redirect with an error message, has written nothing (every table of the apps, change history
included, keeps its row count); and what a successful post stored is sane text (no control characters, composed,
within its column) and sane dates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.messages import constants, get_messages
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from meetings.forms import HeldForm, MeetingOpinionForm, SpeechForm
from resolutions.forms.progress import ReviewForm
from tests.hostile.conftest import World
from tests.hostile.strategies import form_data, hostile_id, hostile_number, hostile_text
from tests.hostile.support import draw_payload, new_rows_problems, rolled_back, rows_written, table_counts


@dataclass(frozen=True)
class Page:
    id: str
    user: str
    url: Callable[[World], str]
    forms: tuple[str, ...] = ("form",)  # the context names of the page's forms and formsets
    fixed: dict[str, str] = field(default_factory=dict)  # posted as is (the button pressed)
    keep: tuple[str, ...] = ()  # fields posted with the page's own value (a lock version)
    # For a POST-only address: the posted data, from the world.
    raw: Callable[[World], st.SearchStrategy[dict[str, Any]]] | None = None


def u(name: str, *args: Callable[[World], Any]) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[arg(w) for arg in args])


def a1(w: World) -> int:
    return w.member.cell_id


def speech(kind: str) -> Callable[[World], st.SearchStrategy[dict[str, Any]]]:
    def build(w: World) -> st.SearchStrategy[dict[str, Any]]:
        form_class = MeetingOpinionForm if kind == "opinion" else SpeechForm
        form = form_class(meeting=w.held_meeting)
        return form_data(form, foreign=w.foreign_ids()).map(lambda d: {**d, "kind": kind})

    return build


PAGES = [
    # members
    Page("member-create", "secretary", u("members:member-create", a1)),
    Page("member-edit", "secretary", u("members:member-edit", lambda w: w.member.pk)),
    Page("exemption-create", "secretary", u("members:exemption-create", lambda w: w.member.pk)),
    Page("away-create", "secretary", u("members:away-create", lambda w: w.probationary.pk)),
    Page("away-back", "secretary", u("members:away-back", lambda w: w.member.pk, lambda w: w.away.pk)),
    Page("member-leave", "secretary", u("members:member-leave", lambda w: w.probationary.pk)),
    Page("member-recognise", "secretary", u("members:member-recognise", lambda w: w.probationary.pk)),
    Page("member-transfer", "secretary", u("members:member-transfer", lambda w: w.probationary.pk)),
    # resolutions
    Page("resolution-create", "secretary", u("resolutions:resolution-create", a1)),
    Page(
        "resolution-edit",
        "secretary",
        u("resolutions:resolution-edit", lambda w: w.draft.pk),
        forms=("form", "targets", "tasks"),
        keep=("lock_version",),
    ),
    Page("resolution-vote", "secretary", u("meetings:resolution-vote", lambda w: w.submitted.pk)),
    Page("vote-correct", "secretary", u("meetings:vote-correct", lambda w: w.vote.pk)),
    Page("dissemination-create", "secretary", u("resolutions:dissemination-create", lambda w: w.live.pk)),
    Page("opinion-create", "secretary", u("resolutions:opinion-list", a1)),
    Page(
        "resolution-step",
        "secretary",
        u("resolutions:resolution-step", lambda w: w.draft.pk, lambda w: "withdraw"),
        raw=lambda w: st.fixed_dictionaries({"note": hostile_text()}),
    ),
    Page("progress-report", "member", u("resolutions:task-detail", lambda w: w.update.task_id)),
    Page(
        "update-review",
        "secretary",
        u("resolutions:update-review", lambda w: w.update.pk),
        raw=lambda w: form_data(ReviewForm()),
    ),
    Page("notification-settings", "member", u("notifications:notification-settings")),
    # meetings
    Page("meeting-create", "secretary", u("meetings:meeting-create", a1), fixed={"confirm_warning": "1"}),
    Page(
        "meeting-edit",
        "secretary",
        u("meetings:meeting-edit", lambda w: w.held_meeting.pk),
        forms=("form", "agenda", "conclusion"),
    ),
    Page("meeting-attendance", "secretary", u("meetings:meeting-attendance", lambda w: w.held_meeting.pk)),
    Page(
        "meeting-held",
        "secretary",
        u("meetings:meeting-step", lambda w: w.held_meeting.pk, lambda w: "held"),
        raw=lambda w: form_data(HeldForm(meeting=w.held_meeting)),
    ),
    Page("absence-request", "deputy", u("meetings:absence-request", lambda w: w.meeting.pk)),
    Page("meeting-speech", "secretary", u("meetings:meeting-speech", lambda w: w.held_meeting.pk), raw=speech("")),
    Page(
        "meeting-opinion",
        "secretary",
        u("meetings:meeting-speech", lambda w: w.held_meeting.pk),
        raw=speech("opinion"),
    ),
    Page(
        "absence-decide",
        "secretary",
        u("meetings:absence-decide", lambda w: w.absence_id),
        raw=lambda w: st.fixed_dictionaries(
            {"decision": st.sampled_from(["approve", "refuse", "", "\x00"]), "reason": hostile_text()}
        ),
    ),
    # evaluations
    Page("cycle-open", "secretary", u("evaluations:cell-cycles", a1)),
    Page("self-assessment", "member", u("evaluations:self-assessment", lambda w: w.cycle.pk)),
    Page("comments", "secretary", u("evaluations:comments", lambda w: w.cycle.pk)),
    Page("criterion-add", "secretary", u("evaluations:emulation", lambda w: w.cycle.pk), fixed={"action": "add"}),
    Page(
        "emulation-scores",
        "secretary",
        u("evaluations:emulation", lambda w: w.cycle.pk),
        raw=lambda w: st.fixed_dictionaries(
            {f"score_{pk}": hostile_number() for pk in w.cycle.criteria.values_list("pk", flat=True)}
        ).map(lambda d: {**d, "action": "score"}),
    ),
    Page(
        "proposal",
        "admin",
        u("evaluations:proposal", lambda w: w.proposal_cycle.pk),
        forms=("cell_form",),
        raw=None,
    ),
    # inspections
    Page("inspection-create", "secretary", u("inspections:inspection-create", a1)),
    Page("inspection-edit", "secretary", u("inspections:inspection-edit", lambda w: w.inspection.pk)),
    Page("inspection-conclude", "secretary", u("inspections:inspection-conclude", lambda w: w.running_inspection.pk)),
    # propagandists
    Page("propagandist-create", "secretary", u("propagandists:entry-create", a1)),
    Page("propagandist-edit", "secretary", u("propagandists:entry-edit", lambda w: w.propagandist.pk)),
    Page("propagandist-end", "secretary", u("propagandists:entry-end", lambda w: w.propagandist.pk)),
    Page(
        "propagandist-add-suggested",
        "secretary",
        u("propagandists:add-suggestion", a1),
        raw=lambda w: st.fixed_dictionaries({"member": hostile_id([str(w.probationary.pk)], [str(w.other_member.pk)])}),
    ),
]


def _proposal_rows(w: World) -> st.SearchStrategy[dict[str, Any]]:
    """The proposal page's per-member selects, remarks and reasons, read by hand from the post."""
    ids = list(w.proposal_cycle.evaluations.values_list("pk", flat=True))
    levels = st.sampled_from(["", "excellent", "good", "fair", "poor", "x"])
    parts = {f"level_{pk}": levels for pk in ids} | {f"note_{pk}": hostile_text() for pk in ids}
    parts |= {f"reason_{pk}": hostile_text() for pk in ids}  # the reason confirming a level the evidence weighs
    return st.fixed_dictionaries(parts)


@pytest.mark.parametrize("page", PAGES, ids=[p.id for p in PAGES])
def test_hostile_posts_never_fail_and_never_write_half(page: Page, world: World, client_for) -> None:
    client = client_for(page.user)
    url = page.url(world)
    forms_: list[Any] = []
    keep: dict[str, Any] = {}
    if page.raw is None:
        shown = client.get(url)
        assert shown.status_code == 200, f"{url} answers {shown.status_code} to {page.user}"
        forms_ = [shown.context[name] for name in page.forms]
        keep = {name: forms_[0][name].value() for name in page.keep}
    extra = _proposal_rows(world) if page.id == "proposal" else st.just({})
    foreign = world.foreign_ids()

    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        payload = data.draw(page.raw(world)) if page.raw else draw_payload(data, forms_, foreign=foreign, keep=keep)
        payload |= data.draw(extra) | page.fixed
        client.cookies.pop("messages", None)  # only this post's messages count
        with rolled_back():
            before = table_counts()
            response = client.post(url, payload)
            after = table_counts()
            assert response.status_code in (200, 302, 404), response.status_code
            if response.status_code == 302:
                assert "/accounts/login/" not in response["Location"]
            errors = [m for m in get_messages(response.wsgi_request) if m.level == constants.ERROR]
            if response.status_code != 302 or errors:
                event("refused")
                assert not rows_written(before, after), (rows_written(before, after), errors)
            else:
                event("saved" if rows_written(before, after) else "accepted, nothing to write")
                assert not new_rows_problems(before, after)

    check()


# Lists and filters read from the query string: any value shows the page (a bad filter is ignored).
LISTS = [
    ("members:member-list", lambda w: [], ["q", "org", "status", "flag", "page"]),
    ("propagandists:roster", lambda w: [w.member.cell_id], ["q", "topic", "area", "state"]),
    ("inspections:inspection-list", lambda w: [], ["activity", "mode", "status", "year", "overdue", "page"]),
    ("inspections:org-inspections", lambda w: [w.member.cell_id], ["activity", "status", "year", "page"]),
    ("dashboards:dashboard", lambda w: [w.ward_id], ["sort", "dir", "light"]),
    ("dashboards:dashboard-xlsx", lambda w: [w.ward_id], ["sort", "dir", "light"]),
    ("resolutions:resolution-list", lambda w: [w.member.cell_id], ["page"]),
    ("meetings:meeting-list", lambda w: [w.member.cell_id], ["page"]),
    ("resolutions:opinion-list", lambda w: [w.member.cell_id], ["page"]),
    ("notifications:cell-messages", lambda w: [w.member.cell_id], ["status", "page"]),
    ("notifications:notification-list", lambda w: [], ["page"]),
    ("meetings:resolution-vote", lambda w: [w.submitted.pk], ["meeting"]),
    ("evaluations:cell-cycles", lambda w: [w.member.cell_id], ["page"]),
]


@pytest.mark.parametrize(("name", "args", "params"), LISTS, ids=[name for name, _a, _p in LISTS])
def test_hostile_query_strings_still_show_the_page(
    name: str, args, params: list[str], world: World, client_for
) -> None:
    client = client_for("admin")
    url = reverse(name, args=args(world))
    values = st.one_of(hostile_text(), hostile_number(), hostile_id([], [str(world.other_member.pk)]))

    @given(query=st.fixed_dictionaries({}, optional=dict.fromkeys(params, values)))
    def check(query: dict[str, str]) -> None:
        assert client.get(url, query).status_code == 200

    check()
