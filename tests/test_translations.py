"""reportgen's PO reader (reportgen.i18n.scan, no Babel) against Babel's, an independent reader used
here as a reference: scan_po refuses every file Babel's read_po refuses (except '#~|' lines, the
previous text of obsolete entries that msgmerge writes, which reportgen reads and Babel cannot),
and where it accepts one, read_translations finds the same translations (string, fuzzy, plural,
line) under the same keys. On every catalog of the repository
and on generated PO files; then the exact line of each problem scan_po reports that Babel's reader
would not (or would report without a clear place)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import PoFileError, read_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.i18n import translator as translations
from reportgen.errors import InputError
from reportgen.i18n.scan import scan_po
from reportgen.i18n.translator import completeness, is_translated, parse_translations, read_translations
from reportgen.paths import BUNDLED_LOCALES, LAYOUT_DOMAIN, catalog_path


REPO = Path(__file__).resolve().parent.parent
FR = Path("locales/fr/LC_MESSAGES/reportgen.po")


def _forms(string):  # type: ignore[no-untyped-def]
    """Plural forms without the empty ones at the end: Babel pads a plural entry to the header's
    nplurals; reportgen reads the forms written (too few is the `plural-forms` check, not a read error)."""
    if not isinstance(string, tuple):
        return string
    string = list(string)
    while string and not string[-1]:
        string.pop()
    return tuple(string)


def babel_view(catalog) -> dict:
    """key -> (string, fuzzy, pluralizable, lineno) of every active message, keyed as Babel keys them."""
    out = {}
    for m in list(catalog)[1:]:  # the first is the header
        key = m.id[0] if m.pluralizable else m.id
        out[key if m.context is None else (key, m.context)] = (_forms(tuple(m.string) if m.pluralizable else m.string),
                                                                m.fuzzy, m.pluralizable, m.lineno)
    return out


def our_view(messages: translations.Messages) -> dict:
    return {key: (_forms(m.string), m.fuzzy, m.pluralizable, m.lineno) for key, m in messages.items()}


def babel_reads(data: bytes):
    """Babel's reading of ``data``; '#~|' lines (which Babel cannot read) as plain comments."""
    lines = data.split(b"\n")
    data = b"\n".join(b"# |" + line[3:] if line.strip().startswith(b"#~|") else line for line in lines)
    return read_po(io.BytesIO(data), locale=None, abort_invalid=True, charset="utf-8")


def agree(data: bytes) -> bool:
    """If scan_po accepts ``data``, Babel reads it and finds the same translations; whether it did."""
    try:
        ours = parse_translations(data, "x.po")
    except InputError:
        return False
    try:
        babel = babel_reads(data)
    except PoFileError as exc:
        if "didn't match any expected keyword" in str(exc):  # Babel 2.14 refuses a bare '#~' line;
            assert any(line.strip() == b"#~" for line in data.split(b"\n")), exc  # GNU and Babel 2.19 accept it
            return True
        # more forms than nplurals: a check for reportgen (plural-forms), not a read error
        assert "more translations than num_plurals" in str(exc)
        return True
    except ValueError as exc:  # Babel 2.14 refuses an empty Language header; GNU and Babel 2.19 accept it
        assert str(exc) == "expected only letters, got ''"
        return True
    assert our_view(ours) == babel_view(babel)
    return True


# --------------------------------------------------------------------------- the repository's catalogs

REPO_PO = sorted(p for p in REPO.rglob("*.po") if ".git" not in p.parts and "build" not in p.relative_to(REPO).parts[:1])


def test_the_repository_has_catalogs_to_compare():
    names = {p.relative_to(REPO).as_posix() for p in REPO_PO}
    assert {"locales/fr/LC_MESSAGES/reportgen.po", "reportgen/locales/fr/LC_MESSAGES/layout.po",
            "tests/bad/po/plural-gap.po"} <= names


