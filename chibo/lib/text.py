"""Vietnamese text helpers: Unicode normalisation and accent-insensitive search keys."""

import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def normalize(text: str) -> str:
    """Collapse runs of white space and put the text in composed (NFC) form.

    Names typed on some phones or pasted from old documents arrive decomposed (a letter followed by
    combining marks); stored in NFC, "Hồng" typed either way is one and the same name.
    """
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def search_key(text: str) -> str:
    """Lower-case text without diacritics, so that "nguyen thi hong" finds "Nguyễn Thị Hồng".

    Computed in Python and stored beside the name, it works the same on PostgreSQL and SQLite.
    """
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
