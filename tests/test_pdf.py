"""The PDF participants receive: fonts, glyph preflight, layout, metadata, navigation, reproducibility.

Every check reopens the PDF (pypdf, or poppler's pdftotext/pdffonts when installed)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen import model
from reportgen.errors import Location
from reportgen.render.fonts import check_glyphs, coverage
from reportgen.render import RenderOptions
from reportgen.render.pdf import markup, render

from .conftest import EPOCH, REPO, copy_default_project

LANGS = ("en", "es", "fr", "pt")
TAGS = {"en": "en-GB", "es": "es-ES", "fr": "fr-FR", "pt": "pt-BR"}
TITLES = {
    "en": "Regional Consultation for the Americas",
    "es": "Consulta regional para las Américas",
    "fr": "Consultation régionale pour les Amériques",
    "pt": "Consulta regional para as Américas",
}
HEADINGS = {"en": "Challenges and recommendations", "es": "Desafíos y recomendaciones",
            "fr": "Défis et recommandations", "pt": "Desafios e recomendações"}
# Words with accents that must come out of the PDF intact (text extraction maps glyphs back).
ACCENTED = {"es": ("Página", "ciberdelincuencia", "Américas"), "fr": ("Défis", "cybercriminalité", "interprètes"),
            "pt": ("Página", "recomendações", "cibernético"), "en": ()}
ENGLISH = ("Challenges and recommendations", "Participants", "Page 1 of", "Outcome report", "OUTCOME REPORT",
           "Time", "January")
STANDARD_14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                                   reason="pdftotext/pdffonts (Debian poppler-utils) not installed")


def norm(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text)


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdffonts(path: Path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) for every font of the document."""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        m = re.match(r"^(\S+)\s+.*?\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", line)
        assert m, line
        rows.append((m.group(1), m.group(2)))
    return rows


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_default_project(tmp_path_factory.mktemp("pdf"))
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "reportgen", "build", "-q", "--format", "pdf"], cwd=root, env=env,
                   check=True)
    return root / "build"


def pdf(built: Path, lang: str, source: str = "americas-2024") -> Path:
    return built / source / f"{source}.{lang}.pdf"


# --------------------------------------------------------------------------- a report made in code


def phrase(text: str, context: str = "") -> model.Phrase:
    return model.Phrase(text, context=context)


def make_doc(sections=(), *, title="A title", lang="en", facts=(("Date", "18 January 2024"),),
             organiser="The Alliance of NGOs on Crime Prevention & Criminal Justice", draft=False) -> model.LocalizedReport:
    return model.LocalizedReport(
        source_id="t", lang=lang, tag=TAGS.get(lang, lang), title=phrase(title, "t:title"),
        series=phrase("A series", "t:series"), organiser=phrase(organiser, "t:organiser") if organiser else None,
        kind_label="Outcome report", facts=tuple(facts), event_line=" · ".join(v for _, v in facts),
        sections=tuple(sections), labels=model.Labels(page_footer=("Page ", "{page}", " of ", "{pages}")),
        keywords=("one", "two"), draft=draft,
        created=dt.datetime.fromtimestamp(int(EPOCH), dt.timezone.utc), generator="reportgen test",
    )


def section(sid: str, heading: str | None, *blocks: model.LBlock) -> model.LSection:
    return model.LSection(sid, phrase(heading) if heading else None, tuple(blocks))


def para(text: str) -> model.LParagraph:
    return model.LParagraph(phrase(text))


def bullets(*items: str) -> model.LBulletList:
    return model.LBulletList(tuple(phrase(i) for i in items))


def write(tmp_path: Path, doc: model.LocalizedReport, name: str = "t.pdf", theme: model.Theme = model.Theme()) -> Path:
    path = tmp_path / name
    path.write_bytes(render(doc, RenderOptions(theme=theme)).data)
    return path


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(path)).pages]


# --------------------------------------------------------------------------- text per language


