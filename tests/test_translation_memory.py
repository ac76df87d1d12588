"""`reportgen update`'s translation memory: a new text whose English is already translated elsewhere in
the catalog (another report, another context, an obsolete entry) is pre-filled, fuzzy, with a comment
naming where the translation came from; a similar English the same, with `#| msgid`."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from reportgen.i18n import po

from .conftest import copy_default_project

FR = "locales/fr/LC_MESSAGES/reportgen.po"
EUROPE = """\
id: europe-2025
kind: outcome-report
title: Regional Consultation for Europe
organiser: The Alliance of NGOs on Crime Prevention & Criminal Justice

event:
  date: 2025-03-12
  start: "10:00"
  end: "11:30"
  timezone: CET

sections:
  - id: recommendations
    heading: Challenges and recommendations
    body:
      - id: points
        bullets:
          - id: cross-border
            text: >-
              There was a clear consensus on the essential nature of cross-border cooperation
              to counter the transnational aspects of cybercrime. Currently there is a lack of
              standardized legislation across Europe.
          - id: new
            text: Participants asked for a second meeting in the autumn.
"""
CROSS_BORDER = ("There was a clear consensus on the essential nature of cross-border cooperation to counter the "
                "transnational aspects of cybercrime. Currently there is a lack of standardized legislation across "
                "the Americas.")


@pytest.fixture
def project(tmp_path):
    root = copy_default_project(tmp_path / "p")
    (root / "sources" / "europe-2025.yaml").write_text(EUROPE, "utf-8")
    return root


def _entry(root, context):
    return po.read(root / FR).get(next(e.msgid for e in po.read(root / FR).messages() if e.context == context),
                                  context)


def test_a_new_report_gets_the_translations_of_its_repeated_texts_as_fuzzy(project, cli):
    run = cli("update", "--lang", "fr", cwd=project)
    assert run.out == f"updated {FR}: 57 kept, 2 new, 3 fuzzy, 0 obsolete\n"
    cat = po.read(project / FR)
    organiser = cat.get("The Alliance of NGOs on Crime Prevention & Criminal Justice", "europe-2025:organiser")
    assert organiser.msgstr == ("Alliance des ONG pour la prévention du crime et la justice pénale",)
    assert organiser.fuzzy and organiser.previous == {}
    assert organiser.comments == ["suggested from americas-2024:organiser (same English)"]
    heading = cat.get("Challenges and recommendations", "europe-2025:recommendations:heading")
    assert (heading.msgstr, heading.fuzzy) == (("Défis et recommandations",), True)
    assert heading.comments == ["suggested from americas-2024:recommendations:heading (same English)"]
    # a similar English: the same, with the English the translation was made for
    near = next(e for e in cat.messages() if e.context == "europe-2025:recommendations:cross-border")
    assert near.fuzzy and near.msgstr[0].startswith("Un net consensus s’est dégagé")
    assert near.previous == {"msgid": CROSS_BORDER}
    assert near.comments == ["suggested from americas-2024:recommendations:cross-border (similar English)"]
    # not close enough for a suggestion (3 of 4 words: 0.67, the memory wants 0.8), or nothing like it
    assert not cat.get("Regional Consultation for Europe", "europe-2025:title").translated
    assert not cat.get("Participants asked for a second meeting in the autumn.",
                       "europe-2025:recommendations:new").translated
    # as GNU writes it: comment, flag, previous text
    text = (project / FR).read_text("utf-8")
    assert ('# suggested from americas-2024:organiser (same English)\n#. ' in text)
    assert ('#, fuzzy\n#| msgid ""\n#| "There was a clear consensus' in text)


def test_the_suggestions_are_not_translated_and_pass_msgfmt(project, cli, tmp_path):
    cli("update", "--lang", "fr", cwd=project)
    fr = json.loads(cli("status", "--json", "--lang", "fr", cwd=project).out)["languages"][0]
    assert (fr["fuzzy"], fr["untranslated"]) == (3, 2)
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (Debian package gettext) is not installed")
    run = subprocess.run(["msgfmt", "-c", "--statistics", "-o", str(tmp_path / "fr.mo"), str(project / FR)],
                         capture_output=True, text=True)
    assert run.returncode == 0
    assert run.stderr == "57 translated messages, 3 fuzzy translations, 2 untranslated messages.\n"
    run = subprocess.run(["msgcat", str(project / FR)], capture_output=True)
    assert run.stdout == (project / FR).read_bytes()  # GNU's form


def test_update_again_changes_nothing_and_keeps_reviewed_suggestions(project, cli):
    cli("update", "--lang", "fr", cwd=project)
    path = project / FR
    text = path.read_text("utf-8")
    reviewed = text.replace("#, fuzzy\nmsgctxt \"europe-2025:organiser\"", "msgctxt \"europe-2025:organiser\"")
    assert reviewed != text
    path.write_text(reviewed, "utf-8")
    run = cli("update", "--lang", "fr", cwd=project)
    assert run.out.startswith(f"unchanged: {FR}: 62 kept, 0 new, 0 fuzzy")
    assert path.read_text("utf-8") == reviewed


def test_an_existing_translation_is_never_replaced(project, cli):
    cli("update", "--lang", "fr", cwd=project)
    path = project / FR
    text = path.read_text("utf-8")
    mine = text.replace('"europe-2025:recommendations:new"\nmsgid "Participants asked for a second meeting in the '
                        'autumn."\nmsgstr ""', '"europe-2025:recommendations:new"\nmsgid "Participants asked for a '
                        'second meeting in the autumn."\nmsgstr "Une seconde réunion en automne."')
    assert mine != text
    path.write_text(mine, "utf-8")
    # another report repeats that text: it gets the suggestion; the first keeps its translation
    src = project / "sources" / "europe-2025.yaml"
    src.write_text(src.read_text("utf-8").replace("          - id: new\n",
                                                  "          - id: again\n            text: Participants asked for "
                                                  "a second meeting in the autumn.\n          - id: new\n"), "utf-8")
    cli("update", "--lang", "fr", cwd=project)
    cat = po.read(path)
    old = cat.get("Participants asked for a second meeting in the autumn.", "europe-2025:recommendations:new")
    again = cat.get("Participants asked for a second meeting in the autumn.", "europe-2025:recommendations:again")
    assert (old.msgstr, old.fuzzy) == (("Une seconde réunion en automne.",), False)
    assert (again.msgstr, again.fuzzy) == (("Une seconde réunion en automne.",), True)
    assert again.comments == ["suggested from europe-2025:recommendations:new (same English)"]


def test_an_obsolete_entry_is_remembered(project, cli):
    (project / "sources" / "europe-2025.yaml").unlink()
    (project / "sources" / "americas-2024.yaml").unlink()
    run = cli("update", "--lang", "fr", cwd=project)
    assert "obsolete" in run.out and "0 obsolete" not in run.out
    (project / "sources" / "europe-2025.yaml").write_text(EUROPE.replace(
        "          - id: new\n", "          - id: again\n            text: Challenges and recommendations\n"
                                "          - id: new\n"), "utf-8")
    cli("update", "--lang", "fr", cwd=project)
    cat = po.read(project / FR)
    moved = cat.get("Challenges and recommendations", "europe-2025:recommendations:heading")
    again = cat.get("Challenges and recommendations", "europe-2025:recommendations:again")
    # the first takes the obsolete entry itself (a moved text: #| msgctxt), the second a suggestion
    assert moved.fuzzy and moved.previous == {"msgctxt": "americas-2024:recommendations:heading",
                                              "msgid": "Challenges and recommendations"}
    assert again.fuzzy and again.msgstr == ("Défis et recommandations",)
    assert again.comments == ["suggested from americas-2024:recommendations:heading (obsolete, same English)"]


def test_fuzzy_translations_are_not_suggested(project, cli):
    path = project / FR
    text = path.read_text("utf-8")
    path.write_text(text.replace('msgctxt "americas-2024:organiser"', '#, fuzzy\nmsgctxt "americas-2024:organiser"'),
                    "utf-8")
    cli("update", "--lang", "fr", cwd=project)
    assert not po.read(path).get("The Alliance of NGOs on Crime Prevention & Criminal Justice",
                                 "europe-2025:organiser").translated


def test_the_memory_is_stricter_than_a_move():
    """A moved text may be its own edited version (0.65 of the words); a suggestion comes from
    another text, so it must be closer (0.8 of the words, 0.9 of the characters for short texts)."""
    from reportgen.i18n import fuzzy

    title, other = "Regional Consultation for Europe", "Regional Consultation for the Americas"
    assert fuzzy.match([title], [other]) == {0: 0}
    assert fuzzy.nearest([title], [other]) == {}
    assert fuzzy.nearest(["Locations", "Participants", "Time", title], ["Location", "Date", "participant"]) == \
        {0: 0, 1: 2}
    # one old text may serve several new ones
    assert fuzzy.nearest(["Challenges and recommendations.", "Challenges and recommendation"],
                         ["Challenges and recommendations"]) == {0: 0, 1: 0}
