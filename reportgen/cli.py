"""Command line: the only module that prints or exits.

Exit status: 0 success; 1 a problem with the input (sources, catalogs, config, arguments);
2 an internal error (one line; ``--traceback`` shows the details).
"""

from __future__ import annotations

import argparse
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


def _percent(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        n = -1.0
    if not 0 <= n <= 100:  # NaN too
        raise argparse.ArgumentTypeError(f"expected a percentage from 0 to 100, got {value!r}")
    return n


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return n


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
                   help="use fuzzy (unreviewed) translations, marked in the text, with DRAFT in the footer; written to "
                   "OUT/<source-id>/draft/<source-id>.<lang>.draft.<format>, never over the final files")
    b.add_argument("--strict", action="store_true", help="treat warnings (such as untranslated text) as errors")
    b.add_argument("-j", "--jobs", type=_positive, metavar="N",
                   help="render in up to N worker processes, no more than documents (default: the number of CPUs; "
                   "1: all in this process)")
    b.add_argument("--force", action="store_true",
                   help="rebuild every document, even those whose inputs have not changed")
    b.add_argument("--min-complete", type=_percent, metavar="PCT",
                   help="skip (and exit 1 for) a language with less than PCT %% of its texts translated")
    b.add_argument("-v", "--verbose", action="store_true", help="list every string shown in English")
    b.add_argument("--docx-template", type=Path, metavar="FILE.docx",
                   help="use the styles, theme, page setup and header of this DOCX (like pandoc's reference document)")

    e = sub.add_parser("extract", help="write the translation template (POT) from the sources", parents=[common],
                       description="Write locales/reportgen.pot: every translatable text of every source, "
                       "with its context, a note for translators and its place in the YAML.")
    e.add_argument("-o", "--output", type=Path, metavar="FILE", help="where to write (default: locales/reportgen.pot)")

    _translator_commands(sub, common)
    _review_commands(sub, common)
    _distribution_commands(sub, common)
    return p


def _review_commands(sub, common) -> None:  # type: ignore[no-untyped-def]
    r = sub.add_parser("review", help="a DOCX for reviewers to correct translations in Word; import their edits",
                       description="export: write OUT/<source>/review/<source>.<lang>.review.docx, a table per "
                       "section (reference, English, translation, status). import: apply the edited translations "
                       "to the catalog of the copy's language. See docs/translators.md.")
    actions = r.add_subparsers(dest="action", metavar="ACTION", required=True)
    rx = actions.add_parser("export", parents=[common], help="write review copies")
    rx.add_argument("sources", nargs="*", metavar="SOURCE", help="source ids or YAML files (default: every source)")
    rx.add_argument("--lang", required=True, metavar="LANG", help="the language to review, e.g. es")
    rx.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: build/)")
    ri = actions.add_parser("import", parents=[common], help="apply reviewers' edits to the catalogs")
    ri.add_argument("files", nargs="+", type=Path, metavar="FILE.docx", help="edited review copies")
    ri.add_argument("--lang", metavar="LANG", help="refuse copies of another language")
    ri.add_argument("--partial", action="store_true",
                    help="apply the edits that do not conflict (default: a conflict stops the import)")


