"""`reportgen check` and `status` with the glossary ([term]), the mail-header and the pattern checks.

tests/projects/translators: French complete, Spanish partial (one fuzzy entry, four untranslated)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from .conftest import copy_default_project, copy_project

FR = "locales/fr/LC_MESSAGES/reportgen.po"
ES = "locales/es/LC_MESSAGES/reportgen.po"
GLOSSARY = ('en,fr,fr!,es,note\nfunding,financement,,financiación,\nmeeting,rencontre,réunion,,"UN usage, say"\n'
            "review,révision,,,\n")
TERMS = [
    f"{FR}:24: error: [term] 'mini-2024:title': 'réunion' is a forbidden translation of 'Meeting' "
    "(glossary locales/glossary.csv:3); use 'rencontre'",
    f"{FR}:24: warning: [term] 'mini-2024:title': the English has 'Review', the translation has none of the "
    "glossary's terms (glossary locales/glossary.csv:4): 'révision'",
    f"{FR}:43: error: [term] 'mini-2024:summary:intro': 'réunion' is a forbidden translation of 'meeting' "
    "(glossary locales/glossary.csv:3); use 'rencontre'",
    f"{FR}:43: warning: [term] 'mini-2024:summary:intro': the English has 'review', the translation has none of "
    "the glossary's terms (glossary locales/glossary.csv:4): 'révision'",
    f"{FR}:72: error: [term] 'mini-2024:next:closing': 'réunion' is a forbidden translation of 'meeting' "
    "(glossary locales/glossary.csv:3); use 'rencontre'",
]


@pytest.fixture
def project(tmp_path):
    root = copy_project("translators", tmp_path / "p")
    (root / "locales" / "glossary.csv").write_text(GLOSSARY, "utf-8")
    return root


def _edit(path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


# -- the glossary in check


def test_check_reports_the_glossary_at_each_entry(project, cli):
    run = cli("check", "--lang", "fr", cwd=project)
    assert run.err_lines == TERMS
    assert (run.code, run.out) == (1, "3 errors, 2 warnings\n")


def test_fuzzy_and_untranslated_entries_are_not_checked_against_the_glossary(project, cli):
    # es: 'funding' is translated "financiación" but the entry is fuzzy; the others are untranslated
    _edit(project / ES, 'msgstr "La financiación debe', 'msgstr "El financiamiento debe')
    run = cli("check", "--lang", "es", cwd=project)
    assert not [line for line in run.err_lines if "[term]" in line]
    _edit(project / ES, "#, fuzzy\nmsgctxt \"mini-2024:summary:funding\"", "msgctxt \"mini-2024:summary:funding\"")
    run = cli("check", "--lang", "es", cwd=project)
    assert [line for line in run.err_lines if "[term]" in line] == [
        f"{ES}:52: warning: [term] 'mini-2024:summary:funding': the English has 'Funding', the translation has "
        "none of the glossary's terms (glossary locales/glossary.csv:2): 'financiación'"]


def test_ignore_term_in_the_config_and_for_one_entry(project, cli):
    _edit(project / FR, '#: sources/mini-2024.yaml:3\nmsgctxt "mini-2024:title"',
          '# reportgen: ignore term\n#: sources/mini-2024.yaml:3\nmsgctxt "mini-2024:title"')
    _edit(project / FR, 'msgctxt "mini-2024:next:closing"', '#, ignore-term\nmsgctxt "mini-2024:next:closing"')
    run = cli("check", "--lang", "fr", cwd=project)
    shifted = [line.replace(f"{FR}:43:", f"{FR}:44:") for line in TERMS[2:4]]
    assert run.err_lines == shifted
    (project / "reportgen.toml").write_text('languages = ["en", "fr", "es"]\n[check]\nignore = ["term"]\n')
    run = cli("check", "--lang", "fr", cwd=project)
    assert (run.code, run.err_lines) == (0, [])


def test_a_broken_glossary_is_an_error_at_its_line(project, cli):
    (project / "locales" / "glossary.csv").write_text("en,fr\nmeeting,réunion,extra\n", "utf-8")
    run = cli("check", "--lang", "fr", cwd=project)
    assert run.code == 1
    assert run.err_lines == ["locales/glossary.csv:2: error: 3 fields, the header names 2 columns "
                             "(quote a field that holds a comma)"]
    run = cli("status", cwd=project)
    assert (run.code, run.err_lines) == (1, ["locales/glossary.csv:2: error: 3 fields, the header names 2 columns "
                                             "(quote a field that holds a comma)"])


def test_a_tbx_glossary_is_read_too(project, cli):
    (project / "locales" / "glossary.csv").unlink()
    (project / "locales" / "glossary.tbx").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX-Basic"><text><body>\n'
        '<termEntry id="1">\n'
        '<langSet xml:lang="en"><tig><term>meeting</term></tig></langSet>\n'
        '<langSet xml:lang="fr"><tig><term>rencontre</term></tig>\n'
        '<tig><term>réunion</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>'
        '</langSet>\n</termEntry>\n</body></text></martif>\n', "utf-8")
    run = cli("check", "--lang", "fr", cwd=project)
    assert [line.split(" error: ")[0] for line in run.err_lines] == [f"{FR}:24:", f"{FR}:43:", f"{FR}:72:"]
    assert "(glossary locales/glossary.tbx:3); use 'rencontre'" in run.err_lines[0]


def test_check_files_uses_a_glossary_only_when_asked(project, cli):
    run = cli("check", FR, cwd=project)
    assert (run.code, run.err_lines) == (0, [])
    run = cli("check", "--glossary", "locales/glossary.csv", FR, cwd=project)
    assert run.err_lines == TERMS and run.code == 1
    run = cli("check", "--glossary", "missing.csv", FR, cwd=project)
    assert run.code == 1 and run.err_lines[0].startswith("missing.csv: error: cannot read the glossary: ")


# -- the glossary in status


def test_status_counts_the_entries_that_break_the_glossary(project, cli):
    data = json.loads(cli("status", "--json", cwd=project).out)
    assert [(s["lang"], s["glossary"]) for s in data["languages"]] == [("es", 0), ("fr", 3)]
    lines = cli("status", cwd=project).out.splitlines()
    assert lines[0].split()[-1] == "glossary"
    assert [line.split()[-1] for line in lines if " all " in line] == ["0", "3"]
    (project / "locales" / "glossary.csv").unlink()
    data = json.loads(cli("status", "--json", cwd=project).out)
    assert [s["glossary"] for s in data["languages"]] == [None, None]
    assert "glossary" not in cli("status", cwd=project).out


# -- mail headers


@pytest.mark.parametrize("line, context, old, new, message", [
    (24, "mini-2024:title", 'msgstr "Réunion d’examen annuelle"', 'msgstr "=?utf-8?q?R=C3=A9union?="',
     "contains '=?' at character 1 (the start of an RFC 2047 encoded word, which mail programs decode, possibly "
     "into a line break that adds a header)"),
    (121, "layout:kind-outcome-report", 'msgstr "Rapport final"', 'msgstr "Rapport\\nfinal"',
     "contains a line break or control character (U+000A at character 8), which could add a mail header"),
    (159, "layout:mail-subject", 'msgid "{document}: {title}"\nmsgstr "', 'msgid "{document}: {title}"\nmsgstr "\\r\\nBcc: x',
     "contains a line break or control character (U+000D at character 1), which could add a mail header"),
    (164, "layout:mail-document", 'msgstr "Rapport"', 'msgstr "Rapport\\u2028"'.encode().decode("unicode_escape"),
     "contains a line break or control character (U+2028 at character 8), which could add a mail header"),
])
def test_texts_of_the_subject_must_be_safe_for_a_header(project, cli, line, context, old, new, message):
    (project / "locales" / "glossary.csv").unlink()
    _edit(project / FR, old, new)
    run = cli("check", "--lang", "fr", cwd=project)
    assert f"{FR}:{line}: error: [mail-header] {context!r} goes into the e-mail's Subject and {message}; " \
           "distribute refuses it" in run.err_lines, run.err_lines
    assert run.code == 1


def test_body_labels_may_hold_what_a_header_may_not(project, cli):
    (project / "locales" / "glossary.csv").unlink()
    _edit(project / FR, 'msgstr "Cordialement,"', 'msgstr "Cordialement, =?"')
    assert not [line for line in cli("check", "--lang", "fr", cwd=project).err_lines if "mail-header" in line]


# -- layout patterns


def test_a_broken_pattern_is_an_error_in_check(project, cli):
    (project / "locales" / "glossary.csv").unlink()
    _edit(project / FR, 'msgstr "H[ \'h\' mm| \'heures\']"', 'msgstr "H\'h[mm]"')
    run = cli("check", "--lang", "fr", cwd=project)
    line = (project / FR).read_text("utf-8").split('msgstr "H\'h[mm]"')[0].count("\n")
    assert run.err_lines == [
        f"{FR}:{line}: error: [pattern] 'layout:pattern-time': \"H'h[mm]\": unclosed quote at column 2 "
        "(quote literal text: 'h', '' for a quote); the build refuses it"]
    assert cli("build", "--lang", "fr", "--format", "pdf", cwd=project).code == 1  # what the build refuses


def test_patterns_are_settings_not_texts(project, cli):
    """An empty or English pattern is CLDR's default: no untranslated or unchanged finding, not counted."""
    (project / "locales" / "glossary.csv").unlink()
    _edit(project / FR, 'msgstr "d MMMM y"', 'msgstr ""')
    _edit(project / FR, 'msgid "z"\nmsgstr "O"', 'msgid "z"\nmsgstr "z"')
    run = cli("check", "--lang", "fr", cwd=project)
    assert (run.code, run.err_lines) == (0, [])
    fr = json.loads(cli("status", "--json", "--lang", "fr", cwd=project).out)["languages"][0]
    assert (fr["translated"], fr["total"]) == (30, 30)


