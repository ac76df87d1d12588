"""`reportgen check FILE.po…`: an offline linter for any PO file, which finds what `msgfmt -c` finds.

Each case below is a small catalog as another project (Django, a C program) has them; the test
runs GNU ``msgfmt -c`` on the same file: where msgfmt refuses it, ``check`` reports an error with
its line; where msgfmt accepts it, ``check`` reports no error (only reportgen's own checks may add
one, listed in OWN).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (Debian package gettext) is not installed")

HEADER = '''msgid ""
msgstr ""
"Language: {lang}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: {plural}\\n"

'''
FR = "nplurals=2; plural=(n > 1);"

#: name -> (body, Plural-Forms, the code check reports at the body's first entry, or None)
CASES = {
    "clean-django": ('#, python-format\nmsgid "Hello %(name)s, you have %(count)d messages"\n'
                     'msgstr "Bonjour %(name)s, vous avez %(count)d messages"\n', FR, None),
    "python-format-missing-name": ('#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Bonjour"\n', FR, "format"),
    "python-format-unknown-name": ('#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Bonjour %(nom)s"\n', FR,
                                   "format"),
    "python-format-type": ('#, python-format\nmsgid "%(count)d files"\nmsgstr "%(count)s fichiers"\n', FR, "format"),
    "python-format-count": ('#, python-format\nmsgid "%s of %s"\nmsgstr "%s"\n', FR, "format"),
    "python-format-reordered-ok": ('#, python-format\nmsgid "%(a)s and %(b)s"\nmsgstr "%(b)s et %(a)s"\n', FR, None),
    "c-format-type": ('#, c-format\nmsgid "%d files in %s"\nmsgstr "%s fichiers dans %s"\n', FR, "format"),
    "c-format-positional-ok": ('#, c-format\nmsgid "%s has %d"\nmsgstr "%2$d dans %1$s"\n', FR, None),
    "brace-format-missing": ('#, python-brace-format\nmsgid "{0} of {1}"\nmsgstr "{0}"\n', FR, "format"),
    "brace-format-ok": ('#, python-brace-format\nmsgid "{0} of {1}"\nmsgstr "{1} sur {0}"\n', FR, None),
    "plural-expression-invalid": ('msgid "a"\nmsgstr "b"\n', "nplurals=2; plural=(n > 1;", "plural-expression"),
    "plural-expression-too-large": ('msgid "a"\nmsgstr "b"\n', "nplurals=2; plural=(n == 1 ? 0 : n == 2 ? 1 : 2);",
                                    "plural-expression"),
    "plural-more-forms": ('msgid "{n} file"\nmsgid_plural "{n} files"\nmsgstr[0] "{n} fichier"\n'
                          'msgstr[1] "{n} fichiers"\nmsgstr[2] "{n} fichiers"\n', FR, "plural-forms"),
    "placeholder-case": ('#, python-brace-format\nmsgid "On {date}"\nmsgstr "Le {Date}"\n', FR, "placeholders"),
    "control-character": ('msgid "Total"\nmsgstr "Total\\a"\n', FR, "characters"),
}
#: codes that are reportgen's own (msgfmt has no such check)
OWN = {"characters"}


def write(tmp_path: Path, name: str) -> Path:
    body, plural, _ = CASES[name]
    path = tmp_path / f"{name}.po"
    path.write_text(HEADER.format(lang="fr", plural=plural) + body, "utf-8")
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_finds_what_msgfmt_finds(name, tmp_path, cli):
    path = write(tmp_path, name).relative_to(tmp_path)
    gnu = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True, cwd=tmp_path)
    run = cli("check", str(path), cwd=tmp_path)
    errors = [line for line in run.err_lines if ": error: " in line]
    code = CASES[name][2]
    if gnu.returncode != 0:
        assert errors and run.code == 1, gnu.stderr
    elif code not in OWN:
        assert errors == [] and run.code == 0, errors
    if code is None:
        assert run.err_lines == []
    else:
        assert any(f"[{code}]" in line for line in run.err_lines), run.err_lines
        line = 7 if code.startswith("plural-expression") else 9 + CASES[name][0].startswith("#")
        assert any(line_.startswith(f"{path}:{line}: ") for line_ in run.err_lines), (line, run.err_lines)


def test_msgfmt_refuses_the_cases_check_calls_errors(tmp_path):
    """The cases are not vacuous: msgfmt -c refuses every one but the clean ones and reportgen's own."""
    refused = set()
    for name in CASES:
        path = write(tmp_path, name)
        if subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True).returncode:
            refused.add(name)
    assert refused == {n for n, (_, _, code) in CASES.items() if code not in (None, *OWN)}


