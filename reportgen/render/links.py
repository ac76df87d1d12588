"""URLs in running text, which both renderers make into links (standard library only)."""

from __future__ import annotations

import re
from typing import Iterator

#: An http(s) URL: up to whitespace or a character that cannot end one; trailing punctuation of the
#: sentence (".", ",", ")", "»"…) is not part of it, unless the URL opened a parenthesis.
URL_RE = re.compile(r"https?://[^\s<>\"“”«»]+", re.I)
_TRAILING = ".,;:!?'’)]}"


def find_urls(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every URL in ``text``."""
    if "://" not in text:
        return
    for m in URL_RE.finditer(text):
        start, end = m.span()
        while end > start and text[end - 1] in _TRAILING:
            if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
                break
            end -= 1
        if end - start > len("https://"):
            yield start, end
