"""`reportgen update` on random edit sequences of the bundled project, checked with GNU gettext.

After every step (texts of any length changed, removed, restored; ids renamed; sections reordered;
a new source; a new language) every catalog and the template pass ``msgfmt -c`` and ``msgcat``
leaves them byte for byte; no translation is lost; an entry keeps its fuzzy state (also through
remove + restore); a second update changes nothing.

Then the same edits against ``msgmerge --previous`` (the differential test): the same entries
fuzzy, with the same previous msgid, except where reportgen decides otherwise on purpose (see
``test_reportgen_differs_from_msgmerge_only_where_documented``).

``UPDATE_EXAMPLES`` raises the number of hypothesis examples (default 6).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.i18n import commands, po
from reportgen.project import load_project

from .conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("msgmerge") is None, reason="GNU gettext is not installed")
EXAMPLES = int(os.environ.get("UPDATE_EXAMPLES", "6"))

WORDS = ["the", "meeting", "partners", "agreed", "on", "a", "plan", "for", "next", "year", "{date}", "“quoted”",
         'say "hi"', "back\\slash", "tab\there", "Prinzipienreiterei", "«\u00a0oui\u00a0»", "well-known", "e.g.",
         "https://example.org/path", "50%", "L’Afrique", "—", "…", "é", "x" * 85]
new_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=60).map(" ".join)


def blocks(data: dict) -> list[dict]:
    """Every dict of the source with an id and a text (paragraphs and bullets)."""
    out = []
    for section in data.get("sections", []):
        for block in section.get("body", []):
            if "paragraph" in block:
                out.append(block)
            for item in block.get("bullets", []) or []:
                out.append(item)
    return out


def load(root: Path, name: str) -> dict:
    return yaml.safe_load((root / "sources" / name).read_text("utf-8"))


def save(root: Path, name: str, data: dict) -> None:
    (root / "sources" / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), "utf-8")


def apply(root: Path, op: tuple, removed: list) -> None:
    kind, n, text = op
    name = sorted(p.name for p in (root / "sources").glob("*.yaml"))[n % 2]
    data = load(root, name)
    found = blocks(data)
    target = found[(n * 7) % len(found)]
    field = "paragraph" if "paragraph" in target else "text"
    if kind == "change":
        target[field] = text
    elif kind == "small-change":
        target[field] = target[field].replace(" ", " very ", 1)
    elif kind == "rename":
        target["id"] = f"{target['id']}-r{n}"
    elif kind == "remove" and len(found) > 3:
        for section in data["sections"]:
            for block in section.get("body", []):
                for container in ([block.get("bullets")] if block.get("bullets") else []):
                    if target in container and len(container) > 1:
                        container.remove(target)
                        removed.append((name, target))
    elif kind == "restore" and removed:
        rname, block = removed.pop()
        data = load(root, rname)
        bullets = next(b["bullets"] for s in data["sections"] for b in s.get("body", []) if b.get("bullets"))
        if all(x.get("id") != block["id"] for x in bullets):
            bullets.append(block)
        name = rname
    elif kind == "reorder":
        data["sections"].reverse()
    elif kind == "new-source":
        data["id"] = f"{data['id']}-copy{n}"
        name = f"{data['id']}.yaml"
    save(root, name, data)


def step(root: Path, langs=None) -> None:
    commands.update(load_project(root), langs)


def catalogs_of(root: Path) -> dict[str, po.Catalog]:
    return {p.parts[-3]: po.read(p) for p in sorted((root / "locales").glob("*/LC_MESSAGES/reportgen.po"))}


def gnu_accepts(root: Path) -> None:
    for path in sorted((root / "locales").rglob("*.po*")):
        run = subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True, text=True)
        assert run.returncode == 0, (path, run.stderr)
        if path.suffix == ".po":
            assert run.stderr == "", path
        cat = subprocess.run(["msgcat", str(path)], capture_output=True)
        assert (cat.returncode, cat.stderr) == (0, b"") and cat.stdout == path.read_bytes(), path


def state(cat: po.Catalog) -> dict:
    """(msgctxt, msgid) -> (translation, fuzzy) of active and obsolete entries."""
    return {e.key: (e.msgstr, e.fuzzy) for e in cat.entries if not e.is_header}


operation = st.tuples(st.sampled_from(["change", "small-change", "rename", "remove", "restore", "reorder",
                                       "new-source", "new-language"]), st.integers(0, 40), new_text)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(operation, min_size=1, max_size=4))
def test_every_update_is_valid_for_gnu_and_loses_nothing(ops):
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        shutil.copytree(REPO / "sources", root / "sources")
        shutil.copytree(REPO / "locales", root / "locales")
        removed: list = []
        translations = {lang: {e.msgstr for e in c.entries if e.translated and not e.is_header}
                        for lang, c in catalogs_of(root).items()}
        for op in ops:
            before = {lang: state(c) for lang, c in catalogs_of(root).items()}
            if op[0] == "new-language":
                step(root, ["de"])
            else:
                apply(root, op, removed)
                step(root)
            gnu_accepts(root)
            after = catalogs_of(root)
            for lang, cat in after.items():
                have = {e.msgstr for e in cat.entries if e.translated and not e.is_header}
                assert translations.get(lang, set()) <= have, lang  # no translation lost
                for key, (msgstr, fuzzy) in state(cat).items():  # the fuzzy state is kept
                    if key in before.get(lang, {}) and before[lang][key][0] == msgstr:
                        assert fuzzy == before[lang][key][1], (lang, key)
            snapshot = {p: p.read_bytes() for p in (root / "locales").rglob("*.po*")}
            step(root)
            assert {p: p.read_bytes() for p in snapshot} == snapshot  # a second update changes nothing


# --------------------------------------------------------------------------- against msgmerge


def merged_both(tmp: Path, edit) -> tuple[po.Catalog, po.Catalog]:  # type: ignore[no-untyped-def]
    """The French catalog after ``edit``: (reportgen update, msgmerge --previous of the same template)."""
    root = tmp / "p"
    shutil.copytree(REPO / "sources", root / "sources")
    shutil.copytree(REPO / "locales", root / "locales")
    fr = root / "locales/fr/LC_MESSAGES/reportgen.po"
    old = tmp / "old.po"
    shutil.copy(fr, old)
    edit(root)
    step(root, ["fr"])
    out = tmp / "msgmerge.po"
    subprocess.run(["msgmerge", "-q", "--previous", "-o", str(out), str(old), str(root / "locales/reportgen.pot")],
                   check=True)
    return po.read(fr), po.read(out)


def fuzzy_view(cat: po.Catalog) -> dict:
    return {e.key: e.previous.get("msgid") for e in cat.messages() if e.fuzzy}


def test_a_changed_text_is_fuzzy_with_its_previous_msgid_as_msgmerge_does(tmp_path):
    def edit(root: Path) -> None:
        data = load(root, "americas-2024.yaml")
        for b in blocks(data)[:6]:  # long and short texts, a one-word change each
            field = "paragraph" if "paragraph" in b else "text"
            b[field] = b[field].replace(" the ", " the whole ", 1) if " the " in b[field] else b[field] + " Now."
        save(root, "americas-2024.yaml", data)

    ours, theirs = merged_both(tmp_path, edit)
    assert len(fuzzy_view(theirs)) == 6
    assert fuzzy_view(ours) == fuzzy_view(theirs)
    assert [e.key for e in ours.messages()] == [e.key for e in theirs.messages()]
    assert {e.key: e.msgstr for e in ours.messages()} == {e.key: e.msgstr for e in theirs.messages()}


def test_a_removed_text_is_obsolete_as_msgmerge_does(tmp_path):
    def edit(root: Path) -> None:
        data = load(root, "americas-2024.yaml")
        bullets = next(b["bullets"] for s in data["sections"] for b in s.get("body", []) if b.get("bullets"))
        del bullets[0]
        save(root, "americas-2024.yaml", data)

    ours, theirs = merged_both(tmp_path, edit)
    assert [(e.key, e.msgstr) for e in ours.obsolete()] == [(e.key, e.msgstr) for e in theirs.obsolete()]
    assert len(ours.obsolete()) == 1


def test_reportgen_differs_from_msgmerge_only_where_documented(tmp_path):
    """One decision differs from msgmerge's, on purpose (docs/translators.md): the English of an
    entry rewritten entirely. msgmerge finds it too different: untranslated, the old translation
    obsolete. reportgen keeps the translation, fuzzy, with the old English as ``#| msgid``: the
    msgctxt says it is the same text, and the translator sees what changed. An id renamed with its
    English unchanged is fuzzy in both, with ``#| msgctxt`` and ``#| msgid`` of the old entry."""
    def edit(root: Path) -> None:
        data = load(root, "americas-2024.yaml")
        found = blocks(data)
        field = "paragraph" if "paragraph" in found[0] else "text"
        found[0][field] = "Something else entirely, with no word in common."
        found[1]["id"] = found[1]["id"] + "-renamed"
        save(root, "americas-2024.yaml", data)

    ours, theirs = merged_both(tmp_path, edit)
    rewritten = next(e for e in ours.messages() if e.msgid == "Something else entirely, with no word in common.")
    renamed = next(e for e in ours.messages() if e.context.endswith("-renamed"))
    assert rewritten.fuzzy and rewritten.translated and "msgid" in rewritten.previous
    gnu = theirs.get(rewritten.msgid, rewritten.context)
    assert not gnu.translated and len(theirs.obsolete()) == 1 and not ours.obsolete()
    gnu = theirs.get(renamed.msgid, renamed.context)
    assert (renamed.msgstr, renamed.fuzzy, renamed.previous) == (gnu.msgstr, gnu.fuzzy, gnu.previous)
    assert renamed.fuzzy and set(renamed.previous) == {"msgctxt", "msgid"}
    assert fuzzy_view(ours).keys() ^ fuzzy_view(theirs).keys() == {rewritten.key}
