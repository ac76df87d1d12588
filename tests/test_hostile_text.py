"""Any text renders, in both formats and all four languages, or is refused with a located error.

Each hostile text is put in every text field (series, title, organiser, location, keyword, heading,
paragraph, bullet): in the YAML source for English, in the PO catalog for es/fr/pt. The documents
are read back (python-docx; pdftotext) and must show the text literally; PDF words must stay
inside the page's margins; the font must have every glyph drawn (no black boxes). Nothing may be
fetched from the network while rendering.
"""

from __future__ import annotations

import re
import shutil
import socket
import string
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import pytest
from docx import Document
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reportgen import model
from reportgen.errors import InputError
from reportgen.render.docx_properties import prop
from reportgen.render.fonts import check_glyphs
from reportgen.render.pdf import register_family

from .hostile import LANGS, PDFTOTEXT, build_doc, docx_paragraphs, pdf_body_text, pdf_expected, pdf_words_outside, render, squash

needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")

HOSTILE = {
    "markup": '<b>bold</b> </para> &amp; <!-- comment --> <img src="http://example.com/x.png"/> '
              '<a href="http://example.com">link</a> <font color="red">red</font> &lt; &#65; ]]> <![CDATA[x]]>',
    "braces-percent": "{name} %s %(name)s %d {{ }} {0} {} {dates} {{name}} 100% {",
    "backslashes": r"C:\new\table \\server\share \u0041 \n \t \ end\\",
    "quotes": "\"double\" 'single' “curly” ‘curly’ «guillemets» „low“ ‹single› `back` ´acute´",
    "tabs-and-lines": "before\ttab\t\ttabs\nsecond line\n\nafter a blank line",
    "combining-accents": "Cafe\u0301 na\u0308ive man\u0303a Z\u030c q\u0301 a\u0328\u0301",
    "direction-marks": "\u200eleft-to-right\u200e \u200fright-to-left\u200f \u202aembedded\u202c "
                       "\u202eoverride\u202c \u2066isolate\u2069 \u2067rtl isolate\u2069",
    "zero-width": "zero\u200bwidth\u200cnon\u200djoiner\u2060word\ufeffbom soft\u00adhyphen",
    "long-paragraph": " ".join(f"word{i}" for i in range(2500)),  # about 20,000 characters
    "long-url": ("https://example.org/" + "/".join(f"segment{i:03d}?q=abcdef&x=" for i in range(30)))[:500],
}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Rendering must not fetch anything (a `<img src="http://...">` in text is text)."""

    def refuse(*args, **kwargs):
        raise AssertionError("reportgen tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_hostile_texts_are_long_enough():
    assert len(HOSTILE["long-paragraph"]) >= 20_000
    assert len(HOSTILE["long-url"]) >= 500 and " " not in HOSTILE["long-url"]


def check_docx(data: bytes, text: str, where: Path) -> None:
    paragraphs = docx_paragraphs(data, where)
    # series, title, organiser, heading, paragraph, bullet: exactly the text, every character kept
    assert paragraphs.count(text) == 6, [p[:60] for p in paragraphs]
    # the location, a line of the title block's facts paragraph
    assert any((": " + text + "\n") in (p + "\n") for p in paragraphs)
    props = Document(str(where / "out.docx")).core_properties
    assert props.title == prop(text)
    assert props.keywords == prop(text)


def check_pdf(data: bytes, text: str, where: Path) -> None:
    body = squash(pdf_body_text(data, where))
    expected = pdf_expected(text)
    assert expected, "nothing drawable: the test text is wrong"
    assert body.count(expected) >= 7, (expected[:80], body[:400])  # 7 fields drawn on the pages
    assert pdf_words_outside(data, where) == []


@needs_pdftotext
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_renders_literally(name, lang, tmp_path):
    text = HOSTILE[name]
    built = build_doc(tmp_path, text, lang)
    assert built.translator.diagnostics.items == []
    assert check_glyphs(built.doc) == []  # every character drawn has a glyph: no black boxes
    check_docx(render(built.doc, "docx"), text, tmp_path)
    check_pdf(render(built.doc, "pdf"), text, tmp_path)


@needs_pdftotext
@pytest.mark.parametrize("lang", ["en", "fr"])  # the source and the catalog path; 5 s each
def test_ten_thousand_bullets(lang, tmp_path):
    n = 10_000
    bullets = [f"Bullet {i}" for i in range(n)]
    translated = [f"{lang} {i} <&>" for i in range(n)]
    built = build_doc(tmp_path, "Text", lang, bullets=bullets, translated_bullets=translated)
    shown = bullets if lang == "en" else translated
    paragraphs = docx_paragraphs(render(built.doc, "docx"), tmp_path)
    assert paragraphs[-n:] == shown
    pdf = render(built.doc, "pdf")
    body = squash(pdf_body_text(pdf, tmp_path))
    assert body.endswith("".join("•" + squash(b) for b in shown))  # every bullet, in order
    assert pdf_words_outside(pdf, tmp_path) == []


# --------------------------------------------------------------------------- what cannot be shown


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x9f", "\ufffe", "\uffff", "\U0010ffff"])
def test_control_characters_in_a_source_are_located_errors(char, tmp_path):
    with pytest.raises(InputError) as info:
        build_doc(tmp_path, f"Before{char}after", "en")
    kind = "control character" if ord(char) <= 0x9F else "noncharacter"
    pattern = re.compile(rf"sources/hostile\.yaml:(\d+):\d+: error: ([a-z.\[\]0-9]+): "
                         rf"{kind} U\+{ord(char):04X} at character 7 cannot be shown")
    found = [pattern.match(str(d)) for d in info.value.diagnostics]
    assert all(found), info.value
    # one error per field, each at the line of that field
    assert {m.group(2) for m in found} == {
        "series", "title", "organiser", "event.location", "keywords[1]", "sections[1].heading",
        "sections[1].body[1].paragraph", "sections[1].body[2].bullets[1].text"}
    assert len({m.group(1) for m in found}) == 8


@pytest.mark.parametrize("lang", LANGS[1:])
@pytest.mark.parametrize("char", ["\x01", "\x0b", "\x7f", "\x85"])
def test_control_characters_in_a_translation_are_located_errors(char, lang, tmp_path):
    built = build_doc(tmp_path, f"Avant{char}après", lang)
    lines = [str(d) for d in built.translator.diagnostics]
    assert len(lines) == 8
    po = f"locales/{lang}/LC_MESSAGES/reportgen.po:"
    assert all(line.startswith(po) and f"U+{ord(char):04X}" in line for line in lines), lines
    assert any(f"{lang}: translation of 'hostile:title': control character U+{ord(char):04X} at character 6 "
               "cannot be shown" in line for line in lines)


def test_control_character_in_a_catalog_stops_the_build(default_project, cli):
    po = default_project / "locales" / "fr" / "LC_MESSAGES" / "reportgen.po"
    text = po.read_text("utf-8")
    start = text.index('msgstr "', text.index('msgctxt "africa-2024:title"')) + len('msgstr "')
    po.write_text(text[:start] + "\x1b[31m" + text[start:], "utf-8")
    line = text[:start].count("\n")  # Babel locates a message at its msgid line
    run = cli("build", "-q", cwd=default_project)
    assert run.code == 1
    assert run.err_lines == [
        f"locales/fr/LC_MESSAGES/reportgen.po:{line}: error: [characters] fr: translation of 'africa-2024:title': "
        "control character U+001B at character 1 cannot be shown "
        "(tab and line break are the only control characters a text may contain)"
    ]
    assert not (default_project / "build").exists()


# Characters outside the bundled font (emoji, Hebrew, Arabic, CJK) are reported before rendering by
# the glyph preflight of issue 5: exit 1 with a located error naming the code point.
OUTSIDE_FONT = {"emoji": "Thanks \U0001F600!", "hebrew": "שלום", "arabic": "مرحبا", "cjk": "你好"}


@pytest.mark.parametrize("name", list(OUTSIDE_FONT))
def test_characters_outside_the_font_are_located_errors(name, default_project, cli):
    text = OUTSIDE_FONT[name]
    src = default_project / "sources" / "africa-2024.yaml"
    src.write_text(src.read_text("utf-8").replace("title: Regional", f"title: {text} Regional"), "utf-8")
    run = cli("build", "-q", "--lang", "en", cwd=default_project)
    assert run.code == 1
    assert "Traceback" not in run.err
    assert any(line.startswith("sources/africa-2024.yaml:6:") and f"U+{ord(text[-2 if name == 'emoji' else 0]):04X}" in line
               for line in run.err_lines), run.err


@pytest.mark.parametrize("name", list(OUTSIDE_FONT))
def test_characters_outside_the_font_never_crash_a_renderer(name, tmp_path):
    """Whatever the preflight decides, the renderers themselves do not fail on such text."""
    built = build_doc(tmp_path, OUTSIDE_FONT[name], "fr")
    assert check_glyphs(built.doc)  # what the preflight reports
    for fmt in ("docx", "pdf"):
        assert render(built.doc, fmt)[:2] in (b"PK", b"%P")


# --------------------------------------------------------------------------- property-based


def _drawable(ch: str) -> bool:
    cmap = register_family().face.charToGlyph
    return ord(ch) in cmap or unicodedata.category(ch) == "Cf"


_ALPHABET = "".join(ch for ch in (
    string.ascii_letters + string.digits + string.punctuation + " \t\n"
    + "".join(map(chr, range(0xA1, 0x100))) + "".join(map(chr, range(0x300, 0x370)))
    + "ΑΒΓΔαβγδωЖжЯяЁё“”‘’«»„–—…•€\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u202a\u202c\u2066\u2069"
) if _drawable(ch))

drawable_text = st.text(alphabet=_ALPHABET, min_size=1, max_size=200)
PROPERTY = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _usable(text: str) -> str:
    text = text.strip()
    assume(text and not model.placeholders_in(text))
    assume(squash(text) and pdf_expected(text))  # something visible
    return text


@needs_pdftotext
@PROPERTY
@given(text=drawable_text, lang=st.sampled_from(LANGS))
def test_property_drawable_text_appears_literally(text, lang):
    text = _usable(text)
    with tempfile.TemporaryDirectory() as d:
        where = Path(d)
        built = build_doc(where, text, lang)
        assert built.translator.diagnostics.items == []
        assert check_glyphs(built.doc) == []
        check_docx(render(built.doc, "docx"), text, where)
        check_pdf(render(built.doc, "pdf"), text, where)


@PROPERTY
@given(text=st.text(min_size=1, max_size=100), lang=st.sampled_from(LANGS))
def test_property_any_text_renders_or_is_refused_with_a_location(text, lang):
    """Any Unicode text: either a located error (control characters), or both formats render."""
    text = text.strip()
    assume(text and not model.placeholders_in(text))
    with tempfile.TemporaryDirectory() as d:
        where = Path(d)
        try:
            built = build_doc(where, text, lang)
        except InputError as exc:
            assert exc.diagnostics
            assert all(d.location and d.location.line > 0 for d in exc.diagnostics), exc
            assert model.FORBIDDEN_CHAR_RE.search(text), exc
            return
        problems = list(built.translator.diagnostics)
        if problems:
            assert all(d.location and d.location.line > 0 and "U+" in d.message for d in problems)
            assert model.FORBIDDEN_CHAR_RE.search(text)
            return
        assert not model.FORBIDDEN_CHAR_RE.search(text)
        for fmt in ("docx", "pdf"):
            assert render(built.doc, fmt)


SOFFICE = shutil.which("soffice")


@needs_pdftotext
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_docx_long_url_stays_inside_the_page_in_a_word_processor(tmp_path):
    """Word processors wrap the DOCX themselves; LibreOffice lays the 500-character URL out within
    the margins too (checked on its PDF export)."""
    text = HOSTILE["long-url"]
    built = build_doc(tmp_path, text, "pt")
    docx = tmp_path / "url.docx"
    docx.write_bytes(render(built.doc, "docx"))
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path / "lo"), str(docx)],
                   check=True, capture_output=True, timeout=120)
    pdf = (tmp_path / "lo" / "url.pdf").read_bytes()
    assert pdf_words_outside(pdf, tmp_path) == []
    assert squash(text) in squash(pdf_body_text(pdf, tmp_path))


# --------------------------------------------------------------------------- YAML shortcuts


_values = st.recursive(
    st.one_of(st.text(alphabet="ab &*-:[]{}#'\"\n", max_size=6), st.integers()),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(alphabet="abc&- ", min_size=1, max_size=3), inner, max_size=3)),
    max_leaves=30)


def _depth(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


@given(value=_values, flow=st.sampled_from([None, True, False]), indent=st.sampled_from([2, 4]))
@settings(max_examples=300, deadline=None)
def test_the_cheap_depth_bound_never_underestimates(value, flow, indent):
    """sources._depth_bound lets a source skip the event pass that guards the composer's recursion:
    it must be at least the real nesting depth, whatever the YAML style."""
    import yaml

    from reportgen.sources import _depth_bound

    text = yaml.safe_dump(value, default_flow_style=flow, indent=indent, allow_unicode=True)
    assert _depth_bound(text) >= _depth(value)
    compact = yaml.safe_dump(value, default_flow_style=False, indent=indent).replace("-   ", "- ")
    assert _depth_bound(compact) >= _depth(value)
