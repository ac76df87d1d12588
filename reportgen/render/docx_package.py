"""Is a DOCX template safe to copy into every report? Standard library only.

A template's parts go into every DOCX reportgen writes, so a template is refused when it has:

* **macros** (a ``vbaProject.bin`` part, ActiveX controls, or a macro-enabled main part: ``.docm``
  / ``.dotm``): they would travel in every report;
* **external relationships** (a remote ``attachedTemplate``, a linked image on a UNC path, an OLE
  object, a hyperlink...) or **fields that fetch** (``INCLUDEPICTURE``, ``INCLUDETEXT``, ``LINK``,
  ``DDE``...): Word fetches some of them when a reader opens the report (and sends Windows
  credentials to a UNC path). They are refused, not removed: the message lists them, and removing
  them silently would change what the template shows;
* a **document type declaration** in an XML part (entity expansion), which Word never writes;
* a **decompression bomb**: the limits below are checked from the zip's central directory (the
  declared sizes, which the reader never goes beyond) before any part is decompressed.

See docs/robustness.md for the limits and the messages.
"""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path
from xml.etree import ElementTree

MAX_FILE = 32 * 1024 * 1024  #: bytes of the template file
MAX_ENTRIES = 1000  #: parts in the zip (python-docx's default template has 16)
MAX_XML_PART = 8 * 1024 * 1024  #: bytes of one XML part, uncompressed (a long styles.xml is 1 MB)
MAX_PART = 32 * 1024 * 1024  #: bytes of any other part (an image), uncompressed
MAX_TOTAL = 64 * 1024 * 1024  #: bytes of all parts, uncompressed
MAX_RATIO = 100  #: uncompressed / compressed size of a part larger than RATIO_FROM
RATIO_FROM = 1024 * 1024

_MACRO_PART = re.compile(r"(^|/)(vbaProject\.bin|vbaData\.xml|activeX/)", re.IGNORECASE)
_FETCHING_FIELD = re.compile(r"\b(INCLUDEPICTURE|INCLUDETEXT|INCLUDE|LINK|DDE|DDEAUTO|IMPORT)\b")
_INSTR = re.compile(rb'<w:instrText\b[^>]*>([^<]*)</w:instrText>|\bw:instr="([^"]*)"|w:fldCharType="(begin)"')
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_EOCD = b"PK\x05\x06"


class UnsafeTemplate(Exception):
    """The template is refused; the message says why (shown after ``house.docx: error:``)."""


def check_package(path: Path) -> None:
    """Raise :class:`UnsafeTemplate` for a template that is too large, a bomb, or carries macros,
    external relationships or fetching fields. ``path`` is a zip file (``zipfile.is_zipfile``)."""
    size = path.stat().st_size
    if size > MAX_FILE:
        raise UnsafeTemplate(f"too large for a template ({size:,} bytes; the limit is {MAX_FILE:,})")
    _check_directory_size(path, size)
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        _check_sizes(infos)
        names = {i.filename for i in infos}
        macros = sorted(n for n in names if _MACRO_PART.search(n))
        if macros:
            raise UnsafeTemplate(f"contains macros ({', '.join(macros[:3])}); reportgen does not copy macros "
                                 "into reports: save the template as a Word document (.docx) without them")
        found: list[str] = []
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                data = z.read(info)
                if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                    raise UnsafeTemplate(f"{info.filename} declares a document type (Word never writes one)")
                if info.filename.endswith(".rels"):
                    found += _external(info.filename, data)
                else:
                    found += _fields(info.filename, data)
    if found:
        more = f" and {len(found) - 8} more" if len(found) > 8 else ""
        raise UnsafeTemplate("links to content outside the file, which Word may fetch when a report is opened: "
                             + "; ".join(found[:8]) + more + ". Remove them from the template (Word: File > Info > "
                             "Edit Links to Files; pictures: insert them instead of linking) and try again")


def macro_kind(content_types: bytes) -> str:
    """The refusal for a macro-enabled main part ("" for another): the [Content_Types].xml text."""
    if b"template.macroEnabledTemplate.main" in content_types:
        return "a macro-enabled Word template (.dotm): save it as a Word document (.docx), without macros"
    if b"document.macroEnabled.main" in content_types:
        return "a macro-enabled Word document (.docm): save it as a Word document (.docx), without macros"
    return ""


def _check_directory_size(path: Path, size: int) -> None:
    """Read the zip's end record before ``zipfile`` reads its directory: the number of parts and the
    directory's size, so that a directory of millions of entries is never loaded."""
    with path.open("rb") as f:
        f.seek(max(0, size - 65536 - 22))
        tail = f.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return  # zipfile will say it is not a zip
    entries, directory = struct.unpack("<HI", tail[at + 10: at + 16])
    if entries == 0xFFFF or directory == 0xFFFFFFFF:
        raise UnsafeTemplate("a ZIP64 archive (a DOCX template never needs one)")
    if entries > MAX_ENTRIES or directory > MAX_ENTRIES * 1024:
        raise UnsafeTemplate(f"too many parts for a template ({entries:,}; the limit is {MAX_ENTRIES:,})")


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    total = 0
    for i in infos:
        limit = MAX_XML_PART if i.filename.endswith((".xml", ".rels")) else MAX_PART
        if i.file_size > limit:
            raise UnsafeTemplate(f"{i.filename} unpacks to {i.file_size:,} bytes (the limit for such a part is "
                                 f"{limit:,}): refused as a possible decompression bomb")
        if i.file_size > RATIO_FROM and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise UnsafeTemplate(f"{i.filename} unpacks {i.file_size // max(i.compress_size, 1):,} times its "
                                 f"packed size (the limit is {MAX_RATIO}): refused as a possible decompression bomb")
        total += i.file_size
        if total > MAX_TOTAL:
            raise UnsafeTemplate(f"its parts unpack to more than {MAX_TOTAL:,} bytes: refused as a possible "
                                 "decompression bomb")


def _external(rels_name: str, data: bytes) -> list[str]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise UnsafeTemplate(f"{rels_name}: not well-formed XML ({exc})") from None
    out = []
    for rel in root.iter(f"{_REL_NS}Relationship"):
        if rel.get("TargetMode", "").lower() == "external":
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            out.append(f"{_owner(rels_name)}: {kind} -> {rel.get('Target', '')!r}")
    return out


def _fields(part: str, data: bytes) -> list[str]:
    """Fields that fetch content (a field's instruction may be split over several runs)."""
    if b"instr" not in data:
        return []
    fields: list[str] = []
    for m in _INSTR.finditer(data):
        if m.group(3) or m.group(2) is not None or not fields:  # a new field: begin, or a simple field
            fields.append("")
        fields[-1] += (m.group(1) or m.group(2) or b"").decode("utf-8", "replace")
    return [f"{part}: field {m.group(1)}" for f in fields for m in _FETCHING_FIELD.finditer(f.upper())]


def _owner(rels_name: str) -> str:
    """``word/_rels/document.xml.rels`` -> ``word/document.xml``."""
    folder, _, name = rels_name.rpartition("_rels/")
    return folder + name[: -len(".rels")] if name.endswith(".rels") else rels_name