@pytest.mark.parametrize("path", REPO_PO, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_catalog_of_the_repository_reads_as_babel_reads_it(path):
    data = path.read_bytes()
    try:
        babel = babel_view(babel_reads(data))
    except Exception:  # noqa: BLE001 - Babel refuses it: so must we
        with pytest.raises(InputError):
            read_translations(path)
        return
    try:
        ours = read_translations(path)
    except InputError:
        assert "tests/bad" in path.as_posix()  # stricter than Babel, on purpose: only the broken ones
        return
    assert our_view(ours) == babel
    assert len(ours) == len(babel) > 0


def test_the_good_catalogs_are_read():
    good = [p for p in REPO_PO if "tests/bad" not in p.as_posix()]
    assert len(good) >= 9
    for path in good:
        read_translations(path)


# --------------------------------------------------------------------------- generated PO files

WORDS = ["a", "b", "Date", "Réunion", "{date}", "page {page}"]
PIECES = ["a", "b", " ", "é", "{date}", "\\n", '\\"', "\\\\", "\\t", "\\r", "–", "\u00a0", "\u2028", ":", "\t",
          "\x1c", "\x85", "#", "msgid "]
CONTEXTS = [None, "c", "layout:date", "", "x:y:z"]


def rare(draw, n: int) -> bool:
    """True about once in ``n + 1`` draws (st.integers would give its bounds far more often)."""
    return draw(st.sampled_from([False] * n + [True]))


def odd(draw, tame: bool, n: int) -> bool:
    """Whether to damage something here: never in a tame file, else about once in ``n + 1``."""
    return not tame and rare(draw, n)


@st.composite
def token(draw, words=WORDS, tame=False):
    """A quoted PO string as written: mostly right, sometimes not."""
    if rare(draw, 9):
        body = "".join(draw(st.lists(st.sampled_from(PIECES), max_size=4)))
    else:
        body = draw(st.sampled_from(words))
    if not odd(draw, tame, 20):
        return f'"{body}"'
    damage = draw(st.sampled_from(["bad-escape", "raw-quote", "unterminated", "after", "space-after", "nbsp-after",
                                   "bare", "empty", "x1c-after", "escaped-end"]))
    if damage == "bad-escape":
        return f'"{body}\\q"'
    if damage == "raw-quote":
        return f'"{body}"x"'
    if damage == "unterminated":
        return '"' + body
    if damage == "after":
        return f'"{body}" x'
    if damage == "space-after":
        return f'"{body}"  '
    if damage == "nbsp-after":
        return f'"{body}"\u00a0'
    if damage == "bare":
        return body or "x"
    if damage == "x1c-after":
        return f'"{body}"\x1c'
    if damage == "escaped-end":
        return f'"{body}\\"'
    return '""'


@st.composite
def value_lines(draw, keyword, words=WORDS, prefix="", tame=False):
    """``keyword "..."`` and perhaps continuation lines."""
    sep = draw(st.sampled_from(["", "\t", "  ", " \t"])) if odd(draw, tame, 20) else " "
    lines = [f"{prefix}{keyword}{sep}{draw(token(words, tame))}"]
    if rare(draw, 3):
        lines[0] = f'{prefix}{keyword} ""'
        for _ in range(draw(st.integers(1, 3))):
            lines.append(prefix + draw(token(words, tame)))
    elif rare(draw, 5):
        lines.append(prefix + draw(token(words, tame)))
    return lines


#: comments as tools write them, then odd ones
COMMENTS = ["# a note", "#. from the source", "#: sources/a.yaml:3", "#: \u2068my file.yaml\u2069:3", "#, fuzzy",
            "#, python-brace-format", "#,fuzzy", "#, fuzzy, python-format", "#, fuzzy python-format", "#,",
            '#| msgid "old text"', "#: \u2068", "#: a b:x"]
ODD_COMMENTS = ["#: \u2068broken.yaml:3", "#: a\u2069", "#: \u2068a\u2068b\u2069\u2069", '#| "more"', "#", "#~",
                '#~| msgid "old"', "#~ #, fuzzy"]
ODD_LINES = COMMENTS + ODD_COMMENTS + ["", "", "stray", "\u00a0", "\x0c", "\u3000msgid \"a\"", '"orphan"',
                                       'msgstr "x"', 'msgid "a"', 'msgctxt "c"', '#~ msgid_plural "p"', "msgstrx \"a\"",
                                       'msgstr[0] "x"', 'msgid_plural "p"', 'msgstr[2] "x"']


@st.composite
def entry(draw, tame=False):
    lines = list(draw(st.lists(st.sampled_from(COMMENTS), max_size=3)))
    if lines and rare(draw, 6):
        lines.append("")  # Babel reads past blank lines: the flags above still belong to this entry
    obsolete = rare(draw, 6)
    prefix = draw(st.sampled_from(["#~ ", "#~ ", "#~", "#~  "])) if obsolete else ""
    context = draw(st.sampled_from(CONTEXTS))
    if context is not None:
        lines += draw(value_lines("msgctxt", [context], prefix, tame))
    lines += draw(value_lines("msgid", WORDS, prefix, tame))
    if rare(draw, 4):
        lines += draw(value_lines("msgid_plural", WORDS, prefix, tame))
        indexes = draw(st.sampled_from(["01", "01", "0", "012", "10"]))
        if odd(draw, tame, 4):
            indexes = draw(st.sampled_from(["", "00", "02", "011", "0", "0A"]))
        for i in indexes:  # "A": msgstr[10], "0" after "0": msgstr[00]
            i = {"A": "10"}.get(i, i)
            lines += draw(value_lines(f"msgstr[{i}]", WORDS + [""], prefix, tame))
        if rare(draw, 8):  # a plain msgstr is msgstr[0] for Babel
            lines += draw(value_lines("msgstr", WORDS + [""], prefix, tame))
    elif odd(draw, tame, 10):
        kind = draw(st.sampled_from(["none", "two", "indexed", "form"]))
        if kind == "two":
            lines += draw(value_lines("msgstr", WORDS, prefix, tame)) + draw(value_lines("msgstr", WORDS, prefix, tame))
        elif kind in ("indexed", "form"):
            lines += draw(value_lines("msgstr[0]" if kind == "indexed" else "msgstr[1]", WORDS, prefix, tame))
    else:
        lines += draw(value_lines("msgstr", WORDS + [""], prefix, tame))
    if odd(draw, tame, 10):  # something in an odd place inside the entry
        lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from(ODD_LINES)))
    return lines


