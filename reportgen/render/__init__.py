"""Renderers: pure functions from a :class:`model.LocalizedReport` to the bytes of a file.

A renderer never sees YAML, catalogs or Babel. Adding a format is one module and one line in
``RENDERERS``; the module is imported only when a document of that format is built.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from ..theme import Theme

if TYPE_CHECKING:  # pragma: no cover
    from ..model import LocalizedReport


_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def escape(text: str) -> str:
    """Text for XML content or a double-quoted attribute (``xml.sax.saxutils.escape`` with the quote
    too, without importing ``xml.sax``, which imports ``urllib.request`` and ``ssl``)."""
    return text.translate(_XML_ESCAPES)


class RenderOptions(NamedTuple):
    theme: Theme = Theme()
    docx_template: Path | None = None


class Rendered(NamedTuple):
    data: bytes
    pages: int | None = None  # known for fixed layouts (PDF), not for flowing ones (DOCX)


class Renderer(Protocol):
    def __call__(self, doc: LocalizedReport, options: RenderOptions) -> Rendered: ...


#: format -> "module:function", imported lazily.
RENDERERS: dict[str, str] = {
    "docx": "reportgen.render.docx:render",
    "pdf": "reportgen.render.pdf:render",
}

FORMATS = tuple(RENDERERS)


def get_renderer(fmt: str) -> Renderer:
    module, func = RENDERERS[fmt].split(":")
    return getattr(importlib.import_module(module), func)


def warm(fmt: str, options: RenderOptions) -> None:
    """Import a renderer and load what its first document would (fonts, template): a worker
    process does this as it starts (``build/runner``)."""
    module = importlib.import_module(RENDERERS[fmt].split(":")[0])
    prepare = getattr(module, "warm", None)
    if prepare is not None:
        prepare(options)