@pytest.mark.parametrize("lang", LANGS)
def test_text_accents_and_no_english_labels(built, lang):
    text = norm("\n".join(page_texts(pdf(built, lang))))
    for word in ACCENTED[lang] + (TITLES[lang], HEADINGS[lang]):
        assert word in text
    if lang != "en":
        for word in ENGLISH:
            assert word not in text, f"English {word!r} in the {lang} PDF"


@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_pdftotext_reads_the_first_page_in_order(built, lang):
    """Reading order: kind, series, title, facts, then the body (what a screen reader follows)."""
    text = norm(pdftotext(pdf(built, lang, "africa-2024")))
    order = {"en": ("ANNOUNCEMENT", "Regional Cybercrime Consultations for Africa", "18 January 2024",
                    "Remote", "The Regional Cyber Consultations"),
             "es": ("ANUNCIO", "Consultas regionales sobre ciberdelincuencia para África", "18 de enero de 2024",
                    "En línea", "Las Consultas regionales"),
             "fr": ("ANNONCE", "Consultations régionales sur la cybercriminalité pour l’Afrique", "18 janvier 2024",
                    "En ligne", "Les Consultations régionales"),
             "pt": ("COMUNICADO", "Consultas regionais sobre crime cibernético para a África",
                    "18 de janeiro de 2024", "On-line", "As Consultas regionais")}[lang]
    positions = [text.find(part) for part in order]
    assert -1 not in positions, (positions, text[:400])
    assert positions == sorted(positions)


# --------------------------------------------------------------------------- metadata and navigation


@pytest.mark.parametrize("lang", LANGS)
def test_metadata_language_and_xmp(built, lang):
    reader = PdfReader(str(pdf(built, lang)))
    meta = reader.metadata
    assert meta.title == TITLES[lang]
    assert meta.author == {"en": "The Alliance of NGOs on Crime Prevention & Criminal Justice",
                           "es": "Alianza de ONG para la Prevención del Delito y la Justicia Penal",
                           "fr": "Alliance des ONG pour la prévention du crime et la justice pénale",
                           "pt": "Aliança de ONGs para a Prevenção do Crime e a Justiça Criminal"}[lang]
    assert meta.subject and meta.keywords
    assert meta["/Creator"] == "reportgen 0.1.0"
    assert meta.creation_date == dt.datetime.fromtimestamp(int(EPOCH), dt.timezone.utc)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == TAGS[lang]
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = reader.xmp_metadata
    assert xmp.dc_title == {"x-default": TITLES[lang], TAGS[lang]: TITLES[lang]}
    assert xmp.dc_language == [TAGS[lang]]
    assert xmp.dc_creator == [meta.author]
    assert xmp.xmp_create_date.replace(tzinfo=dt.timezone.utc) == meta.creation_date


@pytest.mark.parametrize("lang", LANGS)
def test_outlines_open_and_point_at_their_heading(built, lang):
    reader = PdfReader(str(pdf(built, lang)))
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"
    outline = reader.outline
    assert [o.title for o in outline] == [TITLES[lang], HEADINGS[lang]]
    for entry in outline:
        page = reader.get_destination_page_number(entry)
        assert norm(entry.title) in norm(reader.pages[page].extract_text())


def test_page_labels(built):
    reader = PdfReader(str(pdf(built, "fr")))
    assert len(reader.pages) == 2
    assert reader.page_labels == ["1", "2"]
    assert reader.trailer["/Root"]["/PageLabels"]["/Nums"][1]["/S"] == "/D"


def test_footer_page_x_of_y_on_every_page(tmp_path):
    doc = make_doc([section("s", "Heading", para("Long text. " * 1200))])
    texts = page_texts(write(tmp_path, doc))
    assert len(texts) >= 3
    for n, text in enumerate(texts, 1):
        assert f"Page {n} of {len(texts)}" in text
        assert "A title" in text  # running footer


# --------------------------------------------------------------------------- fonts