#: header field -> usual values, then values some reader refuses
HEADER_FIELDS = {
    "Project-Id-Version": (["reportgen 1.0", "x"], []),
    "POT-Creation-Date": (["2024-01-01 00:00+0000", "2024-01-01 12:30", "2024-01-01 00:00-0130"],
                          ["2024-02-30 00:00+0000", "2024-1-1 0:0", "2024-01-01 00:00+2400", "2024-01-01 00:00 +0000",
                           "yesterday", "", "2024-01-01 00:00+0000 ", "2024-01-01T00:00+0000", "0000-01-01 00:00",
                           "2024-01-01 00:00+0099", "2024-01-01 23:59+2359", " 2024-01-01 00:00", "2024-01-01  00:00"]),
    "PO-Revision-Date": (["2024-01-01 00:00+0000", "YEAR-MO-DA HO:MI+ZONE"], ["soon", "2024-13-01 00:00", "year"]),
    "Language": (["fr", "pt_BR", "pt-BR", "xx", "", "zh_Hant_TW", "sr_Latn", "es_419", "en_US_POSIX", "de@euro",
                  "en_US.UTF-8", "ca_ES_VALENCIA"],
                 ["123", "fr ", "x y", "@", "en_a_b", "en_US_x", "İ", "fr\u00a0", "\u00e9"]),
    "Plural-Forms": (["nplurals=2; plural=(n != 1);", "nplurals=1; plural=0;", "nplurals=3; plural=(n%10==1 ? 0 : 2);",
                      "nplurals = 2 ; plural=(n > 1)", "NPLURALS=2; plural=n>1;"],
                     ["nplurals=x; plural=0;", "nplurals=<2>; plural=0;", "plural=(n != 1);", "nplurals=2_0; plural=0;",
                      "nplurals=; plural=0;", 'nplurals="2"; plural=0;', "nplurals*=2; plural=0;",
                      "xnplurals=3; nplurals=2; plural=0;", "nplurals=0; plural=0;", "nplurals=+2; plural=0;",
                      "nplurals=٢; plural=0;", "nplurals=2 3; plural=0;"]),
    "Content-Type": (["text/plain; charset=UTF-8", "text/plain; charset=utf8", "text/plain; CHARSET = utf_8"],
                     ["text/plain; charset=ISO-8859-1", "text/plain", 'text/plain; charset="UTF-8"',
                      "text/plain charset=UTF-8", "charset=UTF-8", "text/plain; charset=UTF-8; charset=latin1",
                      "text/plain; charset*=utf-8''x; charset=UTF-8", "text/plain; charset=<utf-8>",
                      "text/plain; charset=UTF-8,x"]),
    "Content-Transfer-Encoding": (["8bit"], []),
    "X-Generator": (["Poedit 3.4", "a: b"], []),
}
ODD_HEADER_LINES = ["garbage", " folded", "\tfolded", "", "X-Weird : a", ":no name", "From me", "\u00e9: x",
                    "\x07Bell: x", "From: me"]


