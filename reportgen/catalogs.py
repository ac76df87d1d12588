"""gettext catalogs: read, extract and look up translations. The only home of ``babel.messages``.

Two kinds of catalog are looked up for a language, in this order:

1. the project's ``locales/<lang>/LC_MESSAGES/reportgen.po``: the source texts (msgctxt
   ``<source-id>:<section>:<id>``) and, optionally, overrides of layout labels (``layout:<key>``);
2. the catalogs bundled in the package (``reportgen/locales/<lang>/LC_MESSAGES/layout.po``): the
   tool's own layout labels ("Date", "Page {page} of {pages}"), like Sphinx ships its own strings.

A :class:`Translator` is an ordinary object, one per language; there is no global state.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from babel.core import UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, write_po

from . import checks, model
from .paths import BUNDLED_LOCALES, DOMAIN, LAYOUT_DOMAIN, available_languages, catalog_path  # noqa: F401
from .errors import Diagnostic, Diagnostics, InputError, Location, display_path, link_escape, read_input

PROJECT_NAME = "reportgen"


# --------------------------------------------------------------------------- reading


def read_catalog(path: Path, base: Path | None = None, lang: str | None = None) -> Catalog:
    """Parse a PO file strictly; every problem is an :class:`InputError` with ``path:line``."""
    shown = display_path(path, base)
    escape = link_escape(path, base) if base is not None else ""
    if escape:
        raise InputError([Diagnostic("error", f"is a symbolic link to {escape}, outside the project; "
                                     "copy the file into the project", Location(shown))])
    return parse_catalog(read_input(path, shown, "catalog"), shown, path.stem)


def parse_catalog(data: bytes, shown: str, domain: str = DOMAIN) -> Catalog:
    """Parse the bytes of a PO file strictly (``shown`` is its path in messages)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            [Diagnostic("error", f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); catalogs must be saved as UTF-8", Location(shown, line))]
        ) from None
    entries, problems = scan_po(text)
    if problems:
        raise InputError([Diagnostic("error", msg, Location(shown, line)) for line, msg in problems])
    try:
        catalog = read_po(io.BytesIO(data), locale=None, domain=domain, abort_invalid=True, charset="utf-8")
    except PoFileError as exc:
        line = getattr(exc, "lineno", 0) or 0
        message = str(exc)
        # Babel says "... on 12: <line>"; keep the reason, drop its own location.
        reason = message.split(" on ", 1)[0] if " on " in message else message
        raise InputError([Diagnostic("error", f"invalid PO syntax: {reason}", Location(shown, line))]) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError([Diagnostic("error", f"invalid PO file: {exc}", Location(shown, 1))]) from None
    # Babel drops the previous msgid of fuzzy entries ("#| msgid"): put it back, so that a
    # read-write round trip keeps what the translator needs to see
    # Babel keeps only the header fields it knows; keep the header as written (Poedit's X-Generator,
    # a team's own fields), so that `update` does not churn what a translator's tool wrote
    header = next((e for e in entries if not e.obsolete and e.msgid == "" and e.context is None), None)
    catalog._raw_header = header.msgstr.get(0, "") if header is not None else None  # type: ignore[attr-defined]
    # (Babel keeps the "#|" lines as translator comments "| msgid ...": drop those)
    previous = {(e.context, e.msgid): e.previous_id for e in entries if e.previous_id is not None}
    for msg in list(catalog) + list(catalog.obsolete.values()):
        if msg.user_comments:
            msg.user_comments = [c for c in msg.user_comments if not c.startswith("|")]
        prev = previous.get((msg.context, _singular(msg.id)))
        if prev is not None:
            msg.previous_id = prev
    return catalog


def _singular(msgid: str | tuple[str, ...]) -> str:
    return msgid[0] if isinstance(msgid, (tuple, list)) else msgid


# --------------------------------------------------------------------------- strict PO syntax

_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(.*)$")
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r"}


@dataclass
class ScannedEntry:
    """One entry as written in the file (for checks Babel's reader does not make)."""

    line: int  # of msgid
    obsolete: bool = False
    context: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    previous_id: str | None = None
    header_lines: dict[str, int] = field(default_factory=dict)  # header field -> line


