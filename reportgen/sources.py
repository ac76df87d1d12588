"""Read ``sources/*.yaml`` into validated :class:`model.Report` objects.

YAML is composed into nodes (never constructed into Python objects), so every value keeps its
line and column, no tag can run code, duplicate keys are caught, and alias expansion is bounded.
The schema is documented in ``docs/sources.md``.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any, Callable

import yaml

from . import model
from .errors import Diagnostic, Diagnostics, InputError, Location, did_you_mean, display_path, link_escape, read_input

try:  # the C parser is several times faster; both give the same nodes and marks
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


ID_RE = model.ID_RE
TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
OFFSET_RE = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
MAX_NODES = 100_000  # bounds alias expansion ("billion laughs") and absurd files
MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 50  # the schema needs 7 levels; libyaml's composer recurses (100,000 levels crash it)
MAX_ERRORS = 100  # per file: a broken file (or an alias bomb) does not print a million lines

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_ALLOWED_TAGS = {
    _STR, _NULL, _INT,
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}


class _Reader:
    """Turns composed YAML nodes into model objects, collecting every problem."""

    def __init__(self, path: str):
        self.path = path
        self.diags = Diagnostics()
        self.visited = 0

    # -- locations and errors
    def loc(self, node: yaml.Node) -> Location:
        return Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def error(self, node: yaml.Node, where: str, message: str) -> None:
        self.diags.error(f"{where}: {message}" if where else message, self.loc(node))
        if len(self.diags.errors) >= MAX_ERRORS:
            self.diags.error(f"too many errors ({MAX_ERRORS}); stopped reading this file", self.loc(node))
            raise InputError(self.diags.items)

    def count(self, node: yaml.Node) -> None:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise InputError(
                [model_diag(self.loc(node), f"document too large or too many aliases (more than {MAX_NODES} values)")]
            )
        if node.tag not in _ALLOWED_TAGS:
            if node.tag == "tag:yaml.org,2002:merge":
                message = "merge keys ('<<') are not supported; write the keys out"
            else:
                tag = node.tag.replace("tag:yaml.org,2002:", "!!")
                message = f"tag {tag!r} is not allowed (sources are plain YAML data; nothing is ever run)"
            raise InputError([model_diag(self.loc(node), message)])

    # -- typed accessors
    def mapping(self, node: yaml.Node, where: str, keys: dict[str, bool]) -> dict[str, yaml.Node] | None:
        """Check ``node`` is a mapping with known keys; ``keys`` maps name -> required."""
        self.count(node)
        if not isinstance(node, yaml.MappingNode):
            self.error(node, where, f"expected a mapping, got {describe(node)}")
            return None
        out: dict[str, yaml.Node] = {}
        for knode, vnode in node.value:
            self.count(knode)
            if not isinstance(knode, yaml.ScalarNode):
                self.error(knode, where, "keys must be plain words")
                continue
            key = knode.value
            full = f"{where}.{key}" if where else key
            if key in out:
                first = out[key]
                self.error(knode, full, f"duplicate key (first given at line {first.start_mark.line + 1})")
                continue
            if key not in keys:
                self.error(knode, full, "unknown key" + did_you_mean(key, keys))
                continue
            out[key] = vnode
        for key, required in keys.items():
            if required and key not in out:
                full = f"{where}.{key}" if where else key
                self.error(node, full, "required field is missing")
        return out

    def sequence(self, node: yaml.Node, where: str) -> list[yaml.Node]:
        self.count(node)
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, where, f"expected a list, got {describe(node)}")
            return []
        return list(node.value)

    def string(self, node: yaml.Node, where: str, allow_empty: bool = False) -> str | None:
        self.count(node)
        if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL:
            self.error(node, where, f"expected text, got {describe(node)}")
            return None
        value = node.value
        if not allow_empty and not value.strip():
            self.error(node, where, "must not be empty")
            return None
        return value

    def identifier(self, node: yaml.Node, where: str) -> str | None:
        value = self.string(node, where)
        if value is not None and not ID_RE.match(value):
            self.error(node, where, f"expected an id of lowercase letters, digits and '-', got {value!r}")
            return None
        return value

    def integer(self, node: yaml.Node, where: str, minimum: int = 0) -> int | None:
        self.count(node)
        if not isinstance(node, yaml.ScalarNode) or node.tag != _INT:
            self.error(node, where, f"expected a whole number, got {describe(node)}")
            return None
        try:
            value = int(node.value.replace("_", ""), 0)
        except ValueError:
            self.error(node, where, f"expected a whole number, got {node.value!r}")
            return None
        if value < minimum:
            self.error(node, where, f"expected a number of at least {minimum}, got {value}")
            return None
        return value

    def choice(self, node: yaml.Node, where: str, choices: tuple[str, ...]) -> str | None:
        value = self.string(node, where)
        if value is not None and value not in choices:
            self.error(node, where, f"expected one of {', '.join(choices)}, got {value!r}" + did_you_mean(value, choices))
            return None
        return value

    def date(self, node: yaml.Node, where: str) -> _dt.date | None:
        self.count(node)
        raw = node.value if isinstance(node, yaml.ScalarNode) else None
        try:
            if raw is None or not re.match(r"^\d{4}-\d{2}-\d{2}$", raw):
                raise ValueError
            return _dt.date.fromisoformat(raw)
        except ValueError:
            shown = repr(raw) if raw is not None else describe(node)
            self.error(node, where, f"expected a date (YYYY-MM-DD), got {shown}")
            return None

    def time(self, node: yaml.Node, where: str) -> _dt.time | None:
        self.count(node)
        raw = node.value if isinstance(node, yaml.ScalarNode) else None
        m = TIME_RE.match(raw or "")
        if not m:
            shown = repr(raw) if raw is not None else describe(node)
            self.error(node, where, f"expected a 24-hour time (HH:MM), got {shown}")
            return None
        return _dt.time(int(m.group(1)), int(m.group(2)))

    def timezone(self, node: yaml.Node, where: str) -> str | int | None:
        value = self.string(node, where)
        if value is None:
            return None
        m = OFFSET_RE.match(value.strip())
        if m:
            sign = -1 if m.group(1) == "-" else 1
            hours, minutes = int(m.group(2)), int(m.group(3) or 0)
            if hours > 14 or minutes >= 60:
                self.error(node, where, f"UTC offset out of range: {value!r}")
                return None
            return sign * (hours * 60 + minutes)
        if _is_zone(value):
            return value
        self.error(
            node, where,
            f"unknown time zone {value!r}; use an IANA name such as 'Europe/Paris' or an offset such as 'UTC+01:00'"
            + did_you_mean(value, _known_zones()),
        )
        return None


def model_diag(loc: Location, message: str) -> Diagnostic:
    return Diagnostic("error", message, loc)


def describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "nothing"
    return repr(node.value)


_ZONES: frozenset[str] | None = None
#: IANA zone names: components start with a capital (Europe/Paris, America/Argentina/Buenos_Aires,
#: Etc/GMT+1, UTC); the files beside them (posixrules, localtime, posix/..., right/...) do not.
_ZONE_NAME = re.compile(r"[A-Z][A-Za-z0-9_+\-]*(?:/[A-Z][A-Za-z0-9_+\-]*)*")


def _is_zone(value: str) -> bool:
    """Whether ``value`` is a known IANA time zone. Loading it is quicker than listing every zone
    (which opens some 1,700 files); the list is made only for names that do not load, to suggest one."""
    if _ZONES is None and _ZONE_NAME.fullmatch(value):
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(value)
            return True
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return value in _known_zones()


def _known_zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        import zoneinfo

        _ZONES = frozenset(zoneinfo.available_timezones())
    return _ZONES


# --------------------------------------------------------------------------- the schema

_TOP = {
    "id": False, "kind": False, "series": False, "title": True, "organiser": False,
    "event": False, "keywords": False, "sections": True,
}
_EVENT = {"date": True, "start": False, "end": False, "timezone": False, "location": False,
          "participants": False}
_PARTICIPANTS = {"count": True, "qualifier": False}
_SECTION = {"id": True, "heading": False, "body": True}
_PARAGRAPH = {"id": False, "paragraph": True}
_BULLETS = {"id": False, "bullets": True}
_ITEM = {"id": False, "text": True}


def _read_report(r: _Reader, root: yaml.Node, stem: str) -> model.Report | None:
    top = r.mapping(root, "", _TOP)
    if top is None:
        return None
    rid = r.identifier(top["id"], "id") if "id" in top else stem
    if "id" not in top and not ID_RE.match(stem):
        r.diags.error(f"id: file name {stem!r} is not a valid id; add an 'id:' field", Location(r.path, 1, 1))
    rid = rid or stem

    def text(node: yaml.Node, where: str, ctx: str, comment: str) -> model.Text | None:
        value = r.string(node, where)
        if value is None:
            return None
        value = value.strip()
        problem = model.forbidden_chars_problem(value)
        if problem:
            r.error(node, where, problem)
            return None
        for m in model.PLACEHOLDER_RE.finditer(value):
            name = m.group(1)
            if name not in model.PLACEHOLDERS and name.islower():
                close = did_you_mean(name, model.PLACEHOLDERS)
                if close:
                    r.diags.warning(f"{where}: {{{name}}} is not a placeholder and is shown literally{close}", r.loc(node))
        return model.Text(value, f"{rid}:{ctx}", r.loc(node), comment)

    kind = r.choice(top["kind"], "kind", model.REPORT_KINDS) if "kind" in top else "report"
    title = text(top["title"], "title", "title", "Report title (cover and running footer)") if "title" in top else None
    series = text(top["series"], "series", "series", "Name of the series the report belongs to (above the title)") if "series" in top else None
    organiser = text(top["organiser"], "organiser", "organiser", "Organisation that publishes the report (cover, document author)") if "organiser" in top else None

    event = None
    if "event" in top:
        event = _read_event(r, top["event"], text)

    keywords: list[model.Text] = []
    if "keywords" in top:
        for i, kn in enumerate(r.sequence(top["keywords"], "keywords"), 1):
            kw = text(kn, f"keywords[{i}]", f"keywords:{i}", "Keyword in the document properties (search, not shown on the page)")
            if kw:
                keywords.append(kw)

    sections = _read_sections(r, top, text)

    if r.diags.errors or title is None:
        return None
    return model.Report(
        id=rid, path=r.path, kind=kind or "report", title=title, series=series, organiser=organiser,
        event=event, sections=tuple(sections), keywords=tuple(keywords),
        id_location=r.loc(top["id"]) if "id" in top else Location(r.path, 1),
    )


def _read_sections(r: _Reader, top: dict, text: Callable[..., Any]) -> list[model.Section]:
    """The report's sections: unique ids, a heading and a body of paragraphs and bullet lists each."""
    sections: list[model.Section] = []
    seen_sections: dict[str, yaml.Node] = {}
    for si, snode in enumerate(r.sequence(top["sections"], "sections") if "sections" in top else [], 1):
        where = f"sections[{si}]"
        s = r.mapping(snode, where, _SECTION)
        if s is None:
            continue
        sid = r.identifier(s["id"], f"{where}.id") if "id" in s else None
        if sid is None:
            continue
        if sid in seen_sections:
            r.error(s["id"], f"{where}.id", f"duplicate section id {sid!r} (first at line {seen_sections[sid].start_mark.line + 1})")
            continue
        seen_sections[sid] = s["id"]
        heading = None
        if "heading" in s:
            heading = text(s["heading"], f"{where}.heading", f"{sid}:heading", f"Heading of section '{sid}'")
        errors_before = len(r.diags.errors)
        blocks = _read_body(r, s.get("body"), where, sid, text) if "body" in s else []
        if not blocks and "body" in s and len(r.diags.errors) == errors_before:
            r.error(s["body"], f"{where}.body", "a section needs at least one paragraph or bullet list")
        sections.append(model.Section(sid, heading, tuple(blocks)))
    if "sections" in top and not sections and not r.diags.errors:
        r.error(top["sections"], "sections", "a report needs at least one section")
    return sections