def edge_doc() -> model.LocalizedReport:
    """Empty sections and lists, a section without heading, bullets, a draft mark, markup-like text."""
    sections = [
        section("empty", None),
        section("heading-only", "Heading without body"),
        section("no-heading", None, para("A paragraph without heading & <b>not bold</b>.")),
        section("lists", "Lists", bullets(), bullets("One", "Two " * 60), para("After the list.")),
        section("draft", "Draft", model.LBulletList((model.Phrase("Fuzzy & <i>text</i>", marked=True),)),
                model.LParagraph(model.Phrase("Fuzzy paragraph", marked=True))),
    ]
    doc = make_doc(sections, draft=True)
    return doc


@needs_poppler
def test_every_font_embedded_no_standard_14(built, tmp_path):
    paths = sorted(built.rglob("*.pdf")) + [write(tmp_path, edge_doc(), "edge.pdf"),
                                              write(tmp_path, make_doc(facts=(), organiser=None), "bare.pdf")]
    for path in paths:
        fonts = pdffonts(path)
        assert fonts, path
        for name, embedded in fonts:
            assert embedded == "yes", (path.name, name)
            assert not name.split("+")[-1].startswith(STANDARD_14), (path.name, name)
            assert "NotoSans" in name
        if shutil.which("qpdf"):  # structure, streams and cross-reference table are valid
            check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
            assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout


def test_markup_like_text_appears_literally(tmp_path):
    doc = edge_doc()
    text = norm("\n".join(page_texts(write(tmp_path, doc))))
    assert "A paragraph without heading & <b>not bold</b>." in text
    assert "The Alliance of NGOs on Crime Prevention & Criminal Justice" in text
    assert "Heading without body" in text and "After the list." in text
    assert "• Fuzzy & <i>text</i> [draft]" in text and "Fuzzy paragraph [draft]" in text
    assert "DRAFT" in text


def test_narrow_no_break_spaces_never_break():
    assert markup("1\u202f250 & 16:00\u2009–\u200917:30") == "1\u00a0250 &amp; 16:00\u00a0–\u00a017:30"


_WORDS = ("la consultation régionale sur la cybercriminalité a réuni plus de 1\u202f250 parties prenantes « Convention » "
          "; : ! ? 16:00\u2009–\u200917:30 coopération transfrontière, protection des données & droits humains "
          "l’échelle Américas sociedade academia anti-corruption well-being").split()


def _lines_of(flowable) -> list[str]:
    """The lines a _Text or a Paragraph was broken into, spaces collapsed."""
    if hasattr(flowable, "blPara"):
        bl = flowable.blPara
        raw = [" ".join(words) for _, words in bl.lines] if bl.kind == 0 else \
              ["".join(w.text for w in line.words) for line in bl.lines]
    else:
        raw = [line for line, _, _ in flowable._lines]
    return [" ".join(line.split(" ")).strip() for line in raw]


def test_plain_text_breaks_lines_as_a_paragraph_does():
    """_Text (the fast flowable for text without markup) breaks where ReportLab's Paragraph does,
    including its 5 % space shrinking, for every style of a report and widths from a table cell to
    a page; so the same text lays out the same with or without a draft mark. (Only a word wider than
    the line is broken differently: Paragraph fills the current line with its start, _Text starts it
    on a line of its own.)"""
    import random

    from reportlab.platypus import Paragraph

    from reportgen.render.fonts import plain
    from reportgen.render.pdf import _fonts, _Styles
    from reportgen.render.pdf_text import Text as _Text, Widths as _Widths

    fonts = _fonts(model.Theme())
    st = _Styles(fonts.main, model.Theme())
    styles = [st.body, st.title, st.heading, st.bullet, st.series, st.kind, st.fact_value, st.organiser]
    rng = random.Random(8)
    shrunk = 0
    for _ in range(400):
        text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 60)))
        style, width = rng.choice(styles), rng.uniform(220, 470)  # every word fits (see the next test)
        fast = _Text(plain(text), style, _Widths())
        fast.wrap(width, 1e6)
        slow = Paragraph(markup(text), style)
        slow.wrap(width, 1e6)
        assert _lines_of(fast) == _lines_of(slow), (text, style.name, width)
        shrunk += any(space < 0 for _, _, space in fast._lines)
    assert shrunk > 10  # the cases where spaces are drawn narrower were exercised


