"""Project settings: ``reportgen.toml`` or ``[tool.reportgen]`` in ``pyproject.toml`` -> Settings.

Every key is optional; unknown keys and wrong types are errors with ``path:line``.
Command-line flags override what the file says.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, NamedTuple

from .errors import Diagnostic, Diagnostics, InputError, Location, did_you_mean, display_path
from .theme import Theme

CONFIG_FILE = "reportgen.toml"
_EMPTY: Mapping[str, Any] = MappingProxyType({})


class Settings(NamedTuple):
    root: Path
    source_language: str = "en"
    #: Languages to build; empty = the source language plus every language with a catalog.
    languages: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("docx", "pdf")
    sources_dir: str = "sources"
    locales_dir: str = "locales"
    output_dir: str = "build"
    #: Catalog language -> BCP 47 tag of the document ("pt" -> "pt-PT").
    language_tags: Mapping[str, str] = _EMPTY
    theme: Theme = Theme()
    #: Check codes to silence in ``reportgen check``.
    ignore_checks: tuple[str, ...] = ()
    #: The ``[distribute]`` table (mail sender, SMTP server, fallback language); see docs/distribution.md.
    distribute: Mapping[str, Any] = _EMPTY
    config_path: str | None = None

    @property
    def sources_path(self) -> Path:
        return self.root / self.sources_dir

    @property
    def locales_path(self) -> Path:
        return self.root / self.locales_dir

    @property
    def output_path(self) -> Path:
        return self.root / self.output_dir


_TOP: dict[str, type | tuple[type, ...]] = {
    "source_language": str, "languages": list, "formats": list, "sources_dir": str,
    "locales_dir": str, "output_dir": str, "language_tags": dict, "theme": dict, "check": dict,
    "distribute": dict,
}
_THEME: dict[str, type | tuple[type, ...]] = {"accent": str, "text": str, "muted": str, "page_size": str, "logo": str,
                                             "font": str, "fallback_font": str, "logo_decorative": bool}
#: Font families bundled in the package (reportgen/fonts/<family>-Regular.ttf and -Bold.ttf).
BUNDLED_FONTS = tuple(sorted(p.name.removesuffix("-Regular.ttf")
                             for p in (Path(__file__).parent / "fonts").glob("*-Regular.ttf")))
#: theme key -> (accepted suffixes, what they are)
_THEME_FILES = {"logo": ((".png", ".jpg", ".jpeg"), "a PNG or JPEG image"),
                "fallback_font": ((".ttf",), "a TrueType font (.ttf)")}
_CHECK: dict[str, type | tuple[type, ...]] = {"ignore": list}
_DISTRIBUTE: dict[str, type | tuple[type, ...]] = {
    "from": str, "reply_to": str, "fallback_language": str, "rate": int, "timeout": (int, float),
    "min_complete": (int, float),
    "smtp_host": str, "smtp_port": int, "smtp_security": str, "smtp_user": str,
}
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
#: A catalog language code (it names folders and output files, so nothing else is allowed).
LANG_RE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")
_PATH_KEYS = ("sources_dir", "locales_dir", "output_dir")


def path_problem(root: Path, value: str) -> str:
    """Why ``value`` (a path from the config) may not be used: it must name a place inside the
    project, also once symbolic links are followed; no URL (nothing is fetched). "" if fine."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value):
        return f"expected a path inside the project, got a URL ({value!r}); nothing is fetched from the network"
    if Path(value).is_absolute():
        return f"expected a path inside the project, got an absolute path ({value!r})"
    try:
        (root / value).resolve().relative_to(root.resolve())
    except ValueError:
        return f"expected a path inside the project, got {value!r}, which leads outside it"
    return ""


def _line_of(text: str, key: str) -> int:
    m = re.search(rf"^\s*{re.escape(key)}\s*=", text, re.MULTILINE) or \
        re.search(rf"[{{,]\s*{re.escape(key)}\s*=", text)  # in an inline table: {{ accent = 3 }}
    return text[: m.start()].count("\n") + 1 if m else 0


