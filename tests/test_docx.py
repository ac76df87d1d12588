"""The DOCX for editing: built-in themed styles, proofing language, properties, page fields,
reproducible bytes, a template (--docx-template), and what a real client (LibreOffice) makes of it."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Inches, RGBColor
from lxml import etree
from pypdf import PdfReader

from reportgen import __version__
from reportgen.cli import main
from reportgen.model import Labels, LBulletList, LocalizedReport, LParagraph, LSection, Phrase
from reportgen.render import RenderOptions
from reportgen.render.docx import render

from .conftest import EPOCH, REPO, copy_default_project

SOURCES = ("americas-2024", "africa-2024")
LANGS = ("en", "es", "fr", "pt")
TAGS = {"en": "en-GB", "es": "es-ES", "fr": "fr-FR", "pt": "pt-BR"}
FOOTER = {"en": ("Page ", " of "), "es": ("Página ", " de "), "fr": ("Page ", " sur "), "pt": ("Página ", " de ")}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1], "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
      "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"}
STYLE_NAMES = {"Title", "Subtitle", "Heading 1", "Heading 2", "List Bullet", "Normal"}


def build_docx(root: Path, *args: str, epoch: str = EPOCH) -> Path:
    old, cwd = os.environ.get("SOURCE_DATE_EPOCH"), os.getcwd()
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        os.chdir(root)
        assert main(["build", "-q", "--format", "docx", *args]) == 0
    finally:
        os.chdir(cwd)
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return root / "build"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_docx(copy_default_project(tmp_path_factory.mktemp("docx")))


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def docx_path(built: Path, source: str, lang: str) -> Path:
    return built / source / f"{source}.{lang}.docx"


def footer_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if re.fullmatch(r"word/footer\d*\.xml", n)]
        assert len(names) == 1, names
        return etree.fromstring(z.read(names[0]))


# --------------------------------------------------------------------------- styles


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("source", SOURCES)
def test_only_builtin_styles_and_no_direct_run_formatting(built, source, lang):
    path = docx_path(built, source, lang)
    doc = Document(str(path))
    assert {p.style.name for p in doc.paragraphs} <= STYLE_NAMES
    assert all(s.builtin for s in doc.styles if s.name in STYLE_NAMES | {"Footer", "Strong", "Intense Emphasis"})
    char_styles = {r.style.name for p in doc.paragraphs for r in p.runs if r.style.name != "Default Paragraph Font"}
    assert char_styles == {"Strong", "Intense Emphasis"}  # fact labels, kind label
    # runs carry only a character style or a language; paragraphs only a style (+ the title
    # block's closing space, and the footer's tab stop)
    body = part(path, "word/document.xml")
    for rpr in body.iter(f"{W}rPr"):
        if rpr.getparent().tag == f"{W}r":
            assert {etree.QName(c).localname for c in rpr} <= {"rStyle", "lang"}, etree.tostring(rpr)
    for ppr in body.iter(f"{W}pPr"):
        assert {etree.QName(c).localname for c in ppr} <= {"pStyle", "spacing", "sectPr"}
    for rpr in footer_xml(path).iter(f"{W}rPr"):
        assert {etree.QName(c).localname for c in rpr} <= {"rStyle", "lang"}


def test_only_the_default_table_style_is_defined(built):
    """No table in a report: of python-docx's 100 table styles only the default one is kept."""
    doc = Document(str(built / "americas-2024" / "americas-2024.fr.docx"))
    tables = [s for s in doc.styles if s.type == WD_STYLE_TYPE.TABLE]
    assert [(s.name, s.element.get(qn("w:default"))) for s in tables] == [("Normal Table", "1")]