def _distribution_commands(sub, common) -> None:  # type: ignore[no-untyped-def]
    d = sub.add_parser(
        "distribute", help="e-mail each participant the PDF in their language (dry run by default)",
        parents=[common],
        description="Choose each participant's language (pt-BR -> pt -> the fallback; a language is offered only "
        "when its catalog is --min-complete translated, 100 percent by default), build the PDFs still "
        "missing or out of date (never a draft), write OUT/<source>/distribution/manifest.csv and manifest.json, and write every participant's "
        "message into OUT/<source>/distribution/outbox.mbox, with the first message of each language in "
        "preview/<lang>.eml to open in a mail program. With --send, send them by SMTP instead: "
        "state.jsonl records what was sent, so a message is never sent twice and failures are retried on "
        "the next run. SMTP settings: [distribute] in the config; the password only from "
        "REPORTGEN_SMTP_PASSWORD. See docs/distribution.md.")
    d.add_argument("source", metavar="SOURCE", help="source id (americas-2024) or YAML file")
    d.add_argument("--participants", required=True, type=Path, metavar="FILE",
                   help="CSV (UTF-8) or YAML with name, email, language (BCP 47) and optionally organisation")
    d.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: build/)")
    d.add_argument("--send", action="store_true", help="send by SMTP (default: only write the outbox)")
    d.add_argument("--rate", type=int, metavar="N",
                   help="at most N messages per minute (default: config, or no limit)")
    d.add_argument("--fallback", metavar="LANG",
                   help="final fallback language (default: config, or the source language)")
    d.add_argument("--min-complete", type=_percent, metavar="PCT",
                   help="offer a language only when PCT %% of its texts are translated (default: config, or 100); "
                   "the others' participants get the fallback language")
    d.add_argument("--retry-uncertain", action="store_true",
                   help="also send to recipients whose earlier sending was interrupted (they may get it twice)")
    d.add_argument("-v", "--verbose", action="store_true", help="one line per participant: language and reason")

    v = sub.add_parser("verify", help="re-hash the files of a distribution manifest", parents=[common],
                       description="Compute the SHA-256 of every file a manifest (CSV or JSON) lists and compare. "
                       "A file is looked for at its path relative to the manifest, then beside it. "
                       "Exit status 1 with one line per mismatch.")
    v.add_argument("manifest", type=Path, metavar="MANIFEST", help="manifest.csv or manifest.json")


def _translator_commands(sub, common) -> None:
    u = sub.add_parser(
        "update", help="merge the sources' texts into the catalogs (new language: --lang de)", parents=[common],
        description="Refresh locales/reportgen.pot and merge it into each catalog: new texts are added empty (or "
        "pre-filled as fuzzy from the same or a very similar translated text elsewhere in the catalog), "
        "changed English becomes fuzzy with the previous text kept (#| msgid), removed texts are kept as "
        "obsolete (#~). Translations and translator comments are never lost; a second run changes nothing. "
        "A language without a catalog gets a new one.")
    u.add_argument("--lang", type=_csv, action="extend", metavar="LANGS",
                   help="comma-separated languages (default: every catalog and every configured language)")
    st = sub.add_parser("status", help="how much of each language is translated", parents=[common],
                        description="Per language and per source/section: translated, fuzzy, untranslated and "
                        "obsolete texts, English words and percent translated (fuzzy is not translated); with a "
                        "glossary (locales/glossary.csv), the entries per language that break it.")
    st.add_argument("--lang", type=_csv, action="extend", metavar="LANGS", help="comma-separated languages")
    st.add_argument("--json", action="store_true", help="print JSON (for scripts) instead of a table")
    c = sub.add_parser("check", help="check translations for broken placeholders, markup and typography",
                       parents=[common],
                       description="Offline checks of every catalog, each finding as 'path:line: error|warning: "
                       "[code] message'. Silence codes with [check] ignore = [...] in the config, or for one entry "
                       "with the flag 'ignore-<code>' or a translator comment 'reportgen: ignore <code>'. "
                       "See docs/translators.md.")
    c.add_argument("files", nargs="*", type=Path, metavar="FILE.po",
                   help="check these PO files (any project, e.g. Django's) instead of the project's catalogs")
    c.add_argument("--lang", type=_csv, action="extend", metavar="LANGS", help="comma-separated languages")
    c.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    c.add_argument("--glossary", type=Path, metavar="FILE",
                   help="check the terms of this glossary (CSV or TBX; default: the project's locales/glossary.csv "
                   "or .tbx; FILE.po arguments are checked against a glossary only with this option)")
    c.add_argument("--json", action="store_true", help="print the findings as JSON on stdout (for CI)")


