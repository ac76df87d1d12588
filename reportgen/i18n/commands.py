"""The translators' commands: update the catalogs, count what is translated, check the translations.

``extract`` lives in :mod:`reportgen.build` (``extract_template``); this module builds on it. PO
files are read and written by :mod:`reportgen.i18n.po`, merged by :mod:`reportgen.i18n.merge`; the
quality checks are in :mod:`reportgen.i18n.checks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from . import checks, glossary, merge, po
from .extract import extract
from .translator import is_pattern, is_translated
from .. import localize, model
from ..project import Project, gettext_code, language_hint, resolve_sources
from ..build.pipeline import load_reports
from ..files import write_atomic
from ..errors import Diagnostic, Diagnostics, InputError, Location, display_path
from ..paths import BUNDLED_LOCALES, DOMAIN, LAYOUT_DOMAIN, available_languages, catalog_path


def template_of(project: Project) -> tuple[list[model.Report], po.Catalog]:
    settings = project.settings
    reports = [r for _, r in load_reports(settings, resolve_sources(settings, None))]
    return reports, extract(reports, localize.layout_entries())


def _languages(project: Project, requested: Sequence[str] | None, *, allow_new: bool) -> list[str]:
    settings = project.settings
    have = available_languages(settings.locales_path)
    if not requested:
        configured = [lang for lang in settings.languages if lang != settings.source_language]
        return sorted(set(have) | (set(configured) if allow_new else set()))
    out = []
    for lang in dict.fromkeys(lang if lang in have else gettext_code(lang) for lang in requested):
        if lang == settings.source_language:
            raise InputError(f"{lang!r} is the source language: its text is in the sources, it has no catalog")
        if lang not in have:
            if not allow_new:
                raise InputError(f"no catalog for {lang!r}{language_hint(lang, have)}; choose from "
                                 f"{', '.join(have) or '(none)'} (start one with 'reportgen update --lang {lang}')")
            if not localize.is_known_language(lang):
                raise InputError(f"unknown language code {lang!r} (expected a CLDR locale such as de, pt_BR)")
        out.append(lang)
    return out


def _bundled(lang: str) -> po.Catalog | None:
    path = catalog_path(BUNDLED_LOCALES, lang, LAYOUT_DOMAIN)
    return po.read(path) if path.is_file() else None


def _existing_catalogs(project: Project, langs: Sequence[str] | None, problems: list[Diagnostic]
                       ) -> Iterator[tuple[str, Path, po.Catalog, po.Catalog | None]]:
    """(language, path, catalog, bundled layout catalog) of each readable catalog of ``langs``; the
    problems of the others are added to ``problems``."""
    settings = project.settings
    for lang in _languages(project, langs, allow_new=False):
        path = catalog_path(settings.locales_path, lang)
        try:
            catalog = po.read(path, settings.root)
            bundled = _bundled(lang)
        except InputError as exc:
            problems.extend(exc.diagnostics)
            continue
        yield lang, path, catalog, bundled


# --------------------------------------------------------------------------- update


@dataclass
class Updated:
    lang: str
    path: Path
    stats: merge.UpdateStats
    created: bool
    changed: bool


def update(project: Project, langs: Sequence[str] | None = None) -> tuple[Path, list[Updated]]:
    """Refresh the template and merge it into the catalogs of ``langs`` (default: every catalog,
    plus configured languages without one). Every catalog is read before any is written: one that
    cannot be read stops the command and no file changes."""
    settings = project.settings
    reports, template = template_of(project)
    languages = _languages(project, langs, allow_new=True)
    diags = Diagnostics()
    loaded: list[tuple[str, Path, po.Catalog | None]] = []
    for lang in languages:
        path = catalog_path(settings.locales_path, lang)
        try:
            loaded.append((lang, path, po.read(path, settings.root) if path.exists() else None))
        except InputError as exc:
            diags.extend(exc.diagnostics)
    diags.raise_if_errors()

    pot = settings.locales_path / f"{DOMAIN}.pot"
    data = po.dump(template)
    if not pot.exists() or pot.read_bytes() != data:
        write_atomic(pot, data)
    out = []
    for lang, path, old in loaded:
        created = old is None
        if old is None:
            old = merge.new_language_catalog(lang)
        new, stats = merge.update_catalog(template, old, _bundled(lang))
        data = new.source if new.source is not None else po.dump(new)
        changed = created or path.read_bytes() != data
        if changed:
            write_atomic(path, data)
        out.append(Updated(lang, path, stats, created, changed))
    return pot, out


# --------------------------------------------------------------------------- status


@dataclass
class Counts:
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    obsolete: int = 0
    words: int = 0
    words_translated: int = 0

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return round(100.0 * self.translated / self.total, 1) if self.total else 100.0

    def add(self, other: "Counts") -> None:
        for name in ("translated", "fuzzy", "untranslated", "obsolete", "words", "words_translated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {"translated": self.translated, "fuzzy": self.fuzzy, "untranslated": self.untranslated,
                "obsolete": self.obsolete, "total": self.total, "words": self.words,
                "words_translated": self.words_translated, "percent": self.percent}


@dataclass
class LanguageStatus:
    lang: str
    path: str
    total: Counts = field(default_factory=Counts)
    #: (source id or "layout", section id or "front matter"/"labels") -> counts, in document order
    groups: dict[tuple[str, str], Counts] = field(default_factory=dict)
    #: entries that break the glossary (term findings), None when the project has no glossary
    glossary: int | None = None


FRONT = "front matter"


def _groups(reports: Sequence[model.Report]) -> dict[str, tuple[str, str]]:
    """context -> (source, section) for every text of the sources."""
    out: dict[str, tuple[str, str]] = {}
    for r in reports:
        for t in r.texts():
            out[t.context] = (r.id, FRONT)
        for s in r.sections:
            texts = ([s.heading] if s.heading else []) + [
                x for b in s.blocks for x in ([b.text] if isinstance(b, model.Paragraph) else b.items)]
            for t in texts:
                out[t.context] = (r.id, s.id)
    return out


def _group_of(context: str, known: dict[str, tuple[str, str]]) -> tuple[str, str]:
    if context in known:
        return known[context]
    if context.startswith("layout:"):
        return ("layout", "labels")
    parts = context.split(":")
    return (parts[0], parts[1] if len(parts) > 2 else FRONT)


def _words(text: str) -> int:
    return len(text.split())


def status(project: Project, langs: Sequence[str] | None = None) -> list[LanguageStatus]:
    """Per language and per source/section: translated, fuzzy, untranslated, obsolete and words.
    The list of texts is the current sources (not the catalog), so a catalog that needs an
    update shows its missing texts as untranslated; fuzzy is never counted as translated."""
    settings = project.settings
    reports, template = template_of(project)
    known = _groups(reports)
    terms = project_glossary(project)
    out = []
    diags = Diagnostics()
    for lang, path, catalog, bundled in _existing_catalogs(project, langs, diags.items):
        st = LanguageStatus(lang, display_path(path, settings.root))
        for key in known.values():
            st.groups.setdefault(key, Counts())
        wanted = set()
        for m in check_entries(template):
            wanted.add((m.context, m.msgid))
            if is_pattern(m.context):
                continue  # a setting of the layout, not a text
            state = is_translated(catalog, m.msgid, m.context)
            if state != "translated" and (m.context or "").startswith("layout:"):
                if is_translated(bundled, m.msgid, m.context) == "translated":
                    state = "translated"
            c = st.groups.setdefault(_group_of(m.context or "", known), Counts())
            setattr(c, state, getattr(c, state) + 1)
            c.words += _words(m.msgid)
            if state == "translated":
                c.words_translated += _words(m.msgid)
        stale = [e.context or "" for e in catalog.messages() if (e.context, e.msgid) not in wanted]
        for ctx in [e.context or "" for e in catalog.obsolete() if e.translated] + stale:
            st.groups.setdefault(_group_of(ctx, known), Counts()).obsolete += 1
        for c in st.groups.values():
            st.total.add(c)
        if terms is not None:
            found = term_findings(terms, lang, check_entries(catalog), shown=st.path, ignore=settings.ignore_checks)
            st.glossary = len({d.location.line for d in found if d.location})
        out.append(st)
    diags.raise_if_errors()
    return out


def status_json(result: Sequence[LanguageStatus]) -> dict:
    return {"languages": [
        {"lang": s.lang, "catalog": s.path, **s.total.as_dict(), "glossary": s.glossary,
         "groups": [{"source": src, "section": sec, **c.as_dict()} for (src, sec), c in s.groups.items()]}
        for s in result]}


# --------------------------------------------------------------------------- check


def check(project: Project, langs: Sequence[str] | None = None, glossary_path: Path | None = None) -> list[Diagnostic]:
    """Every finding of the quality checks in the catalogs of ``langs``, in file order. A catalog
    (or glossary: ``glossary_path``, else the project's ``locales/glossary.csv`` or ``.tbx``) that
    cannot be read is reported as an error, like any other finding."""
    settings = project.settings
    reports, template = template_of(project)
    wanted = {m.key for m in template.messages()}
    ignore = set(settings.ignore_checks)
    unknown = sorted(ignore - set(checks.CODES))
    if unknown:
        raise InputError([Diagnostic("error", f"check.ignore: unknown check code {unknown[0]!r}; codes: "
                                     + ", ".join(checks.CODES), Location(settings.config_path or "reportgen.toml"))])
    out: list[Diagnostic] = []
    terms = _glossary_or_findings(glossary_path, settings.root, out) if glossary_path else None
    if glossary_path is None:
        try:
            terms = project_glossary(project)
        except InputError as exc:
            out.extend(exc.diagnostics)
    subject = _subject_contexts(reports)
    for lang, path, catalog, bundled in _existing_catalogs(project, langs, out):
        shown = display_path(path, settings.root)
        entries = check_entries(catalog)
        # an empty layout label uses the translation that ships with reportgen: not a finding
        entries = [e for e in entries if e.translated or not (e.context or "").startswith("layout:")
                   or is_translated(bundled, e.msgid, e.context) != "translated"]
        out.extend(catalog_findings(catalog_info(catalog, shown, lang, ignore, subject), entries, terms))
        have = {e.key for e in catalog.messages()}
        missing = len(wanted - have)
        if missing and "outdated" not in ignore:
            out.append(Diagnostic("warning", f"{missing} text{'s' if missing != 1 else ''} of the sources "
                                  f"{'are' if missing != 1 else 'is'} not in this catalog; run 'reportgen update'",
                                  Location(shown), "outdated"))
    return out


def catalog_findings(info: checks.CatalogInfo, entries: Sequence[checks.Entry],
                     terms: glossary.Glossary | None) -> list[Diagnostic]:
    """The checks of one catalog: the text checks, the patterns' (``layout:pattern-*``: what the
    build refuses) and the glossary's, in file order."""
    texts = [e for e in entries if not is_pattern(e.context)]
    out = checks.check(info, texts)
    if "pattern" not in info.ignore:
        for e in entries:
            if is_pattern(e.context) and e.translated and "pattern" not in e.ignored():
                problem = localize.pattern_problem(e.context[len("layout:"):], e.msgstr[0])
                if problem:
                    out.append(Diagnostic("error", f"{e.context!r}: {problem}; the build refuses it",
                                          Location(info.path, e.line), "pattern"))
    if terms is not None:
        out += term_findings(terms, info.lang, texts, shown=info.path, ignore=info.ignore)
    out.sort(key=lambda d: d.location.line if d.location and d.location.path == info.path else 0)
    return out