def test_an_override_of_a_pattern_survives_update(project, cli):
    _edit(project / FR, 'msgstr "H[ \'h\' mm| \'heures\']"', 'msgstr "HH\'h\'mm"')
    before = (project / FR).read_bytes()
    run = cli("update", "--lang", "fr", cwd=project)
    assert run.out.startswith("unchanged: locales/fr/LC_MESSAGES/reportgen.po: 34 kept, 0 new, 0 fuzzy, 0 obsolete")
    assert (project / FR).read_bytes() == before
    assert b"#~" not in before


def test_update_fills_the_patterns_of_a_catalog_from_the_bundled_ones(project, cli):
    text = (project / ES).read_text("utf-8")
    (project / ES).write_text(text[:text.index("\n#. Layout label: How the event's date")] + "\n", "utf-8")
    run = cli("update", "--lang", "es", cwd=project)
    assert "30 kept, 4 new" in run.out
    assert (project / ES).read_text("utf-8") == text


def test_shipped_catalogs_pass_check_strict_with_the_glossary(tmp_path, cli):
    root = copy_default_project(tmp_path / "p")
    assert (root / "locales" / "glossary.csv").is_file()
    run = cli("check", "--strict", cwd=root)
    assert (run.code, run.err_lines, run.out) == (0, [], "0 errors, 0 warnings\n")
    data = json.loads(cli("status", "--json", cwd=root).out)
    assert [(s["lang"], s["glossary"]) for s in data["languages"]] == [("es", 0), ("fr", 0), ("pt", 0)]


