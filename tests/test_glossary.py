"""The glossary (CSV and TBX) and its [term] findings (reportgen.i18n.glossary)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import InputError, Location
from reportgen.i18n import po
from reportgen.i18n.glossary import load_glossary, parse_csv, parse_tbx, term_findings

REPO = Path(__file__).resolve().parent.parent
AT = Location("locales/fr/LC_MESSAGES/reportgen.po", 12)

GLOSSARY = """\
en,es,es!,fr,fr!,pt-BR,note
Cybercrime Convention,Convención contra la Ciberdelincuencia,Convención sobre la Ciberdelincuencia,\
Convention contre la cybercriminalité,Convention sur la cybercriminalité,Convenção contra o Crime Cibernético,UN treaty
stakeholder,parte interesada,,partie prenante|multipartite,,parte interessada,
# a comment row
,,,,,,
policy|process,política|proceso,,politique|processus,,,
overcriminalization,penalización excesiva,criminalización excesiva,,,,"several
lines"
capacity building,creación de capacidad,,,,,
"""


def findings(text: str, lang: str, msgid: str, msgstr: str):
    return [(d.severity, d.code, d.message) for d in
            term_findings(parse_csv(text, "glossary.csv"), lang, [(msgid, msgstr, AT, "ctx")])]


def errors_of(text: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        parse_csv(text, "locales/glossary.csv")
    return [str(d) for d in exc.value.diagnostics]


# -- reading CSV

def test_csv_columns_forms_and_lines():
    g = parse_csv(GLOSSARY, "glossary.csv")
    assert [c.english for c in g.concepts] == [("Cybercrime Convention",), ("stakeholder",), ("policy", "process"),
                                               ("overcriminalization",), ("capacity building",)]
    treaty, stake, _, over, _ = g.concepts
    assert treaty.approved == {"es": ("Convención contra la Ciberdelincuencia",),
                               "fr": ("Convention contre la cybercriminalité",),
                               "pt_BR": ("Convenção contra o Crime Cibernético",)}
    assert treaty.forbidden == {"es": ("Convención sobre la Ciberdelincuencia",),
                                "fr": ("Convention sur la cybercriminalité",)}
    assert stake.approved["fr"] == ("partie prenante", "multipartite")
    assert treaty.note == "UN treaty" and over.note == "several\nlines"
    assert [c.location.line for c in g.concepts] == [2, 3, 6, 7, 9]  # a quoted field over two lines counts
    assert g.languages() == {"es", "fr", "pt_BR"}


@pytest.mark.parametrize("text, expected", [
    ("", "locales/glossary.csv:1: error: the glossary is empty: its first row names the columns "
         "(en, one per language, <lang>!, note)"),
    ("es,fr\nx,y\n", "locales/glossary.csv:1: error: the glossary has no 'en' column (the English terms)"),
    ("en,es,notes\n", "locales/glossary.csv:1: error: column 3 'notes': not 'en', 'note', a language code (es, pt_BR) "
                    "or a code and '!' (forbidden variants) (did you mean 'note'?)"),
    ("en,es,es\n", "locales/glossary.csv:1: error: the column 'es' appears twice"),
    ("en,es\nterm,a,b\n", "locales/glossary.csv:2: error: 3 fields, the header names 2 columns "
                          "(quote a field that holds a comma)"),
    ("en,es\n\n,término\n", "locales/glossary.csv:3: error: no English term in the 'en' column"),
    ("en,es,es!\nterm,uno|dos,Dos\n", "locales/glossary.csv:2: error: es: 'Dos' is both approved and forbidden"),
    ("en,es\nterm,uno\nx,y\nTerm|z,dos\n", "locales/glossary.csv:4: error: the English term 'Term' is also on line 2"),
    ('en,es\nterm,"uno\n', "locales/glossary.csv:2: error: invalid CSV: unexpected end of data"),
])
def test_csv_errors(text, expected):
    assert expected in errors_of(text)


def test_not_utf8_and_missing_file(tmp_path):
    bad = tmp_path / "glossary.csv"
    bad.write_bytes(b"en,fr\nterm,\xe9t\xe9\n")
    with pytest.raises(InputError) as exc:
        load_glossary(bad, "locales/glossary.csv")
    assert str(exc.value) == "locales/glossary.csv:2: error: the glossary is not UTF-8 text"
    with pytest.raises(InputError) as exc:
        load_glossary(tmp_path / "none.csv", "none.csv")
    assert str(exc.value).startswith("none.csv: error: cannot read the glossary: ")


# -- matching

@pytest.mark.parametrize("lang, msgid, msgstr, expected", [
    # English: case-insensitive, whole words, simple plurals, hyphen or space
    ("es", "Stakeholders met.", "Se reunieron las partes interesadas.", []),
    ("es", "Our stakeholdership.", "Nuestra relación.", []),
    ("es", "New policies and processes.", "Nuevas normas.", ["warning"]),
    ("es", "Capacity-building matters.", "La creación de capacidades importa.", []),
    ("es", "Capacity-building matters.", "El desarrollo importa.", ["warning"]),
    # translations: case-insensitive, accent-sensitive, words as prefixes (inflection), word starts
    ("es", "The stakeholders.", "Las Partes Interesadas.", []),
    ("fr", "The stakeholders.", "Les parties prenantes.", []),
    ("fr", "A multi stakeholder approach.", "Une approche multipartite.", []),
    ("es", "The stakeholders.", "Las contrapartes interesadas.", ["warning"]),
    ("es", "Prevent overcriminalization.", "Evitar la penalizacion excesiva.", ["warning"]),
    # forbidden variants are errors, and then no warning for the concept
    ("es", "Prevent overcriminalization.", "Evitar la criminalización excesiva.", ["error"]),
    ("fr", "The “Cybercrime Convention”", "La «\u00a0Convention sur la cybercriminalité\u00a0»", ["error"]),
    ("fr", "The “Cybercrime Convention”", "La «\u00a0Convention contre la cybercriminalité\u00a0»", []),
    # a language column: pt_BR for pt_BR, and for pt (its base language) when no pt column exists
    ("pt", "The Cybercrime Convention", "A Convenção sobre o Crime Cibernético", ["warning"]),
    ("pt_BR", "The Cybercrime Convention", "A Convenção contra o Crime Cibernético", []),
    ("es_MX", "The Cybercrime Convention", "La Convención sobre la Ciberdelincuencia", ["error"]),
    # no approved forms in this language: nothing to enforce; untranslated: another check's
    ("fr", "Prevent overcriminalization.", "Éviter la surpénalisation.", []),
    ("fr", "The stakeholders.", "", []),
])
def test_matching(lang, msgid, msgstr, expected):
    if lang == "pt":  # the glossary has pt-BR only: pt (any Portuguese) is not pt-BR
        text = GLOSSARY.replace("pt-BR", "pt")
    else:
        text = GLOSSARY
    got = findings(text, lang, msgid, msgstr)
    assert [s for s, _, _ in got] == expected
    assert all(code == "term" for _, code, _ in got)


def test_messages_name_the_entry_the_term_and_the_glossary_line():
    g = parse_csv(GLOSSARY, "locales/glossary.csv")
    out = term_findings(g, "fr", [
        ("The “Cybercrime Convention”", "La « Convention sur la cybercriminalité »", AT, "af:about:platforms"),
        ("Stakeholders", "Les acteurs", Location("fr.po", 40), None),
    ])
    assert [str(d) for d in out] == [
        "locales/fr/LC_MESSAGES/reportgen.po:12: error: [term] 'af:about:platforms': 'Convention sur la "
        "cybercriminalité' is a forbidden translation of 'Cybercrime Convention' (glossary locales/glossary.csv:2); "
        "use 'Convention contre la cybercriminalité'",
        "fr.po:40: warning: [term] 'Stakeholders': the English has 'Stakeholders', the translation has none of the "
        "glossary's terms (glossary locales/glossary.csv:3): 'partie prenante' or 'multipartite'",
    ]


# -- the project's glossary and catalogs

def _entries(path: Path):
    cat = po.read(path, REPO)
    return [(e.msgid, e.msgstr[0], Location(str(path.relative_to(REPO)), e.line), e.context) for e in cat.messages()]


def test_shipped_glossary_and_catalogs_agree():
    g = load_glossary(REPO / "locales" / "glossary.csv", "locales/glossary.csv")
    assert len(g.concepts) == 7
    assert g.languages() == {"es", "fr", "pt"}
    for lang in ("es", "fr", "pt"):
        assert term_findings(g, lang, _entries(REPO / "locales" / lang / "LC_MESSAGES" / "reportgen.po")) == []


@pytest.mark.parametrize("lang, before", [
    ("es", "la necesidad de evitar la criminalización excesiva y conocer la actual «Convención sobre la "
           "Ciberdelincuencia»"),
    ("fr", "prévenir la surcriminalisation et la traite des êtres humains (« Convention sur la cybercriminalité »)"),
    ("pt", "conhecer melhor a atual “Convenção sobre o Crime Cibernético”"),
])
def test_shipped_glossary_catches_what_the_review_found(lang, before):
    g = load_glossary(REPO / "locales" / "glossary.csv", "locales/glossary.csv")
    english = {"es": "Prevent overcriminalization; the current “Cybercrime Convention”.",
               "fr": "Prevent overcriminalization and human trafficking (“Cybercrime Convention”).",
               "pt": "The current “Cybercrime Convention”."}[lang]
    out = term_findings(g, lang, [(english, before, AT, "x")])
    assert {d.severity for d in out} == {"error"}
    assert len(out) == {"es": 2, "fr": 3, "pt": 1}[lang]


# -- TBX

WEBLATE_TBX = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE martif PUBLIC "ISO 12200:1999A//DTD MARTIF core (DXFcdV04)//EN" "TBXcdv04.dtd">
<martif type="TBX" xml:lang="en">
    <martifHeader><fileDesc><sourceDesc><p>Weblate</p></sourceDesc></fileDesc></martifHeader>
    <text>
        <body>
            <termEntry id="1">
                <descrip>The UN treaty</descrip>
                <langSet xml:lang="en"><tig><term>Cybercrime Convention</term></tig></langSet>
                <langSet xml:lang="fr">
                  <tig><term>Convention contre la cybercriminalité</term></tig>
                  <tig><term>Convention sur la cybercriminalité</term>
                       <termNote type="administrativeStatus">forbidden</termNote></tig>
                </langSet>
            </termEntry>
            <termEntry id="2">
                <langSet xml:lang="en"><tig><term>stakeholder</term></tig></langSet>
                <langSet xml:lang="pt-BR"><tig><term>parte interessada</term></tig></langSet>
            </termEntry>
        </body>
    </text>
</martif>
"""

