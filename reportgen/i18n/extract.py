"""The templates (POT): every translatable text of the sources, then the layout labels. Standard library only."""

from __future__ import annotations

import datetime as _dt
import os
from typing import Iterable

from .. import __version__, model
from .po import Catalog, Entry

PROJECT_NAME = "reportgen"
GENERATED_BY = f"reportgen {__version__}"


def creation_date() -> _dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set, else a fixed date: a template never changes by itself."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
    return _dt.datetime(2024, 1, 1, tzinfo=_dt.timezone.utc)


def po_date(when: _dt.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M%z")


def header(fields: list[tuple[str, str]], title: str, year: int) -> Entry:
    """A header entry: the usual comment block, then ``fields`` in order."""
    comments = [title, f"Copyright (C) {year} ORGANIZATION",
                f"This file is distributed under the same license as the {PROJECT_NAME} project.",
                f"FIRST AUTHOR <EMAIL@ADDRESS>, {year}.", ""]
    return Entry("", ("".join(f"{name}: {value}\n" for name, value in fields),), comments=comments)


def template_header() -> Entry:
    now = po_date(creation_date())
    return header([
        ("Project-Id-Version", f"{PROJECT_NAME} VERSION"), ("Report-Msgid-Bugs-To", "EMAIL@ADDRESS"),
        ("POT-Creation-Date", now), ("PO-Revision-Date", now),
        ("Last-Translator", "FULL NAME <EMAIL@ADDRESS>"), ("Language-Team", "LANGUAGE <LL@li.org>"),
        ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Transfer-Encoding", "8bit"), ("Generated-By", GENERATED_BY),
    ], f"Translations template for {PROJECT_NAME}.", creation_date().year)


class _Template:
    def __init__(self) -> None:
        self.catalog = Catalog([template_header()])
        self.seen: dict[tuple[str | None, str], Entry] = {}

    def add(self, msgid: str, context: str, note: str, ref: str | None) -> None:
        existing = self.seen.get((context, msgid))
        if existing is not None:
            if ref and ref not in existing.references:
                existing.references.append(ref)
            return
        flags = ["python-brace-format"] if model.PLACEHOLDER_RE.search(msgid) else []
        e = Entry(msgid, ("",), context, notes=[note] if note else [], references=[ref] if ref else [], flags=flags)
        self.seen[(context, msgid)] = e
        self.catalog.entries.append(e)


def extract(reports: Iterable[model.Report], layout: Iterable[tuple[str, str, str]] = ()) -> Catalog:
    """The template (POT) of the project: every translatable source text, then the layout labels
    (key, English, comment) under the context ``layout:<key>``."""
    t = _Template()
    for report in reports:
        for text in report.texts():
            t.add(text.msgid, text.context, text.comment, f"{text.location.path}:{text.location.line}")
    for key, english, comment in layout:
        t.add(english, f"layout:{key}", f"Layout label: {comment}", None)
    return t.catalog


def extract_layout(labels: Iterable[tuple[str, str, str]]) -> Catalog:
    """The template of the tool's own layout labels: (key, English, comment)."""
    t = _Template()
    for key, english, comment in labels:
        t.add(english, f"layout:{key}", comment, None)
    return t.catalog