def _read_event(r: _Reader, node: yaml.Node, text: Callable[..., Any]) -> model.Event | None:
    e = r.mapping(node, "event", _EVENT)
    if e is None:
        return None
    date = r.date(e["date"], "event.date") if "date" in e else None
    start = r.time(e["start"], "event.start") if "start" in e else None
    end = r.time(e["end"], "event.end") if "end" in e else None
    if "end" in e and "start" not in e:
        r.error(e["end"], "event.end", "an end time needs a start time")
    if start and end and end <= start:
        r.error(e["end"], "event.end", f"ends ({end:%H:%M}) before it starts ({start:%H:%M})")
    tz = r.timezone(e["timezone"], "event.timezone") if "timezone" in e else None
    if "timezone" in e and "start" not in e:
        r.error(e["timezone"], "event.timezone", "a time zone needs a start time")
    location = text(e["location"], "event.location", "event:location", "Where the event took place (cover, after the label 'Location')") if "location" in e else None
    participants = None
    if "participants" in e:
        pnode = e["participants"]
        if isinstance(pnode, yaml.MappingNode):
            p = r.mapping(pnode, "event.participants", _PARTICIPANTS)
            if p is not None and "count" in p:
                count = r.integer(p["count"], "event.participants.count", minimum=1)
                qual = r.choice(p["qualifier"], "event.participants.qualifier", model.PARTICIPANT_QUALIFIERS) if "qualifier" in p else "exact"
                if count is not None and qual is not None:
                    participants = model.Participants(count, qual)
        else:
            count = r.integer(pnode, "event.participants", minimum=1)
            if count is not None:
                participants = model.Participants(count)
    if date is None:
        return None
    return model.Event(date, start, end, tz, location, participants)


