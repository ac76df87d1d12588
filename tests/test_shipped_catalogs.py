"""The catalogs we ship (project es/fr/pt and the bundled layout labels) are complete and valid."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from reportgen import model
from reportgen.build import extract_template, load_project

REPO = Path(__file__).resolve().parent.parent
CATALOGS = sorted(REPO.glob("locales/*/LC_MESSAGES/*.po")) + sorted(REPO.glob("reportgen/locales/*/LC_MESSAGES/*.po"))


def test_every_language_has_both_catalogs():
    langs = {p.parts[-3] for p in CATALOGS}
    assert langs == {"es", "fr", "pt"}
    assert len(CATALOGS) == 6


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: "/".join(p.parts[-4:]))
def test_msgfmt_check(path, tmp_path):
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (Debian package gettext) is not installed")
    run = subprocess.run(["msgfmt", "-c", "--check-format", "-o", str(tmp_path / "x.mo"), str(path)],
                         capture_output=True, text=True)
    assert (run.returncode, run.stderr) == (0, "")


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: "/".join(p.parts[-4:]))
def test_complete_and_faithful(path):
    with path.open("rb") as f:
        catalog = read_po(f)
    assert not catalog.fuzzy
    for m in catalog:
        if not m.id:
            continue
        assert m.string, f"{m.context}: untranslated"
        assert not m.fuzzy, f"{m.context}: fuzzy"
        assert m.context and m.auto_comments, f"{m.context}: needs msgctxt and a note for translators"
        assert sorted(model.placeholders_in(m.id)) == sorted(model.placeholders_in(m.string)), m.context
        if "layout" not in path.name:
            assert m.locations, f"{m.context}: needs a #: reference"


def test_project_catalogs_match_the_sources(tmp_path):
    """Every source text has an entry (same msgctxt and msgid) in every project catalog."""
    pot = tmp_path / "reportgen.pot"
    extract_template(load_project(REPO), pot)
    with pot.open("rb") as f:
        wanted = {(m.context, m.id) for m in read_po(f) if m.id}
    assert len(wanted) == 31
    for path in REPO.glob("locales/*/LC_MESSAGES/reportgen.po"):
        with path.open("rb") as f:
            have = {(m.context, m.id) for m in read_po(f) if m.id}
        assert wanted <= have, f"{path}: missing {sorted(wanted - have)[:3]}"
