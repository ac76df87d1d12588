"""Which texts may go into an e-mail header. Standard library only, no state: used by
``distribute`` (names, subjects) and by ``reportgen check`` (titles, ``layout:mail-*`` and kind labels).

A text reaches a header as a participant's name (``To:``), the subject (the translated kind of
document and title) or the sender's name. Two things in it could add a header:

* a line break or another control character (CR, LF, NEL U+0085, U+2028, U+2029, any C0 or C1
  control, DEL): a mail program may end the header there;
* an RFC 2047 *encoded word* (``=?utf-8?q?Ann=0D=0AReply-To:...?=``), all ASCII, which the header
  machinery decodes: CPython before 3.11.10 / 3.12.5 writes the decoded CR LF raw when it folds
  the header (CVE-2024-6923), and a receiving program decodes it in any case.

Both are refused, whatever the interpreter's version: no name, title or label needs ``=?``.
"""

from __future__ import annotations

import re

#: control characters (C0, DEL, C1 with NEL) and the Unicode line and paragraph separators
_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def header_problem(text: str) -> str:
    """Why ``text`` cannot go into a mail header, or "" when it can."""
    m = _BREAK.search(text)
    if m:
        return (f"contains a line break or control character (U+{ord(m.group()):04X} at character "
                f"{m.start() + 1}), which could add a mail header")
    at = text.find("=?")
    if at >= 0:
        return (f"contains '=?' at character {at + 1} (the start of an RFC 2047 encoded word, which mail "
                "programs decode, possibly into a line break that adds a header)")
    return ""


def is_header_safe(text: str) -> bool:
    """True when ``text`` may go into a mail header (see :func:`header_problem`)."""
    return not header_problem(text)