def test_styles_are_themed(built):
    path = docx_path(built, "americas-2024", "fr")
    theme = part(path, "word/theme/theme1.xml")
    for font in ("major", "minor"):
        assert theme.find(f".//a:{font}Font/a:latin", NS).get("typeface") == "Arial"
    assert theme.find(".//a:clrScheme/a:accent1/a:srgbClr", NS).get("val") == "1F4E79"
    assert theme.find(".//a:clrScheme/a:dk1/a:srgbClr", NS).get("val") == "1A1A1A"
    doc = Document(str(path))
    styles = doc.styles.element
    defaults = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert defaults.get(qn("w:asciiTheme")) == "minorHAnsi"

    def rpr(name):
        return doc.styles[name].element.find(qn("w:rPr"))

    # body styles take the theme's body font; headings its heading font; no style names a font
    for name in ("Normal", "Subtitle", "List Bullet", "Footer", "Strong", "Intense Emphasis"):
        fonts = rpr(name).find(qn("w:rFonts")) if rpr(name) is not None else None
        assert fonts is None, name
    for name in ("Title", "Heading 1", "Heading 2"):
        assert rpr(name).find(qn("w:rFonts")).get(qn("w:asciiTheme")) == "majorHAnsi"
    for name in ("Heading 1", "Heading 2", "Subtitle", "Intense Emphasis"):
        colour = rpr(name).find(qn("w:color"))
        assert (colour.get(qn("w:val")), colour.get(qn("w:themeColor"))) == ("1F4E79", "accent1"), name
    assert doc.styles["Intense Emphasis"].font.all_caps
    # the kind label's text is as translated; capitals come from the style
    first = doc.paragraphs[0]
    assert first.text == "Rapport final" and first.runs[0].style.name == "Intense Emphasis"
    # headings keep with the next paragraph and are outline level 1 (navigation pane, TOC)
    assert doc.styles["Heading 1"].paragraph_format.keep_with_next
    # no stale Word 2010 copy of the styles
    with zipfile.ZipFile(path) as z:
        assert "word/stylesWithEffects.xml" not in z.namelist()


def test_facts_one_paragraph_with_localized_labels(built):
    fr = Document(str(docx_path(built, "americas-2024", "fr")))
    facts = next(p for p in fr.paragraphs if p.text.startswith("Date de l’événement"))
    lines = facts.text.split("\n")  # one line per fact, in one paragraph
    assert [line.split("\u00a0: ")[0] for line in lines] == ["Date de l’événement", "Horaire", "Nombre de participants"]
    assert lines[0] == "Date de l’événement\u00a0: 18 janvier 2024" and lines[2].endswith(": plus de 71")
    assert [r.text for r in facts.runs if r.style.name == "Strong"] == [
        "Date de l’événement\u00a0:", "Horaire\u00a0:", "Nombre de participants\u00a0:"]
    en = Document(str(docx_path(built, "americas-2024", "en")))
    assert any(p.text.startswith("Date: 18 January 2024\nTime: 16:00–17:30 (CET)") for p in en.paragraphs)


# --------------------------------------------------------------------------- language


@pytest.mark.parametrize("lang", LANGS)
def test_document_language(built, lang):
    path = docx_path(built, "americas-2024", lang)
    styles = part(path, "word/styles.xml")
    assert styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS).get(qn("w:val")) == TAGS[lang]
    settings = part(path, "word/settings.xml")
    assert settings.find("w:themeFontLang", NS).get(qn("w:val")) == TAGS[lang]
    assert settings.find("w:proofState", NS) is None
    assert part(path, "docProps/core.xml").find("dc:language", NS).text == TAGS[lang]
    # no run says another language: everything is translated
    assert part(path, "word/document.xml").find(".//w:r/w:rPr/w:lang", NS) is None


def test_language_tags_from_config(tmp_path):
    root = copy_default_project(tmp_path / "p")
    (root / "reportgen.toml").write_text('languages = ["en", "pt"]\n[language_tags]\npt = "pt-PT"\nen = "en-US"\n')
    out = build_docx(root)
    for lang, tag in (("en", "en-US"), ("pt", "pt-PT")):
        path = out / "africa-2024" / f"africa-2024.{lang}.docx"
        styles = part(path, "word/styles.xml")
        assert styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS).get(qn("w:val")) == tag
        assert part(path, "word/settings.xml").find("w:themeFontLang", NS).get(qn("w:val")) == tag


