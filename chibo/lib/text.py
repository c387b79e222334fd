"""Vietnamese text helpers: Unicode normalisation and accent-insensitive search keys."""

import re
import unicodedata

from django.utils.translation import gettext_lazy

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


# Line breaks and tabs are typed (and pasted from Excel); no other control character (Unicode category Cc) is.
# NUL cannot be stored by PostgreSQL at all, a lone surrogate cannot be encoded in UTF-8, and the bidirectional
# embeddings, overrides and isolates make a text display differently from what it says.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def unsafe_character(text: str) -> str | None:
    """The first character of ``text`` that has no place in typed text, or None."""
    match = _UNSAFE.search(text)
    return match.group() if match else None


# What a spreadsheet may read as the start of a formula (=, +, -, @) or of a hidden command (tab, carriage return).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(text: str) -> bool:
    """True when a spreadsheet could run ``text`` as a formula: it is refused in names and kept as text in exports."""
    return text.startswith(FORMULA_START)


FORMULA_NAME = gettext_lazy("A name cannot begin with =, +, - or @ (a spreadsheet would run it as a formula).")
HIDDEN_IN_NAME = gettext_lazy(
    "The name contains an invisible character (a zero-width space, a joiner or a direction mark). Type it again."
)
FOREIGN_LETTER = gettext_lazy(
    "The letter “%(letter)s” in the name is not a Vietnamese letter, though it may look like one. Type it again."
)


def hidden_character(text: str) -> str | None:
    """The first invisible formatting character of ``text`` (zero-width space and joiners, direction marks, the
    byte-order mark, the soft hyphen: Unicode category Cf), or None."""
    return next((ch for ch in text if unicodedata.category(ch) == "Cf"), None)


def foreign_letter(text: str) -> str | None:
    """The first letter of ``text`` that is not of the Latin script (a Cyrillic "а" or a Greek "ο" that looks like a
    Vietnamese letter), or None. Every Vietnamese letter, "ư" and "đ" included, is Latin."""
    for ch in text:
        if ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN"):
            return ch
    return None


def name_error(name: str) -> str | None:
    """Why ``name`` (normalised) cannot be a person's name, in the user's language, or None."""
    if starts_like_formula(name):
        return str(FORMULA_NAME)
    if hidden_character(name) is not None:
        return str(HIDDEN_IN_NAME)
    if (letter := foreign_letter(name)) is not None:
        return str(FOREIGN_LETTER) % {"letter": letter}
    return None


def name_key(name: str) -> str:
    """A name folded for finding the same person twice: compatibility forms composed (a full-width "Ａ" is "A"),
    invisible characters dropped, spaces collapsed, any case. Accents are kept: "Ân" and "An" are two names."""
    folded = unicodedata.normalize("NFKC", name or "")
    folded = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return " ".join(folded.casefold().split())
