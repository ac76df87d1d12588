"""The catalogs we ship (project es/fr/pt and the bundled layout labels) are complete and valid."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from reportgen import model
from reportgen.build.pipeline import extract_template
from reportgen.project import load_project

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
        if not m.context.startswith("layout:"):
            assert m.locations, f"{m.context}: needs a #: reference"


def test_project_catalogs_match_the_sources(tmp_path):
    """Every source text has an entry (same msgctxt and msgid) in every project catalog."""
    pot = tmp_path / "reportgen.pot"
    extract_template(load_project(REPO), pot)
    with pot.open("rb") as f:
        wanted = {(m.context, m.id) for m in read_po(f) if m.id}
    assert len(wanted) == 31 + 22 + 4  # the source texts, the layout labels and the patterns
    for path in REPO.glob("locales/*/LC_MESSAGES/reportgen.po"):
        with path.open("rb") as f:
            catalog = read_po(f)
            have = {(m.context, m.id) for m in catalog if m.id}
        assert wanted == have, f"{path}: missing {sorted(wanted - have)[:3]}, extra {sorted(have - wanted)[:3]}"
        assert not catalog.obsolete


def test_shipped_files_are_what_extract_and_update_write(tmp_path, cli, monkeypatch):
    """The committed POT and catalogs are exactly what `reportgen extract` / `update` produce."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH")  # the committed files use the fixed default date
    shutil.copytree(REPO / "sources", tmp_path / "sources")
    shutil.copytree(REPO / "locales", tmp_path / "locales")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    assert cli("update", cwd=tmp_path).code == 0
    for path in sorted((REPO / "locales").rglob("*.po*")):
        rel = path.relative_to(REPO)
        assert (tmp_path / rel).read_bytes() == path.read_bytes(), rel


def test_bundled_layout_catalogs_cover_every_label(monkeypatch):
    """Every layout label of localize.LAYOUT ships translated, and layout.pot is what extract_layout writes."""
    from reportgen.i18n import extract, po
    from reportgen import localize

    monkeypatch.delenv("SOURCE_DATE_EPOCH")  # the committed files use the fixed default date
    wanted = {f"layout:{key}" for key, _, _ in localize.bundled_layout_entries()}  # labels and patterns
    for path in sorted(REPO.glob("reportgen/locales/*/LC_MESSAGES/layout.po")):
        with path.open("rb") as f:
            have = {m.context for m in read_po(f) if m.id and m.string}
        assert have == wanted, f"{path}: missing {sorted(wanted - have)}, extra {sorted(have - wanted)}"
    pot = REPO / "reportgen" / "locales" / "layout.pot"
    assert pot.read_bytes() == po.dump(extract.extract_layout(localize.bundled_layout_entries()))


@pytest.mark.parametrize("path", CATALOGS + sorted(REPO.glob("locales/*.pot")) + sorted(REPO.glob("reportgen/locales/*.pot")),
                         ids=lambda p: "/".join(p.parts[-4:]))
def test_msgcat_leaves_the_shipped_files_unchanged(path):
    """Every shipped PO and POT file is in GNU's canonical form (what msgcat, msgmerge and Poedit write)."""
    if shutil.which("msgcat") is None:
        pytest.skip("msgcat (Debian package gettext) is not installed")
    run = subprocess.run(["msgcat", str(path)], capture_output=True)
    assert (run.returncode, run.stderr, run.stdout) == (0, b"", path.read_bytes())


def test_generated_by_names_reportgen():
    from reportgen import __version__

    for path in CATALOGS + sorted(REPO.glob("locales/*.pot")) + sorted(REPO.glob("reportgen/locales/*.pot")):
        assert f'"Generated-By: reportgen {__version__}\\n"'.encode() in path.read_bytes(), path