TBX_2019 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx style="dca" type="TBX-Basic" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <text><body>
    <conceptEntry id="c1">
      <langSec xml:lang="en"><termSec><term>trafficking in persons</term></termSec></langSec>
      <langSec xml:lang="fr">
        <termSec><term>traite des personnes</term>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
        <termSec><term>traite des êtres humains</term>
          <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


def test_tbx_as_weblate_exports_it(tmp_path):
    path = tmp_path / "glossary.tbx"
    path.write_text(WEBLATE_TBX, encoding="utf-8")
    g = load_glossary(path, "glossary.tbx")
    treaty, stake = g.concepts
    assert treaty.english == ("Cybercrime Convention",)
    assert treaty.approved == {"fr": ("Convention contre la cybercriminalité",)}
    assert treaty.forbidden == {"fr": ("Convention sur la cybercriminalité",)}
    assert treaty.note == "The UN treaty"
    assert treaty.location == Location("glossary.tbx", 7) and stake.location.line == 16
    assert stake.approved == {"pt_BR": ("parte interessada",)}
    out = term_findings(g, "fr", [("the Cybercrime Convention", "la Convention sur la cybercriminalité", AT, "x")])
    assert [(d.severity, d.code) for d in out] == [("error", "term")]


def test_tbx_2019_with_namespace():
    g = parse_tbx(TBX_2019.encode(), "g.tbx")
    (c,) = g.concepts
    assert c.approved == {"fr": ("traite des personnes",)} and c.forbidden == {"fr": ("traite des êtres humains",)}
    out = term_findings(g, "fr", [("human trafficking in persons", "la traite des êtres humains", AT, "x")])
    assert [d.severity for d in out] == ["error"]


@pytest.mark.parametrize("data, expected", [
    ("<martif><text><body><termEntry>\n<langSet xml:lang='en'><tig><term>x</term></tig></langSet>\n</body></martif>",
     "g.tbx:3:3: error: invalid XML: mismatched tag"),
    ("<martif><text><body>\n<termEntry>\n<langSet xml:lang='fr'><tig><term>x</term></tig></langSet>"
     "</termEntry></body></text></martif>",
     "g.tbx:2: error: a term entry without an English term (langSet xml:lang=\"en\")"),
    ("<martif/>", "g.tbx:1: error: no termEntry (TBX-Basic) or conceptEntry (TBX 2019) in the glossary"),
    ('<?xml version="1.0"?>\n<!DOCTYPE m [\n<!ENTITY a "aaaaaaaaaa">\n<!ENTITY b "&a;&a;&a;&a;">\n]>\n<m>&b;</m>',
     "g.tbx:3: error: the glossary declares entities; TBX files need none"),
])
def test_tbx_errors(data, expected):
    with pytest.raises(InputError) as exc:
        parse_tbx(data.encode(), "g.tbx")
    assert expected in [str(d) for d in exc.value.diagnostics]
