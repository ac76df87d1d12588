"""`reportgen check`: offline quality checks with exact 'path:line: severity: [code] message' lines.

tests/projects/translators-qa has one French catalog with one instance of each problem."""

from __future__ import annotations

import pytest

from reportgen.i18n import checks
from reportgen.i18n.checks import CatalogInfo, Entry

from .conftest import copy_project

FR = "locales/fr/LC_MESSAGES/reportgen.po"
FINDINGS = [
    f"{FR}:24: warning: [whitespace] 'mini-2024:title': trailing whitespace differs from the English (the translation has it)",
    f"{FR}:30: warning: [unchanged] 'mini-2024:event:location': the translation is the English text (if that is right, "
    "add the flag 'ignore-unchanged' or the comment 'reportgen: ignore unchanged')",
    f"{FR}:43: error: [placeholders] 'mini-2024:summary:intro': placeholder {{date}} renamed to {{dates}}",
    f"{FR}:55: warning: [punctuation] 'mini-2024:summary:funding': does not end with '.' like the English",
    f"{FR}:61: error: [markup] 'mini-2024:summary:training': markup differs from the English: extra <b>",
    f"{FR}:61: warning: [double-space] 'mini-2024:summary:training': double space at column 13",
    f"{FR}:67: warning: [untranslated] 'mini-2024:next:heading' is not translated",
    f"{FR}:73: warning: [fr-spacing] 'mini-2024:next:closing': use a no-break space (U+00A0) before ';', not an ordinary space",
    f"{FR}:85: warning: [fuzzy] 'layout:time' is fuzzy: review the translation, then remove the fuzzy mark",
]


@pytest.fixture
def qa(tmp_path):
    return copy_project("translators-qa", tmp_path / "p")


def test_every_finding_with_its_line(qa, cli):
    run = cli("check", cwd=qa)
    assert run.err_lines == FINDINGS
    assert (run.code, run.out) == (1, "2 errors, 7 warnings\n")


def test_intentionally_unchanged_entries_are_not_reported(qa):
    text = (qa / FR).read_text("utf-8")
    # 'Date' and 'Participants' are French too: marked by a comment and by a flag, not reported
    assert '# reportgen: ignore unchanged\n#. Layout label: Label in the title block, before the date' in text
    assert '#, ignore-unchanged\nmsgctxt "layout:participants"\nmsgid "Participants"\nmsgstr "Participants"' in text


def test_config_silences_codes(qa, cli):
    (qa / "reportgen.toml").write_text('languages = ["en", "fr"]\n\n[check]\nignore = ["punctuation", "markup", '
                                       '"fuzzy", "untranslated", "fr-spacing", "unchanged", "whitespace"]\n')
    run = cli("check", cwd=qa)
    assert run.err_lines == [FINDINGS[2], FINDINGS[5]]


def test_warnings_only_exit_0_unless_strict(qa, cli):
    (qa / "reportgen.toml").write_text('languages = ["en", "fr"]\n[check]\nignore = ["placeholders", "markup"]\n')
    run = cli("check", cwd=qa)
    assert run.code == 0 and len(run.err_lines) == 7
    assert cli("check", "--strict", cwd=qa).code == 1


def test_unknown_code_in_config_is_an_error(qa, cli):
    (qa / "reportgen.toml").write_text('[check]\nignore = ["punctuaton"]\n')
    run = cli("check", cwd=qa)
    assert run.code == 1
    assert run.err_lines[0].startswith("reportgen.toml: error: check.ignore: unknown check code 'punctuaton'; codes: ")


def test_clean_catalogs_pass(tmp_path, cli):
    root = copy_project("translators", tmp_path / "p")
    run = cli("check", "--lang", "fr", cwd=root)
    assert (run.code, run.err, run.out) == (0, "", "0 errors, 0 warnings\n")


def test_outdated_catalog_is_reported(tmp_path, cli):
    root = copy_project("translators", tmp_path / "p")
    src = root / "sources/mini-2024.yaml"
    src.write_text(src.read_text("utf-8").replace("Next steps", "What comes next"), "utf-8")
    run = cli("check", "--lang", "fr", cwd=root)
    assert run.err_lines == [f"{FR}: warning: [outdated] 1 text of the sources is not in this catalog; run 'reportgen update'"]
    assert run.code == 0


def test_the_shipped_catalogs_pass_strict(cli):
    from .conftest import REPO

    run = cli("check", "--strict", cwd=REPO)
    assert (run.code, run.err) == (0, "")


# --------------------------------------------------------------------------- the checks one by one

