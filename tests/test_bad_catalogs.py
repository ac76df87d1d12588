"""Every broken catalog gives its exact 'path:line: error: ...' line and exit 1, never a traceback;
`build` writes nothing and `update` rewrites no catalog. One case per file under tests/bad/po/, each
with the expected line in its own '# expect:' comment; the case is installed as the French catalog
of tests/projects/translators."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import copy_project
from .test_bad_inputs import BAD, expected_lines, snapshot

PO_CASES = sorted((BAD / "po").glob("*.po"))
FR = Path("locales/fr/LC_MESSAGES/reportgen.po")


@pytest.fixture
def broken(tmp_path):
    def install(case: Path) -> Path:
        root = copy_project("translators", tmp_path / "p")
        shutil.copy(case, root / FR)
        return root

    return install


def test_there_is_a_case_for_each_kind_of_damage():
    names = {p.stem for p in PO_CASES}
    assert {"unterminated-string", "bad-escape", "duplicate-entry", "wrong-charset", "not-utf8",
            "plural-gap", "missing-header"} <= names
    # what Babel's reader refuses, or reads otherwise than written, found by reportgen.i18n.scan.scan_po
    assert {"missing-msgstr", "keyword-without-space", "comment-inside-entry", "blank-line-inside-entry",
            "second-msgstr", "msgctxt-without-msgid", "msgid-plural-after-msgstr", "mixed-obsolete", "empty-msgid",
            "duplicate-obsolete", "location-isolates", "header-line", "nplurals", "creation-date", "revision-date",
            "language"} <= names
    for case in PO_CASES:
        assert len(expected_lines(case)) == 1, case.name


@pytest.mark.parametrize("case", PO_CASES, ids=lambda p: p.stem)
def test_build_reports_the_broken_catalog(case, broken, cli):
    root = broken(case)
    run = cli("build", "-q", cwd=root)
    assert (run.code, run.err_lines) == (1, expected_lines(case))
    assert "Traceback" not in run.err
    assert not (root / "build").exists()


@pytest.mark.parametrize("case", PO_CASES, ids=lambda p: p.stem)
def test_update_never_rewrites_a_catalog_it_cannot_read(case, broken, cli):
    root = broken(case)
    before = snapshot(root / "locales")
    run = cli("update", cwd=root)
    assert (run.code, run.err_lines) == (1, expected_lines(case))
    assert snapshot(root / "locales") == before  # neither the broken one nor the others


@pytest.mark.parametrize("case", PO_CASES, ids=lambda p: p.stem)
def test_check_and_status_report_it(case, broken, cli):
    root = broken(case)
    run = cli("check", "--lang", "fr", cwd=root)
    assert run.code == 1
    assert run.err_lines == expected_lines(case)
    run = cli("status", cwd=root)
    assert (run.code, run.err_lines) == (1, expected_lines(case))


def test_all_broken_catalogs_are_reported_at_once(tmp_path, cli):
    root = copy_project("translators", tmp_path / "p")
    shutil.copy(BAD / "po" / "bad-escape.po", root / FR)
    shutil.copy(BAD / "po" / "duplicate-entry.po", root / "locales/es/LC_MESSAGES/reportgen.po")
    run = cli("build", cwd=root)
    assert run.code == 1
    assert run.err_lines == expected_lines(BAD / "po" / "bad-escape.po") + [
        line.replace("/fr/", "/es/") for line in expected_lines(BAD / "po" / "duplicate-entry.po")]
