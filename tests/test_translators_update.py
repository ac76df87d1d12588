"""`reportgen extract` and `reportgen update` on real catalogs (tests/projects/translators)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from reportgen.i18n import merge, po as po_file

from .conftest import copy_project

FR = Path("locales/fr/LC_MESSAGES/reportgen.po")
ES = Path("locales/es/LC_MESSAGES/reportgen.po")
SOURCE = Path("sources/mini-2024.yaml")


@pytest.fixture
def project(tmp_path):
    return copy_project("translators", tmp_path / "p")


def read(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def entry(catalog, context):
    found = [m for m in catalog if m.context == context]
    assert len(found) == 1, context
    return found[0]


def msgfmt_ok(path: Path, tmp_path: Path) -> None:
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (Debian package gettext) is not installed")
    run = subprocess.run(["msgfmt", "-c", "--check-format", "-o", str(tmp_path / "x.mo"), str(path)],
                         capture_output=True, text=True)
    assert (run.returncode, run.stderr) == (0, ""), path


def edit_source(root: Path, old: str, new: str) -> None:
    p = root / SOURCE
    text = p.read_text("utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), "utf-8")


# --------------------------------------------------------------------------- extract


def test_extract_is_deterministic_and_honours_source_date_epoch(project, cli, monkeypatch):
    pot = project / "locales/reportgen.pot"
    assert cli("extract", cwd=project).code == 0
    first = pot.read_bytes()
    run = cli("extract", cwd=project)
    assert run.out.startswith("unchanged: locales/reportgen.pot (34 strings)")
    assert pot.read_bytes() == first
    assert b'"POT-Creation-Date: 2024-01-18 16:00+0000\\n"' in first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    cli("extract", cwd=project)
    second = pot.read_bytes()
    assert b'"POT-Creation-Date: 2023-11-14 22:13+0000\\n"' in second
    assert re.sub(rb"2023(-11-14 22:13)?", b"2024", second) == re.sub(rb"2024(-01-18 16:00)?", b"2024", first)


def test_extract_writes_contexts_comments_references_and_flags(project, cli):
    cli("extract", cwd=project)
    text = (project / "locales/reportgen.pot").read_text("utf-8")
    assert ('#. Paragraph in section \'summary\'\n#: sources/mini-2024.yaml:17\n#, python-brace-format\n'
            'msgctxt "mini-2024:summary:intro"\n') in text
    assert '#: sources/mini-2024.yaml:23\nmsgctxt "mini-2024:summary:funding"\nmsgid "Funding must' in text
    # the layout labels come after the sources, with their placeholders flagged
    assert ('#. Layout label: Page footer; {page} is the page number, {pages} the page count\n'
            '#, python-brace-format\nmsgctxt "layout:page-footer"\nmsgid "Page {page} of {pages}"\n') in text
    assert text.index('"layout:date"') > text.index('"mini-2024:next:closing"')
    template = read(project / "locales/reportgen.pot")
    assert len([m for m in template if m.id]) == 34  # with the 4 layout patterns
    assert all(m.context for m in template if m.id)


# --------------------------------------------------------------------------- update


def test_update_twice_changes_nothing(project, cli):
    before = {p: p.read_bytes() for p in (project / "locales").rglob("*.po")}
    run = cli("update", cwd=project)
    assert run.code == 0
    assert run.out.splitlines() == [
        "unchanged: locales/es/LC_MESSAGES/reportgen.po: 34 kept, 0 new, 0 fuzzy, 0 obsolete",
        "unchanged: locales/fr/LC_MESSAGES/reportgen.po: 34 kept, 0 new, 0 fuzzy, 0 obsolete",
    ]
    assert {p: p.read_bytes() for p in before} == before


def test_new_changed_and_removed_texts(project, cli, tmp_path):
    # a translator comment and a custom flag that must survive
    po = project / FR
    text = po.read_text("utf-8")
    text = text.replace('msgctxt "mini-2024:summary:training"',
                        '# checked with the programme team\nmsgctxt "mini-2024:summary:training"')
    po.write_text(text, "utf-8")
    edit_source(project, "Funding must be secured before the end of the year.",
                "Funding must be secured before the end of the financial year.")
    edit_source(project, "      - id: closing\n        paragraph: The next meeting will take place online.\n",
                "      - id: venue\n        paragraph: A new venue is being sought for the next session.\n")
    run = cli("update", "--lang", "fr", cwd=project)
    assert run.code == 0, run.err
    assert run.out.splitlines() == ["updated locales/fr/LC_MESSAGES/reportgen.po: 32 kept, 1 new, 1 fuzzy, 1 obsolete"]
    cat = read(po)
    changed = entry(cat, "mini-2024:summary:funding")
    assert changed.fuzzy and changed.string == "Le financement doit être assuré avant la fin de l’année."
    out = po.read_text("utf-8")
    assert ('#, fuzzy\n#| msgid "Funding must be secured before the end of the year."\n'
            'msgctxt "mini-2024:summary:funding"\nmsgid "Funding must be secured before the end of the financial year."\n') in out
    new = entry(cat, "mini-2024:next:venue")
    assert (new.string, new.fuzzy) == ("", False)
    kept = entry(cat, "mini-2024:summary:training")
    assert kept.string == "La formation des nouveaux collaborateurs commence au printemps."
    assert kept.user_comments == ["checked with the programme team"] and not kept.fuzzy
    assert '#~ msgctxt "mini-2024:next:closing"\n#~ msgid "The next meeting will take place online."\n' \
           '#~ msgstr "La prochaine réunion se tiendra en ligne."\n' in out
    msgfmt_ok(po, tmp_path)
    # idempotent, and the previous text of the fuzzy entry survives a second round trip
    again = po.read_bytes()
    assert cli("update", "--lang", "fr", cwd=project).out.startswith("unchanged:")
    assert po.read_bytes() == again


def test_a_second_edit_keeps_the_text_the_translation_was_made_for(project, cli):
    edit_source(project, "before the end of the year.", "before the end of the financial year.")
    cli("update", "--lang", "fr", cwd=project)
    edit_source(project, "before the end of the financial year.", "before the end of the calendar year.")
    cli("update", "--lang", "fr", cwd=project)
    out = (project / FR).read_text("utf-8")
    assert '#| msgid "Funding must be secured before the end of the year."\n' in out


def test_a_removed_text_that_comes_back_gets_its_translation_back(project, cli):
    original = (project / SOURCE).read_text("utf-8")
    edit_source(project, "          - id: training\n            text: Training for new staff starts in spring.\n", "")
    cli("update", "--lang", "fr", cwd=project)
    assert "#~ msgid \"Training for new staff starts in spring.\"" in (project / FR).read_text("utf-8")
    (project / SOURCE).write_text(original, "utf-8")
    run = cli("update", "--lang", "fr", cwd=project)
    assert run.out.startswith("updated locales/fr/LC_MESSAGES/reportgen.po: 34 kept, 0 new, 0 fuzzy, 0 obsolete")
    assert (project / FR).read_bytes() == (Path(__file__).parent / "projects/translators" / FR).read_bytes()


def test_fuzzy_matching_finds_a_moved_and_edited_paragraph(project, cli):
    """The id changed too (so the context does not help): the matcher finds the old paragraph."""
    edit_source(project, "      - id: intro\n", "      - id: opening\n")
    edit_source(project, "partners from twelve countries", "partners from thirteen countries")
    run = cli("update", "--lang", "fr", cwd=project)
    assert "33 kept, 0 new, 1 fuzzy, 0 obsolete" in run.out  # the old entry's translation moved
    m = entry(read(project / FR), "mini-2024:summary:opening")
    assert m.fuzzy and m.string.startswith("La réunion du {date} a rassemblé des partenaires de douze pays")


def test_fuzzy_matching_leaves_unrelated_short_texts_alone(project, cli):
    """'Next steps' renamed and reworded into an unrelated short heading: no old translation."""
    edit_source(project, "  - id: next\n    heading: Next steps\n", "  - id: later\n    heading: Contacts\n")
    cli("update", "--lang", "fr", cwd=project)
    m = entry(read(project / FR), "mini-2024:later:heading")
    assert (m.string, m.fuzzy) == ("", False)


def test_update_starts_a_new_language(project, cli, tmp_path):
    run = cli("update", "--lang", "de", cwd=project)
    assert run.code == 0
    assert run.out.splitlines() == ["created locales/de/LC_MESSAGES/reportgen.po: 0 kept, 34 new, 0 fuzzy, 0 obsolete"]
    path = project / "locales/de/LC_MESSAGES/reportgen.po"
    text = path.read_text("utf-8")
    header = text.split("\n\n", 1)[0]
    assert '"Language: de\\n"' in header
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header
    assert '"Content-Type: text/plain; charset=utf-8\\n"' in header
    assert "#, fuzzy" not in header
    cat = read(path)
    assert not cat.fuzzy and cat.locale.language == "de"
    assert all(m.string == "" for m in cat if m.id)  # no bundled German layout labels
    msgfmt_ok(path, tmp_path)
    assert cli("update", "--lang", "de", cwd=project).out.startswith("unchanged:")
    # the new language builds (English fallbacks, listed) once the config lists it
    run = cli("build", "--lang", "de", cwd=project)
    assert run.err_lines == ["reportgen: error: unknown language 'de'; choose from en, fr, es "
                             "(it has a catalog: add 'de' to 'languages' in the project config)"]
    (project / "reportgen.toml").write_text('languages = ["en", "fr", "es", "de"]\n')
    run = cli("build", "--lang", "de", "--format", "pdf", cwd=project)
    assert run.code == 0
    assert "warning: [fallback] de: mini-2024: 18 strings untranslated — English used" in run.err_lines


def test_plural_forms_of_a_new_language_come_from_cldr(project, cli):
    cli("update", "--lang", "pl,ja", cwd=project)
    pl = (project / "locales/pl/LC_MESSAGES/reportgen.po").read_text("utf-8")
    assert '"Plural-Forms: nplurals=3;' in pl
    ja = (project / "locales/ja/LC_MESSAGES/reportgen.po").read_text("utf-8")
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in ja


def test_layout_labels_are_filled_from_the_bundled_translation(project, cli):
    m = entry(read(project / ES), "layout:page-footer")
    assert (m.string, m.fuzzy) == ("Página {page} de {pages}", False)


@pytest.mark.parametrize("args, message", [
    (["--lang", "xx"], "reportgen: error: unknown language code 'xx' (expected a CLDR locale such as de, pt_BR)"),
    (["--lang", "en"], "reportgen: error: 'en' is the source language: its text is in the sources, it has no catalog"),
])
def test_update_refuses_bad_languages(project, cli, args, message):
    run = cli("update", *args, cwd=project)
    assert (run.code, run.err_lines) == (1, [message])


def test_every_catalog_update_writes_passes_msgfmt(project, cli, tmp_path):
    edit_source(project, "Training for new staff", "Training for all new staff")
    edit_source(project, "      - id: closing\n", "      - id: closing2\n")
    cli("update", "--lang", "fr,es,de,pt", cwd=project)
    for path in sorted((project / "locales").rglob("*.po")):
        msgfmt_ok(path, tmp_path)


def test_a_catalog_edited_in_a_tool_keeps_its_header(project, cli, monkeypatch):
    """Header fields a translator's tool sets are kept. With nothing else changed the file stays as
    it is (a new template date alone is no change); when an entry changes, only POT-Creation-Date
    follows the template."""
    po = project / FR
    text = po.read_text("utf-8").replace('"Last-Translator: none\\n"', '"Last-Translator: Marie Curie <mc@example.org>\\n"')
    text = re.sub(r'"Generated-By: [^"]*\\n"', r'"X-Generator: Poedit 3.4.2\\n"\n"X-Poedit-Basepath: ../../..\\n"', text)
    assert "X-Generator" in text
    po.write_text(text, "utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1705593660")  # one minute later
    assert cli("update", cwd=project).code == 0
    assert po.read_text("utf-8") == text
    edit_source(project, "before the end of the year.", "before the end of the financial year.")
    assert cli("update", cwd=project).code == 0
    after = po.read_text("utf-8")
    head = text[:text.index("\n\n")]
    assert after.startswith(head.replace("POT-Creation-Date: 2024-01-18 16:00", "POT-Creation-Date: 2024-01-18 16:01"))


def test_update_api_does_not_touch_its_input():
    template = po_file.Catalog([po_file.Entry("Hello", ("",), "a:b")])
    old = merge.new_language_catalog("fr")
    old.entries.append(po_file.Entry("Hullo", ("Bonjour",), "a:b"))
    new, stats = merge.update_catalog(template, old)
    assert old.get("Hullo", "a:b").msgstr == ("Bonjour",) and not old.get("Hullo", "a:b").fuzzy
    assert new.get("Hello", "a:b").fuzzy and (stats.fuzzy, stats.added) == (1, 0)
    assert re.search(r'#\| msgid "Hullo"', po_file.dump(new).decode())


def test_build_with_an_unknown_language_code_is_an_input_error(project, cli):
    run = cli("build", "--lang", "xx", cwd=project)
    assert (run.code, run.err_lines) == (1, ["reportgen: error: unknown language 'xx'; choose from en, fr, es"])


def test_a_reviewed_entry_loses_its_previous_text(project, cli):
    edit_source(project, "before the end of the year.", "before the end of the financial year.")
    cli("update", "--lang", "fr", cwd=project)
    po = project / FR
    text = po.read_text("utf-8")
    assert "#, fuzzy\n#| msgid" in text
    po.write_text(text.replace("#, fuzzy\n#| msgid", "#| msgid"), "utf-8")  # reviewed in an editor
    cli("update", "--lang", "fr", cwd=project)
    text = po.read_text("utf-8")
    assert "#|" not in text and "#, fuzzy" not in text


def test_layout_labels_take_the_bundled_translation_not_a_look_alike(project, cli):
    """A label new to the catalog gets reportgen's translation, not that of a look-alike old text."""
    po = project / ES
    text = po.read_text("utf-8")
    start = text.index('#. Layout label: Label in the title block, before the number of participants')
    end = text.index("\n\n", start) + 2
    text = text[:start] + text[end:]  # as if this version of reportgen had just added the label
    text += '#~ msgctxt "mini-2024:old:heading"\n#~ msgid "Participant"\n#~ msgstr "Participante"\n'
    po.write_text(text, "utf-8")
    run = cli("update", "--lang", "es", cwd=project)
    assert run.out.startswith("updated locales/es/LC_MESSAGES/reportgen.po: 33 kept, 1 new, 0 fuzzy, 0 obsolete")
    m = entry(read(po), "layout:participants")
    assert (m.string, m.fuzzy) == ("Participantes", False)
    assert '#~ msgid "Participant"\n#~ msgstr "Participante"' in po.read_text("utf-8")


def test_plural_forms_are_kept_unless_the_line_is_deleted(project, cli):
    """An existing catalog keeps its Plural-Forms whatever CLDR says today; deleting the line asks
    for CLDR's (from the installed Babel)."""
    from reportgen.i18n.merge import plural_forms

    po = project / FR
    text = po.read_text("utf-8")
    custom = text.replace(re.search(r'"Plural-Forms: [^"]*"', text).group(), '"Plural-Forms: nplurals=1; plural=0;\\n"')
    po.write_text(custom, "utf-8")
    assert cli("update", "--lang", "fr", cwd=project).code == 0
    assert po.read_text("utf-8") == custom
    po.write_text(re.sub(r'"Plural-Forms: [^"]*"\n', "", text), "utf-8")
    assert cli("update", "--lang", "fr", cwd=project).code == 0
    assert po_file.read(po).header_field("Plural-Forms") == plural_forms("fr")[1]
    msgfmt_ok(po, project)