FR_INFO = CatalogInfo("x.po", "fr", 2, 2)
ES_INFO = CatalogInfo("x.po", "es", 2, 2)


def codes(info, msgid, msgstr, **kw):
    strings = msgstr if isinstance(msgstr, tuple) else (msgstr,)
    return [d.code for d in checks.check(info, [Entry(msgid, strings, "c", 1, **kw)])]


@pytest.mark.parametrize("msgid, msgstr, found", [
    ("On {date} at {start}", "Le {date} à {start}", []),
    ("On {date} at {start}", "À {start}, le {date}", []),  # reordering is fine
    ("On {date}", "Le jour", ["placeholders"]),
    ("On {date}", "Le {date} {date}", ["placeholders"]),
    ("Read <b>this</b>.", "Lisez <b>ceci</b>.", []),
    ("Read <b>this</b>.", "Lisez <i>ceci</i>.", ["markup"]),
    ("Read this.", "Lisez ceci.\n", ["whitespace"]),
    (" Read this.", "Lisez ceci.", ["whitespace"]),
    ("Read this.", "Lisez  ceci.", ["double-space"]),
    ("Read this?", "Lisez ceci.", ["punctuation"]),
    ("Read this...", "Lisez ceci…", []),
    ("“Read this.”", "« Lisez ceci. »", ["fr-spacing", "fr-spacing"]),
    ("Read this:", "Lisez ceci\u00a0:", []),
    ("Read this:", "Lisez ceci\u202f:", []),
    ("Read this:", "Lisez ceci:", ["fr-spacing"]),
    ("Time: 16:00", "Heure\u00a0: 16:00", []),
    ("See https://example.org", "Voir https://example.org", []),
    ("“Convention”", "«\u00a0Convention\u00a0»", []),
    ("Date", "Date", ["unchanged"]),
    ("42", "42", []),  # nothing to translate
    ("{time_range} ({timezone})", "{time_range} ({timezone})", []),  # only placeholders
    ("Date", "", ["untranslated"]),
])
def test_french_checks(msgid, msgstr, found):
    assert codes(FR_INFO, msgid, msgstr) == found


def test_french_spacing_is_only_for_french():
    assert codes(ES_INFO, "Read this:", "Lea esto:") == []
    assert codes(ES_INFO, "Why?", "¿Por qué?") == []


def test_ignore_flags_and_comments():
    assert codes(FR_INFO, "Date", "Date", flags=frozenset({"ignore-same"})) == []  # Weblate's name
    assert codes(FR_INFO, "Date", "Date", flags=frozenset({"ignore-unchanged"})) == []
    assert codes(FR_INFO, "On {date}", "Le jour", comments=("reportgen: ignore placeholders",)) == []
    assert codes(FR_INFO, "Date:", "Date:", comments=("reportgen: ignore unchanged, fr-spacing",)) == []


def test_plural_checks():
    plural = dict(msgid_plural="{n} participants")
    assert codes(FR_INFO, "{n} participant", ("{n} participant", "{n} participants"), **plural) == []
    assert codes(FR_INFO, "{n} participant", ("{n} participant",), **plural) == ["plural-forms"]
    # the header disagrees with CLDR: a warning only where an entry has plural forms, saying what to write
    wrong_header = CatalogInfo("x.po", "fr", 3, 2, expected_plural_forms="nplurals=2; plural=(n > 1);")
    assert checks.check(wrong_header, [Entry("Hello", ("Bonjour",), line=9)]) == []
    found = checks.check(wrong_header, [Entry("{n} file", ("{n} fichier", "{n} fichiers", "{n} fichiers"), line=12,
                                              msgid_plural="{n} files")])
    assert [str(d) for d in found] == [
        "x.po:12: warning: [plural-header] '{n} file' has plural forms, and Plural-Forms says nplurals=3 while CLDR "
        "has 2 forms for 'fr'; to follow CLDR, write 'Plural-Forms: nplurals=2; plural=(n > 1);' in the header and "
        "give each plural entry 2 msgstr[N]"]


def test_fuzzy_header(tmp_path, cli):
    root = copy_project("translators", tmp_path / "p")
    po = root / FR
    po.write_text("#, fuzzy\n" + po.read_text("utf-8"), "utf-8")
    run = cli("check", "--lang", "fr", cwd=root)
    assert run.err_lines == [f"{FR}:1: warning: [fuzzy] the header is marked fuzzy: gettext tools (msgfmt, Weblate) "
                             "then ignore the whole catalog; remove '#, fuzzy' above msgid \"\""]
