"""Many messages of one language, composed fast: the e-mail library writes what is the same in all
of them once (the fixed headers, the encoded PDF); each message adds its own ``To``, ``Message-ID``,
boundary and text. Standard library only.

Each message's headers are then read back as a mail program reads them (:func:`headers_ok`): exactly
the expected headers, each once, the recipient and the name unchanged. A message this fast path
cannot write so (a name or address the e-mail library would fold or encode otherwise) is composed by
the library whole instead (``mail.build_message``): the same checks, a few milliseconds more.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import quopri
from email.message import EmailMessage, MIMEPart
from email.parser import BytesHeaderParser
from email.policy import SMTP as SMTP_POLICY
from email.policy import default as DEFAULT_POLICY
from email.header import decode_header, make_header
from email.utils import format_datetime, formataddr, getaddresses
from pathlib import Path
from typing import NamedTuple

from ..headers import header_problem
from .participants import Participant

#: the headers a message has, each once: anything else in the bytes was injected
HEADERS = {"subject", "from", "to", "reply-to", "date", "message-id", "mime-version", "content-type",
           "content-language"}
_TEXT_PART = b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'


class Template(NamedTuple):
    """What every message of one language shares, as the e-mail library writes it."""

    head: bytes  # Subject, From, Reply-To, Date, MIME-Version, Content-Language, each ending in ``eol``
    attachment: bytes  # the PDF's part: its headers and base64 lines, encoded once
    eol: bytes = b"\r\n"  # CRLF as sent; LF for an mbox

    def with_eol(self, eol: bytes) -> Template:
        """The same lines ending in ``eol`` (converted once, not for each message)."""
        if eol == self.eol:
            return self
        return Template(self.head.replace(self.eol, eol), self.attachment.replace(self.eol, eol), eol)


def boundary(message_id: str) -> str:
    """Derived from the Message-ID, so the bytes are reproducible; "=_" cannot occur in
    quoted-printable or base64 text, so it cannot collide with the content."""
    return "=_reportgen_" + hashlib.sha256(message_id.encode()).hexdigest()[:24]


def make_template(subject: str, sender: str, reply_to: str, tag: str, date: _dt.datetime, pdf: Path,
                  pdf_data: bytes) -> Template | None:
    """None when a fixed header is not plain (then each message is composed whole, and refused there)."""
    if any(header_problem(text) for text in (subject, sender, reply_to)):
        return None
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Date"] = format_datetime(date)
    msg["MIME-Version"] = "1.0"
    msg["Content-Language"] = tag
    head = msg.as_bytes(policy=SMTP_POLICY).split(b"\r\n\r\n", 1)[0] + b"\r\n"
    names = [k.lower() for k in BytesHeaderParser(policy=DEFAULT_POLICY).parsebytes(head + b"\r\n").keys()]
    if len(names) != len(set(names)) or set(names) != {k.lower() for k in msg.keys()}:
        return None
    part = MIMEPart()
    part.set_content(pdf_data, maintype="application", subtype="pdf", filename=pdf.name)
    return Template(head, part.as_bytes(policy=SMTP_POLICY).rstrip(b"\r\n"))


def compose(template: Template, body: str, person: Participant, message_id: str) -> bytes | None:
    """The message's bytes, or None when this fast path cannot write them as the library would."""
    if header_problem(person.name):
        return None
    try:
        to = formataddr((person.name, person.email), charset="utf-8").encode("ascii")
    except UnicodeEncodeError:  # an address in UTF-8 (SMTPUTF8): the library's way
        return None
    if b"\n" in to or b"\r" in to or len(to) > 900:
        return None
    if not _reads_back(to.decode("ascii"), person):  # the fixed headers were read back once
        return None
    eol = template.eol
    mark = boundary(message_id).encode()
    head = b"".join((template.head, b"To: ", to, eol, b"Message-ID: ", message_id.encode("ascii"), eol,
                     b'Content-Type: multipart/mixed; boundary="', mark, b'"', eol))
    text = quopri.encodestring(body.encode("utf-8")).replace(b"\r\n", b"\n").replace(b"\n", eol)
    return b"".join((head, eol, b"--", mark, eol, _TEXT_PART.replace(b"\r\n", eol), text, eol, b"--", mark, eol,
                     template.attachment, eol, b"--", mark, b"--", eol))


def _reads_back(to: str, person: Participant) -> bool:
    """The ``To`` value read back by the standard library's address parser: one address, the
    participant's, with their name."""
    found = getaddresses([to])
    if len(found) != 1 or found[0][1] != person.email:
        return False
    name = found[0][0]
    if "=?" in to:
        name = str(make_header(decode_header(name)))
    return name == person.name


def headers_ok(data: bytes, person: Participant, check_name: bool = False) -> bool:
    """The message's headers read back as a mail program reads them: the expected ones, each once,
    one recipient, the participant's address (and name)."""
    end = data.find(b"\r\n\r\n")
    head = BytesHeaderParser(policy=DEFAULT_POLICY).parsebytes(data if end < 0 else data[:end + 4])
    names = [k.lower() for k in head.keys()]
    to = head.get_all("to") or []
    if len(names) != len(set(names)) or not set(names) <= HEADERS or len(to) != 1:
        return False
    addresses = to[0].addresses
    if [a.addr_spec for a in addresses] != [person.email]:
        return False
    return not check_name or addresses[0].display_name == person.name