def test_english_fallback_carries_its_own_language(tmp_path):
    """Text left untranslated is English in a French document: spell-check it as English."""
    root = copy_default_project(tmp_path / "p")
    po = root / "locales" / "fr" / "LC_MESSAGES" / "reportgen.po"
    text = po.read_text("utf-8")
    text = text.replace('msgstr "Consultation régionale pour les Amériques"', 'msgstr ""')
    po.write_text(text, "utf-8")
    (root / "reportgen.toml").write_text('languages = ["en", "fr"]\n[language_tags]\nen = "en-US"\n')
    path = build_docx(root) / "americas-2024" / "americas-2024.fr.docx"
    doc = Document(str(path))
    title = next(p for p in doc.paragraphs if p.style.name == "Title")
    assert title.text == "Regional Consultation for the Americas"
    langs = [r.find("w:rPr/w:lang", NS) for r in title._p.findall("w:r", NS)]
    assert [lang.get(qn("w:val")) for lang in langs] == ["en-US"]
    body = part(path, "word/document.xml")
    assert len(body.findall(".//w:r/w:rPr/w:lang", NS)) == 1  # only the title
    footer_langs = [el.get(qn("w:val")) for el in footer_xml(path).iter(f"{W}lang")]
    assert footer_langs == ["en-US"]  # the running title in the footer


# --------------------------------------------------------------------------- properties and fields


def test_properties(built):
    path = docx_path(built, "americas-2024", "es")
    core = part(path, "docProps/core.xml")

    def get(tag):
        return core.find(tag, NS).text

    assert get("dc:title") == "Consulta regional para las Américas"
    assert get("dc:subject").startswith("18 de enero de 2024 · ")
    assert get("dc:creator") == "Alianza de ONG para la Prevención del Delito y la Justicia Penal"
    assert get("cp:keywords") == "ciberdelincuencia, consulta regional, las Américas"
    assert get("dc:language") == "es-ES"
    assert get("cp:lastModifiedBy") == "reportgen"
    assert get("cp:revision") == "1"
    expected = dt.datetime.fromtimestamp(int(EPOCH), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert get("dcterms:created") == get("dcterms:modified") == expected == "2024-01-18T16:00:00Z"
    app = part(path, "docProps/app.xml")
    assert app.find("ep:Application", NS).text == f"reportgen {__version__}"
    assert re.fullmatch(r"\d\d\.\d{4}", app.find("ep:AppVersion", NS).text)
    assert app.find("ep:Company", NS).text == get("dc:creator")
    with zipfile.ZipFile(path) as z:
        assert not [n for n in z.namelist() if "thumbnail" in n]
        for name in ("_rels/.rels", "[Content_Types].xml"):
            assert b"thumbnail" not in z.read(name)
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_created_follows_source_date_epoch(tmp_path):
    out = build_docx(copy_default_project(tmp_path / "p"), "africa-2024", "--lang", "en", epoch="1700000000")
    core = part(out / "africa-2024" / "africa-2024.en.docx", "docProps/core.xml")
    assert core.find("dcterms:created", NS).text == "2023-11-14T22:13:20Z"
    assert core.find("dcterms:modified", NS).text == "2023-11-14T22:13:20Z"


@pytest.mark.parametrize("lang", LANGS)
def test_footer_page_x_of_y_fields(built, lang):
    footer = footer_xml(docx_path(built, "americas-2024", lang))
    (p,) = footer.findall("w:p", NS)
    assert p.find("w:pPr/w:pStyle", NS).get(qn("w:val")) == "Footer"
    # the runs in order: title, tab, "Página ", PAGE field, " de ", NUMPAGES field
    seq = []
    for r in p.findall("w:r", NS):
        for c in r:
            name = etree.QName(c).localname
            if name == "t":
                seq.append(c.text)
            elif name == "tab":
                seq.append("\t")
            elif name == "fldChar":
                seq.append(c.get(qn("w:fldCharType")))
            elif name == "instrText":
                seq.append(c.text.strip())
    title = Document(str(docx_path(built, "americas-2024", lang))).core_properties.title
    before, between = FOOTER[lang]
    assert seq == [title, "\t", before, "begin", "PAGE", "separate", "1", "end",
                   between, "begin", "NUMPAGES", "separate", "1", "end"]


# --------------------------------------------------------------------------- bytes


def test_reproducible_across_processes(tmp_path):
    root = copy_default_project(tmp_path / "p")
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, PYTHONPATH=str(REPO))
    outputs = []
    for i, seed in enumerate(("1", "2")):
        out = tmp_path / f"out{i}"
        run = subprocess.run([sys.executable, "-m", "reportgen", "build", "-q", "--format", "docx", "--out", str(out)],
                             cwd=root, env=dict(env, PYTHONHASHSEED=seed), capture_output=True, text=True)
        assert (run.returncode, run.stderr) == (0, "")
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.docx"))})
    assert len(outputs[0]) == 8
    assert outputs[0] == outputs[1]