def config_line(settings: Settings, key: str) -> int:
    """The line of ``key = …`` in the project's config (0 when it is not found), for a problem a
    later stage finds in a setting."""
    if not settings.config_path:
        return 0
    try:
        text = (settings.root / settings.config_path).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return 0
    return _line_of(text, key)


def load_settings(root: Path) -> Settings:
    """Read the project's settings (defaults when there is no config)."""
    root = root.resolve()
    found = _find_config(root)
    if found is None:
        return Settings(root=root)
    path, text, table, prefix = found
    r = _Reader(root, display_path(path, root), text, prefix)
    top = r.check(table, _TOP, "")
    theme_tab = r.check(top.get("theme", {}), _THEME, "theme.")
    check_tab = r.check(top.get("check", {}), _CHECK, "check.")
    dist_tab = _check_distribute(r, top.get("distribute", {}))
    _check_top_values(r, top)
    _check_theme_values(r, theme_tab)
    r.diags.raise_if_errors()

    theme = Theme()
    if theme_tab:
        files = {key: root / theme_tab.pop(key) for key in _THEME_FILES if key in theme_tab}
        theme = theme._replace(**theme_tab, **files)
    return Settings(
        root=root,
        source_language=top.get("source_language", "en"),
        languages=tuple(top.get("languages", ())),
        formats=tuple(top.get("formats", ("docx", "pdf"))),
        sources_dir=top.get("sources_dir", "sources"),
        locales_dir=top.get("locales_dir", "locales"),
        output_dir=top.get("output_dir", "build"),
        language_tags={k: str(v) for k, v in top.get("language_tags", {}).items()},
        theme=theme,
        ignore_checks=tuple(check_tab.get("ignore", ())),
        distribute=dist_tab,
        config_path=r.shown,
    )


def _find_config(root: Path) -> tuple[Path, str, dict[str, Any], str] | None:
    """(file, its text, the reportgen table, the table's key prefix), or None without a config."""
    path = root / CONFIG_FILE
    if path.is_file():
        text, data = _read_toml(path, root)
        return path, text, data, ""
    path = root / "pyproject.toml"
    if path.is_file():
        text, data = _read_toml(path, root)
        table = data.get("tool", {}).get("reportgen")
        if table is not None:
            return path, text, table, "tool.reportgen."
    return None


class _Reader:
    """Checks a config's tables, gathering every problem at its line."""

    def __init__(self, root: Path, shown: str, text: str, prefix: str):
        self.root, self.shown, self.text, self.prefix = root, shown, text, prefix
        self.diags = Diagnostics()

    def error(self, name: str, message: str, line_key: str) -> None:
        """A problem with setting ``name`` (e.g. ``theme.accent``), at the line of ``line_key``."""
        self.diags.error(f"{self.prefix}{name}: {message}", Location(self.shown, _line_of(self.text, line_key)))

    def check(self, tab: dict[str, Any], schema: dict[str, Any], where: str) -> dict[str, Any]:
        """The known keys of ``tab`` whose values have the right type; an error for each other key."""
        out = {}
        for key, value in tab.items():
            if key not in schema:
                self.error(f"{where}{key}", "unknown setting" + did_you_mean(key, schema), key)
            elif not isinstance(value, schema[key]):
                self.error(f"{where}{key}", f"expected {schema[key].__name__}, got {type(value).__name__}", key)
            else:
                out[key] = value
        return out


def _check_distribute(r: _Reader, dist_tab: dict[str, Any]) -> dict[str, Any]:
    for key in ("password", "smtp_password"):
        if key in dist_tab:
            r.error(f"distribute.{key}", "a password is never read from a file; "
                    "set the environment variable REPORTGEN_SMTP_PASSWORD", key)
            dist_tab = {k: v for k, v in dist_tab.items() if k != key}
            break
    dist_tab = r.check(dist_tab, _DISTRIBUTE, "distribute.")
    if dist_tab.get("smtp_security", "starttls") not in ("starttls", "tls", "none"):
        r.error("distribute.smtp_security",
                f"expected 'starttls', 'tls' or 'none', got {dist_tab['smtp_security']!r}", "smtp_security")
    pct = dist_tab.get("min_complete", 100)
    if isinstance(pct, bool) or not 0 <= pct <= 100:
        r.error("distribute.min_complete", f"expected a percentage from 0 to 100, got {pct!r}", "min_complete")
    return dist_tab