def term_findings(terms: glossary.Glossary, lang: str, entries: Sequence[checks.Entry], *, shown: str,
                  ignore=()) -> list[Diagnostic]:  # type: ignore[no-untyped-def]
    """The glossary's findings on the translated, reviewed (not fuzzy), singular entries; none
    when ``term`` is ignored (config, flag ``ignore-term``, comment ``reportgen: ignore term``)."""
    if "term" in ignore:
        return []
    rows = [(e.msgid, e.msgstr[0], Location(shown, e.line), e.context) for e in entries
            if e.translated and not e.fuzzy and e.msgid_plural is None and not is_pattern(e.context)
            and "term" not in e.ignored()]
    return glossary.term_findings(terms, lang, rows)


GLOSSARY_NAMES = ("glossary.csv", "glossary.tbx")


def project_glossary(project: Project) -> glossary.Glossary | None:
    """The project's ``locales/glossary.csv`` (or ``glossary.tbx``), None when it has none."""
    settings = project.settings
    path = next((settings.locales_path / n for n in GLOSSARY_NAMES if (settings.locales_path / n).is_file()), None)
    return glossary.load_glossary(path, display_path(path, settings.root)) if path else None


def _glossary_or_findings(path: Path, root: Path | None, out: list[Diagnostic]) -> glossary.Glossary | None:
    try:
        return glossary.load_glossary(path, display_path(path, root) if root else display_path(path))
    except InputError as exc:
        out.extend(exc.diagnostics)
        return None