def test_a_reused_template_gives_the_same_bytes_as_a_fresh_one():
    """The prepared template is kept per thread and reused (language, body, footer and properties
    replaced): a document rendered after others, in other languages, is byte for byte the one a
    fresh process makes."""
    from reportgen.render import docx as docx_renderer

    def report(lang: str, tag: str, *texts: str) -> LocalizedReport:
        return _report(*texts, lang=lang)._replace(tag=tag, title=Phrase(f"Title {lang}"))

    first = report("fr", "fr-FR", "Un texte.")
    docx_renderer._LOCAL.__dict__.clear()
    fresh = render(first, RenderOptions()).data
    for other in (report("ar", "ar-EG", "نص"), report("ja", "ja-JP", "テキスト"), report("en", "en-GB", "x" * 500)):
        render(other, RenderOptions())
    assert render(first, RenderOptions()).data == fresh
    arabic = render(report("ar", "ar-EG", "نص"), RenderOptions()).data
    lang = _zip_part(arabic, "word/styles.xml").find(".//w:docDefaults//w:lang", NS)
    assert (lang.get(f"{W}val"), lang.get(f"{W}bidi")) == ("ar-EG", "ar-EG")
    lang = _zip_part(render(first, RenderOptions()).data, "word/styles.xml").find(".//w:docDefaults//w:lang", NS)
    assert (lang.get(f"{W}val"), lang.get(f"{W}bidi"), lang.get(f"{W}eastAsia")) == ("fr-FR", None, None)


def test_the_zip_is_python_docx_s_package_with_fixed_dates_modes_and_order():
    """The package python-docx saves, zipped again: every member dated 1980-01-01 with Unix mode
    0644, [Content_Types].xml first and the others by name; the same parts with the same content
    (but our app.xml and theme, and no thumbnail), each under a correct CRC."""
    import io

    from reportgen.render import docx as docx_renderer

    docx_renderer._LOCAL.__dict__.clear()
    data = render(_report("Un texte.")._replace(tag="fr-FR"), RenderOptions()).data
    saved = io.BytesIO()
    docx_renderer._prepared(RenderOptions()).document.save(saved)
    with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(saved) as plain:
        assert z.testzip() is None
        infos = z.infolist()
        names = [i.filename for i in infos]
        assert names[0] == "[Content_Types].xml" and names[1:] == sorted(names[1:])
        assert {(i.date_time, i.external_attr >> 16, i.create_system, i.compress_type) for i in infos} == {
            ((1980, 1, 1, 0, 0, 0), 0o100644, 3, zipfile.ZIP_DEFLATED)}
        assert set(names) == set(plain.namelist()) and not any("thumbnail" in n for n in names)
        for name in names:
            if name == "docProps/app.xml":
                assert b"<Application>reportgen" in z.read(name) and b"Macintosh" not in z.read(name)
            elif name == "word/theme/theme1.xml":  # with the project's colours and font
                assert z.read(name) == docx_renderer._theme_xml(plain.read(name), RenderOptions()) != plain.read(name)
            else:
                assert z.read(name) == plain.read(name), name


def _zip_part(data: bytes, name: str) -> etree._Element:
    import io

    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


# --------------------------------------------------------------------------- unusual text


def _report(*texts: str, lang: str = "en") -> LocalizedReport:
    return LocalizedReport(
        source_id="x", lang=lang, tag="en-GB", title=Phrase("Title\twith tab"), series=None, organiser=None,
        kind_label=None, facts=(), event_line="", labels=Labels(page_footer=("Page ", "{page}")),
        sections=(LSection("s", Phrase("Heading\nsplit"), tuple(LParagraph(Phrase(t)) for t in texts)
                           + (LBulletList((Phrase(" lead and trail "), Phrase("", marked=True))),)),),
    )