def _check_top_values(r: _Reader, top: dict[str, Any]) -> None:
    for key in ("languages", "formats"):
        for item in top.get(key, []):
            if not isinstance(item, str):
                r.error(key, "expected a list of strings", key)
            elif key == "languages" and not LANG_RE.match(item):
                r.error("languages", f"{item!r} is not a language code (such as 'fr' or 'pt_BR')", key)
    if "source_language" in top and not LANG_RE.match(top["source_language"]):
        r.error("source_language", f"{top['source_language']!r} is not a language code (such as 'en')",
                "source_language")
    for lang, tag in top.get("language_tags", {}).items():
        if not isinstance(tag, str):
            r.error(f"language_tags.{lang}", f"expected str, got {type(tag).__name__}", lang)
    for key in _PATH_KEYS:
        problem = path_problem(r.root, top[key]) if key in top else ""
        if problem:
            r.error(key, problem, key)


def _check_theme_values(r: _Reader, theme_tab: dict[str, Any]) -> None:
    for key in ("accent", "text", "muted"):
        if key in theme_tab and not _COLOUR.match(theme_tab[key]):
            r.error(f"theme.{key}", f"expected a colour like '#1F4E79', got {theme_tab[key]!r}", key)
    if "page_size" in theme_tab and theme_tab["page_size"].upper() not in ("A4", "LETTER"):
        r.error("theme.page_size", f"expected 'A4' or 'Letter', got {theme_tab['page_size']!r}", "page_size")
    if "font" in theme_tab and theme_tab["font"] not in BUNDLED_FONTS:
        r.error("theme.font", f"unknown font family {theme_tab['font']!r}; bundled: {', '.join(BUNDLED_FONTS)}"
                + did_you_mean(theme_tab["font"], BUNDLED_FONTS), "font")
    for key in _THEME_FILES:
        if key in theme_tab:
            problem = _project_file(r.root, theme_tab[key], *_THEME_FILES[key])
            if problem:
                r.error(f"theme.{key}", problem, key)


def _project_file(root: Path, value: str, suffixes: tuple[str, ...], what: str) -> str:
    """Why ``value`` is not an acceptable file of the project, or "" when it is.

    Only files inside the project folder are read: no URLs (no network at run time) and no paths
    that lead elsewhere (a shared config must not pull in arbitrary files)."""
    if value.startswith("data:"):
        return "expected a file inside the project, got a data URL"
    problem = path_problem(root, value)
    if problem:
        return problem
    path = (root / value).resolve()
    if path.suffix.lower() not in suffixes:
        return f"expected {what}, got {value!r}"
    if not path.is_file():
        return f"no such file {value!r}"
    head = path.read_bytes()[:8]
    if suffixes == (".ttf",):
        if head[:4] == b"OTTO":
            return f"{value!r} is an OpenType font with CFF outlines; the PDF renderer needs TrueType outlines"
        if head[:4] not in (b"\x00\x01\x00\x00", b"true"):
            return f"{value!r} is not a TrueType font"
        from .render.fonts import FontError, coverage

        try:
            coverage(path)
        except FontError as exc:
            return f"{value!r}: cannot read its character map: {exc}"
    elif not (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8")):
        return f"{value!r} is not a PNG or JPEG image"
    return ""


def _read_toml(path: Path, root: Path) -> tuple[str, dict[str, Any]]:
    import tomllib  # only when there is a config file

    shown = display_path(path, root)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
        return text, tomllib.loads(text)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError([Diagnostic("error", f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                                     Location(shown, line, col))]) from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        if m:
            loc = Location(shown, int(m.group(1)), int(m.group(2)))
        else:  # "at end of document": the last line
            loc = Location(shown, max(text.count("\n") + (not text.endswith("\n")), 1))
        raise InputError([Diagnostic("error", f"TOML syntax: {reason}", loc)]) from None