_SIMPLE_STRING = re.compile(r'"([^"\\]*)"\s*')


def _parse_string(token: str) -> tuple[str | None, str]:
    """Decode one C-style PO string token; (value, "") or (None, reason)."""
    simple = _SIMPLE_STRING.fullmatch(token)  # most strings: no escape, nothing after the quote
    if simple:
        return simple.group(1), ""
    token = token.strip()
    if not token.startswith('"'):
        return None, f"expected a quoted string, got {token[:20]!r}"
    out = []
    i = 1
    while i < len(token):
        ch = token[i]
        if ch == "\\":
            if i + 1 >= len(token):
                break
            esc = token[i + 1]
            if esc not in _ESCAPES:
                return None, f"invalid escape sequence '\\{esc}' (use \\n, \\t, \\\\ or \\\")"
            out.append(_ESCAPES[esc])
            i += 2
            continue
        if ch == '"':
            if token[i + 1:].strip():
                return None, f"unexpected text after the closing quote: {token[i + 1:].strip()[:20]!r}"
            return "".join(out), ""
        out.append(ch)
        i += 1
    return None, "unterminated string (missing closing quote)"


def scan_po(text: str) -> tuple[list[ScannedEntry], list[tuple[int, str]]]:
    """Read the structure of a PO file strictly; return its entries and (line, problem) pairs:
    unterminated strings, bad escapes, stray text, duplicate entries, a missing header, a charset
    other than UTF-8, and plural entries whose number of forms disagrees with Plural-Forms."""
    problems: list[tuple[int, str]] = []
    entries: list[ScannedEntry] = []
    cur: ScannedEntry | None = None
    target: tuple[str, int] | None = None  # (field, index) that continuation lines extend
    prev_field: str | None = None
    pending_prev: dict[str, str] = {}

    def start(lineno: int, obsolete: bool) -> ScannedEntry:
        nonlocal pending_prev
        e = ScannedEntry(line=lineno, obsolete=obsolete, previous_id=pending_prev.get("msgid"))
        pending_prev = {}
        entries.append(e)
        return e

    for lineno, raw in enumerate(text.split("\n"), 1):  # not splitlines(): a PO line ends at \n only
        line = raw.strip()
        obsolete = False
        if not line:
            cur, target, prev_field = None, None, None
            continue
        if line.startswith("#|") or line.startswith("#~|"):
            body = line[3:] if line.startswith("#~|") else line[2:]
            body = body.strip()
            m = _KEYWORD.match(body)
            if m:
                prev_field = m.group(1)
                value, why = _parse_string(m.group(3))
            else:
                value, why = _parse_string(body)
            if value is None:
                problems.append((lineno, why))
            elif prev_field:
                pending_prev[prev_field] = pending_prev.get(prev_field, "") + value
            continue
        if line.startswith("#~"):
            obsolete = True
            line = line[2:].strip()
            if not line:
                continue
        elif line.startswith("#"):
            continue
        m = _KEYWORD.match(line)
        if m:
            keyword, index, rest = m.group(1), m.group(2), m.group(3)
            value, why = _parse_string(rest)
            if value is None:
                problems.append((lineno, why))
                value = ""
            if keyword == "msgctxt" or (keyword == "msgid" and (cur is None or cur.msgid is not None)):
                cur = start(lineno, obsolete)
            elif cur is None:
                problems.append((lineno, f"{keyword.split('[')[0]} without msgid"))
                cur = start(lineno, obsolete)
            if keyword == "msgctxt":
                cur.context, target = value, ("context", 0)
            elif keyword == "msgid":
                cur.msgid, cur.line, target = value, lineno, ("msgid", 0)
            elif keyword == "msgid_plural":
                cur.msgid_plural, target = value, ("msgid_plural", 0)
            else:
                n = int(index) if index is not None else 0
                if cur.msgid is None:
                    problems.append((lineno, "msgstr without msgid"))
                cur.msgstr[n] = value
                target = ("msgstr", n)
            continue
        if line.startswith('"'):
            value, why = _parse_string(line)
            if value is None:
                problems.append((lineno, why))
            elif cur is None or target is None:
                problems.append((lineno, "a string continuation line outside an entry"))
            else:
                name, n = target
                if name == "msgstr":
                    if cur.msgid == "" and not cur.obsolete and ":" in value:
                        cur.header_lines.setdefault(value.split(":", 1)[0].strip().lower(), lineno)
                    cur.msgstr[n] = cur.msgstr.get(n, "") + value
                else:
                    setattr(cur, name, (getattr(cur, name) or "") + value)
            continue
        problems.append((lineno, f"unexpected text {line[:30]!r} (expected msgctxt, msgid, msgstr, a string or a comment)"))
    if problems:
        return entries, problems

    active = [e for e in entries if not e.obsolete]
    header = active[0] if active and active[0].msgid == "" and active[0].context is None else None
    nplurals = 0
    if header is None:
        problems.append((active[0].line if active else 1, 'missing header entry (msgid "" with Content-Type and Plural-Forms) at the top of the file'))
    else:
        fields = _header_fields(header.msgstr.get(0, ""))
        ctype = fields.get("content-type", "")
        m = re.search(r"charset\s*=\s*([\w.-]+)", ctype, re.IGNORECASE)
        charset = m.group(1) if m else ""
        where = header.header_lines.get("content-type", header.line)
        if not m:
            problems.append((where, "the header has no Content-Type with a charset; catalogs must say 'charset=UTF-8'"))
        elif charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
            problems.append((where, f"charset is {charset!r}; catalogs must be UTF-8 "
                                    "('Content-Type: text/plain; charset=UTF-8')"))
        pm = re.search(r"nplurals\s*=\s*(\d+)", fields.get("plural-forms", ""))
        nplurals = int(pm.group(1)) if pm else 0
    seen: dict[tuple[str | None, str], int] = {}
    for e in active:
        if e.msgid is None or e is header:
            continue
        key = (e.context, e.msgid)
        if key in seen:
            ctx = f"msgctxt {e.context!r}, " if e.context is not None else ""
            problems.append((e.line, f"duplicate entry ({ctx}msgid {_short(e.msgid)!r}); first at line {seen[key]}"))
        else:
            seen[key] = e.line
        if e.msgid_plural is not None:
            forms = len(e.msgstr)
            if not nplurals:
                problems.append((e.line, "a plural entry, but the header has no Plural-Forms"))
            elif forms != nplurals or sorted(e.msgstr) != list(range(forms)):
                problems.append((e.line, f"{forms} plural form{'s' if forms != 1 else ''} (msgstr[N]), "
                                         f"but the header's Plural-Forms says nplurals={nplurals}"))
        elif set(e.msgstr) - {0}:
            problems.append((e.line, "msgstr[N] without msgid_plural"))
    return entries, problems