def test_unusual_text_never_breaks_the_document(tmp_path):
    long_word = "Donaudampfschifffahrtsgesellschaftskapitän" * 20
    texts = ("one\ttwo", "line\nbreak", "windows\r\nbreak", "x\u2028y", long_word, "a  b", "<&>\"'", "\u00a0")
    data = render(_report(*texts), RenderOptions()).data
    path = tmp_path / "x.docx"
    path.write_bytes(data)
    doc = Document(str(path))
    got = [p.text for p in doc.paragraphs]
    assert got == ["Title\twith tab", "Heading\nsplit", "one\ttwo", "line\nbreak", "windows\nbreak", "x\ny",
                   long_word, "a  b", "<&>\"'", "\u00a0", " lead and trail ", " [draft]"]
    body = part(path, "word/document.xml")
    assert len(body.findall(".//w:br", NS)) == 4 and len(body.findall(".//w:tab", NS)) == 2
    spaced = [t for t in body.iter(f"{W}t") if t.text and t.text.startswith(" lead")]
    assert spaced[0].get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"


def test_draft_marks_are_the_only_direct_formatting(tmp_path):
    doc = _report("fine")
    doc = doc._replace(draft=True)
    path = tmp_path / "d.docx"
    path.write_bytes(render(doc, RenderOptions()).data)
    body = part(path, "word/document.xml")
    coloured = [r for r in body.iter(f"{W}r") if r.find("w:rPr/w:color", NS) is not None]
    assert ["".join(t.text for t in r.iter(f"{W}t")) for r in coloured] == ["[draft]"]
    footer = footer_xml(path)
    assert [("".join(t.text for t in r.iter(f"{W}t"))) for r in footer.iter(f"{W}r")
            if r.find("w:rPr/w:b", NS) is not None] == ["  DRAFT"]


# --------------------------------------------------------------------------- template


def make_template(path: Path, *, footer_text: str = "Page X of Y, ACME", numbering: bool = True) -> Path:
    """A house template as an organisation might make it: Letter paper, 1" margins, Georgia,
    red headings, a header with the organisation's name, a footer of its own, a first-page
    footer, sample text, and no List Bullet style."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Inches(1))
    doc.styles["Normal"].font.name = "Georgia"
    doc.styles["Heading 1"].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    sec.header.paragraphs[0].text = "ACME Foundation"
    sec.footer.paragraphs[0].text = footer_text
    sec.different_first_page_header_footer = True
    sec.first_page_footer.paragraphs[0].text = "first page footer"
    doc.add_paragraph("Sample text that must not survive", style="Normal")
    styles = doc.styles.element
    styles.remove(doc.styles["List Bullet"].element)
    assert "List Bullet" not in {s.name for s in doc.styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
    if not numbering:  # no numbering definitions at all (numbering.xml)
        for rid, rel in list(doc.part.rels.items()):
            if rel.reltype.endswith("/numbering"):
                del doc.part.rels[rid]
    doc.save(str(path))
    if not numbering:
        assert "word/numbering.xml" not in zipfile.ZipFile(path).namelist()
    return path


def list_bullet_format(doc) -> str:  # type: ignore[no-untyped-def]
    """The number format of the List Bullet style's numbering definition ("bullet" for bullets)."""
    num_id = doc.styles["List Bullet"].element.find("w:pPr/w:numPr/w:numId", NS).get(qn("w:val"))
    numbering = doc.part.numbering_part.element
    num = next(n for n in numbering.findall("w:num", NS) if n.get(qn("w:numId")) == num_id)
    abstract_id = num.find("w:abstractNumId", NS).get(qn("w:val"))
    abstract = next(a for a in numbering.findall("w:abstractNum", NS) if a.get(qn("w:abstractNumId")) == abstract_id)
    return abstract.find("w:lvl/w:numFmt", NS).get(qn("w:val"))


def test_docx_template_without_numbering_gets_the_bullets_too(tmp_path):
    root = copy_default_project(tmp_path / "p")
    template = make_template(tmp_path / "house.docx", numbering=False)
    out = build_docx(root, "americas-2024", "--lang", "fr", "--docx-template", str(template))
    doc = Document(str(out / "americas-2024" / "americas-2024.fr.docx"))
    assert len([p for p in doc.paragraphs if p.style.name == "List Bullet"]) == 9
    assert list_bullet_format(doc) == "bullet"


