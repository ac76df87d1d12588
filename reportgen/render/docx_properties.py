"""A DOCX report's document properties: the core ones (title, author, language, dates...) set on
python-docx's ``CoreProperties`` object, and ``docProps/app.xml`` written whole (python-docx keeps
its template's stale one). Standard library only: the objects come from ``render.docx``.
"""

from __future__ import annotations

import datetime as _dt
import re

from ..model import LocalizedReport
from . import escape

#: python-docx refuses core properties longer than this (Word shows no more anyway).
PROPERTY_LIMIT = 255


def prop(text: str) -> str:
    """A document property: one line, cut to PROPERTY_LIMIT characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= PROPERTY_LIMIT else text[: PROPERTY_LIMIT - 1].rstrip() + "…"


def set_properties(cp, doc: LocalizedReport) -> None:
    """The core properties (python-docx's ``document.core_properties``) of the report."""
    cp.title = prop(doc.title.text)
    cp.subject = prop(doc.event_line or (doc.series.text if doc.series else ""))
    cp.author = prop(doc.organiser.text if doc.organiser else "")
    cp.keywords = prop(", ".join(doc.keywords))
    cp.content_status = "Draft" if doc.draft else ""
    cp.language = doc.tag
    cp.last_modified_by = "reportgen"
    cp.comments = ""
    cp.category = prop(doc.kind_label or "")
    cp.revision = 1
    created = doc.created.astimezone(_dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    cp.created = created
    cp.modified = created


APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template>{template}</Template>"
    "<Application>{app}</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    "<Company>{company}</Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>{version}</AppVersion></Properties>"
)


def app_version(generator: str) -> str:
    """"reportgen 0.1.0" -> "00.0001": AppVersion must look like XX.YYYY."""
    numbers = re.findall(r"\d+", generator.split()[-1]) + ["0", "0"]
    return f"{int(numbers[0]) % 100:02d}.{int(numbers[1]) % 10000:04d}"


def app_xml(doc: LocalizedReport) -> bytes:
    company = escape(doc.organiser.text) if doc.organiser else ""
    return APP_XML.format(template="Normal.dotm", app=escape(doc.generator), company=company,
                          version=app_version(doc.generator)).encode()
