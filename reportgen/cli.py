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


class _ArgumentParser(argparse.ArgumentParser):
    """Wrong arguments are the user's input: exit status 1 (argparse says 2, which we keep for bugs)."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _ArgumentParser(
        prog="reportgen",
        description="Turn structured findings (sources/*.yaml) and gettext catalogs (locales/) "
        "into multilingual DOCX and PDF reports.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"reportgen {__version__}")
    common = _ArgumentParser(add_help=False)
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
    b.add_argument("-v", "--verbose", action="store_true", help="list every string shown in English")

    e = sub.add_parser("extract", help="write the translation template (POT) from the sources", parents=[common],
                       description="Write locales/reportgen.pot: every translatable text of every source, "
                       "with its context, a note for translators and its place in the YAML.")
    e.add_argument("-o", "--output", type=Path, metavar="FILE", help="where to write (default: locales/reportgen.pot)")
    return p


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
            import traceback

            traceback.print_exc()
            return 2
        summary = " ".join(str(exc).split())  # one line, however long the exception's message
        summary = summary if len(summary) <= 200 else summary[:199] + "…"
        print(f"reportgen: internal error: {type(exc).__name__}: {summary} (run again with --traceback for details)",
              file=sys.stderr)
        return 2


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import build_project, load_project

    project = load_project(args.project)
    result = build_project(project, args.sources, args.lang, args.formats, args.out,
                           draft=args.draft, strict=args.strict)
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
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from .build import extract_template, load_project

    project = load_project(args.project)
    path, count, changed = extract_template(project, args.output)
    if not args.quiet:
        state = "wrote" if changed else "unchanged:"
        print(f"{state} {_shown(path)} ({count} strings)")
    return 0


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} B"


COMMANDS = {"build": _cmd_build, "extract": _cmd_extract}