def test_docx_template(tmp_path):
    root = copy_default_project(tmp_path / "p")
    template = make_template(tmp_path / "house.docx")
    out = build_docx(root, "americas-2024", "--lang", "es", "--docx-template", str(template))
    path = out / "americas-2024" / "americas-2024.es.docx"
    doc = Document(str(path))
    sec = doc.sections[0]
    assert (sec.page_width, sec.page_height, sec.left_margin) == (Inches(8.5), Inches(11), Inches(1))
    assert doc.styles["Normal"].font.name == "Georgia"
    assert doc.styles["Heading 1"].font.color.rgb == RGBColor(0xC0, 0x00, 0x00)
    assert sec.header.paragraphs[0].text == "ACME Foundation"
    texts = [p.text for p in doc.paragraphs]
    assert "Sample text that must not survive" not in texts
    assert texts[2] == "Consulta regional para las Américas"
    # List Bullet came from the default template, with a bullet definition of its own
    bullets = [p for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert len(bullets) == 9
    assert list_bullet_format(doc) == "bullet"
    # both footers (default and first page) are ours, in Spanish, flush right at Letter's text edge
    for footer in (sec.footer, sec.first_page_footer):
        assert footer.paragraphs[0].text == "Consulta regional para las Américas\tPágina 1 de 1"
        tabs = footer.paragraphs[0]._p.find("w:pPr/w:tabs", NS)
        assert [(t.get(qn("w:val")), t.get(qn("w:pos"))) for t in tabs] == [
            ("clear", "4680"), ("right", str(int(6.5 * 1440)))]
    # the document language is set in the template's defaults too
    styles = part(path, "word/styles.xml")
    assert styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS).get(qn("w:val")) == "es-ES"


@pytest.mark.parametrize("name, content, message", [
    ("missing.docx", None, "no such file"),
    ("notes.docx", b"just text", "not a DOCX file (not a zip archive)"),
    ("archive.docx", "zip", "not a DOCX file (a zip archive without a Word document in it)"),
])
def test_docx_template_errors(default_project, cli, name, content, message):
    if content == "zip":
        with zipfile.ZipFile(default_project / name, "w") as z:
            z.writestr("hello.txt", "hi")
    elif content is not None:
        (default_project / name).write_bytes(content)
    run = cli("build", "--docx-template", name, cwd=default_project)
    assert (run.code, run.err_lines) == (1, [f"{name}: error: {message}"])
    assert not (default_project / "build").exists()


# --------------------------------------------------------------------------- a real client


@pytest.fixture(scope="module")
def libreoffice_pdfs(built, tmp_path_factory) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice; Debian package libreoffice-writer-nogui) is not installed")
    tmp = tmp_path_factory.mktemp("lo")
    files = sorted(str(p) for p in built.rglob("*.docx"))
    run = subprocess.run([soffice, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
                          "--convert-to", "pdf", "--outdir", str(tmp / "pdf"), *files],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return tmp / "pdf"


def norm(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("source", SOURCES)
def test_libreoffice_reads_it(built, libreoffice_pdfs, source, lang):
    reader = PdfReader(str(libreoffice_pdfs / f"{source}.{lang}.pdf"))
    assert reader.trailer["/Root"]["/Lang"] == TAGS[lang]
    pages = [norm(p.extract_text()) for p in reader.pages]
    text = " ".join(pages)
    doc = Document(str(docx_path(built, source, lang)))
    # the title block and every heading, in order
    wanted = [p.text for p in doc.paragraphs if p.style.name in ("Title", "Heading 1")]
    kind = doc.paragraphs[0].text.upper()
    wanted.insert(0, kind)
    at = -1
    for heading in wanted:
        found = text.find(norm(heading), at + 1)
        assert found > at, f"{heading!r} missing or out of order"
        at = found
    # the localized footer on every page, with LibreOffice's own page count
    before, between = FOOTER[lang]
    for i, page in enumerate(pages, 1):
        assert norm(f"{before}{i}{between}{len(pages)}") in page
    # the theme font (Arial) arrives as its metric twin, not as a fallback
    fonts = {str(f.get_object()["/BaseFont"]).split("+")[-1] for p in reader.pages
             for f in p["/Resources"]["/Font"].values()}
    assert {"LiberationSans", "LiberationSans-Bold"} <= fonts, fonts