def _header_fields(text: str) -> dict[str, str]:
    out = {}
    for line in text.split("\n"):
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip().lower()] = v.strip()
    return out


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# --------------------------------------------------------------------------- translating


@dataclass(frozen=True)
class Lookup:
    text: str
    #: "translated"; "draft" (a fuzzy translation, used in draft builds); "fuzzy" (a fuzzy
    #: translation, English used); "untranslated" (English used); "source" (English document).
    state: str
    #: The catalog entry the text comes from (None when English is used).
    location: Location | None = None


@dataclass
class Translator:
    """Translations of one language: project catalog first, then the bundled layout catalog."""

    lang: str
    catalogs: tuple[tuple[str, Catalog], ...] = ()  # (shown path, catalog), in lookup order
    use_fuzzy: bool = False
    diagnostics: Diagnostics = field(default_factory=Diagnostics)

    @property
    def is_source_language(self) -> bool:
        return not self.catalogs

    def lookup(self, msgid: str, context: str) -> Lookup:
        """The translation of ``msgid`` in ``context``; English when missing, fuzzy (unless
        ``use_fuzzy``) or broken, with the reason in ``state``."""
        if self.is_source_language:
            return Lookup(msgid, "source")
        state = "untranslated"
        for shown, cat in self.catalogs:
            msg = cat.get(msgid, context=context)
            if msg is None or msg.pluralizable or not msg.string:
                continue
            if msg.fuzzy and not self.use_fuzzy:
                state = "fuzzy"
                continue
            bad = _placeholder_problem(msgid, msg.string)
            if bad:
                self.diagnostics.error(
                    f"{self.lang}: translation of {context!r} {bad}", Location(shown, msg.lineno or 0),
                    code="placeholders",
                )
                continue
            bad = model.forbidden_chars_problem(msg.string)
            if bad:  # the same rule as for source texts (docs/robustness.md)
                self.diagnostics.error(f"{self.lang}: translation of {context!r}: {bad}",
                                       Location(shown, msg.lineno or 0), code="characters")
                continue
            return Lookup(msg.string, "draft" if msg.fuzzy else "translated", Location(shown, msg.lineno or 0))
        return Lookup(msgid, state)

    def text(self, t: model.Text) -> Lookup:
        return self.lookup(t.msgid, t.context)