def run() -> int:
    """The ``reportgen`` command (and ``python -m reportgen``)."""
    return main()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        _flush()


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else list(argv))
    if not args.command:
        _parser().print_help()
        return 0
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        _say("reportgen: interrupted", err=True)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns failures into exit codes
        from .errors import ReportgenError

        if isinstance(exc, ReportgenError):
            _print_diagnostics(exc.diagnostics)
            return 1
        if args.traceback:
            import traceback

            traceback.print_exc()
            return 2
        summary = " ".join(str(exc).split())  # one line, however long the exception's message
        summary = summary if len(summary) <= 200 else summary[:199] + "…"
        _say(f"reportgen: internal error: {type(exc).__name__}: {summary} (run again with --traceback for details)",
             err=True)
        return 2


#: problems printed at most; then a count (a broken 100 MB file must not print a million lines)
MAX_SHOWN = 50


def _print_diagnostics(diagnostics: Sequence) -> None:  # type: ignore[type-arg]
    for d in diagnostics[:MAX_SHOWN]:
        _say(d if d.location else f"reportgen: {d}", err=True)
    if len(diagnostics) > MAX_SHOWN:
        errors = sum(d.severity == "error" for d in diagnostics)
        warnings = len(diagnostics) - errors
        counts = f"{errors} error{'s' if errors != 1 else ''}" + (
            f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "")
        _say(f"reportgen: {len(diagnostics) - MAX_SHOWN} more problems not shown ({counts} in all)", err=True)


def _check_out(out: Path | None) -> None:
    """``--out`` must name a folder (or a path to make one): a file there is the user's mistake."""
    from .errors import Diagnostic, InputError, Location, display_path

    at = out
    while at is not None and not at.exists() and at.parent != at:
        at = at.parent
    if at is not None and at.exists() and not at.is_dir():
        raise InputError([Diagnostic("error", "--out: is a file, not a folder; name a folder for the outputs",
                                     Location(display_path(at)))])


def _say(*values: object, err: bool = False, flush: bool = False) -> None:
    """print() to stdout (or stderr) that outlives its reader: once the reader has gone
    (``reportgen build | head -1``), the rest of that stream is dropped and the command carries on
    to its own end and exit status."""
    stream = sys.stderr if err else sys.stdout
    try:
        print(*values, file=stream, flush=flush)
    except BrokenPipeError:
        _drop(stream)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            _drop(stream)


def _drop(stream) -> None:  # type: ignore[no-untyped-def]
    """Point a stream whose reader has gone at the null device: what is still buffered, and what
    follows, goes there instead of raising BrokenPipeError again (at exit too)."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


class _Interrupts:
    """Ctrl-C during a build, noticed even when Python drops its KeyboardInterrupt: one raised
    while a finalizer (``__del__``) runs is only printed as "Exception ignored". The handler also
    remembers it, and :meth:`check`, called as each document is done and before anything is
    committed, raises it again at a safe point. Installed by the command for its own duration,
    only in the main thread (elsewhere Python's handler stays as it is)."""

    def __init__(self) -> None:
        self.seen = False
        self.previous = None

    def _handler(self, signum, frame):  # type: ignore[no-untyped-def]
        self.seen = True
        raise KeyboardInterrupt

    def check(self) -> None:
        if self.seen:
            raise KeyboardInterrupt

    def __enter__(self) -> "_Interrupts":
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc) -> None:  # type: ignore[no-untyped-def]
        if self.previous is not None:
            import signal

            signal.signal(signal.SIGINT, self.previous)


