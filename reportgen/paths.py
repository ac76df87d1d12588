"""Where things are in a project and in the package. Standard library only, so that planning a
build (and finding it up to date) needs no third-party import."""

from __future__ import annotations

import re
from pathlib import Path

#: Ids of sources, sections and items; a source id names its output folder, so no '/' or '..'.
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

DOMAIN = "reportgen"  # the project's catalogs: locales/<lang>/LC_MESSAGES/reportgen.po
LAYOUT_DOMAIN = "layout"  # the layout labels shipped with reportgen
BUNDLED_LOCALES = Path(__file__).resolve().parent / "locales"


def catalog_path(locales_dir: Path, lang: str, domain: str = DOMAIN) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / f"{domain}.po"


def bundled_catalog_path(lang: str) -> Path:
    """The bundled layout labels for ``lang``; for a regional catalog the package has none of
    (``pt_BR``, ``es-MX``), those of its language (``pt``, ``es``)."""
    exact = catalog_path(BUNDLED_LOCALES, lang, LAYOUT_DOMAIN)
    if exact.exists():
        return exact
    return catalog_path(BUNDLED_LOCALES, lang.replace("-", "_").split("_")[0].lower(), LAYOUT_DOMAIN)


def available_languages(locales_dir: Path) -> list[str]:
    """Languages that have a project catalog."""
    if not locales_dir.is_dir():
        return []
    return sorted(p.name for p in locales_dir.iterdir() if catalog_path(locales_dir, p.name).is_file())


def find_sources(sources_dir: Path) -> list[Path]:
    """The source files of a project, sorted by name."""
    if not sources_dir.is_dir():
        return []
    return sorted(p for p in sources_dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