def test_a_split_plain_text_can_be_broken_again_at_another_width():
    """A table splits a cell at one width and draws it at another: each part keeps its own text
    (with its line breaks and the pieces of a word broken between characters), not just its lines."""
    from reportgen.render.pdf import _fonts, _Styles
    from reportgen.render.pdf_text import Text as _Text, Widths as _Widths

    fonts = _fonts(model.Theme())
    st = _Styles(fonts.main, model.Theme())
    text = "first paragraph " * 30 + "\n" + "x" * 300 + "\nlast words here"
    t = _Text(text, st.body, _Widths())
    first, rest = t.split(300, st.body.leading * 6)
    assert (first.height, rest.height) == (6 * st.body.leading, (len(t._lines) - 6) * st.body.leading)
    joined = [line for part in (first, rest) for line, _, _ in part._lines]
    for part in (first, rest):
        part.wrap(250, 1e6)  # narrower: broken again, from its own text
    again = [line for part in (first, rest) for line, _, _ in part._lines]
    assert "".join(again).replace(" ", "") == "".join(joined).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    assert not [line for line in again if "x " in line or " x" in line]  # no space put inside the long word
    assert rest._lines[-1][0] == "last words here"  # the line break kept
    assert len(again) > len(joined)


def test_numbers_with_narrow_spaces_stay_on_one_line(tmp_path):
    number = "1\u202f250\u202f000"
    doc = make_doc([section("s", None, para(" ".join([number] * 120)))])
    lines = [ln for ln in page_texts(write(tmp_path, doc))[0].splitlines() if "250" in ln]
    assert len(lines) > 3
    for line in lines:
        assert re.fullmatch(r"(1[\s\u00a0]250[\s\u00a0]000 ?)+", line.strip()), line


@needs_poppler
def test_long_words_and_paragraphs_wrap_inside_margins(tmp_path):
    url = "https://example.org/" + "a-very-long-path-segment/" * 20  # 520 characters, no space
    assert len(url) >= 500
    doc = make_doc([section("s", "Links", para(f"See {url} for details. " + "Words " * 300), bullets(url))],
                   facts=(("Link", url),))
    path = write(tmp_path, doc)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    margin = 20 / 25.4 * 72
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', html)
    assert len(words) > 300
    for x0, x1 in words:
        assert float(x0) >= margin - 1 and float(x1) <= width - margin + 1, (x0, x1)
    assert url in norm(pdftotext(path)).replace(" ", "")


def test_heading_never_alone_at_the_foot_of_a_page(tmp_path):
    """Push a heading down line by line across a page end: it always shares its page with text
    that follows it."""
    seen_split = 0
    for n in range(30, 60, 2):
        filler = [para(f"Filler line {i}.") for i in range(n)]
        doc = make_doc([section("a", None, *filler),
                        section("b", "Next heading", para("First words of the section. " * 40))])
        texts = page_texts(write(tmp_path, doc, f"h{n}.pdf"))
        page = next(i for i, t in enumerate(texts) if "Next heading" in t)
        body = [ln.strip() for ln in texts[page].splitlines() if not ln.startswith("A title")]
        after = body[body.index("Next heading") + 1:] if "Next heading" in body else []
        assert any("First words" in ln for ln in after), (n, texts[page][-300:])
        seen_split += len(texts) > 1
    assert seen_split  # some of the cases did cross a page end


