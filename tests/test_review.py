"""`reportgen review export` / `review import`: the bilingual review copy, edited with python-docx,
re-saved by LibreOffice, imported back into the catalog (tests/projects/translators)."""

from __future__ import annotations

import copy
import hashlib
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from .conftest import copy_default_project, copy_project

ES = Path("locales/es/LC_MESSAGES/reportgen.po")
COPY = Path("build/mini-2024/review/mini-2024.es.review.docx")
INTRO, FUNDING, TRAINING, NEXT = "mini-2024:summary:intro", "mini-2024:summary:funding", \
    "mini-2024:summary:training", "mini-2024:next:heading"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture
def project(tmp_path):
    return copy_project("translators", tmp_path / "p")


def export(cli, root: Path, *args: str) -> Path:
    run = cli("review", "export", "--lang", "es", *args, cwd=root)
    assert (run.code, run.err) == (0, ""), run.err
    return root / COPY


def entry(root: Path, context: str, po: Path = ES):
    with (root / po).open("rb") as f:
        found = [m for m in read_po(f) if m.context == context]
    assert len(found) == 1, context
    return found[0]


def rows(doc) -> dict[str, object]:
    """context -> table row (python-docx) of a review copy."""
    out = {}
    for table in doc.tables:
        for row in table.rows[1:]:
            out[row.cells[0].paragraphs[-1].text] = row
    return out


def edit(path: Path, dest: Path, changes: dict[str, str], column: int = 2) -> Path:
    """Replace the text of cell ``column`` in the rows of ``changes`` (context -> text), as a
    reviewer would: the cell's runs keep their place, the text is new."""
    doc = Document(str(path))
    found = rows(doc)
    for context, text in changes.items():
        p = found[context].cells[column].paragraphs[0]
        for r in list(p.runs):
            r._r.getparent().remove(r._r)
        p.add_run(text)
    doc.save(str(dest))
    return dest


def track_changes(path: Path, dest: Path, context: str, deleted: str, inserted: str) -> Path:
    """The translation of ``context`` replaced as Word's Track Changes records it: the old text
    in a deletion (w:del/w:delText), the new one in an insertion (w:ins)."""
    doc = Document(str(path))
    p = rows(doc)[context].cells[2].paragraphs[0]
    for r in list(p.runs):
        r._r.getparent().remove(r._r)
    for tag, text_tag, text in (("w:del", "w:delText", deleted), ("w:ins", "w:t", inserted)):
        change = OxmlElement(tag)
        change.set(qn("w:id"), "901" if tag == "w:del" else "902")
        change.set(qn("w:author"), "Reviewer")
        change.set(qn("w:date"), "2024-02-01T10:00:00Z")
        run, t = OxmlElement("w:r"), OxmlElement(text_tag)
        t.text = text
        run.append(t)
        change.append(run)
        p._p.append(change)
    doc.save(str(dest))
    return dest


