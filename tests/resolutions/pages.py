"""Helpers of the tests of the resolution pages kept in the cache."""

from __future__ import annotations

import re
from typing import Any

# Where a page carries a CSRF token (masked anew each time it is written).
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def without_csrf(page: str) -> str:
    """The page with its CSRF tokens blanked out."""
    return CSRF.sub(r"\1", page)


def same_page(one: Any, other: Any) -> bool:
    """Whether two responses are the same page but for their CSRF tokens."""
    return without_csrf(one.content.decode()) == without_csrf(other.content.decode())


def option_label(page: str, value: int) -> str:
    """The label of the first option of that value in the page's lists."""
    found = re.search(rf'<option value="{value}"(?: selected)?>([^<]*)</option>', page)
    assert found, f"no option {value}"
    return found.group(1)
