import unicodedata

import pytest

from chibo.lib.text import normalize, search_key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Nguyễn Thị Hồng", "nguyen thi hong"),
        ("ĐẶNG VĂN ĐỨC", "dang van duc"),
        ("  Trần   Quốc  Toản ", "tran quoc toan"),
        ("Huỳnh Ngọc Ánh", "huynh ngoc anh"),
        (unicodedata.normalize("NFD", "Lê Thị Mỹ Dung"), "le thi my dung"),
        ("", ""),
    ],
)
def test_search_key_drops_diacritics_and_case(text: str, key: str) -> None:
    assert search_key(text) == key


def test_normalize_composes_decomposed_names() -> None:
    decomposed = unicodedata.normalize("NFD", "Phạm  Thị Hồng")
    assert decomposed != "Phạm Thị Hồng"
    assert normalize(decomposed) == "Phạm Thị Hồng"