def libreoffice(path: Path, tmp_path: Path) -> Path:
    """``path`` opened and saved again as DOCX by headless LibreOffice (a private profile)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice; Debian package libreoffice-writer-nogui) is not installed")
    out = tmp_path / "libreoffice"
    out.mkdir(exist_ok=True)
    run = subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                          "--convert-to", "docx", "--outdir", str(out), str(path)],
                         capture_output=True, text=True, timeout=180)
    result = out / path.name
    assert run.returncode == 0 and result.is_file(), run.stderr
    return result


def msgfmt_ok(path: Path, tmp_path: Path) -> None:
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (Debian package gettext) is not installed")
    run = subprocess.run(["msgfmt", "-c", "-o", str(tmp_path / "x.mo"), str(path)], capture_output=True, text=True)
    assert (run.returncode, run.stderr) == (0, ""), path


# --------------------------------------------------------------------------- export


def test_export_writes_a_landscape_table_per_section_with_status_and_provenance(project, cli):
    po = project / ES
    text = po.read_text("utf-8")
    text = text.replace('#, fuzzy\nmsgctxt "mini-2024:summary:funding"',
                        '#, fuzzy\n#| msgid "Funding must be found."\nmsgctxt "mini-2024:summary:funding"')
    text = text.replace('#. Heading of section \'summary\'', '# Keep it short\n#. Heading of section \'summary\'')
    po.write_text(text, "utf-8")
    path = export(cli, project)
    doc = Document(str(path))
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Title, event and keywords", "Section summary: Summary", "Section next: Next steps",
                        "Layout labels"]
    found = rows(doc)
    assert {"mini-2024:title", INTRO, FUNDING, NEXT, "layout:date", "layout:page-footer"} <= set(found)
    assert all(len(r.cells) == 4 for r in found.values())
    assert [c.text for c in doc.tables[0].rows[0].cells] == ["Reference", "English", "Translation", "Status and notes"]
    status = {ctx: r.cells[3].text for ctx, r in found.items()}
    assert status["mini-2024:title"] == "translated"
    assert status[TRAINING] == "untranslated"
    assert status[FUNDING].startswith("fuzzy") and "earlier English: Funding must be found." in status[FUNDING]
    assert "Translator comment: Keep it short" in status["mini-2024:summary:heading"]
    assert "[punctuation]" in status["layout:mail-greeting"]  # a `check` finding ("Estimado/a {name}:")
    assert found[FUNDING].cells[2].text == "La financiación debe asegurarse antes de fin de año."
    assert found[INTRO].cells[1].text.startswith("The meeting on {date} brought together")
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "5 de marzo de 2024" in body  # the dates as printed in Spanish
    catalog_sha = hashlib.sha256(po.read_bytes()).hexdigest()
    assert f"locales/es/LC_MESSAGES/reportgen.po (SHA-256 {catalog_sha})" in body
    assert "sources/mini-2024.yaml (SHA-256 " in body and "2024-01-18 16:00 UTC" in body
    with zipfile.ZipFile(path) as z:  # also as document properties (File > Properties > Custom)
        custom = z.read("docProps/custom.xml").decode()
    assert f'name="reportgen-review-catalog-sha256"><vt:lpwstr>{catalog_sha}<' in custom
    assert 'name="reportgen-review-lang"><vt:lpwstr>es<' in custom


def test_export_is_deterministic(project, cli, monkeypatch):
    first = export(cli, project).read_bytes()
    assert export(cli, project).read_bytes() == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "docProps/thumbnail.jpeg" not in z.namelist()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1710000000")
    assert export(cli, project).read_bytes() != first


@pytest.mark.parametrize("lang, message", [
    ("en", "'en' is the source language: it has no catalog to review"),
    ("de", "no catalog for 'de' (locales/de/LC_MESSAGES/reportgen.po); the catalogs are: es, fr"),
    ("../es", "no catalog for '../es'"),
])
def test_export_refuses_languages_without_catalog(project, cli, lang, message):
    run = cli("review", "export", "--lang", lang, cwd=project)
    assert run.code == 1 and message in run.err and "Traceback" not in run.err
    assert not (project / "build").exists()


def test_export_refuses_a_catalog_older_than_the_sources(project, cli):
    src = project / "sources/mini-2024.yaml"
    src.write_text(src.read_text("utf-8").replace("Next steps", "What comes next"), "utf-8")
    run = cli("review", "export", "--lang", "es", cwd=project)
    assert run.code == 1
    assert run.err_lines == ["locales/es/LC_MESSAGES/reportgen.po: error: 1 text of sources/mini-2024.yaml is not "
                             "in this catalog (first: 'mini-2024:next:heading'); run 'reportgen update' first"]
    assert not (project / "build").exists()


def test_export_refuses_a_control_character_in_the_catalog(project, cli):
    po = project / ES
    po.write_text(po.read_text("utf-8").replace('msgstr "Resumen"', 'msgstr "Res\x1bumen"'), "utf-8")
    run = cli("review", "export", "--lang", "es", cwd=project)
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err_lines[0].startswith("locales/es/LC_MESSAGES/reportgen.po:")
    assert "translation of 'mini-2024:summary:heading': control character U+001B at character 4" in run.err
    assert not (project / "build").exists()


# --------------------------------------------------------------------------- import through LibreOffice


def test_edits_come_back_through_libreoffice(project, cli, tmp_path):
    path = export(cli, project)
    long_text = ("abcd " * 4000)[:-1] + "e"  # 20,000 characters
    changes = {
        INTRO: "La reunión del {date} reunió a socios de doce países para revisar el programa.",
        FUNDING: "Hay que asegurar la financiación antes de fin de año.",  # was fuzzy
        NEXT: long_text,
        "layout:date": "Fecha\u00a0«\u202fdel evento\u202f» & <3",
    }
    step = edit(path, tmp_path / "step.docx", changes)
    tracked = track_changes(step, tmp_path / "edited.docx", "layout:time", "Horario", "Hora")
    edited = libreoffice(tracked, tmp_path)
    with zipfile.ZipFile(edited) as z:  # LibreOffice kept the tracked change as one
        assert b"<w:delText>Horario</w:delText>" in z.read("word/document.xml")
    run = cli("review", "import", str(edited), cwd=project)
    assert (run.code, run.err) == (0, ""), run.err
    assert "updated locales/es/LC_MESSAGES/reportgen.po: 5 translations from the review" in run.out
    changes["layout:time"] = "Hora"  # tracked changes count as accepted
    for context, text in changes.items():
        m = entry(project, context)
        assert (m.string, m.fuzzy) == (text, False), context
        assert m.user_comments == ["reviewed in edited.docx"]
    assert not entry(project, FUNDING).previous_id
    assert entry(project, "mini-2024:title").string == "Reunión anual de revisión"
    assert entry(project, TRAINING).string == ""
    msgfmt_ok(project / ES, tmp_path)
    assert cli("check", "--lang", "es", cwd=project).code == 0


def test_an_unedited_copy_changes_nothing(tmp_path, cli):
    """The default project's French (no-break spaces, quotes, long paragraphs), both sources,
    saved again by LibreOffice: every catalog byte stays."""
    root = copy_default_project(tmp_path / "default")
    before = {p: p.read_bytes() for p in (root / "locales").rglob("*.po")}
    assert cli("review", "export", "--lang", "fr", cwd=root).code == 0
    copies = sorted((root / "build").rglob("*.review.docx"))
    assert len(copies) == 2
    saved = [libreoffice(c, tmp_path) for c in copies]
    run = cli("review", "import", *map(str, saved), cwd=root)
    assert (run.code, run.err) == (0, "")
    assert "no edited translations: no catalog changed" in run.out
    assert {p: p.read_bytes() for p in before} == before


# --------------------------------------------------------------------------- conflicts


def test_changed_english_is_a_conflict_and_nothing_is_applied_unless_partial(project, cli, tmp_path):
    path = export(cli, project)
    edited = edit(path, tmp_path / "edited.docx", {INTRO: "La reunión del {date}.", TRAINING: "La formación empieza en primavera."})
    src = project / "sources/mini-2024.yaml"
    src.write_text(src.read_text("utf-8").replace("from twelve countries", "from fifteen countries"), "utf-8")
    assert cli("update", "--lang", "es", cwd=project).code == 0
    before = (project / ES).read_bytes()
    run = cli("review", "import", str(edited), cwd=project)
    assert run.code == 1
    assert run.err_lines == [f"{edited}: row 4 ({INTRO}): error: conflict: the English changed since the export "
                             "(now 'The meeting on {date} brought together partners from fiftee…'); "
                             "export a new review copy for this text"]
    assert (project / ES).read_bytes() == before
    run = cli("review", "import", "--partial", str(edited), cwd=project)
    assert run.code == 0
    assert run.err_lines[0].startswith(f"{edited}: row 4 ({INTRO}): warning: conflict: the English changed")
    assert run.err_lines[0].endswith("(left out: --partial)")
    assert entry(project, TRAINING).string == "La formación empieza en primavera."
    assert entry(project, INTRO).string == ""  # not applied


def test_a_translation_changed_in_the_catalog_meanwhile_is_a_conflict(project, cli, tmp_path):
    path = export(cli, project)
    edited = edit(path, tmp_path / "edited.docx", {"mini-2024:title": "Reunión anual"})
    po = project / ES
    po.write_text(po.read_text("utf-8").replace("Reunión anual de revisión", "Reunión de revisión anual"), "utf-8")
    before = po.read_bytes()
    run = cli("review", "import", str(edited), cwd=project)
    assert run.code == 1
    assert "row 1 (mini-2024:title): error: conflict: the translation changed in the catalog" in run.err
    assert po.read_bytes() == before


def test_two_copies_editing_one_text_differently_conflict(project, cli, tmp_path):
    path = export(cli, project)
    a = edit(path, tmp_path / "a.docx", {TRAINING: "La formación empieza en primavera."})
    b = edit(path, tmp_path / "b.docx", {TRAINING: "La formación comienza en primavera."})
    before = (project / ES).read_bytes()
    run = cli("review", "import", str(a), str(b), cwd=project)
    assert run.code == 1 and "is edited differently in a.docx and b.docx" in run.err
    assert (project / ES).read_bytes() == before


# --------------------------------------------------------------------------- what is refused or ignored


@pytest.mark.parametrize("context, text, message", [
    (INTRO, "La reunión del {fecha}.", "row 4 (mini-2024:summary:intro): error: [placeholders] placeholder {date} "
                                       "renamed to {fecha}"),
    ("mini-2024:summary:heading", "<b>Resumen</b> &amp;", "row 3 (mini-2024:summary:heading): error: [markup] "
                                                          "markup differs from the English: extra </b> <b>"),
    (TRAINING, "La formación\x9b empieza.", "row 6 (mini-2024:summary:training): error: control character U+009B "
                                            "at character 13 cannot be shown"),
    (TRAINING, "La formación\x7f empieza.", "row 6 (mini-2024:summary:training): error: control character U+007F"),
])
def test_a_hostile_cell_is_refused_with_its_row(project, cli, tmp_path, context, text, message):
    path = export(cli, project)
    edited = edit(path, tmp_path / "edited.docx", {context: text, "mini-2024:title": "Reunión anual"})
    before = (project / ES).read_bytes()
    run = cli("review", "import", str(edited), cwd=project)
    assert run.code == 1 and "Traceback" not in run.err
    assert any(line.startswith(f"{edited}: {message}") for line in run.err_lines), run.err
    assert (project / ES).read_bytes() == before  # the good edit is not applied either


def test_markup_like_text_without_tags_is_kept_literally(project, cli, tmp_path):
    path = export(cli, project)
    text = "Resumen &amp; más <3 \"comillas\" \\ {nombre"
    edited = edit(path, tmp_path / "edited.docx", {"mini-2024:summary:heading": text})
    assert cli("review", "import", str(edited), cwd=project).code == 0
    assert entry(project, "mini-2024:summary:heading").string == text
    msgfmt_ok(project / ES, tmp_path)


def test_edits_outside_the_translation_column_are_ignored_with_a_warning(project, cli, tmp_path):
    path = export(cli, project)
    step = edit(path, tmp_path / "step.docx", {INTRO: "The meeting on {date} (English edited)."}, column=1)
    step = edit(step, tmp_path / "step2.docx", {FUNDING: "translated, I promise"}, column=3)
    edited = edit(step, tmp_path / "edited.docx", {TRAINING: "La formación empieza en primavera."})
    before = entry(project, INTRO)
    run = cli("review", "import", str(edited), cwd=project)
    assert run.code == 0
    assert run.err_lines == [
        f"{edited}: row 4 ({INTRO}): warning: edits outside the Translation column are ignored",
        f"{edited}: row 5 ({FUNDING}): warning: edits outside the Translation column are ignored",
    ]
    assert entry(project, INTRO).id == before.id and entry(project, INTRO).string == ""
    assert entry(project, FUNDING).fuzzy
    assert entry(project, TRAINING).string == "La formación empieza en primavera."


def test_rows_added_copied_or_removed_by_the_reviewer_are_ignored_with_a_warning(project, cli, tmp_path):
    path = export(cli, project)
    doc = Document(str(edit(path, tmp_path / "step.docx", {TRAINING: "La formación empieza en primavera."})))
    found = rows(doc)
    table = doc.tables[1]
    new = table.add_row()
    new.cells[2].paragraphs[0].add_run("Una fila nueva")
    found[INTRO]._tr.addnext(copy.deepcopy(found[FUNDING]._tr))  # a copy of row 5 after row 4
    found[NEXT]._tr.getparent().remove(found[NEXT]._tr)
    edited = tmp_path / "edited.docx"
    doc.save(str(edited))
    before = (project / ES).read_bytes()
    run = cli("review", "import", str(edited), cwd=project)
    assert run.code == 0
    assert run.err_lines == [
        f"{edited}: row 5 ({FUNDING}): warning: the same row again (copied by the reviewer?) is ignored",
        f"{edited}: a row after row 6: warning: a row the review copy did not have (added by the reviewer?) is ignored",
        f"{edited}: row 7 ({NEXT}): warning: missing from the review copy (deleted by the reviewer?); its "
        "translation is left as it is",
    ]
    assert (project / ES).read_bytes() != before
    assert entry(project, TRAINING).string == "La formación empieza en primavera."
    assert entry(project, NEXT).string == ""


# --------------------------------------------------------------------------- bad input


def _not_a_review_copy(tmp_path: Path) -> Path:
    path = tmp_path / "plain.docx"
    Document().save(str(path))
    return path


def _broken_xml(tmp_path: Path, path: Path) -> Path:
    out = tmp_path / "broken.docx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"Summary</w:t>", b"Summary\x01</w:t>", 1)
            dst.writestr(info, data)
    return out


@pytest.mark.parametrize("case, args, message", [
    ("text", (), "error: not a DOCX file (not a zip archive)"),
    ("plain", (), "error: not a reportgen review copy (it lacks the document property 'reportgen-review')"),
    ("xml", (), "error: not a DOCX file (XMLSyntaxError"),
    ("missing", (), "error: no such review copy"),
    ("copy", ("--lang", "fr"), "error: a review copy for 'es', not 'fr'"),
    ("no-catalog", (), "error: no catalog for 'es' (locales/es/LC_MESSAGES/reportgen.po)"),
])
def test_bad_input_is_one_error_line_and_changes_nothing(project, cli, tmp_path, case, args, message):
    path = export(cli, project)
    target = {
        "text": tmp_path / "notes.docx", "plain": None, "xml": None, "missing": tmp_path / "gone.docx",
        "copy": path, "no-catalog": path,
    }[case]
    if case == "text":
        target.write_text("not a document")
    elif case == "plain":
        target = _not_a_review_copy(tmp_path)
    elif case == "xml":
        target = _broken_xml(tmp_path, path)
    before = {p: p.read_bytes() for p in (project / "locales").rglob("*.po")}
    if case == "no-catalog":
        (project / ES).unlink()
        del before[project / ES]
    run = cli("review", "import", *args, str(target), cwd=project)
    assert run.code == 1 and "Traceback" not in run.err
    shown = COPY if target == path else target  # shown relative to the project when inside it
    assert len(run.err_lines) == 1 and run.err_lines[0].startswith(f"{shown}: {message}"), run.err
    assert {p: p.read_bytes() for p in before} == before


def test_rows_are_identified_by_bookmarks_word_accepts(project, cli):
    """Word's rule for bookmark names: at most 40 characters, a letter first, then letters, digits, _."""
    doc = Document(str(export(cli, project)))
    names = [b.get(qn("w:name")) for b in doc.element.body.iter(qn("w:bookmarkStart"))]
    assert len(names) == 2 * len(rows(doc)) == len(set(names))
    assert all(len(n) == 40 and n[0].isalpha() and n.replace("_", "").isalnum() for n in names)


def test_an_empty_paragraph_typed_at_the_end_of_a_cell_is_not_part_of_the_text(project, cli, tmp_path):
    path = export(cli, project)
    doc = Document(str(path))
    found = rows(doc)
    found["mini-2024:title"].cells[2].add_paragraph("")  # Enter after the text: no edit
    found[TRAINING].cells[2].paragraphs[0].add_run("La formación empieza en primavera.")
    found[TRAINING].cells[2].add_paragraph("")
    edited = tmp_path / "edited.docx"
    doc.save(str(edited))
    run = cli("review", "import", str(edited), cwd=project)
    assert (run.code, run.err) == (0, "")
    assert "1 translation from the review" in run.out
    assert entry(project, TRAINING).string == "La formación empieza en primavera."
    assert entry(project, "mini-2024:title").user_comments == []
    after = (project / ES).read_bytes()
    again = cli("review", "import", str(edited), cwd=project)  # imported already: nothing to do
    assert (again.code, again.err) == (0, "") and "no catalog changed" in again.out
    assert (project / ES).read_bytes() == after
