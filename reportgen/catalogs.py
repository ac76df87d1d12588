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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, write_po

from . import model
from .errors import Diagnostic, Diagnostics, InputError, Location, display_path, link_escape

DOMAIN = "reportgen"
LAYOUT_DOMAIN = "layout"
BUNDLED_LOCALES = Path(__file__).parent / "locales"
PROJECT_NAME = "reportgen"


def catalog_path(locales_dir: Path, lang: str, domain: str = DOMAIN) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / f"{domain}.po"


# --------------------------------------------------------------------------- reading


def read_catalog(path: Path, base: Path | None = None, lang: str | None = None) -> Catalog:
    """Parse a PO file strictly; every problem is an :class:`InputError` with ``path:line``."""
    shown = display_path(path, base)
    escape = link_escape(path, base) if base is not None else ""
    if escape:
        raise InputError([Diagnostic("error", f"is a symbolic link to {escape}, outside the project; "
                                     "copy the file into the project", Location(shown))])
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError([Diagnostic("error", "no such catalog", Location(shown))]) from None
    except OSError as exc:
        raise InputError([Diagnostic("error", f"cannot read catalog: {exc.strerror}", Location(shown))]) from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            [Diagnostic("error", f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); catalogs must be saved as UTF-8", Location(shown, line))]
        ) from None
    try:
        catalog = read_po(io.BytesIO(data), locale=None, domain=path.stem, abort_invalid=True, charset="utf-8")
    except PoFileError as exc:
        line = getattr(exc, "lineno", 0) or 0
        message = str(exc)
        # Babel says "... on 12: <line>"; keep the reason, drop its own location.
        reason = message.split(" on ", 1)[0] if " on " in message else message
        raise InputError([Diagnostic("error", f"invalid PO syntax: {reason}", Location(shown, line))]) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError([Diagnostic("error", f"invalid PO file: {exc}", Location(shown, 1))]) from None
    return catalog


# --------------------------------------------------------------------------- translating


@dataclass(frozen=True)
class Lookup:
    text: str
    #: "translated"; "draft" (a fuzzy translation, used in draft builds); "fuzzy" (a fuzzy
    #: translation, English used); "untranslated" (English used); "source" (English document).
    state: str


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
            return Lookup(msg.string, "draft" if msg.fuzzy else "translated")
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


def available_languages(locales_dir: Path) -> list[str]:
    """Languages that have a project catalog."""
    if not locales_dir.is_dir():
        return []
    return sorted(p.name for p in locales_dir.iterdir() if catalog_path(locales_dir, p.name).is_file())


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
    flags = ("python-brace-format",) if model.placeholders_in(msgid) else ()
    existing = catalog.get(msgid, context=context)
    if existing is not None:
        if ref:
            existing.locations.append(ref)
        return
    catalog.add(msgid, context=context, auto_comments=[comment] if comment else [],
                locations=[ref] if ref else [], flags=flags)


def extract(reports: Iterable[model.Report]) -> Catalog:
    """The template (POT) of the project: every translatable source text."""
    catalog = new_catalog()
    for report in reports:
        for t in report.texts():
            _add(catalog, t.msgid, t.context, t.comment, (t.location.path, t.location.line))
    return catalog


def extract_layout(labels: Iterable[tuple[str, str, str]]) -> Catalog:
    """The template of the tool's own layout labels: (key, English, comment)."""
    catalog = new_catalog(domain=LAYOUT_DOMAIN)
    for key, english, comment in labels:
        _add(catalog, english, f"layout:{key}", comment, None)
    return catalog


def dump_po(catalog: Catalog, *, omit_header: bool = False) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=False, include_previous=True, omit_header=omit_header)
    return buf.getvalue()
