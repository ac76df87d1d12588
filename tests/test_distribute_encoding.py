"""The attachment of every message is encoded once per PDF: the bytes are those the e-mail library
writes when it encodes the PDF for each message itself, and they read back as valid MIME."""

from __future__ import annotations

import datetime as dt
import os
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pytest

from reportgen.distribute.mail import Letter, build_message, encode_attachment, message_bytes
from reportgen.distribute.participants import Participant
from reportgen.errors import Location

PERSON = Participant("Zoë Ñandú", "zoe@example.org", "es", "", Location("people.csv", 2))
DATE = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)


def compose(data: bytes, encoded_once: bool) -> bytes:
    attachment = encode_attachment(data) if encoded_once else None
    msg = build_message(Letter("Informe — Ñ", "Hola\n\nAdjunto.\n"), PERSON, "Org <org@example.org>", "",
                        "es", Path("r.es.pdf"), attachment or data, "<x1@example.org>", DATE)
    return message_bytes(msg, PERSON, attachment)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 56, 57, 58, 114, 4096, 100_003])
def test_encoded_once_is_byte_identical_and_parses_back(size):
    data = b"%PDF-1.7\n" + os.urandom(size)
    once = compose(data, True)
    assert once == compose(data, False)
    msg = BytesParser(policy=default).parsebytes(once)
    assert msg.defects == [] and msg["To"].addresses[0].addr_spec == "zoe@example.org"
    [part] = list(msg.iter_attachments())
    assert part.get_content_type() == "application/pdf" and part.get_filename() == "r.es.pdf"
    assert part.get_content() == data and part.defects == []
    assert all(len(line) <= 78 for line in once.split(b"\r\n"))


def test_one_attachment_serves_many_messages():
    data = b"%PDF-1.7\n" + os.urandom(5000)
    attachment = encode_attachment(data)
    for n in range(3):
        person = Participant(PERSON.name, f"p{n}@example.org", "es", "", PERSON.location)
        msg = build_message(Letter("R", "Hi\n"), person, "org@example.org", "", "es", Path("r.pdf"), attachment,
                            f"<m{n}@example.org>", DATE)
        parsed = BytesParser(policy=default).parsebytes(message_bytes(msg, person, attachment))
        assert next(parsed.iter_attachments()).get_content() == data


NAMES = ["Zoë Ñandú", 'A "B" C', "Smith, John", "José (x) <y@z>", "a\\b", "李小龙", "x" * 300, "Ann O'Neil"]


@pytest.mark.parametrize("name", NAMES)
def test_fast_composition_reads_back_as_the_library_composes(name):
    """The fast path's bytes parse (as a mail client does) into the same message as the library's."""
    from reportgen.distribute import outgoing

    data = b"%PDF-1.7\n" + os.urandom(3000)
    person = Participant(name, "p.q@example.org", "es", "", Location("people.csv", 3))
    letter = Letter("Informe final\u00a0: Ñ", f"Hola {name},\n\nAdjunto — {'ü' * 100}.\n  trailing  \n")
    template = outgoing.make_template(letter.subject, "Org <org@example.org>", "r@example.org", "es", DATE,
                                      Path("r.es.pdf"), data)
    fast = outgoing.compose(template, letter.body, person, "<m1@example.org>")
    assert fast is not None and outgoing.headers_ok(fast, person, check_name=True)
    slow = message_bytes(build_message(letter, person, "Org <org@example.org>", "r@example.org", "es",
                                       Path("r.es.pdf"), data, "<m1@example.org>", DATE), person)
    a, b = (BytesParser(policy=default).parsebytes(x) for x in (fast, slow))
    assert a.defects == [] and all(p.defects == [] for p in a.walk())
    assert sorted(a.items()) == sorted(b.items())
    texts = [m.get_body(("plain",)).get_content().replace("\r\n", "\n") for m in (a, b)]
    assert texts == [letter.body, letter.body]  # line ends as each CTE carries them: CRLF on the wire
    [pa], [pb] = list(a.iter_attachments()), list(b.iter_attachments())
    assert pa.get_content() == pb.get_content() == data and pa.get_filename() == "r.es.pdf"
    assert all(len(line) <= 998 for line in fast.split(b"\r\n"))


def test_a_name_that_reads_back_otherwise_is_left_to_the_library():
    from reportgen.distribute import outgoing

    person = Participant("=?utf-8?q?Admin?=", "p@example.org", "en", "", Location("people.csv", 2))
    template = outgoing.make_template("Report", "org@example.org", "", "en", DATE, Path("r.pdf"), b"%PDF")
    assert outgoing.compose(template, "Hi\n", person, "<m@example.org>") is None
