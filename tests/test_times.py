"""Dates, times and time zones as each shipped language writes them (issue 19, the 2026 review).

The rendered strings are read back from the bundled project's DOCX (python-docx) and PDF
(pdftotext). They must be the same with every Babel the project supports (2.14 ... 2.19): the
patterns that differ between CLDR versions are chosen explicitly (see reportgen.localize)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from reportgen import localize

from .conftest import build_in, copy_default_project

# (title block's time and zone, the overview sentence's time and zone) per source and language
TITLE_BLOCK = {
    ("americas-2024", "en"): "16:00–17:30 (CET)",
    ("americas-2024", "es"): "16:00–17:30 (hora CET)",
    ("americas-2024", "fr"): "16 h – 17 h 30 (heure UTC+1)",
    ("americas-2024", "pt"): "16h–17h30 (GMT+1)",
    ("africa-2024", "en"): "09:30–11:00 (GMT+1)",
    ("africa-2024", "es"): "9:30–11:00 (hora GMT+1)",
    ("africa-2024", "fr"): "9 h 30 – 11 h (heure UTC+1)",
    ("africa-2024", "pt"): "9h30–11h (GMT+1)",
}
RUNNING_TEXT = {
    "en": "on 18 January 2024 from 16:00 to 17:30 CET and",
    "es": "el 18 de enero de 2024, de 16:00 a 17:30 (CET), y",
    "fr": "le 18 janvier 2024, de 16 heures à 17 h 30 (UTC+1), et",
    "pt": "em 18 de janeiro de 2024, das 16h às 17h30 (GMT+1), e",
}
DATES = {"en": "18 January 2024", "es": "18 de enero de 2024", "fr": "18 janvier 2024", "pt": "18 de janeiro de 2024"}
NEVER = ("+1 GMT", "+0100", "None", "16:00 – 17:30", "09:30 – 11:00", "fuso horário")


def norm(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text)


def docx_text(path: Path) -> str:
    return norm("\n".join(p.text for p in Document(str(path)).paragraphs))


def pdf_text(path: Path) -> str:
    run = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return norm(run.stdout)


def _build(root: Path, *args: str) -> int:
    return build_in(root, *args)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_default_project(tmp_path_factory.mktemp("times"))
    assert _build(root) == 0
    return root / "build"


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("source, lang", sorted(TITLE_BLOCK))
def test_rendered_date_time_and_zone(built, source, lang, fmt):
    if fmt == "pdf" and shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian package poppler-utils) is not installed")
    path = built / source / f"{source}.{lang}.{fmt}"
    text = docx_text(path) if fmt == "docx" else pdf_text(path)
    assert DATES[lang] in text
    assert TITLE_BLOCK[(source, lang)] in text
    if source == "americas-2024":
        assert RUNNING_TEXT[lang] in text
    for wrong in NEVER:
        assert wrong not in text, f"{wrong!r} in {path.name}"


# -- the pieces, for every shipped language and both kinds of zone (IANA name, fixed offset)

WHEN = dt.datetime(2024, 1, 18, 16, 0)


@pytest.mark.parametrize("tag, abbreviation, offset", [
    ("en-GB", "CET", "GMT+1"), ("es-ES", "CET", "GMT+1"), ("fr-FR", "CET", "UTC+1"), ("pt-BR", "CET", "GMT+1"),
    ("pt-PT", "CET", "GMT+1"), ("de-DE", "CET", "GMT+1"),
])
def test_zone_names(tag, abbreviation, offset):
    loc = localize.babel_locale(tag)
    assert localize.zone_name("CET", WHEN, loc, "z") == abbreviation
    assert localize.zone_name("CET", WHEN, loc, "O") == offset
    assert localize.zone_name(60, WHEN, loc, "z") == offset  # a fixed offset has no abbreviation
    assert localize.zone_name(-180, WHEN, loc, "O") == offset[:3] + "-3"
    assert localize.zone_name(330, WHEN, loc, "O") == offset[:3] + "+5:30"
    # the time-zone database writes "-03" for Sao Paulo: no letter abbreviation, so the offset
    assert localize.zone_name("America/Sao_Paulo", WHEN, loc, "z") == offset[:3] + "-3"
    # summer time is the zone's own at that date
    assert localize.zone_name("Europe/Paris", dt.datetime(2024, 7, 1, 12), loc, "O") == offset[:3] + "+2"


@pytest.mark.parametrize("pattern, expected", [
    ("short", ["16:00", "17:30", "09:30"]),
    ("H:mm", ["16:00", "17:30", "9:30"]),
    ("H[ 'h' mm| 'heures']", ["16 heures", "17 h 30", "9 h 30"]),
    ("H'h'[mm]", ["16h", "17h30", "9h30"]),
    ("h:mm a", ["4:00 pm", "5:30 pm", "9:30 am"]),  # en-GB
    ("H 'o''clock'[ mm]", ["16 o'clock", "17 o'clock 30", "9 o'clock 30"]),
    ("H'['mm']'", ["16[00]", "17[30]", "9[30]"]),  # quoted brackets are text
])
def test_time_patterns(pattern, expected):
    loc = localize.babel_locale("en-GB")
    got = [norm(localize.time_text(dt.time(h, m), pattern, loc)) for h, m in ((16, 0), (17, 30), (9, 30))]
    assert got == expected


@pytest.mark.parametrize("tag, pattern, expected", [
    ("en-GB", "Hm", ["16:00–17:30", "09:30–11:00"]),
    ("es-ES", "Hm", ["16:00–17:30", "9:30–11:00"]),
    ("es-ES", "H:mm–H:mm", ["16:00–17:30", "9:30–11:00"]),
    ("fr-FR", "H 'h'[ mm] – H 'h'[ mm]", ["16 h – 17 h 30", "9 h 30 – 11 h"]),
    ("pt-BR", "H'h'[mm]–H'h'[mm]", ["16h–17h30", "9h30–11h"]),
    ("pt-BR", "'das' H'h'[mm] 'às' H'h'[mm]", ["das 16h às 17h30", "das 9h30 às 11h"]),
])
def test_time_range_patterns(tag, pattern, expected):
    loc = localize.babel_locale(tag)
    got = [localize.time_range_text(dt.time(16), dt.time(17, 30), pattern, loc),
           localize.time_range_text(dt.time(9, 30), dt.time(11), pattern, loc)]
    assert [norm(g) for g in got] == expected


@pytest.mark.parametrize("key, pattern, problem", [
    ("pattern-date", "d 'de MMMM", "unclosed quote at column 3"),
    ("pattern-date", "d MMMM y H", "'H' is not a field of this pattern"),
    ("pattern-date", "d [MMMM]", "'[' has no meaning here"),
    ("pattern-time", "H 'h' mm z", "'z' is not a field of this pattern"),
    ("pattern-time", "H[ 'h' mm", "groups must be closed"),
    ("pattern-time", "H[[mm]]", "cannot be nested"),
    ("pattern-time", "H | mm", "groups must be closed"),
    ("pattern-time", " ", "the pattern is empty"),
    ("pattern-time-range", "H:mm", "write the start's and the end's patterns"),
    ("pattern-zone", "zzzz", "write z"),
])
def test_broken_patterns(key, pattern, problem):
    assert problem in localize.pattern_problem(key, pattern)


def test_shipped_patterns_are_valid():
    from babel.messages.pofile import read_po

    root = Path(localize.__file__).parent / "locales"
    for path in sorted(root.glob("*/LC_MESSAGES/layout.po")):
        with path.open("rb") as f:
            patterns = {m.context: m.string for m in read_po(f) if (m.context or "").startswith("layout:pattern-")}
        assert set(patterns) == {f"layout:{k}" for k in localize.PATTERNS}
        for context, pattern in patterns.items():
            assert localize.pattern_problem(context.split(":", 1)[1], pattern) == "", (path, context)


# -- a translator's override in the project catalog, and a broken one

def _override(po: Path, key: str, value: str) -> int:
    """Set the msgstr of the entry ``layout:<key>`` of a project catalog (update puts the patterns
    in it); return the line of its msgid."""
    text = po.read_text(encoding="utf-8")
    head = f'msgctxt "layout:{key}"\nmsgid "{localize.PATTERNS[key][0]}"\nmsgstr "'
    start = text.index(head)
    end = text.index("\n", start + len(head))
    po.write_text(text[:start] + head + value + '"' + text[end:], encoding="utf-8")
    return text[:start].count("\n") + 2


def test_translator_sets_the_time_pattern_in_the_catalog(tmp_path):
    root = copy_default_project(tmp_path / "p")
    po = root / "locales" / "fr" / "LC_MESSAGES" / "reportgen.po"
    _override(po, "pattern-time", "HH'h'mm")
    _override(po, "pattern-time-range", "'de' HH:mm 'à' HH:mm")
    _override(po, "pattern-date", "EEEE d MMMM y")
    _override(po, "pattern-zone", "z")
    assert _build(root, "americas-2024", "--lang", "fr", "--format", "docx") == 0
    text = docx_text(root / "build" / "americas-2024" / "americas-2024.fr.docx")
    assert "de 16h00 à 17h30 (CET)" in text
    assert "de 16:00 à 17:30 (heure CET)" in text
    assert "jeudi 18 janvier 2024" in text


def test_broken_pattern_is_an_error_at_its_entry(tmp_path, capsys):
    root = copy_default_project(tmp_path / "p")
    po = root / "locales" / "pt" / "LC_MESSAGES" / "reportgen.po"
    line = _override(po, "pattern-time", "H'h[mm]")
    capsys.readouterr()
    assert _build(root, "americas-2024", "--lang", "pt") == 1
    err = capsys.readouterr().err
    assert (f"locales/pt/LC_MESSAGES/reportgen.po:{line}: error: [pattern] pt: layout:pattern-time: "
            "\"H'h[mm]\": unclosed quote at column 2") in err, err
    assert "Traceback" not in err
    assert not (root / "build" / "americas-2024" / "americas-2024.pt.pdf").exists()