def test_heading_keeps_the_first_lines_of_a_long_paragraph(tmp_path):
    """A heading near the foot of a page takes the first lines of a long paragraph with it instead of
    leaving the rest of the page blank."""
    doc = make_doc([section("a", None, *[para(f"Filler line {i}.") for i in range(30)]),
                    section("b", "Next heading", para("First words of the section. " * 200))])
    texts = page_texts(write(tmp_path, doc))
    page = next(i for i, t in enumerate(texts) if "Next heading" in t)
    assert "Filler line 29." in texts[page]


def test_page_sizes(tmp_path):
    a4 = PdfReader(str(write(tmp_path, make_doc(), "a4.pdf"))).pages[0].mediabox
    letter = PdfReader(str(write(tmp_path, make_doc(), "l.pdf", model.Theme(page_size="Letter")))).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)


# --------------------------------------------------------------------------- glyph preflight


def test_check_glyphs_names_field_location_and_code_point():
    loc = Location("locales/fr/LC_MESSAGES/reportgen.po", 12)
    doc = make_doc([section("s", None, para("ok"))], lang="fr")
    doc = doc._replace(title=model.Phrase("Titre 中", context="t:title", origin=loc))
    assert [str(d) for d in check_glyphs(doc)] == [
        "locales/fr/LC_MESSAGES/reportgen.po:12: error: fr: t:title: U+4E2D '中' is not in the font NotoSans"]
    assert check_glyphs(make_doc([section("s", "Défis", para("Ça & «ok» 1\u202f250 – “x”"))])) == []


def test_preflight_stops_the_build_with_the_catalog_line(default_project, cli):
    po = default_project / "locales" / "fr" / "LC_MESSAGES" / "reportgen.po"
    text = po.read_text("utf-8")
    text = text.replace('msgstr "Consultation régionale pour les Amériques"',
                        'msgstr "Consultation régionale 中 pour les Amériques"')
    po.write_text(text, "utf-8")
    line = text.splitlines().index('msgctxt "americas-2024:title"') + 2  # Babel's line: the msgid
    run = cli("build", cwd=default_project)
    assert run.code == 1
    assert run.err_lines == [
        f"locales/fr/LC_MESSAGES/reportgen.po:{line}: error: fr: americas-2024:title: U+4E2D '中' is not in the font NotoSans"]
    assert not (default_project / "build").exists()  # neither format was written


def test_preflight_points_at_the_source_when_english_is_shown(default_project, cli):
    src = default_project / "sources" / "africa-2024.yaml"
    text = src.read_text("utf-8").replace("location: Remote", "location: Remote ☃")
    src.write_text(text, "utf-8")
    line = text.splitlines().index("  location: Remote ☃") + 1
    run = cli("build", "--lang", "en", "--format", "docx,pdf", cwd=default_project)
    assert run.code == 1
    assert run.err_lines == [
        f"sources/africa-2024.yaml:{line}:13: error: en: africa-2024:event:location: U+2603 '☃' is not in the font NotoSans"]
    # a DOCX alone does not use the PDF font: no preflight
    assert cli("build", "-q", "--lang", "en", "--format", "docx", cwd=default_project).code == 0


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@needs_poppler
@pytest.mark.skipif(not DEJAVU.exists(), reason="DejaVu Sans (Debian fonts-dejavu-core) not installed")
def test_theme_fallback_font_draws_other_scripts(default_project, cli):
    (default_project / "fonts").mkdir()
    shutil.copy(DEJAVU, default_project / "fonts" / "DejaVuSans.ttf")
    (default_project / "reportgen.toml").write_text('[theme]\nfallback_font = "fonts/DejaVuSans.ttf"\n', "utf-8")
    po = default_project / "locales" / "fr" / "LC_MESSAGES" / "reportgen.po"
    po.write_text(po.read_text("utf-8").replace('msgstr "Défis et recommandations"',
                                                'msgstr "Défis et recommandations (გამარჯობა)"'), "utf-8")
    assert cli("build", "-q", "--lang", "fr", "--format", "pdf", cwd=default_project).code == 0
    path = default_project / "build" / "americas-2024" / "americas-2024.fr.pdf"
    assert "Défis et recommandations (გამარჯობა)" in norm(pdftotext(path))
    names = [name.split("+")[-1] for name, embedded in pdffonts(path) if embedded == "yes"]
    assert "DejaVuSans" in names and "NotoSans-Bold" in names and len(names) == len(pdffonts(path))
    # a character in neither font is still an error, naming both
    po.write_text(po.read_text("utf-8").replace("გამარჯობა", "中 שלום"), "utf-8")
    run = cli("build", "--lang", "fr", "--format", "pdf", cwd=default_project)
    assert run.code == 1
    assert [line.split(": error: ")[1] for line in run.err_lines] == [
        "fr: americas-2024:recommendations:heading: U+4E2D '中' is not in the font NotoSans nor in the fallback "
        "font DejaVuSans.ttf",
        "fr: americas-2024:recommendations:heading: U+05E9 'ש' is right-to-left text, which the PDF renderer "
        "cannot lay out",
    ]