def _placeholder_problem(msgid: str, msgstr: str) -> str:
    want = sorted(set(model.placeholders_in(msgid)))
    got = sorted(set(model.placeholders_in(msgstr)))
    if want == got:
        return ""
    missing = [f"{{{n}}}" for n in want if n not in got]
    extra = [f"{{{n}}}" for n in got if n not in want]
    parts = []
    if missing:
        parts.append("drops " + ", ".join(missing))
    if extra:
        parts.append("adds " + ", ".join(extra))
    return " and ".join(parts)


def load_translator(lang: str, locales_dir: Path, source_lang: str = "en", use_fuzzy: bool = False,
                    base: Path | None = None) -> Translator:
    """The translator for ``lang``; the source language needs no catalog."""
    if lang == source_lang:
        return Translator(lang)
    catalogs: list[tuple[str, Catalog]] = []
    project = catalog_path(locales_dir, lang)
    if project.exists():
        catalogs.append((display_path(project, base), read_catalog(project, base)))
    bundled = catalog_path(BUNDLED_LOCALES, lang, LAYOUT_DOMAIN)
    if bundled.exists():
        catalogs.append((f"<reportgen>/locales/{lang}/LC_MESSAGES/{LAYOUT_DOMAIN}.po", read_catalog(bundled)))
    return Translator(lang, tuple(catalogs), use_fuzzy)


# --------------------------------------------------------------------------- extracting


def _fixed_now() -> _dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
    return _dt.datetime(2024, 1, 1, tzinfo=_dt.timezone.utc)


def new_catalog(locale: str | None = None, domain: str = DOMAIN) -> Catalog:
    now = _fixed_now()
    return Catalog(
        locale=locale, domain=domain, project=PROJECT_NAME, version=None, fuzzy=False,
        creation_date=now, revision_date=now, copyright_holder=None,
        msgid_bugs_address=None, charset="utf-8",
    )


def _add(catalog: Catalog, msgid: str, context: str, comment: str, ref: tuple[str, int] | None) -> None:
    flags = ("python-brace-format",) if model.PLACEHOLDER_RE.search(msgid) else ()
    existing = catalog.get(msgid, context=context)
    if existing is not None:
        if ref:
            existing.locations.append(ref)
        return
    catalog.add(msgid, context=context, auto_comments=[comment] if comment else [],
                locations=[ref] if ref else [], flags=flags)


def extract(reports: Iterable[model.Report], layout: Iterable[tuple[str, str, str]] = ()) -> Catalog:
    """The template (POT) of the project: every translatable source text, then the layout labels
    (key, English, comment) under the context ``layout:<key>``."""
    catalog = new_catalog()
    for report in reports:
        for t in report.texts():
            _add(catalog, t.msgid, t.context, t.comment, (t.location.path, t.location.line))
    for key, english, comment in layout:
        _add(catalog, english, f"layout:{key}", f"Layout label: {comment}", None)
    return catalog