def _read_body(r: _Reader, node: yaml.Node, where: str, sid: str, text: Callable[..., Any]) -> list[model.Block]:
    blocks: list[model.Block] = []
    ids: dict[str, yaml.Node] = {}

    def claim(id_node: yaml.Node | None, value: str, owner: yaml.Node, w: str) -> bool:
        if value in ids:
            r.error(id_node or owner, w, f"duplicate id {value!r} in section '{sid}' (first at line {ids[value].start_mark.line + 1})")
            return False
        ids[value] = id_node or owner
        return True

    for bi, bnode in enumerate(r.sequence(node, f"{where}.body"), 1):
        bw = f"{where}.body[{bi}]"
        r.count(bnode)
        if not isinstance(bnode, yaml.MappingNode):
            r.error(bnode, bw, f"expected a mapping with 'paragraph:' or 'bullets:', got {describe(bnode)}")
            continue
        keys = {k.value for k, _ in bnode.value if isinstance(k, yaml.ScalarNode)}
        if "paragraph" in keys:
            b = r.mapping(bnode, bw, _PARAGRAPH)
            if b is None:
                continue
            pid = r.identifier(b["id"], f"{bw}.id") if "id" in b else f"p{bi}"
            if pid is None or not claim(b.get("id"), pid, bnode, f"{bw}.id"):
                continue
            t = text(b["paragraph"], f"{bw}.paragraph", f"{sid}:{pid}", f"Paragraph in section '{sid}'")
            if t:
                blocks.append(model.Paragraph(pid, t))
        elif "bullets" in keys:
            b = r.mapping(bnode, bw, _BULLETS)
            if b is None:
                continue
            lid = r.identifier(b["id"], f"{bw}.id") if "id" in b else f"list{bi}"
            if lid is None:
                continue
            items: list[model.Text] = []
            for ii, inode in enumerate(r.sequence(b["bullets"], f"{bw}.bullets"), 1):
                iw = f"{bw}.bullets[{ii}]"
                if isinstance(inode, yaml.ScalarNode):
                    iid, tnode, idnode = f"{lid}-{ii}", inode, None
                else:
                    m = r.mapping(inode, iw, _ITEM)
                    if m is None or "text" not in m:
                        continue
                    idnode = m.get("id")
                    iid = r.identifier(idnode, f"{iw}.id") if idnode is not None else f"{lid}-{ii}"
                    tnode = m["text"]
                if iid is None or not claim(idnode, iid, inode, f"{iw}.id"):
                    continue
                t = text(tnode, iw if isinstance(inode, yaml.ScalarNode) else f"{iw}.text", f"{sid}:{iid}", f"Bullet point {ii} in section '{sid}'")
                if t:
                    items.append(t)
            if not items and not r.diags.errors:
                r.error(b["bullets"], f"{bw}.bullets", "a bullet list needs at least one item")
            if items:
                blocks.append(model.BulletList(lid, tuple(items)))
        else:
            r.error(bnode, bw, "expected 'paragraph:' or 'bullets:'" + did_you_mean(next(iter(keys), ""), ("paragraph", "bullets")))
    return blocks