def _cmd_build(args: argparse.Namespace) -> int:
    from .build.pipeline import build_project, default_jobs
    from .project import load_project

    _check_out(args.out)
    project = load_project(args.project)
    tty = sys.stdout.isatty()
    progress = _Progress(enabled=not args.quiet and tty)
    # not on a terminal (logs, pipes): one line per document once the build has committed them, in
    # the plan's order (source, language, format), so that the same build prints the same lines and
    # a build stopped by an error or Ctrl-C prints no "built" for what it rolled back
    with _Interrupts() as interrupts:
        def on_result(result, done: int, total: int) -> None:  # type: ignore[no-untyped-def]
            interrupts.check()
            if tty:
                progress.update(result, done, total)

        result = build_project(project, args.sources, args.lang, args.formats, args.out,
                               draft=args.draft, strict=args.strict, force=args.force,
                               jobs=args.jobs or default_jobs(), docx_template=args.docx_template,
                               min_complete=args.min_complete,
                               on_result=on_result)
    progress.close()
    if not tty and not args.quiet:
        for r in result.built:
            _print_result(r)
    for w in result.skipped:
        _say(f"reportgen: {w}", err=True)
    for w in result.warnings:
        if w.code == "fallback-detail" and not args.verbose:
            continue
        _say(w, err=True)
    if args.quiet:
        return 1 if result.skipped else 0
    built, fresh = result.built, result.up_to_date
    if built and tty:
        rows = [(_shown(r.path), "" if r.pages is None else str(r.pages), _size(r.size), f"{r.seconds * 1000:.0f} ms")
                for r in built]
        _table(("document", "pages", "size", "time"), rows)
    if fresh and not built:
        _say(f"up to date: {len(fresh)} document{'s' if len(fresh) != 1 else ''} (--force rebuilds them)")
    else:
        note = f", {len(fresh)} up to date" if fresh else ""
        _say(f"{len(built)} document{'s' if len(built) != 1 else ''} built{note} in {result.seconds:.2f} s")
    return 1 if result.skipped else 0


def _print_result(r) -> None:  # type: ignore[no-untyped-def]
    """One plain line per document built (logs, pipes)."""
    pages = f"{r.pages} page{'s' if r.pages != 1 else ''}, " if r.pages is not None else ""
    _say(f"built {_shown(r.path)} ({pages}{_size(r.size)}, {r.seconds * 1000:.0f} ms)", flush=True)


