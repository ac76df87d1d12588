"""gettext catalogs: read, extract, update and check them with Babel. The only home of ``babel.messages``.

Two kinds of catalog are looked up for a language, in this order:

1. the project's ``locales/<lang>/LC_MESSAGES/reportgen.po``: the source texts (msgctxt
   ``<source-id>:<section>:<id>``) and, optionally, overrides of layout labels (``layout:<key>``);
2. the catalogs bundled in the package (``reportgen/locales/<lang>/LC_MESSAGES/layout.po``): the
   tool's own layout labels ("Date", "Page {page} of {pages}"), like Sphinx ships its own strings.

Looking texts up (:class:`~reportgen.translations.Translator`, ``load_translator``) and the strict
scanner (``scan_po``) live in :mod:`reportgen.translations`, which imports no Babel. This module
reads catalogs with Babel for the translators' commands (``update``, ``check``, ``status``), which
write them back; Babel is imported by the functions that use it, so that a build, which only looks
texts up, never loads ``babel.messages`` (nor the ``email`` package its header parsing imports).
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .. import model
from ..paths import BUNDLED_LOCALES, DOMAIN, LAYOUT_DOMAIN, available_languages, catalog_path  # noqa: F401
from ..errors import Diagnostic, InputError, Location, display_path, read_input  # noqa: F401
from .translations import Messages, Translation, Translator, check_link, decode_po, scan_strictly

if TYPE_CHECKING:  # pragma: no cover
    from babel.messages.catalog import Catalog, Message

    from . import checks

PROJECT_NAME = "reportgen"


# --------------------------------------------------------------------------- reading


def read_catalog(path: Path, base: Path | None = None, lang: str | None = None) -> Catalog:
    """Parse a PO file strictly; every problem is an :class:`InputError` with ``path:line``."""
    shown = display_path(path, base)
    check_link(path, base, shown)
    return parse_catalog(read_input(path, shown, "catalog"), shown, path.stem)


def parse_catalog(data: bytes, shown: str, domain: str = DOMAIN) -> Catalog:
    """Parse the bytes of a PO file strictly (``shown`` is its path in messages)."""
    from babel.messages.pofile import PoFileError, read_po

    entries = scan_strictly(decode_po(data, shown), shown)
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


# --------------------------------------------------------------------------- extracting


def _fixed_now() -> _dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
    return _dt.datetime(2024, 1, 1, tzinfo=_dt.timezone.utc)


def new_catalog(locale: str | None = None, domain: str = DOMAIN) -> Catalog:
    from babel.messages.catalog import Catalog

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
    from babel.messages.pofile import write_po

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
    from babel.messages.catalog import Message

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
    from babel.messages.catalog import Catalog

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


def _has_string(m: Message | Translation) -> bool:
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
    from . import checks

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
    from babel.core import UnknownLocaleError

    from . import checks

    try:
        expected = plural_forms(lang)[0]
    except (ValueError, LookupError, UnknownLocaleError):
        expected = None
    header = re.search(r"nplurals\s*=\s*(\d+)", catalog.plural_forms or "")
    return checks.CatalogInfo(shown, lang, int(header.group(1)) if header else catalog.num_plurals,
                              expected, 1, frozenset(ignore), header_fuzzy=catalog.fuzzy)


def is_translated(catalog: Catalog | Messages | None, msgid: str, context: str | None) -> str:
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
