"""Reading PO files: reportgen's strict reader on a 6 MB catalog and on the shapes that used to be
quadratic, against GNU msgcat reading (and writing) the same file.

    python benchmarks/bench_scan.py [--mb 6]

Cases: a catalog of ordinary entries (wrapped paragraphs, comments, references) of about --mb MB;
one string of 12 MB in continuation lines; a header of 100,000 fields. For each: the time of
``po.parse`` (the reader of update/check/status), of ``translator.parse_translations`` (the
build's), and of ``msgcat`` (a baseline measured in the same run), and the ratio to msgcat.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportgen.i18n import po, translator  # noqa: E402

HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n"Language: fr\\n"\n\n')
PARAGRAPH = ("The meeting on {date} brought together partners from twelve countries to review the "
             "progress of the programme and to agree on the priorities for the coming year. ")


def ordinary(mb: float) -> str:
    parts = [HEADER]
    size, i = len(HEADER), 0
    while size < mb * 1_000_000:
        text = PARAGRAPH * (1 + i % 4) + f"({i})"
        entry = po.Entry(text, ("Le " + text[::-1],), f"doc:section-{i // 30}:p{i}",
                         notes=["Paragraph in section 'summary'"], references=[f"sources/doc.yaml:{i * 3 + 1}"],
                         flags=["python-brace-format"])
        block = po.format_entry(entry) + "\n\n"
        parts.append(block)
        size += len(block.encode())
        i += 1
    return "".join(parts)


def continuation(mb: float) -> str:
    line = '"abcdefghijklmnopqrstuvwxyz 0123456789 abcdefghijklmnopqrstuvwxyz"\n'
    return HEADER + 'msgid "a"\nmsgstr ""\n' + line * int(mb * 1_000_000 / len(line))


def header_fields(n: int) -> str:
    return ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            + "".join(f'"X-Field-{i}: value {i}\\n"\n' for i in range(n)) + '\nmsgid "a"\nmsgstr "b"\n')


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=6.0)
    args = ap.parse_args()
    cases = [(f"{args.mb:g} MB of ordinary entries", ordinary(args.mb)), ("12 MB of continuation lines", continuation(12)),
             ("100,000 header fields", header_fields(100_000))]
    print(f"{'case':<32} {'MB':>5} {'po.parse':>9} {'build':>7} {'msgcat':>7}  ratio (po.parse / msgcat)")
    with tempfile.TemporaryDirectory() as d:
        for name, text in cases:
            data = text.encode()
            path = Path(d) / "x.po"
            path.write_bytes(data)
            ours = timed(lambda: po.parse(data, "x.po"))
            build = timed(lambda: translator.parse_translations(data, "x.po"))
            gnu = timed(lambda: subprocess.run(["msgcat", "-o", str(Path(d) / "y.po"), str(path)], check=True))
            print(f"{name:<32} {len(data) / 1e6:>5.1f} {ours:>8.2f}s {build:>6.2f}s {gnu:>6.2f}s  {ours / gnu:.2f}")


if __name__ == "__main__":
    main()