def _check_placeholders(r: _Reader, report: model.Report) -> None:
    ev = report.event
    available = {"date"} if ev else set()
    if ev:
        if ev.start:
            available |= {"start", "time_range"}
        if ev.end:
            available.add("end")
        if ev.timezone is not None:
            available.add("timezone")
        if ev.participants:
            available.add("participants")
        if ev.location:
            available.add("location")
    for t in report.texts():
        for name in t.placeholders:
            if name not in available:
                r.diags.error(f"{{{name}}} is used but the event gives no value for it", t.location)


# --------------------------------------------------------------------------- entry points


def load_source(path: Path, base: Path | None = None) -> model.Report:
    """Read and validate one source file. Raises :class:`InputError` with every problem found."""
    shown = display_path(path, base)
    escape = link_escape(path, base) if base is not None else ""
    if escape:
        raise InputError([model_diag(Location(shown), f"is a symbolic link to {escape}, outside the project; "
                                     "copy the file into the project")])
    data = read_input(path, shown, "source file")
    if len(data) > MAX_BYTES:
        raise InputError([model_diag(Location(shown), f"file too large ({len(data)} bytes; the limit is {MAX_BYTES})")])
    text = _decode(data, shown)
    root = _compose(text, shown)
    _check_size(root, shown, text)
    r = _Reader(shown)
    report = _read_report(r, root, path.stem)
    if report is not None:
        _check_placeholders(r, report)
    r.diags.raise_if_errors()
    assert report is not None
    return report._replace(warnings=tuple(r.diags.warnings)) if r.diags.warnings else report