def _python(code: str) -> list[str]:
    """The lines ``code`` prints in a new Python process (with this checkout's reportgen)."""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONPATH=str(REPO)))
    return run.stdout.splitlines()


def test_importing_the_renderers_changes_no_other_module():
    """Importing the renderers and the sources reader leaves the standard library and ReportLab as
    they are: real modules and compiled patterns, usable at once from any thread."""
    code = ("import re, sys, threading\n"
            "compile_ = re.compile\n"
            "import reportgen.render.pdf, reportgen.render.docx, reportgen.sources\n"
            "import reportlab.platypus.paragraph as p\n"
            "out = []\n"
            "def probe():\n"
            "    import inspect, pickle, textwrap\n"
            "    out.append((inspect.isclass(int), pickle.loads(pickle.dumps('x')), textwrap.dedent('  a')))\n"
            "t = threading.Thread(target=probe); t.start(); t.join()\n"
            "print(out, re.compile is compile_, type(p.uri_pat) is re.Pattern)\n"
            "names = ('inspect', 'pickle', 'textwrap', 'linecache', 'PIL.Image', 'reportlab.lib.PyFontify', 'yaml')\n"
            "print(sorted({type(sys.modules[n]).__name__ for n in names if n in sys.modules}))")
    assert _python(code) == ["[(True, 'x', 'a')] True True", "['module']"]


_SYSTEM_TTF = sorted(Path("/usr/share/fonts/truetype").glob("*/*.ttf"))[:60]


@pytest.mark.parametrize("path", sorted((REPO / "reportgen" / "fonts").glob("*.ttf")) + _SYSTEM_TTF,
                         ids=lambda p: p.name)