def extract_layout(labels: Iterable[tuple[str, str, str]]) -> Catalog:
    """The template of the tool's own layout labels: (key, English, comment)."""
    catalog = new_catalog(domain=LAYOUT_DOMAIN)
    for key, english, comment in labels:
        _add(catalog, english, f"layout:{key}", comment, None)
    return catalog


def dump_po(catalog: Catalog, *, omit_header: bool = False) -> bytes:
    buf = io.BytesIO()
    raw = getattr(catalog, "_raw_header", None)
    write_po(buf, catalog, width=100, sort_output=False, include_previous=True,
             omit_header=omit_header or raw is not None)
    if raw is None or omit_header:
        return buf.getvalue()
    lines = [catalog.header_comment.rstrip("\n")] if catalog.header_comment else []
    if catalog.fuzzy:
        lines.append("#, fuzzy")
    lines += ['msgid ""', 'msgstr ""']
    lines += ['"' + _escape(part) + '"' for part in _lines(raw)]
    return ("\n".join(lines) + "\n\n").encode("utf-8") + buf.getvalue().lstrip(b"\n")


def _lines(text: str) -> list[str]:
    """``text`` cut after each \\n (str.splitlines would also cut at \\v, \\f, U+2028...)."""
    return re.findall(r"[^\n]*\n|[^\n]+", text)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def _with_header_field(raw: str, name: str, value: str) -> str:
    """``raw`` (a PO header) with the field ``name`` set to ``value`` (added at the end if absent)."""
    lines = _lines(raw)
    for i, line in enumerate(lines):
        if line.split(":", 1)[0].strip().lower() == name.lower():
            lines[i] = f"{name}: {value}\n"
            return "".join(lines)
    return raw + ("" if not raw or raw.endswith("\n") else "\n") + f"{name}: {value}\n"


# --------------------------------------------------------------------------- updating


def plural_forms(lang: str) -> tuple[int, str]:
    """(nplurals, "nplurals=N; plural=...;") of ``lang``, from Babel's CLDR-based table."""
    from babel.messages.plurals import get_plural

    rule = get_plural(lang.replace("-", "_"))
    return rule.num_plurals, rule.plural_forms


def new_language_catalog(lang: str, template: Catalog) -> Catalog:
    """An empty catalog for a new language: Language, Plural-Forms, UTF-8, a header that is not
    fuzzy (a fuzzy header makes gettext tools ignore the whole file)."""
    catalog = new_catalog(locale=lang.replace("-", "_"), domain=template.domain or DOMAIN)
    catalog.creation_date = template.creation_date
    catalog.language_team = f"{catalog.locale.english_name} <none>" if catalog.locale else "none"
    catalog.last_translator = "none"
    catalog.fuzzy = False
    return catalog


@dataclass
class UpdateStats:
    added: int = 0  # new, empty (or filled from the bundled layout translation)
    fuzzy: int = 0  # changed English text: old translation kept, marked fuzzy
    obsolete: int = 0  # removed from the sources, kept as #~
    kept: int = 0  # unchanged


def _copy(msg: Message, **changes) -> Message:
    fields = dict(
        id=msg.id, string=msg.string, locations=list(msg.locations), flags=set(msg.flags),
        auto_comments=list(msg.auto_comments), user_comments=list(msg.user_comments),
        previous_id=msg.previous_id, lineno=msg.lineno, context=msg.context,
    )
    fields.update(changes)
    return Message(**fields)


_TEMPLATE_FLAGS = {"python-format", "python-brace-format", "no-python-format", "no-python-brace-format"}