@st.composite
def header(draw, tame=False):
    names = draw(st.lists(st.sampled_from(sorted(HEADER_FIELDS)), max_size=6))
    if not odd(draw, tame, 10):
        names += ["Content-Type"]
        if not odd(draw, tame, 5):
            names += ["Plural-Forms"]
    fields = []
    for name in draw(st.permutations(names)):
        usual, unusual = HEADER_FIELDS[name]
        fields.append(f"{name}: {draw(st.sampled_from(unusual if unusual and odd(draw, tame, 6) else usual))}")
    if odd(draw, tame, 8):
        fields.insert(draw(st.integers(0, len(fields))), draw(st.sampled_from(ODD_HEADER_LINES)))
    ending = draw(st.sampled_from(["\\r\\n", "\\r"])) if odd(draw, tame, 8) else "\\n"
    text = "".join(f.replace('"', '\\"') + ending for f in fields)
    if text and rare(draw, 6):
        text = text[: -len(ending)]  # no line break after the last field
    if rare(draw, 3):  # the header's strings cut anywhere (but not inside an escape)
        cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=4))))
        cuts = [c for c in cuts if not text[:c].endswith("\\") or text[:c].endswith("\\\\")]
        pieces = [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])]
    else:
        pieces = [f.replace('"', '\\"') + ending for f in fields]
    lines = ["# Header comment", "#, fuzzy"] if draw(st.booleans()) else []
    lines += ['msgid ""']
    if pieces and rare(draw, 4):  # the first string on the msgstr line
        lines += [f'msgstr "{pieces[0]}"'] + [f'"{p}"' for p in pieces[1:]]
    else:
        lines += ['msgstr ""'] + [f'"{p}"' for p in pieces]
    if odd(draw, tame, 8) and len(lines) > 2:
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(ODD_LINES)))
    return lines


