"""The build policy for fuzzy and missing translations (tests/projects/translators: French complete,
Spanish with 4 untranslated texts and 1 fuzzy one)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from .conftest import copy_project

FUZZY_ES = "La financiación debe asegurarse antes de fin de año."
FUZZY_EN = "Funding must be secured before the end of the year."


@pytest.fixture
def project(tmp_path):
    return copy_project("translators", tmp_path / "p")


def outputs(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "build").rglob("*.*")
                  if not p.name.startswith(".")) if (root / "build").exists() else []


def docx_body(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def docx_footer(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).sections[0].footer.paragraphs)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_final_build_uses_english_and_lists_the_fallbacks(project, cli):
    run = cli("build", "-q", cwd=project)
    assert run.code == 0
    assert run.err_lines == ["warning: [fallback] es: mini-2024: 4 strings untranslated, 1 fuzzy — English used"]
    es = project / "build/mini-2024/mini-2024.es.docx"
    body = docx_body(es)
    assert FUZZY_EN in body and FUZZY_ES not in body
    assert "Resumen" in body and "Next steps" in body
    assert "BORRADOR" not in docx_footer(es)
    assert "[borrador]" not in pdf_text(project / "build/mini-2024/mini-2024.es.pdf")
    verbose = cli("build", "-q", "-v", "--lang", "es", "--format", "pdf", cwd=project)
    assert "sources/mini-2024.yaml:23:19: warning: [fallback-detail] es: fuzzy: mini-2024:summary:funding" in verbose.err_lines


def test_draft_build_shows_fuzzy_text_marked(project, cli):
    run = cli("build", "-q", "--draft", "--lang", "es", cwd=project)
    assert run.code == 0
    assert run.err_lines == ["warning: [fallback] es: mini-2024: 4 strings untranslated — English used",
                             "warning: [draft] es: mini-2024: 1 fuzzy translation shown marked as draft"]
    docx = project / "build/mini-2024/draft/mini-2024.es.draft.docx"
    assert f"{FUZZY_ES} [borrador]" in docx_body(docx)
    assert "BORRADOR" in docx_footer(docx)
    marked = [r for p in Document(str(docx)).paragraphs for r in p.runs if r.text == "[borrador]"]
    assert marked and str(marked[0].font.color.rgb) == "B00020"
    text = pdf_text(project / "build/mini-2024/draft/mini-2024.es.draft.pdf")
    assert f"{FUZZY_ES} [borrador]" in text
    assert "BORRADOR" in text
    assert text.count("[borrador]") == 1  # only the fuzzy text is marked


def test_min_complete_skips_a_language_below_the_threshold(project, cli):
    run = cli("build", "-q", "--min-complete", "85", cwd=project)
    assert run.code == 1
    assert run.err_lines[0] == ("reportgen: error: [min-complete] es: 83% translated (25 of 30 texts), "
                                "below --min-complete 85%: not rendered")
    assert outputs(project) == ["mini-2024.en.docx", "mini-2024.en.pdf", "mini-2024.fr.docx", "mini-2024.fr.pdf"]


def test_min_complete_met(project, cli):
    run = cli("build", "-q", "--min-complete", "82", "--format", "pdf", cwd=project)
    assert run.code == 0
    assert outputs(project) == ["mini-2024.en.pdf", "mini-2024.es.pdf", "mini-2024.fr.pdf"]


def test_min_complete_does_not_count_fuzzy(project, cli):
    po = project / "locales/es/LC_MESSAGES/reportgen.po"
    po.write_text(po.read_text("utf-8").replace("#, fuzzy\n", ""), "utf-8")  # reviewed: 17 of 21
    assert cli("build", "-q", "--min-complete", "80", "--lang", "es", cwd=project).code == 0


def test_strict_build_fails_on_fallbacks(project, cli):
    run = cli("build", "-q", "--strict", cwd=project)
    assert (run.code, run.err_lines) == (
        1, ["reportgen: error: [fallback] es: mini-2024: 4 strings untranslated, 1 fuzzy — English used"])
    assert outputs(project) == []
    assert cli("build", "-q", "--strict", "--lang", "en,fr", cwd=project).code == 0


def test_an_edited_translation_shows_at_the_next_build(project, cli):
    cli("build", "-q", "--lang", "fr", "--format", "docx", cwd=project)
    docx = project / "build/mini-2024/mini-2024.fr.docx"
    assert docx_body(docx)[0] == "Réunion d’examen annuelle"
    po = project / "locales/fr/LC_MESSAGES/reportgen.po"
    po.write_text(po.read_text("utf-8").replace('msgstr "Réunion d’examen annuelle"', 'msgstr "Réunion annuelle de bilan"'),
                  "utf-8")
    cli("build", "-q", "--lang", "fr", "--format", "docx", cwd=project)
    assert docx_body(docx)[0] == "Réunion annuelle de bilan"


def test_a_draft_build_leaves_the_final_outputs_alone_and_says_draft_in_its_metadata(project, cli):
    assert cli("build", "-q", "--lang", "es", cwd=project).code == 0
    finals = {p.name: p.read_bytes() for p in (project / "build/mini-2024").glob("*.*")}
    assert sorted(finals) == ["mini-2024.es.docx", "mini-2024.es.pdf"]
    assert cli("build", "-q", "--draft", "--lang", "es", cwd=project).code == 0
    assert {p.name: p.read_bytes() for p in (project / "build/mini-2024").glob("*.*")} == finals
    draft = project / "build/mini-2024/draft"
    assert sorted(p.name for p in draft.iterdir()) == ["mini-2024.es.draft.docx", "mini-2024.es.draft.pdf"]
    props = Document(str(draft / "mini-2024.es.draft.docx")).core_properties
    assert props.content_status == "Draft" and props.keywords.split(", ")[-1] == "draft"
    assert Document(str(project / "build/mini-2024/mini-2024.es.docx")).core_properties.content_status == ""
    reader = PdfReader(str(draft / "mini-2024.es.draft.pdf"))
    assert reader.metadata["/Keywords"].split(", ")[-1] == "draft"
    assert b"<rdf:li>draft</rdf:li>" in reader.xmp_metadata.stream.get_data()
    assert "draft" not in (PdfReader(str(project / "build/mini-2024/mini-2024.es.pdf")).metadata.get("/Keywords") or "")


def test_strict_holds_when_the_outputs_are_up_to_date(project, cli):
    assert cli("build", "-q", cwd=project).code == 0
    run = cli("build", "-q", "--strict", cwd=project)
    assert (run.code, run.err_lines) == (
        1, ["reportgen: error: [fallback] es: mini-2024: 4 strings untranslated, 1 fuzzy — English used"])
    assert cli("build", "-q", "--strict", "--lang", "en,fr", cwd=project).code == 0


def test_min_complete_holds_when_the_outputs_are_up_to_date(project, cli):
    assert cli("build", "-q", cwd=project).code == 0
    run = cli("build", "-q", "--min-complete", "85", cwd=project)
    assert run.code == 1
    assert run.err_lines[0].startswith("reportgen: error: [min-complete] es: 83% translated")


@pytest.mark.parametrize("value", ["-1", "100.5", "nan", "abc"])
def test_min_complete_accepts_0_to_100_only(project, cli, capsys, value):
    with pytest.raises(SystemExit) as exc:
        cli("build", "--min-complete", value, cwd=project)
    assert exc.value.code == 1  # reportgen's usage errors exit 1
    assert "argument --min-complete: expected a percentage from 0 to 100, got " + repr(value) in capsys.readouterr().err


def _struct_langs(node, out: list) -> list:
    """(role, /Lang) of every structure element of a PDF below ``node``."""
    node = node.get_object()
    if isinstance(node, list):
        for kid in node:
            _struct_langs(kid, out)
    elif hasattr(node, "get"):
        if "/S" in node:
            out.append((node["/S"], node.get("/Lang")))
        if "/K" in node:
            _struct_langs(node["/K"], out)
    return out


def test_english_fallback_is_formatted_and_tagged_as_english(project, cli):
    """es has the intro ("The meeting on {date} …") untranslated: it is shown in English, with the
    date as English writes it (not "5 de marzo de 2024"), tagged en-GB in both formats."""
    assert cli("build", "-q", "--lang", "es", cwd=project).code == 0
    folder = project / "build/mini-2024"
    intro = [p for p in Document(str(folder / "mini-2024.es.docx")).paragraphs if p.text.startswith("The meeting on")]
    assert [p.text.split(" brought")[0] for p in intro] == ["The meeting on 5 March 2024"]
    qn = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert {r._r.find(f"{qn}rPr/{qn}lang").get(f"{qn}val") for r in intro[0].runs} == {"en-GB"}
    text = subprocess.run(["pdftotext", str(folder / "mini-2024.es.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "The meeting on 5 March 2024 brought" in " ".join(text.split())
    assert "marzo" not in text.split("The meeting on")[1][:40]
    reader = PdfReader(str(folder / "mini-2024.es.pdf"))
    assert reader.trailer["/Root"]["/Lang"] == "es-ES"
    assert ("/P", "en-GB") in _struct_langs(reader.trailer["/Root"]["/StructTreeRoot"], [])
    # a translated text keeps the document's conventions
    assert cli("build", "-q", "--lang", "fr", "--format", "docx", cwd=project).code == 0
    body = docx_body(folder / "mini-2024.fr.docx")
    assert any(p.startswith("La réunion du 5 mars 2024") for p in body)