class _Progress:
    """A one-line progress bar on a terminal; nothing otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.drawn = False

    def update(self, result, done: int, total: int) -> None:  # type: ignore[no-untyped-def]
        if not self.enabled or total < 2:
            return
        width = 24
        filled = width * done // total
        name = result.path.name
        sys.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:40]:<40}")
        sys.stdout.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            sys.stdout.write("\r" + " " * 80 + "\r")
            sys.stdout.flush()


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    def line(cells):  # type: ignore[no-untyped-def]
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    _say(line(header))
    for r in rows:
        _say(line(r))


def _cmd_extract(args: argparse.Namespace) -> int:
    from .build.pipeline import extract_template
    from .project import load_project

    project = load_project(args.project)
    path, count, changed = extract_template(project, args.output)
    if not args.quiet:
        state = "wrote" if changed else "unchanged:"
        _say(f"{state} {_shown(path)} ({count} strings)")
    return 0


def _cmd_distribute(args: argparse.Namespace) -> int:
    from collections import Counter

    from .project import load_project
    from .distribute.mail import distribute
    from .errors import InputError

    if args.rate is not None and args.rate < 1:
        raise InputError("--rate: expected a positive number of messages per minute")
    _check_out(args.out)
    project = load_project(args.project)
    r = distribute(project, args.source, args.participants, out_dir=args.out, send=args.send, rate=args.rate,
                   fallback=args.fallback, retry_uncertain=args.retry_uncertain, min_complete=args.min_complete)
    for d in r.warnings + r.errors:
        _say(d if d.location else f"reportgen: {d}", err=True)
    if not args.quiet:
        for path in r.built:
            _say(f"built {_shown(path)}")
        if args.verbose:
            for e in r.entries:
                _say(f"{e.person.location}: {e.requested} -> {e.choice.lang} ({e.choice.reason}): {e.status}")
        langs = Counter(e.choice.lang for e in r.entries)
        fallbacks = sum(e.choice.rule == "fallback" for e in r.entries)
        _say(f"{len(r.entries)} participants: " + ", ".join(f"{n} {lang}" for lang, n in sorted(langs.items()))
              + (f" ({fallbacks} by the final fallback)" if fallbacks else ""))
        status = Counter(e.status for e in r.entries)
        if r.outbox is not None:
            _say(f"dry run: wrote {status['dry-run']} message{'s' if status['dry-run'] != 1 else ''} to "
                  f"{_shown(r.outbox)} (nothing sent; add --send to send)")
            if r.previews:
                _say(f"one of each language to open in a mail program: {_shown(r.previews[0].parent)}/ ("
                     + ", ".join(p.name for p in r.previews) + ")")
        _say(", ".join(f"{n} {s}" for s, n in sorted(status.items())))
        _say("wrote " + ", ".join(_shown(m) for m in r.manifests))
    return 1 if r.errors else 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from .distribute.mail import verify_manifest

    r = verify_manifest(args.manifest)
    for d in r.mismatches:
        _say(d, err=True)
    if not r.mismatches and not args.quiet:
        _say(f"{r.checked} file{'s' if r.checked != 1 else ''} match {_shown(args.manifest)}")
    return 1 if r.mismatches else 0


def _cmd_update(args: argparse.Namespace) -> int:
    from .project import load_project
    from .i18n.commands import update

    pot, results = update(load_project(args.project), args.lang)
    if not results and not args.quiet:
        _say(f"no catalogs to update (the template is {_shown(pot)}); start a language with "
              "'reportgen update --lang de'")
    if not args.quiet:
        for r in results:
            s = r.stats
            what = "created" if r.created else "updated" if r.changed else "unchanged:"
            _say(f"{what} {_shown(r.path)}: {s.kept} kept, {s.added} new, {s.fuzzy} fuzzy, {s.obsolete} obsolete")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    import json

    from .project import load_project
    from .i18n.commands import status, status_json

    result = status(load_project(args.project), args.lang)
    if args.json:
        _say(json.dumps(status_json(result), indent=2, ensure_ascii=False))
        return 0
    head = ("language", "source", "section", "translated", "fuzzy", "untransl.", "obsolete", "words", "%")
    terms = any(st.glossary is not None for st in result)  # a column when the project has a glossary
    rows = []
    for st in result:
        for (src, sec), c in st.groups.items():
            rows.append((st.lang, src, sec, c, ""))
        rows.append((st.lang, "all", "", st.total, str(st.glossary)))
    cells = [[lang, src, sec, str(c.translated), str(c.fuzzy), str(c.untranslated), str(c.obsolete),
              str(c.words), f"{c.percent:.0f}"] + ([g] if terms else []) for lang, src, sec, c, g in rows]
    head += ("glossary",) if terms else ()
    if sys.stdout.isatty():
        _say("Translation status (fuzzy is not counted as translated)\n")
    widths = [max(len(x) for x in col) for col in zip(head, *cells)]
    for line in [head, *cells]:
        _say("  ".join(x.ljust(w) if i < 3 else x.rjust(w) for i, (x, w) in enumerate(zip(line, widths))).rstrip())
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from .project import load_project
    from .i18n.commands import check, check_files, findings_json

    findings = (check_files(args.files, glossary_path=args.glossary) if args.files
                else check(load_project(args.project), args.lang, args.glossary))
    errors = sum(d.severity == "error" for d in findings)
    warnings = len(findings) - errors
    if args.json:
        import json

        _say(json.dumps(findings_json(findings), indent=2, ensure_ascii=False))
        return 1 if errors or (args.strict and warnings) else 0
    for d in findings:
        _say(d, err=True)
    if not args.quiet:
        _say(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
    return 1 if errors or (args.strict and warnings) else 0


def _cmd_review(args: argparse.Namespace) -> int:
    from .project import load_project
    from .i18n import review

    project = load_project(args.project)
    if args.action == "export":
        for path in review.export(project, args.sources, args.lang, args.out):
            if not args.quiet:
                _say(f"wrote {_shown(path)}")
        return 0
    result = review.import_copies(project, args.files, partial=args.partial, lang=args.lang)
    for d in result.warnings:
        _say(d, err=True)
    if not args.quiet:
        for path, n in result.written:
            _say(f"updated {_shown(path)}: {n} translation{'s' if n != 1 else ''} from the review")
        if not result.written:
            _say("no edited translations: no catalog changed")
    return 0


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} B"


COMMANDS = {"build": _cmd_build, "extract": _cmd_extract, "update": _cmd_update, "status": _cmd_status,
            "check": _cmd_check, "distribute": _cmd_distribute, "verify": _cmd_verify, "review": _cmd_review}
