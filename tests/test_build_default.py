"""The default project end to end: 2 sources x 4 languages x 2 formats, reopened and read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader


from .conftest import build_in, copy_default_project

SOURCES = ("americas-2024", "africa-2024")
LANGS = ("en", "es", "fr", "pt")

# What a reader must see in each language: the localized date and a translated heading/label.
EXPECTED = {
    "en": {"date": "18 January 2024", "americas-2024": "Challenges and recommendations", "africa-2024": "Location"},
    "es": {"date": "18 de enero de 2024", "americas-2024": "Desafíos y recomendaciones", "africa-2024": "Lugar"},
    "fr": {"date": "18 janvier 2024", "americas-2024": "Défis et recommandations", "africa-2024": "Lieu"},
    "pt": {"date": "18 de janeiro de 2024", "americas-2024": "Desafios e recomendações", "africa-2024": "Local"},
}
# English layout words that must not appear in a translated document.
ENGLISH_LABELS = ("Challenges and recommendations", "Location", "Participants", "Page 1 of", "Outcome report",
                  "OUTCOME REPORT", "ANNOUNCEMENT", "January", "Remote")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_default_project(tmp_path_factory.mktemp("default"))
    assert build_in(root) == 0
    return root / "build"


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for section in doc.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def norm(text: str) -> str:
    """Fold the no-break and thin spaces Babel and typography use, and line breaks, to plain spaces."""
    return re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text)


def test_sixteen_documents(built):
    files = sorted(p.relative_to(built).as_posix() for p in built.rglob("*")
                   if p.is_file() and not p.name.startswith("."))
    assert files == sorted(f"{s}/{s}.{lang}.{fmt}" for s in SOURCES for lang in LANGS for fmt in ("docx", "pdf"))


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("source", SOURCES)
def test_localized_content(built, source, lang, fmt):
    path = built / source / f"{source}.{lang}.{fmt}"
    text = norm(docx_text(path) if fmt == "docx" else pdf_text(path))
    assert EXPECTED[lang]["date"] in text
    assert EXPECTED[lang][source] in text
    if lang != "en":
        for english in ENGLISH_LABELS:
            assert english not in text, f"English {english!r} left in {path.name}"


@pytest.mark.parametrize("source", SOURCES)
def test_every_seed_sentence_in_english_output(built, source):
    """Each sentence of the seed documents appears in the English PDF and DOCX.

    Dates and times are data formatted by Babel, so the one sentence that carries them is compared
    with its formatted form."""
    seed_file = {"americas-2024": "000_47f7b8f0ab755780.txt", "africa-2024": "002_3f09a48096c46c77.txt"}[source]
    seed = (Path(__file__).resolve().parents[2] / "shared" / "seeds" / seed_file)
    if not seed.exists():
        pytest.skip("the seed texts (../shared/seeds) are not beside this checkout")
    text = seed.read_text("utf-8")
    text = text.replace("18 January from 4 to 5.30 pm CET", "18 January 2024 from 16:00 to 17:30 CET")
    # the organiser's logo, set in capitals over three lines, is the organiser field
    text = text.replace("THE *Alliance*\nOF NGOs ON CRIME PREVENTION\n& CRIMINAL JUSTICE",
                        "The Alliance of NGOs on Crime Prevention & Criminal Justice")
    sentences = [s.strip(" -•\n") for s in re.split(r"(?<=[.:])\s+|\n+", text) if len(s.strip()) > 25]
    for fmt, reader in (("pdf", pdf_text), ("docx", docx_text)):
        out = norm(reader(built / source / f"{source}.en.{fmt}"))
        for sentence in sentences:
            if sentence.startswith(("Cybercrime Stakeholder Engagement Initiative Regional", "18 Jan 2024")):
                continue  # the seed's running header and its hand-written date line
            assert norm(sentence).rstrip(":") in out, f"{fmt}: missing {sentence!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_docx_uses_builtin_styles(built, lang):
    doc = Document(str(built / "americas-2024" / f"americas-2024.{lang}.docx"))
    styles = [p.style.name for p in doc.paragraphs if p.text]
    assert "Title" in styles and "Heading 1" in styles and "Normal" in styles
    assert styles.count("List Bullet") == 9
    assert set(styles) <= {"Title", "Subtitle", "Heading 1", "List Bullet", "Normal"}
    assert doc.sections[0].footer.paragraphs[0].style.name == "Footer"


def test_pdf_fonts_are_embedded_noto(built):
    for path in built.rglob("*.pdf"):
        reader = PdfReader(str(path))
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                assert "NotoSans" in font["/BaseFont"], (path.name, font["/BaseFont"])
                descriptor = font["/FontDescriptor"] if "/FontDescriptor" in font else \
                    font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                assert "/FontFile2" in descriptor.get_object(), f"{font['/BaseFont']} not embedded"


def test_pdf_language_and_page_footer(built):
    for lang, footer in (("en", "Page 1 of {}"), ("es", "Página 1 de {}"), ("fr", "Page 1 sur {}"),
                         ("pt", "Página 1 de {}")):
        path = built / "americas-2024" / f"americas-2024.{lang}.pdf"
        reader = PdfReader(str(path))
        assert reader.trailer["/Root"]["/Lang"] == {"en": "en-GB", "es": "es-ES", "fr": "fr-FR", "pt": "pt-BR"}[lang]
        assert footer.format(len(reader.pages)) in norm(reader.pages[0].extract_text())
