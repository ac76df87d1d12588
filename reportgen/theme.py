"""The look of the documents (the project config's ``[theme]`` table). Standard library only."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class Theme(NamedTuple):
    """Look of the documents; set in the project config's ``[theme]`` table."""

    accent: str = "#1F4E79"  # headings, title block rule
    text: str = "#1A1A1A"
    muted: str = "#5A6270"  # organiser, footer
    font: str = "NotoSans"  # bundled family; see reportgen/fonts
    page_size: str = "A4"  # or "Letter"
    logo: Path | None = None  # PNG or JPEG inside the project, shown on the first page
    #: The logo is decoration (an artifact in the tagged PDF, not read), not information (a figure
    #: with alternative text, the ``layout:logo-alt`` label).
    logo_decorative: bool = False
    #: A TrueType font inside the project for characters the main font lacks (other scripts).
    fallback_font: Path | None = None