def update_catalog(template: Catalog, catalog: Catalog, bundled: Catalog | None = None) -> tuple[Catalog, UpdateStats]:
    """Merge ``template`` into ``catalog`` (which is not modified) and return the new catalog.

    * an entry whose msgctxt and msgid are unchanged keeps its translation, fuzzy flag, translator
      comments and flags; its notes, references and format flags come from the template;
    * an entry whose English changed (same msgctxt, other msgid) keeps the old translation, marked
      fuzzy, with the old English as ``#| msgid`` for the translator;
    * a new entry without such a twin gets the translation of the most similar old entry, fuzzy
      (see :mod:`reportgen.fuzzy`), or stays empty; empty layout labels (``layout:<key>``) are
      filled from the translation that ships with reportgen (``bundled``);
    * an old entry nobody uses any more is kept as obsolete (``#~``) if it has a translation.

    Running it again with the same template changes nothing."""
    from . import fuzzy

    out = Catalog(locale=catalog.locale, domain=catalog.domain, fuzzy=False)
    out.mime_headers = catalog.mime_headers
    out.header_comment = catalog.header_comment
    out.fuzzy = catalog.fuzzy
    out.creation_date = template.creation_date
    raw = getattr(catalog, "_raw_header", None)
    if raw is not None:
        created = dict(template.mime_headers)["POT-Creation-Date"]
        out._raw_header = _with_header_field(raw, "POT-Creation-Date", created)  # type: ignore[attr-defined]
    stats = UpdateStats()

    old = {(m.context, _singular(m.id)): m for m in catalog if m.id}
    obsolete = {(m.context, _singular(m.id)): m for m in catalog.obsolete.values()}
    by_context: dict[str, list[tuple]] = {}
    for key in old:
        if key[0]:
            by_context.setdefault(key[0], []).append(key)
    used: set[tuple] = set()
    results: list[Message | None] = []
    pending: list[tuple[int, Message]] = []

    def merged(t: Message, o: Message, **changes) -> Message:
        flags = (set(o.flags) - _TEMPLATE_FLAGS) | (set(t.flags) & _TEMPLATE_FLAGS)
        string = o.string
        if t.pluralizable != o.pluralizable:
            string = ("",) * out.num_plurals if t.pluralizable else ""
            flags.discard("fuzzy")
        fields = dict(string=string, flags=flags, auto_comments=list(t.auto_comments), locations=list(t.locations))
        fields.update(changes)
        return _copy(o, id=t.id, context=t.context, **fields)

    for t in template:
        if not t.id:
            continue
        key = (t.context, _singular(t.id))
        if key in old:
            used.add(key)
            m = merged(t, old[key])
            if not m.fuzzy:
                m.previous_id = []  # reviewed: the previous text has served its purpose
            results.append(m)
            stats.kept += 1
        elif key in obsolete:
            results.append(merged(t, obsolete.pop(key)))
            stats.kept += 1
        else:
            pending.append((len(results), t))
            results.append(None)

    # the English of an entry changed: same context (its stable identity), other msgid;
    # a new layout label: the translation reportgen ships for it
    still: list[tuple[int, Message]] = []
    for pos, t in pending:
        twins = [k for k in by_context.get(t.context or "", ()) if k not in used]
        ready = _bundled_translation(bundled, t)
        if len(twins) == 1:
            used.add(twins[0])
            results[pos] = _as_fuzzy(t, old[twins[0]], merged)
            if results[pos].fuzzy:
                stats.fuzzy += 1
            else:
                stats.added += 1
        elif ready:
            results[pos] = _copy(t, string=ready, flags=set(t.flags) - {"fuzzy"}, previous_id=[])
            stats.added += 1
        else:
            still.append((pos, t))

    # anything else: the closest old translation, by fuzzy matching
    donors = [(k, m) for k, m in old.items() if k not in used and _has_string(m)]
    donors += [(k, m) for k, m in obsolete.items() if _has_string(m)]
    pairs = fuzzy.match([_singular(t.id) for _, t in still], [_singular(m.id) for _, m in donors])
    taken = set()
    for n, (pos, t) in enumerate(still):
        if n in pairs:
            key, donor = donors[pairs[n]]
            taken.add(key)
            results[pos] = _as_fuzzy(t, donor, merged, keep_comments=False)
            stats.fuzzy += 1
        else:
            string: str | tuple[str, ...] = ("",) * out.num_plurals if t.pluralizable else ""
            results[pos] = _copy(t, string=string, flags=set(t.flags) - {"fuzzy"}, previous_id=[])
            stats.added += 1

    for m in results:
        assert m is not None
        out[m.id] = m  # Catalog.__setitem__ keys by (id, context) from the message itself
    for key, m in old.items():
        if key not in used and key not in taken and (_has_string(m) or m.user_comments):
            out.obsolete[_obsolete_key(m)] = _copy(m, locations=[], auto_comments=[])
            stats.obsolete += 1
    for key, m in obsolete.items():
        if key not in taken:
            out.obsolete[_obsolete_key(m)] = m
    return out, stats


