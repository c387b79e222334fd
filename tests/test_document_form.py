"""The signature block and the number of party documents (``chibo.lib.layout``), as table tests written from the
rule: every document carries the "T/M …" line of the body that issues it, the signer's title and name; the head
(the secretary) signs, or the deputy under the deputy's title when no secretary is recorded; the minutes are signed
by the recorder (THƯ KÝ, left) and the chair (CHỦ TRÌ, right); reports are numbered "12-BC/ĐU" from the issuer's
own run, and a report numbered by hand leaves the blank before "-BC/ĐU"."""

from __future__ import annotations

import pytest

from chibo.lib.layout import (
    CELL,
    CELL_COMMITTEE,
    EVALUATION_REPORT,
    INSPECTION_COMMITTEE,
    MEETING_PACK,
    PARTY_COMMITTEE,
    REPORT,
    RESOLUTION,
    STANDING_COMMITTEE,
    SUMMARY_REPORT,
    Signature,
    blank_number,
    document_number,
    document_signature,
    minutes_signatures,
    signature,
)

HEAD = "Nguyễn Văn An"
DEPUTY = "Trần Thị Bình"


@pytest.mark.parametrize(
    ("document", "is_cell", "head", "deputy", "expected"),
    [
        # The ward's monthly summary report: for the party committee, its secretary, else its deputy.
        (SUMMARY_REPORT, False, HEAD, DEPUTY, ("T/M ĐẢNG ỦY", "BÍ THƯ", HEAD)),
        (SUMMARY_REPORT, False, "", DEPUTY, ("T/M ĐẢNG ỦY", "PHÓ BÍ THƯ", DEPUTY)),
        (SUMMARY_REPORT, False, "", "", ("T/M ĐẢNG ỦY", "BÍ THƯ", "")),
        # A cell's resolution, meeting pack and evaluation report: for the cell.
        (RESOLUTION, True, HEAD, DEPUTY, ("T/M CHI BỘ", "BÍ THƯ", HEAD)),
        (RESOLUTION, True, "", DEPUTY, ("T/M CHI BỘ", "PHÓ BÍ THƯ", DEPUTY)),
        (MEETING_PACK, True, HEAD, "", ("T/M CHI BỘ", "BÍ THƯ", HEAD)),
        (EVALUATION_REPORT, True, HEAD, DEPUTY, ("T/M CHI BỘ", "BÍ THƯ", HEAD)),
        (EVALUATION_REPORT, True, "", "", ("T/M CHI BỘ", "BÍ THƯ", "")),
    ],
)
def test_who_signs_each_document(document, is_cell, head, deputy, expected) -> None:
    assert document_signature(document, is_cell=is_cell, head=head, deputy=deputy) == Signature(*expected)


@pytest.mark.parametrize(
    ("body", "head", "deputy", "expected"),
    [
        # The notice of an inspection's conclusion is signed for the body that conducted it.
        (CELL_COMMITTEE, HEAD, DEPUTY, ("T/M CHI ỦY", "BÍ THƯ", HEAD)),
        (CELL_COMMITTEE, "", DEPUTY, ("T/M CHI ỦY", "PHÓ BÍ THƯ", DEPUTY)),
        (PARTY_COMMITTEE, HEAD, "", ("T/M ĐẢNG ỦY", "BÍ THƯ", HEAD)),
        (STANDING_COMMITTEE, HEAD, DEPUTY, ("T/M BAN THƯỜNG VỤ", "BÍ THƯ", HEAD)),
        (STANDING_COMMITTEE, "", DEPUTY, ("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", DEPUTY)),
        (INSPECTION_COMMITTEE, "", "", ("T/M ỦY BAN KIỂM TRA", "CHỦ NHIỆM", "")),
        (INSPECTION_COMMITTEE, "", DEPUTY, ("T/M ỦY BAN KIỂM TRA", "PHÓ CHỦ NHIỆM", DEPUTY)),
        (CELL, "  Nguyễn  Văn An ", "", ("T/M CHI BỘ", "BÍ THƯ", HEAD)),  # spaces tidied
    ],
)
def test_who_signs_for_each_body(body, head, deputy, expected) -> None:
    assert signature(body, head=head, deputy=deputy) == Signature(*expected)


def test_the_minutes_are_signed_by_the_recorder_on_the_left_and_the_chair_on_the_right() -> None:
    assert minutes_signatures(recorder=DEPUTY, chair=HEAD) == (
        Signature("", "THƯ KÝ", DEPUTY),
        Signature("", "CHỦ TRÌ", HEAD),
    )
    assert minutes_signatures(recorder="", chair="") == (Signature("", "THƯ KÝ", ""), Signature("", "CHỦ TRÌ", ""))


@pytest.mark.parametrize(
    ("seq", "is_cell", "number", "blank"),
    [
        (12, False, "12-BC/ĐU", "-BC/ĐU"),
        (1, False, "01-BC/ĐU", "-BC/ĐU"),
        (3, True, "03-BC/CB", "-BC/CB"),
        (105, True, "105-BC/CB", "-BC/CB"),
    ],
)
def test_report_numbers_and_the_blank_of_a_report_numbered_by_hand(seq, is_cell, number, blank) -> None:
    assert document_number(seq, REPORT, is_cell=is_cell) == number
    assert blank_number(REPORT, is_cell=is_cell) == blank