#: the layout labels that go into an e-mail's Subject (distribute/mail.py: mail-subject with the
#: kind of document, or mail-document, and the title)
SUBJECT_LABELS = frozenset({"layout:mail-subject", "layout:mail-document"}
                           | {f"layout:{k}" for k in localize.LAYOUT if k.startswith("kind-")})


def _subject_contexts(reports: Sequence[model.Report]) -> frozenset[str]:
    return SUBJECT_LABELS | {r.title.context for r in reports}


# --------------------------------------------------------------------------- views for the checks


def check_entries(catalog: po.Catalog) -> list[checks.Entry]:
    """The catalog's active entries (not the header, not obsolete ones) as the checks see them."""
    return [checks.Entry(msgid=e.msgid, msgstr=tuple(e.msgstr), context=e.context, line=e.line,
                         msgid_plural=e.msgid_plural, flags=frozenset(e.flags), comments=tuple(e.comments))
            for e in catalog.messages()]


def catalog_info(catalog: po.Catalog, shown: str, lang: str, ignore=(),  # type: ignore[no-untyped-def]
                 subject: frozenset[str] = SUBJECT_LABELS) -> checks.CatalogInfo:
    """What the checks need from the header: the plural count it says and the one CLDR says;
    ``subject``: the contexts of the texts that go into an e-mail's Subject."""
    cldr = merge.plural_forms(lang) if lang else None
    header = catalog.header
    return checks.CatalogInfo(shown, lang, catalog.nplurals() or 0, cldr[0] if cldr else None,
                              1, frozenset(ignore), header_fuzzy=bool(header and header.fuzzy),
                              expected_plural_forms=cldr[1] if cldr else "",
                              plural_forms=catalog.header_field("Plural-Forms") or "",
                              plural_line=_field_line(header, "Plural-Forms"), header_contexts=subject)