def test_a_catalog_with_a_glossary_break_fails_strict(tmp_path, cli):
    root = copy_default_project(tmp_path / "p")
    po = root / "locales" / "fr" / "LC_MESSAGES" / "reportgen.po"
    text = po.read_text("utf-8")
    assert "Convention contre la cybercriminalité" in text
    po.write_text(text.replace("Convention contre la cybercriminalité", "Convention sur la cybercriminalité", 1),
                  "utf-8")
    run = cli("check", "--strict", "--lang", "fr", cwd=root)
    assert run.code == 1
    assert len(run.err_lines) == 1 and "error: [term]" in run.err_lines[0]
    assert "'Convention sur la cybercriminalité' is a forbidden translation of" in run.err_lines[0]


def test_catalogs_with_patterns_pass_msgfmt(project):
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (Debian package gettext) is not installed")
    for path in (project / ES, project / FR):
        run = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert (run.returncode, run.stderr) == (0, ""), path


def test_glossary_option_in_a_project_replaces_the_projects(project, cli, tmp_path):
    other = tmp_path / "terms.csv"
    other.write_text("en,fr\nfunding,subvention\n", "utf-8")
    run = cli("check", "--lang", "fr", "--glossary", str(other), cwd=project)
    assert run.err_lines == [
        f"{FR}:54: warning: [term] 'mini-2024:summary:funding': the English has 'Funding', the translation has "
        f"none of the glossary's terms (glossary {other}:2): 'subvention'"]