def _decode(data: bytes, shown: str) -> str:
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError([model_diag(Location(shown, line), "binary file (contains NUL bytes); sources are UTF-8 text")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            [model_diag(Location(shown, line, col), f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")]
        ) from None
    if not text.strip():
        raise InputError([model_diag(Location(shown, 1), "empty file; a source needs at least 'title:' and 'sections:'")])
    return text


def _depth_bound(text: str) -> int:
    """An upper bound of the nesting depth, read from the text alone: a block collection nests in
    its parent with more indentation or after a '- ' on the same line (at most two levels per
    column), a flow collection opens with a bracket."""
    widest = max((len(line) - len(line.lstrip(" -?:")) for line in text.split("\n")), default=0)
    return 2 * (widest + 1) + text.count("[") + text.count("{")


def _check_depth(text: str, shown: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before composing (the parser keeps its own stack; the
    composer recurses and would overflow the C stack). A text too shallow to nest that deep needs
    no parse for it."""
    if _depth_bound(text) <= MAX_DEPTH:
        return
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                m = event.start_mark
                raise InputError([model_diag(Location(shown, m.line + 1, m.column + 1),
                                             f"nested more than {MAX_DEPTH} levels deep")])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


_ANCHOR = re.compile(r"(?:^|[\s\[\]{},:?-])&[^\s\[\]{},]")


def _check_size(root: yaml.Node, shown: str, text: str) -> None:
    """Refuse documents whose aliases expand to more than MAX_NODES values ("billion laughs") or
    refer to themselves. Sizes are memoized per node, so this costs one pass over the nodes; a text
    without anything that could be an anchor ('&name') has no aliases, and the reader's own count
    bounds its size."""
    if not _ANCHOR.search(text):
        return
    size: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.ScalarNode):
            size[key] = 1
            continue
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else list(node.value)
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            if size[key] > MAX_NODES:
                raise InputError([model_diag(
                    Location(shown, node.start_mark.line + 1, node.start_mark.column + 1),
                    f"aliases expand this value to more than {MAX_NODES} values (the limit of a source)")])
            continue
        if key in size:
            continue
        open_.add(key)
        stack.append((node, True))
        for c in children:
            if id(c) in open_:
                raise InputError([model_diag(
                    Location(shown, node.start_mark.line + 1, node.start_mark.column + 1),
                    "an alias refers to a value that contains it (a recursive structure)")])
            if id(c) not in size:
                stack.append((c, False))


def _compose(text: str, shown: str) -> yaml.Node:
    try:
        _check_depth(text, shown)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.reader.ReaderError as exc:  # a raw control character or noncharacter in the file
        pos = exc.position
        if _Loader.__name__.startswith("C"):  # libyaml counts UTF-8 bytes
            pos = len(text.encode("utf-8")[:pos].decode("utf-8", "ignore"))
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        kind = "control character" if exc.character <= 0x9F else "noncharacter"
        raise InputError([model_diag(Location(shown, line, col),
                                     f"{kind} U+{exc.character:04X} is not allowed in a source")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        lines = text.splitlines()
        at = lines[mark.line][mark.column:mark.column + 1] if mark is not None and mark.line < len(lines) else ""
        if "'\\t'" in problem or "tab" in problem.lower() or at == "\t":
            problem = "tab character; indent with spaces"
        elif problem == "but found another document":
            problem = "a source holds one YAML document; remove the '---' line and what follows"
        elif problem == "found invalid Unicode character escape code":
            problem += " (a surrogate such as \\ud83d: write characters beyond U+FFFF as \\U0001F600)"
        elif problem == "found character that cannot start any token" and at:
            problem = f"{problem} ({at!r})"
        loc = Location(shown, mark.line + 1, mark.column + 1) if mark else Location(shown)
        raise InputError([model_diag(loc, f"YAML syntax: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([model_diag(Location(shown), f"YAML: {exc}")]) from None
    if root is None:
        raise InputError([model_diag(Location(shown, 1), "empty file; a source needs at least 'title:' and 'sections:'")])
    return root


def read_records(path: Path, base: Path | None = None, what: str = "file"
                 ) -> tuple[list[tuple[Location, dict[str, str]]], list[Diagnostic]]:
    """A YAML data file that is a list of flat mappings (optionally under one top-level key, such
    as ``participants:``), as (location of each record, {key: text}) and the errors of the records
    left out. Values are kept as written (``language: no`` stays 'no'); nested values and duplicate
    keys are errors with path:line:col. Used for the participants list (reportgen.participants)."""
    shown = display_path(path, base)
    data = read_input(path, shown, what)
    if not data.strip():
        raise InputError([model_diag(Location(shown, 1), "empty file")])
    root = _compose(_decode(data, shown), shown)
    r = _Reader(shown)
    if isinstance(root, yaml.MappingNode) and len(root.value) == 1:
        root = root.value[0][1]
    if not isinstance(root, yaml.SequenceNode):
        raise InputError([model_diag(r.loc(root), "expected a list of records ('- name: ...')")])
    out = []
    for item in root.value:
        before = len(r.diags)
        r.count(item)
        if not isinstance(item, yaml.MappingNode):
            r.error(item, "record", f"expected a mapping (key: value), got {describe(item)}")
            continue
        record: dict[str, str] = {}
        for key, value in item.value:
            r.count(value)
            if not isinstance(key, yaml.ScalarNode) or key.tag not in (_STR, _INT):
                r.error(key, "key", "expected a plain key")
            elif key.value in record:
                r.error(key, key.value, "duplicate key")
            elif not isinstance(value, yaml.ScalarNode) or value.tag not in _ALLOWED_TAGS:
                r.error(value, key.value, f"expected a single value, got {describe(value)}")
            else:
                record[key.value] = "" if value.tag == _NULL and value.value in ("", "~", "null") else value.value
        if len(r.diags) == before:
            out.append((r.loc(item), record))
    return out, list(r.diags)
