"""`reportgen status`: per language and per source/section; fuzzy is never counted as translated."""

from __future__ import annotations

import json

import pytest

from .conftest import copy_project


@pytest.fixture
def project(tmp_path):
    return copy_project("translators", tmp_path / "p")


def test_json(project, cli):
    run = cli("status", "--json", cwd=project)
    assert run.code == 0
    data = json.loads(run.out)
    es, fr = data["languages"]
    assert (es["lang"], fr["lang"]) == ("es", "fr")
    assert es["catalog"] == "locales/es/LC_MESSAGES/reportgen.po"
    # Spanish: 3 source texts + 22 layout labels translated, 1 fuzzy (not translated), 4 untranslated
    assert {k: es[k] for k in ("translated", "fuzzy", "untranslated", "obsolete", "total", "percent")} == \
        {"translated": 25, "fuzzy": 1, "untranslated": 4, "obsolete": 0, "total": 30, "percent": 83.3}
    summary = next(g for g in es["groups"] if g["section"] == "summary")
    assert {k: summary[k] for k in ("source", "translated", "fuzzy", "untranslated", "words", "words_translated",
                                    "percent")} == \
        {"source": "mini-2024", "translated": 1, "fuzzy": 1, "untranslated": 2, "words": 45,
         "words_translated": 1, "percent": 25.0}
    assert [(g["source"], g["section"]) for g in es["groups"]] == [
        ("mini-2024", "front matter"), ("mini-2024", "summary"), ("mini-2024", "next"), ("layout", "labels")]
    assert (fr["translated"], fr["fuzzy"], fr["untranslated"], fr["percent"]) == (30, 0, 0, 100.0)


def test_table_for_people(project, cli):
    run = cli("status", "--lang", "es", cwd=project)
    assert run.code == 0
    assert run.out.splitlines() == [
        "language  source     section       translated  fuzzy  untransl.  obsolete  words    %",
        "es        mini-2024  front matter           2      0          0         0      4  100",
        "es        mini-2024  summary                1      1          2         0     45   25",
        "es        mini-2024  next                   0      0          2         0      9    0",
        "es        layout     labels                22      0          0         0     65  100",
        "es        all                              25      1          4         0    123   83",
    ]


def test_obsolete_and_stale_entries_are_counted(project, cli):
    src = project / "sources/mini-2024.yaml"
    src.write_text(src.read_text("utf-8").replace("      - id: closing\n", "      - id: closing-2\n"), "utf-8")
    # before update: the catalog's entry no longer matches the sources
    data = json.loads(cli("status", "--json", "--lang", "fr", cwd=project).out)["languages"][0]
    nxt = next(g for g in data["groups"] if g["section"] == "next")
    assert (nxt["translated"], nxt["untranslated"], nxt["obsolete"]) == (1, 1, 1)
    cli("update", "--lang", "fr", cwd=project)
    data = json.loads(cli("status", "--json", "--lang", "fr", cwd=project).out)["languages"][0]
    nxt = next(g for g in data["groups"] if g["section"] == "next")
    # the renamed paragraph kept its translation as fuzzy: not translated
    assert (nxt["translated"], nxt["fuzzy"], nxt["untranslated"], nxt["obsolete"]) == (1, 1, 0, 0)


def test_unknown_language(project, cli):
    run = cli("status", "--lang", "de", cwd=project)
    assert (run.code, run.err_lines) == (1, ["reportgen: error: no catalog for 'de'; choose from es, fr "
                                             "(start one with 'reportgen update --lang de')"])


def test_terminal_table(project, cli, monkeypatch):
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "120")
    run = cli("status", "--lang", "es", cwd=project)
    assert run.code == 0
    assert "Translation status (fuzzy is not counted as translated)" in run.out
    row = next(line for line in run.out.splitlines() if "summary" in line)
    assert row.split() == ["es", "mini-2024", "summary", "1", "1", "2", "0", "45", "25"]
