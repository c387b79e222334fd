import pytest

from resolutions.rules import TaskProgress, is_own_report, rolled_up_progress, same_lead_and_follower

T = TaskProgress


@pytest.mark.parametrize(
    ("tasks", "expected"),
    [
        ([], None),
        ([T(0, None), T(100, None)], 50),
        ([T(40, None), T(0, None, done=True)], 70),  # done counts as 100 whatever was reported
        ([T(100, 3), T(0, 1)], 75),  # weighted
        ([T(100, 3), T(0, None)], 75),  # an unset weight counts as 1
        ([T(50, None), T(0, None, cancelled=True)], 50),  # cancelled tasks do not count
        ([T(0, None, cancelled=True)], None),
        ([T(33, None), T(33, None), T(34, None)], 33),
    ],
)
def test_progress_rolls_up(tasks: list[TaskProgress], expected: int | None) -> None:
    assert rolled_up_progress(tasks) == expected


@pytest.mark.parametrize(
    ("author", "reviewer", "own"),
    [
        ((1, 10), (2, 20), False),  # another member of the committee
        ((1, 10), (1, 10), True),  # the author herself
        ((1, 10), (1, None), True),  # her member record, whatever the account
        ((1, 10), (None, 10), True),  # her account without a member record (an administrator reporting)
        ((1, None), (None, 10), False),  # an author without an account; an administrator without a member record
        ((1, None), (None, None), False),  # nobody known reviews nothing of hers
        ((1, None), (2, None), False),
    ],
)
def test_the_author_of_a_report_never_reviews_it(
    author: tuple[int, int | None], reviewer: tuple[int | None, int | None], own: bool
) -> None:
    assert (
        is_own_report(
            author_member_id=author[0],
            author_user_id=author[1],
            reviewer_member_id=reviewer[0],
            reviewer_user_id=reviewer[1],
        )
        is own
    )


# "Lead and follower differ."
@pytest.mark.parametrize(
    ("lead", "follower", "same"),
    [
        (1, 1, True),
        (1, 2, False),
        (1, None, False),
        (None, 1, False),  # a task led by the committee or a mass organisation
        (None, None, False),
    ],
)
def test_lead_and_follower_differ(lead: int | None, follower: int | None, same: bool) -> None:
    assert same_lead_and_follower(lead_member_id=lead, follower_id=follower) is same