def test_check_json_and_several_files(tmp_path, cli):
    good, bad = write(tmp_path, "clean-django"), write(tmp_path, "python-format-type")
    run = cli("check", "--json", str(good), str(bad), cwd=tmp_path)
    assert run.code == 1 and run.err == ""
    data = json.loads(run.out)
    assert (data["errors"], data["warnings"]) == (1, 0)
    assert data["findings"] == [{"path": bad.name, "line": 10, "severity": "error", "code": "format",
                                 "message": data["findings"][0]["message"]}]
    assert "integer in the English, string in the translation" in data["findings"][0]["message"]


def test_check_of_a_file_that_cannot_be_read(tmp_path, cli):
    path = tmp_path / "broken.po"
    path.write_text(HEADER.format(lang="fr", plural=FR) + 'msgid "a"\nmsgstr "b\n', "utf-8")
    run = cli("check", str(path), cwd=tmp_path)
    assert run.code == 1
    assert run.err_lines == ["broken.po:10: error: unterminated string (missing closing quote)"]


def test_an_empty_catalog_says_how_to_recreate_it(tmp_path, cli):
    path = tmp_path / "empty.po"
    path.write_bytes(b"")
    run = cli("check", str(path), cwd=tmp_path)
    assert run.err_lines == ["empty.po: error: the catalog is empty (0 bytes); delete it and run "
                             "'reportgen update --lang LANG' to create it again"]


# --------------------------------------------------------------------------- language codes


@pytest.mark.parametrize("given, lang", [("FR", "fr"), ("fr", "fr"), ("Es", "es")])
def test_language_codes_resolve_to_gettext_folders_in_every_command(given, lang, tmp_path, cli):
    from .conftest import copy_project

    root = copy_project("translators", tmp_path / "p")
    assert cli("check", "--lang", given, cwd=root).code in (0, 1)
    run = cli("status", "--lang", given, "--json", cwd=root)
    assert run.code == 0 and json.loads(run.out)["languages"][0]["lang"] == lang
    run = cli("update", "--lang", given, cwd=root)
    assert run.code == 0 and f"locales/{lang}/LC_MESSAGES/reportgen.po" in run.out
    assert sorted(p.name for p in (root / "locales").iterdir() if p.is_dir()) == ["es", "fr"]


def test_a_regional_code_is_a_new_catalog_and_a_near_one_is_suggested(tmp_path, cli):
    from reportgen.project import gettext_code

    assert [gettext_code(c) for c in ("es-mx", "es_MX", "ES-MX", "zh-hant-tw", "sr@latin", "pt-br")] == [
        "es_MX", "es_MX", "es_MX", "zh_Hant_TW", "sr@latin", "pt_BR"]
    from .conftest import copy_project

    root = copy_project("translators", tmp_path / "p")
    run = cli("status", "--lang", "fr-CA", cwd=root)
    assert run.code == 1
    assert run.err_lines == ["reportgen: error: no catalog for 'fr_CA' (did you mean 'fr'?); choose from es, fr "
                             "(start one with 'reportgen update --lang fr_CA')"]
    run = cli("build", "--lang", "es-MX", cwd=root)
    assert run.code == 1 and "unknown language 'es_MX'" in run.err and "did you mean 'es'?" in run.err
    assert cli("update", "--lang", "es-MX", cwd=root).code == 0
    assert (root / "locales/es_MX/LC_MESSAGES/reportgen.po").is_file()