def test_preflight_coverage_is_what_reportlab_draws(path):
    """The preflight reads character maps without ReportLab; it must agree with ReportLab about
    which characters have a glyph (not .notdef), or a PDF would show a box the check let through."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFontFile

    try:
        face = TTFontFile(str(path))
    except TTFError:
        pytest.skip("ReportLab cannot use this font")
    assert coverage(path) == {ch for ch, glyph in face.charToGlyph.items() if glyph}


def test_a_damaged_fallback_font_is_a_config_error(default_project, cli):
    good = (REPO / "reportgen" / "fonts" / "NotoSans-Regular.ttf").read_bytes()
    (default_project / "cut.ttf").write_bytes(good[:400])  # the table directory, not the tables
    (default_project / "reportgen.toml").write_text('[theme]\nfallback_font = "cut.ttf"\n', "utf-8")
    run = cli("build", cwd=default_project)
    assert (run.code, run.err_lines) == (1, [
        "reportgen.toml:2: error: theme.fallback_font: 'cut.ttf': cannot read its character map: "
        "its tables are cut short or damaged"])
    assert not (default_project / "build").exists()


# --------------------------------------------------------------------------- theme


def png(path: Path, size=(120, 40)) -> Path:
    from PIL import Image

    Image.new("RGB", size, (31, 78, 121)).save(path)
    return path


def test_logo_on_the_first_page_only(default_project, cli):
    png(default_project / "logo.png")
    (default_project / "reportgen.toml").write_text(
        '[theme]\nlogo = "logo.png"\naccent = "#7A1F2B"\npage_size = "Letter"\n', "utf-8")
    assert cli("build", "-q", "--lang", "fr", "--format", "pdf", cwd=default_project).code == 0
    reader = PdfReader(str(default_project / "build" / "americas-2024" / "americas-2024.fr.pdf"))
    images = [len(page.images) for page in reader.pages]
    assert images[0] == 1 and sum(images) == 1
    assert round(float(reader.pages[0].mediabox.width)) == 612
    fonts = {str(f.get_object()["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts and all("NotoSans" in f for f in fonts), fonts  # the letterhead table adds no Helvetica


@pytest.mark.parametrize("value, message", [
    ("https://example.org/logo.png", "expected a path inside the project, got a URL ('https://example.org/logo.png'); nothing is fetched from the network"),
    ("../logo.png", "expected a path inside the project, got '../logo.png', which leads outside it"),
    ("missing.png", "no such file 'missing.png'"),
    ("notes.txt", "expected a PNG or JPEG image, got 'notes.txt'"),
    ("fake.png", "'fake.png' is not a PNG or JPEG image"),
])
def test_logo_must_be_an_image_inside_the_project(default_project, cli, value, message):
    png(default_project.parent / "logo.png")
    (default_project / "notes.txt").write_text("x")
    (default_project / "fake.png").write_text("not an image")
    (default_project / "reportgen.toml").write_text(f'[theme]\naccent = "#000000"\nlogo = "{value}"\n', "utf-8")
    run = cli("build", cwd=default_project)
    assert run.code == 1
    assert run.err_lines == [f"reportgen.toml:3: error: theme.logo: {message}"]
    assert not (default_project / "build").exists()


def test_theme_font_and_fallback_font_are_checked(default_project, cli):
    (default_project / "bad.ttf").write_bytes(b"OTTO" + bytes(60))
    (default_project / "reportgen.toml").write_text(
        '[theme]\nfont = "NotoSan"\nfallback_font = "bad.ttf"\n', "utf-8")
    run = cli("build", cwd=default_project)
    assert run.code == 1
    assert run.err_lines == [
        "reportgen.toml:2: error: theme.font: unknown font family 'NotoSan'; bundled: NotoSans (did you mean 'NotoSans'?)",
        "reportgen.toml:3: error: theme.fallback_font: 'bad.ttf' is an OpenType font with CFF outlines; "
        "the PDF renderer needs TrueType outlines",
    ]


# --------------------------------------------------------------------------- reproducible


def test_two_processes_give_identical_bytes_and_dates_follow_the_epoch(tmp_path):
    root = copy_default_project(tmp_path / "p")

    def build(out: str, epoch: str) -> bytes:
        env = {**os.environ, "SOURCE_DATE_EPOCH": epoch, "PYTHONHASHSEED": "random", "PYTHONPATH": str(REPO)}
        subprocess.run([sys.executable, "-m", "reportgen", "build", "-C", str(root), "-q", "--format", "pdf",
                        "--lang", "fr", "americas-2024", "--out", str(root / out)], cwd=REPO, env=env, check=True)
        return (root / out / "americas-2024" / "americas-2024.fr.pdf").read_bytes()

    first, second = build("a", EPOCH), build("b", EPOCH)
    assert first == second
    later = build("c", str(int(EPOCH) + 86400))
    assert later != first
    reader = PdfReader(root / "c" / "americas-2024" / "americas-2024.fr.pdf")
    assert reader.metadata.creation_date == dt.datetime(2024, 1, 19, 16, tzinfo=dt.timezone.utc)
    assert reader.xmp_metadata.xmp_create_date.replace(tzinfo=dt.timezone.utc) == reader.metadata.creation_date