@st.composite
def po_file(draw):
    """A PO file from a grammar: a tame one (only what translators' tools write, though in odd
    combinations) or, as often, one with a few things wrong."""
    tame = draw(st.booleans())
    lines = [] if odd(draw, tame, 12) else draw(header(tame))
    if odd(draw, tame, 12):  # an obsolete entry above the header
        lines = ['#~ msgid "a"', '#~ msgstr "b"', ""] + lines
    for e in draw(st.lists(entry(tame), max_size=6)):
        lines += [""] * (draw(st.sampled_from([0, 2])) if rare(draw, 8) else 1) + e
    if odd(draw, tame, 3):  # a line anywhere
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(ODD_LINES)))
    if lines and odd(draw, tame, 6):  # a line made obsolete, or active
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = lines[i][3:] if lines[i].startswith("#~ ") else "#~ " + lines[i]
    if lines and odd(draw, tame, 20):
        lines[0] = "\ufeff" + lines[0]
    newline = "\r\n" if rare(draw, 6) else "\n"
    return newline.join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(max_examples=int(os.environ.get("PO_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(po_file())
def test_scan_po_accepts_only_what_babel_reads_and_reads_it_alike(text):
    agree(text.encode("utf-8"))


def test_the_generator_makes_files_both_accept():
    """The property above is not vacuous: a good share of the generated files is accepted."""
    accepted = []

    @settings(max_examples=200, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(po_file())
    def run(text):
        accepted.append(agree(text.encode("utf-8")))

    run()
    assert sum(accepted) >= len(accepted) // 10


# --------------------------------------------------------------------------- the rules, line by line

HEADER = ('msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n'
          '"Content-Type: text/plain; charset=UTF-8\\n"\n\n')  # 5 lines, then a blank one


def problems(body: str, header: str = HEADER) -> list[tuple[int, str]]:
    return scan_po(header + body)[1]


@pytest.mark.parametrize("body, found", [
    # line 7 is the first after the header
    ('msgstr "x"\n', [(7, "msgstr without msgid")]),  # once, not twice
    ('msgid "a"\nmsgid_plural "b"\nmsgid_plural "c"\nmsgstr[0] "x"\nmsgstr[1] "y"\n',
     [(9, "a second msgid_plural in one entry")]),
    ('msgid "a"\nmsgid_plural "b"\nmsgstr[0] "x"\nmsgstr[0] "y"\nmsgstr[1] "z"\n',
     [(10, "a second msgstr[0] in one entry")]),
    ('msgid "a"\nmsgstr[0] "x"\nmsgstr "y"\n', [(9, "a second msgstr in one entry")]),
    ('msgid "a"\nmsgstr "x"\n#. note\n"more"\n', [(9, "a comment inside an entry ends it for gettext tools; "
                                                       "put comments above the entry's msgctxt or msgid")]),
    ('msgid "a"\nmsgstr "x"\n\n"more"\n', [(9, "a blank line inside an entry; entries are separated by blank "
                                               "lines, remove it")]),
    ('msgctxt "c"\n\nmsgid "a"\nmsgstr "x"\n', [(8, "a blank line inside an entry; entries are separated by "
                                                     "blank lines, remove it")]),
    ('msgid "a"\n#, fuzzy\nmsgid "b"\nmsgstr "x"\n', [(7, "missing msgstr for msgid 'a'")]),
    ('msgid_plural "b"\n', [(7, "msgid_plural without msgid")]),
    ('msgid\t"a"\nmsgstr "x"\n', [(7, "msgid must be followed by a space")]),
    ('msgid "a"\nmsgstr[0]"x"\n', [(8, "msgstr[0] must be followed by a space")]),
    ('msgidx "a"\nmsgstr "x"\n', [(7, "unexpected text 'msgidx \"a\"' (expected msgctxt, msgid, msgstr, a string or a "
                                      "comment)"), (8, "msgstr without msgid")]),
    ('\u00a0\nmsgid "a"\nmsgstr "x"\n', [(7, "unexpected text '\\xa0' (expected msgctxt, msgid, msgstr, a string or a "
                                             "comment)")]),  # not a blank line for Babel, which strips bytes
    ('#: \u2068a.yaml\u2069:1 b\u2069\nmsgid "a"\nmsgstr "x"\n',
     [(7, "unbalanced U+2068/U+2069 (the marks around a file name with spaces) in a '#:' comment")]),
    ('#: \u2068a b.yaml\u2069:1 \u2068\nmsgid "a"\nmsgstr "x"\n', []),  # Babel lets a last lone U+2068 pass
    ('msgid "a"\nmsgstr "x"\n\nmsgid ""\nmsgstr "y"\n', [(10, 'an empty msgid; only the header entry, at the top, '
                                                            'has msgid ""')]),
    ('msgid "a"\nmsgid_plural "b"\nmsgstr "x"\nmsgstr[1] "y"\n', []),  # msgstr is msgstr[0] for Babel
    ('#~ msgid "a"\n#~ msgid_plural "b"\n#~ msgstr[0] "x"\n', []),  # too few forms: the plural-forms check
    ('msgid "a"\nmsgid_plural "b"\nmsgstr[0] "x"\nmsgstr[2] "y"\n', [(7, "plural forms msgstr[0]/[2]: they must be "
                                                                       "numbered from msgstr[0] without gaps")]),
])
def test_each_problem_is_located(body, found):
    assert problems(body) == found


def test_an_obsolete_entry_above_the_header():
    text = '#~ msgid "a"\n#~ msgstr "b"\n\n' + HEADER
    assert scan_po(text)[1] == [(1, 'an obsolete entry above the header entry (msgid ""), which must come first')]


@pytest.mark.parametrize("field, found", [
    ('"Plural-Forms: nplurals=2_0; plural=0;\\n"', "Plural-Forms: nplurals is '2_0', not a whole number"),
    ('"Plural-Forms: nplurals=; plural=0;\\n"', "Plural-Forms: nplurals is '', not a whole number"),
    ('"Plural-Forms: nplurals*=2; plural=0;\\n"', "Plural-Forms: a parameter written 'name*=' (RFC 2231) cannot be read"),
    ('"Content-Type: text/plain; charset=UTF-8; charset*=utf-8\'\'x\\n"', "Content-Type: a parameter written 'name*=' (RFC 2231) "
                                                            "cannot be read"),
    ('"POT-Creation-Date: 2024-01-01 00:00+2400\\n"', "POT-Creation-Date '2024-01-01 00:00+2400' is not a date as "
                                                      "'YYYY-MM-DD HH:MM+ZZZZ'"),
    ('"POT-Creation-Date: 2024-02-30 10:00\\n"', "POT-Creation-Date '2024-02-30 10:00' is not a date as "
                                                 "'YYYY-MM-DD HH:MM+ZZZZ'"),
    ('"PO-Revision-Date: soon\\n"', "PO-Revision-Date 'soon' is not a date as 'YYYY-MM-DD HH:MM+ZZZZ'"),
    ('"Language: fr \\n"', "Language 'fr ' is not a language code like 'fr' or 'pt_BR' (expected only letters, "
                           "got 'fr ')"),
    ('"Language: en_US_x\\n"', "Language 'en_US_x' is not a language code like 'fr' or 'pt_BR' ('en_US_x' is not a "
                               "valid locale identifier)"),
    ('"X-Generator : Poedit\\n"', "header line 'X-Generator : Poedit' is not 'Name: value'"),
    ('" folded\\n"', "header line ' folded' is not 'Name: value'"),
    ('"\\n"\n"X-Generator: Poedit\\n"', "an empty line inside the header (\\n\\n); the fields after it would be ignored"),
])
def test_each_header_problem_is_located_at_its_line(field, found):
    text = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n' + field + '\n"Language: fr\\n"\n\n'
    assert scan_po(text)[1] == [(4, found)]


@pytest.mark.parametrize("field", [
    '"PO-Revision-Date: YEAR-MO-DA HO:MI+ZONE\\n"', '"POT-Creation-Date: 2024-01-01 12:30\\n"',
    '"Language: pt-BR\\n"', '"Language: xx\\n"', '"Language: \\n"', '"Language: zh_Hant_TW\\n"',
    '"Language: de@euro\\n"', '"Content-Type: text/plain; charset=\\"utf-8\\"\\n"', '"X-Generator: a: b\\n"',
])
def test_header_fields_babel_reads(field):
    text = 'msgid ""\nmsgstr ""\n"Language: fr\\n"\n' + field + '\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    assert scan_po(text)[1] == []
    if field != '"Language: \\n"':  # (refused by Babel 2.14, accepted by GNU and Babel 2.19)
        babel_reads(text.encode())


def test_header_lines_are_located_in_strings_cut_anywhere():
    text = ('msgid ""\nmsgstr "Language: fr\\nPlural-"\n"Forms: nplurals=x; plural=0;\\nContent-Type: text/plain; "\n'
            '"charset=UTF-8\\n"\n')
    assert scan_po(text)[1] == [(2, "Plural-Forms: nplurals is 'x', not a whole number")]


# --------------------------------------------------------------------------- what is looked up


def test_flags_belong_to_the_entry_babel_gives_them_to():
    text = HEADER + ('#, fuzzy\n\nmsgid "a"\nmsgstr "A"\n#, fuzzy\nmsgid "b"\nmsgstr "B"\n\n'
                     'msgctxt "c"\n#, fuzzy\nmsgid "c"\nmsgstr "C"\n\n#,fuzzy python-format\nmsgid "d"\nmsgstr "D"\n\n'
                     '#, fuzzy\n#~ msgid "e"\n#~ msgstr "E"\n\nmsgid "f"\nmsgstr "F"\n')
    ours = parse_translations(text.encode(), "x.po")
    assert {key: m.fuzzy for key, m in ours.items()} == {"a": True, "b": True, ("c", "c"): True, "d": False, "f": False}
    assert our_view(ours) == babel_view(babel_reads(text.encode()))
    assert ours.get("d").flags == frozenset({"fuzzy python-format"})


def test_messages_look_up_like_a_babel_catalog():
    text = HEADER + ('msgid "a"\nmsgstr ""\n"A1"\n"A2"\n\nmsgctxt "c"\nmsgid "a"\nmsgstr "CA"\n\n'
                     'msgid "{n} page"\nmsgid_plural "{n} pages"\nmsgstr[0] "{n} page"\nmsgstr[1] "{n} pages"\n\n'
                     '#~ msgid "old"\n#~ msgstr "vieux"\n')
    ours = parse_translations(text.encode(), "x.po")
    babel = babel_reads(text.encode())
    assert our_view(ours) == babel_view(babel)
    assert len(ours) == 3 and "a" in ours and ("a", "c") in ours
    assert ours.get("a").string == "A1A2" and ours.get("a").lineno == 7 and ours.get("a", "c").string == "CA"
    assert ours.get("a", context="x") is None and ours.get("") is None and ours.get("old") is None
    plural = ours.get("{n} page")
    assert plural.pluralizable and plural.id == ("{n} page", "{n} pages") and plural.string == ("{n} page", "{n} pages")
    for key, m in ours.items():
        b = babel.get(m.id if not m.pluralizable else m.id[0], context=m.context)
        assert (m.id, m.context) == (b.id, b.context)
    for cat in (ours, babel):  # the translators' counts work on either
        assert is_translated(cat, "a", None) == "translated"
        assert is_translated(cat, "missing", None) == "untranslated"


def test_the_build_finds_the_same_translations_as_babel(tmp_path):
    """Every text of the default project and every layout label, in every language: the same
    Lookup from the build's translator as from one over Babel's catalogs."""
    from reportgen import localize
    from reportgen.project import load_project, resolve_sources
    from reportgen.build.pipeline import load_reports

    root = tmp_path / "p"
    shutil.copytree(REPO / "sources", root / "sources")
    shutil.copytree(REPO / "locales", root / "locales")
    settings_ = load_project(root).settings
    reports = load_reports(settings_, resolve_sources(settings_, None))
    texts = [(t.msgid, t.context) for _, r in reports for t in r.texts()]
    texts += [(english, f"layout:{key}") for key, english, _ in localize.layout_entries()]
    for lang in ("es", "fr", "pt"):
        project = catalog_path(settings_.locales_path, lang)
        bundled = catalog_path(BUNDLED_LOCALES, lang, LAYOUT_DOMAIN)
        with_babel = ((f"locales/{lang}/LC_MESSAGES/reportgen.po", babel_reads(project.read_bytes())),
                      (f"<reportgen>/locales/{lang}/LC_MESSAGES/layout.po", babel_reads(bundled.read_bytes())))
        for fuzzy in (False, True):
            ours = translations.load_translator(lang, settings_.locales_path, use_fuzzy=fuzzy, base=root)
            theirs = translations.Translator(lang, with_babel, fuzzy)
            assert [shown for shown, _ in ours.catalogs] == [shown for shown, _ in theirs.catalogs]
            found = [ours.lookup(*t) for t in texts]
            assert found == [theirs.lookup(*t) for t in texts]
            assert sum(f.state in ("translated", "draft") for f in found) > len(texts) // 2
            assert ours.diagnostics.items == theirs.diagnostics.items
            assert completeness(ours, [_text(*t) for t in texts]) == \
                completeness(theirs, [_text(*t) for t in texts])


def _text(msgid: str, context: str):
    from reportgen import model
    from reportgen.errors import Location

    return model.Text(msgid, context, Location(""))


# --------------------------------------------------------------------------- what is imported

LEFT_OUT = "import sys; print(sorted(m for m in sys.modules if m.split('.')[0] == 'email' or m.startswith('babel.messages')))"


def test_importing_translations_leaves_babel_messages_and_email_out():
    run = subprocess.run([sys.executable, "-c", "import reportgen.i18n.translator; " + LEFT_OUT],
                         capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_loading_the_translators_of_a_build_leaves_them_out():
    code = ("from reportgen import localize; from reportgen.project import load_project; from reportgen.build.pipeline import load_translators; "
            f"t = load_translators(load_project({str(REPO)!r}).settings, ['en', 'es', 'fr', 'pt']); "
            "assert t['fr'].lookup('Date', 'layout:date').state == 'translated'; " + LEFT_OUT)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
