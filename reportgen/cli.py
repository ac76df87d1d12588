"""Command line: the only module that prints or exits.

Exit status: 0 success; 1 a problem with the input (sources, catalogs, config, arguments);
2 an internal error (one line; ``--traceback`` shows the details).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Sequence

from . import __version__

EPILOG = """\
examples:
  reportgen build                          every source, every language, DOCX and PDF
  reportgen build americas-2024 --lang es  one source, Spanish only
  reportgen build --format pdf --out dist  PDFs into dist/<source>/

Exit status: 0 success, 1 invalid input (each problem printed as path:line: error: ...),
2 internal error (add --traceback for details)."""


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="reportgen",
        description="Turn structured findings (sources/*.yaml) and gettext catalogs (locales/) "
        "into multilingual DOCX and PDF reports.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"reportgen {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-C", "--project", metavar="DIR", default=".",
                        help="project folder holding sources/, locales/ and the config (default: current folder)")
    common.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    common.add_argument("--traceback", action="store_true", help="show the Python traceback of an internal error")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    b = sub.add_parser(
        "build", help="render reports as DOCX and PDF", parents=[common],
        description="Render each source in each language and format into OUT/<source-id>/<source-id>.<lang>.<format>. "
        "Inputs are all checked before any file is written; each file is written to a temporary name "
        "and renamed, so an existing report is never left half-written.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument("sources", nargs="*", metavar="SOURCE",
                   help="source ids (americas-2024) or YAML files (default: every file in sources/)")
    b.add_argument("--lang", type=_csv, metavar="LANGS",
                   help="comma-separated languages, e.g. en,es (default: the source language and every catalog)")
    b.add_argument("--format", type=_csv, metavar="FORMATS", dest="formats",
                   help="comma-separated formats: docx,pdf (default: both)")
    b.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: build/)")
    b.add_argument("--draft", action="store_true",
                   help="use fuzzy (unreviewed) translations, marked in the text, with DRAFT in the footer")
    b.add_argument("--strict", action="store_true", help="treat warnings (such as untranslated text) as errors")
    b.add_argument("--min-complete", type=float, metavar="PCT",
                   help="skip (and exit 1 for) a language with less than PCT %% of its texts translated")
    b.add_argument("-v", "--verbose", action="store_true", help="list every string shown in English")

    e = sub.add_parser("extract", help="write the translation template (POT) from the sources", parents=[common],
                       description="Write locales/reportgen.pot: every translatable text of every source, "
                       "with its context, a note for translators and its place in the YAML.")
    e.add_argument("-o", "--output", type=Path, metavar="FILE", help="where to write (default: locales/reportgen.pot)")
    _translator_commands(sub, common)
    return p


def _translator_commands(sub, common) -> None:
    u = sub.add_parser(
        "update", help="merge the sources' texts into the catalogs (new language: --lang de)", parents=[common],
        description="Refresh locales/reportgen.pot and merge it into each catalog: new texts are added empty, "
        "changed English becomes fuzzy with the previous text kept (#| msgid), removed texts are kept as "
        "obsolete (#~). Translations and translator comments are never lost; a second run changes nothing. "
        "A language without a catalog gets a new one.")
    u.add_argument("--lang", type=_csv, action="extend", metavar="LANGS",
                   help="comma-separated languages (default: every catalog and every configured language)")
    st = sub.add_parser("status", help="how much of each language is translated", parents=[common],
                        description="Per language and per source/section: translated, fuzzy, untranslated and "
                        "obsolete texts, English words and percent translated (fuzzy is not translated).")
    st.add_argument("--lang", type=_csv, action="extend", metavar="LANGS", help="comma-separated languages")
    st.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of a table")
    c = sub.add_parser("check", help="check translations for broken placeholders, markup and typography",
                       parents=[common],
                       description="Offline checks of every catalog, each finding as 'path:line: error|warning: "
                       "[code] message'. Silence codes with [check] ignore = [...] in the config, or for one entry "
                       "with the flag 'ignore-<code>' or a translator comment 'reportgen: ignore <code>'. "
                       "See docs/translators.md.")
    c.add_argument("--lang", type=_csv, action="extend", metavar="LANGS", help="comma-separated languages")
    c.add_argument("--strict", action="store_true", help="exit 1 on warnings too")


class _Printer(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        print(record.getMessage(), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    logger = logging.getLogger("reportgen")
    logger.handlers[:] = [_Printer()]
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("reportgen: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns failures into exit codes
        from .errors import ReportgenError

        if isinstance(exc, ReportgenError):
            for d in exc.diagnostics:
                print(d if d.location else f"reportgen: {d}", file=sys.stderr)
            return 1
        if args.traceback:
            raise
        print(f"reportgen: internal error: {type(exc).__name__}: {exc} (run again with --traceback for details)",
              file=sys.stderr)
        return 2


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import build_project, load_project

    project = load_project(args.project)
    result = build_project(project, args.sources, args.lang, args.formats, args.out,
                           draft=args.draft, strict=args.strict, min_complete=args.min_complete)
    for w in result.skipped:
        print(f"reportgen: {w}", file=sys.stderr)
    for w in result.warnings:
        if w.code == "fallback-detail" and not args.verbose:
            continue
        print(w, file=sys.stderr)
    if not args.quiet:
        for r in result.results:
            pages = f"{r.pages} page{'s' if r.pages != 1 else ''}, " if r.pages is not None else ""
            print(f"wrote {_shown(r.path)} ({pages}{_size(r.size)}, {r.seconds * 1000:.0f} ms)")
        n = len(result.results)
        print(f"{n} document{'s' if n != 1 else ''} in {result.seconds:.2f} s")
    return 1 if result.skipped else 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from .build import extract_template, load_project

    project = load_project(args.project)
    path, count, changed = extract_template(project, args.output)
    if not args.quiet:
        state = "wrote" if changed else "unchanged:"
        print(f"{state} {_shown(path)} ({count} strings)")
    return 0


def _cmd_update(args: argparse.Namespace) -> int:
    from .build import load_project
    from .workflow import update

    pot, results = update(load_project(args.project), args.lang)
    if not results and not args.quiet:
        print(f"no catalogs to update (the template is {_shown(pot)}); start a language with "
              "'reportgen update --lang de'")
    if not args.quiet:
        for r in results:
            s = r.stats
            what = "created" if r.created else "updated" if r.changed else "unchanged:"
            print(f"{what} {_shown(r.path)}: {s.kept} kept, {s.added} new, {s.fuzzy} fuzzy, {s.obsolete} obsolete")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    import json

    from .build import load_project
    from .workflow import status, status_json

    result = status(load_project(args.project), args.lang)
    if args.json:
        print(json.dumps(status_json(result), indent=2, ensure_ascii=False))
        return 0
    head = ("language", "source", "section", "translated", "fuzzy", "untransl.", "obsolete", "words", "%")
    rows = []
    for st in result:
        for (src, sec), c in st.groups.items():
            rows.append((st.lang, src, sec, c))
        rows.append((st.lang, "all", "", st.total))
    cells = [[lang, src, sec, str(c.translated), str(c.fuzzy), str(c.untranslated), str(c.obsolete),
              str(c.words), f"{c.percent:.0f}"] for lang, src, sec, c in rows]
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*head, title="Translation status (fuzzy is not counted as translated)")
        for col in table.columns[3:]:
            col.justify = "right"
        for cell, (_, src, _, _) in zip(cells, rows):
            table.add_row(*cell, style="bold" if src == "all" else None, end_section=src == "all")
        Console().print(table)
        return 0
    widths = [max(len(x) for x in col) for col in zip(head, *cells)]
    for line in [head, *cells]:
        print("  ".join(x.ljust(w) if i < 3 else x.rjust(w) for i, (x, w) in enumerate(zip(line, widths))).rstrip())
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from .build import load_project
    from .workflow import check

    findings = check(load_project(args.project), args.lang)
    for d in findings:
        print(d, file=sys.stderr)
    errors = sum(d.severity == "error" for d in findings)
    warnings = len(findings) - errors
    if not args.quiet:
        print(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
    return 1 if errors or (args.strict and warnings) else 0


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} B"


COMMANDS = {"build": _cmd_build, "extract": _cmd_extract, "update": _cmd_update, "status": _cmd_status,
            "check": _cmd_check}