def _field_line(header: po.Entry | None, name: str) -> int:
    """The line of a header field in the file (1 when not known)."""
    if header is None or header.raw is None:
        return 1
    lines = header.raw.split("\n")
    first = header.line - next((i for i, t in enumerate(lines) if t.startswith("msgid")), 0)
    found = next((i for i, t in enumerate(lines) if t.lstrip('"').lower().startswith(name.lower() + ":")), None)
    return first + found if found is not None else header.line


# --------------------------------------------------------------------------- check FILE.po ... (any PO file)


def _language_of(catalog: po.Catalog, path: Path) -> str:
    """The catalog's Language header, else the folder name of <lang>/LC_MESSAGES/x.po, else ""."""
    lang = (catalog.header_field("Language") or "").strip()
    if not lang and path.parent.name == "LC_MESSAGES":
        lang = path.parent.parent.name
    return lang.replace("-", "_")


def check_files(paths: Sequence[Path], ignore: Sequence[str] = (), glossary_path: Path | None = None) -> list[Diagnostic]:
    """The checks of ``check`` on PO files outside a project (a Django or Sphinx catalog): every
    finding of each file, a file that cannot be read reported like any other finding. The glossary
    only when ``glossary_path`` names one; the mail-header check on the layout labels only."""
    out: list[Diagnostic] = []
    terms = _glossary_or_findings(glossary_path, None, out) if glossary_path else None
    for path in paths:
        shown = display_path(path)
        try:
            catalog = po.read(path)
        except InputError as exc:
            out.extend(exc.diagnostics)
            continue
        out.extend(catalog_findings(catalog_info(catalog, shown, _language_of(catalog, path), frozenset(ignore)),
                                    check_entries(catalog), terms))
    return out


def findings_json(findings: Sequence[Diagnostic]) -> dict:
    """``check --json``: every finding, and the counts."""
    items = [{"path": d.location.path if d.location else None, "line": d.location.line if d.location else None,
              "severity": d.severity, "code": d.code, "message": d.message} for d in findings]
    errors = sum(d.severity == "error" for d in findings)
    return {"findings": items, "errors": errors, "warnings": len(findings) - errors}