def _bundled_translation(bundled: Catalog | None, t: Message) -> str:
    if bundled is None or t.pluralizable or not (t.context or "").startswith("layout:"):
        return ""
    ready = bundled.get(t.id, context=t.context)
    return ready.string if ready is not None and ready.string and not ready.fuzzy else ""


def _obsolete_key(m: Message):
    return (m.id, m.context) if m.context is not None else m.id


def _has_string(m: Message) -> bool:
    return any(m.string) if isinstance(m.string, (tuple, list)) else bool(m.string)


def _as_fuzzy(t: Message, o: Message, merged, keep_comments: bool = True) -> Message:
    """``t`` with the translation of ``o``, fuzzy, and the English the translation was made for."""
    if not _has_string(o):
        return merged(t, o, flags=set(t.flags) - {"fuzzy"}, previous_id=[], user_comments=list(o.user_comments))
    previous = o.previous_id if (o.fuzzy and o.previous_id) else o.id
    previous = _singular(previous) if previous else ""
    m = merged(t, o, previous_id=previous)
    if m.pluralizable == o.pluralizable:
        m.flags.add("fuzzy")
    if not keep_comments:
        m.user_comments = list(o.user_comments)
    return m


# --------------------------------------------------------------------------- views for checks and statistics


def entries(catalog: Catalog) -> list[checks.Entry]:
    """The catalog's active entries (not the header, not obsolete ones) as plain values."""
    out = []
    for m in catalog:
        if not m.id:
            continue
        plural = isinstance(m.id, (tuple, list))
        strings = tuple(m.string) if isinstance(m.string, (tuple, list)) else (m.string or "",)
        out.append(checks.Entry(
            msgid=m.id[0] if plural else m.id, msgstr=strings, context=m.context, line=m.lineno or 0,
            msgid_plural=m.id[1] if plural else None, flags=frozenset(m.flags),
            comments=tuple(m.user_comments),
        ))
    return out


def obsolete_contexts(catalog: Catalog) -> list[str]:
    return [m.context or "" for m in catalog.obsolete.values()]


def catalog_info(catalog: Catalog, shown: str, lang: str, ignore: Iterable[str] = ()) -> checks.CatalogInfo:
    """What the checks need from the header: the plural count it says and the one CLDR says."""
    try:
        expected = plural_forms(lang)[0]
    except (ValueError, LookupError, UnknownLocaleError):
        expected = None
    header = re.search(r"nplurals\s*=\s*(\d+)", catalog.plural_forms or "")
    return checks.CatalogInfo(shown, lang, int(header.group(1)) if header else catalog.num_plurals,
                              expected, 1, frozenset(ignore), header_fuzzy=catalog.fuzzy)


def is_translated(catalog: Catalog | None, msgid: str, context: str | None) -> str:
    """"translated", "fuzzy" or "untranslated": the state of one text in ``catalog``."""
    m = catalog.get(msgid, context=context) if catalog is not None else None
    if m is None or not _has_string(m):
        return "untranslated"
    return "fuzzy" if m.fuzzy else "translated"


def completeness(translator: Translator, texts: Iterable[model.Text]) -> tuple[int, int]:
    """(translated, total) of ``texts`` for ``translator``; fuzzy is never translated."""
    total = done = 0
    for t in texts:
        total += 1
        if translator.is_source_language:
            done += 1
            continue
        for _, cat in translator.catalogs:
            if is_translated(cat, t.msgid, t.context) == "translated":
                done += 1
                break
    return done, total
