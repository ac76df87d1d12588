"""A project resolved: its settings, and which sources, languages and formats a command works on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple, Sequence

from .config import Settings, config_line, load_settings
from .errors import Diagnostic, Diagnostics, InputError, Location, did_you_mean, display_path
from .paths import ID_RE, available_languages, catalog_path, find_sources

FORMATS = ("docx", "pdf")  # keep in step with render.RENDERERS (checked by a test)


class Project(NamedTuple):
    settings: Settings

    @property
    def root(self) -> Path:
        return self.settings.root


def load_project(root: str | Path = ".") -> Project:
    root = Path(root)
    if not root.is_dir():
        raise InputError([Diagnostic("error", "no such project folder", Location(str(root)))])
    return Project(load_settings(root))


def catalog_file(settings: Settings, lang: str) -> Path:
    return catalog_path(settings.locales_path, lang)


def gettext_code(code: str) -> str:
    """A language code as gettext names its folders: ``ES`` -> ``es``, ``es-mx`` / ``es_MX`` ->
    ``es_MX``, ``zh-hant-tw`` -> ``zh_Hant_TW``, ``sr@latin`` kept."""
    code, at, modifier = code.strip().partition("@")
    parts = [p for p in code.replace("-", "_").split("_") if p]
    if not parts:
        return code + at + modifier
    out = [parts[0].lower()]
    for part in parts[1:]:
        out.append(part.title() if len(part) == 4 and part.isalpha() else part.upper() if len(part) <= 3 else part)
    return "_".join(out) + at + modifier


def language_hint(lang: str, available: Sequence[str]) -> str:
    """" (did you mean 'es'?)" when a catalog of a near language exists (the same language, another
    region; or the closest spelling), else ""."""
    base = lang.split("_")[0]
    near = [a for a in available if a.split("_")[0] == base]
    return f" (did you mean {near[0]!r}?)" if near else did_you_mean(lang, available)


def resolve_languages(settings: Settings, requested: Sequence[str] | None) -> list[str]:
    available = available_languages(settings.locales_path)
    known = [settings.source_language] + [x for x in available if x != settings.source_language]
    if settings.languages:
        known = list(dict.fromkeys(settings.languages))
    if not requested:
        return known
    requested = [lang if lang in known else gettext_code(lang) for lang in requested]  # ES, es-MX -> es, es_MX
    bad = [lang for lang in requested if lang not in known]
    if bad:
        from .localize import is_known_language

        hint = language_hint(bad[0], known)
        if bad[0] in available:
            hint = f" (it has a catalog: add {bad[0]!r} to 'languages' in the project config)"
        elif not hint and is_known_language(bad[0]):
            hint = f" (a new language needs a catalog: run 'reportgen update --lang {bad[0]}')"
        raise InputError(f"unknown language {bad[0]!r}; choose from {', '.join(known)}{hint}")
    return list(dict.fromkeys(requested))


def check_language_tags(settings: Settings, languages: Sequence[str]) -> None:
    """Every language needs CLDR data for its tag (dates, numbers); an unknown one is the user's
    error, located in the config when the config names it."""
    from . import localize

    diags = Diagnostics()
    for lang in languages:
        tag = localize.language_tag(lang, settings.language_tags)
        if localize.is_known_language(tag):
            continue
        in_config = settings.config_path and (lang in settings.language_tags or lang in settings.languages)
        tagged = lang in settings.language_tags
        key = f"language_tags.{lang}" if tagged else f"language {lang!r}"
        line = config_line(settings, lang if tagged else "languages") if in_config else 0
        diags.error(f"{key}: no locale data for {tag!r} (dates and numbers cannot be formatted); "
                    f"set language_tags.{lang} to a language tag such as {localize.suggest_tag(lang)!r}",
                    Location(settings.config_path, line) if in_config else None)
    diags.raise_if_errors()


def resolve_formats(settings: Settings, requested: Sequence[str] | None) -> list[str]:
    formats = list(requested or settings.formats)
    for fmt in formats:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(formats))


def resolve_sources(settings: Settings, requested: Sequence[str] | None) -> list[Path]:
    if not requested:
        found = find_sources(settings.sources_path)
        if not found:
            shown = display_path(settings.sources_path, settings.root)
            hint = ""
            if find_sources(settings.root) and settings.root.name == settings.sources_path.name:
                # run from inside sources/: the project is the folder above
                hint = (f" (this looks like the sources folder itself: run reportgen from the project folder, "
                        f"or use -C {os.path.relpath(settings.root.parent)})")
            raise InputError([Diagnostic("error", f"no source files (*.yaml) found{hint}", Location(shown))])
        return found
    paths = []
    for item in requested:
        p = Path(item)
        if not p.suffix:  # a source id
            if not ID_RE.match(item):
                raise InputError(f"{item!r} is not a source id (lowercase letters, digits and '-') "
                                 "nor a .yaml file")
            p = settings.sources_path / f"{item}.yaml"
        elif not p.is_absolute() and not p.exists():
            p = settings.root / p
        paths.append(p)
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise InputError([Diagnostic("error", "no such source file", Location(display_path(p, settings.root)))
                          for p in missing])
    return paths
