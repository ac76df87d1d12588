"""PDF speed and memory on a ~500-page synthetic report, against a bare ReportLab baseline.

    python benchmarks/bench_pdf.py [--sections N] [--repeat R] [--before CHECKOUT]

Each measurement runs in its own child process, so that its peak memory (max RSS, imports
included) is its own. Three measurements:

* ``baseline``: the same text as plain ReportLab Paragraphs in a SimpleDocTemplate with the same
  embedded TTF font: no title block, footer, "Page X of Y" second pass, outlines, XMP or preflight.
* ``reportgen``: :func:`reportgen.render.pdf.render` on the LocalizedReport (everything the PDF of a
  build gets).
* ``preflight``: :func:`reportgen.render.fonts.check_glyphs` alone (run once per document by the build).

Goal (issue #5): >= 300 pages/s for reportgen, peak memory <= 200 MB. Prints the ratio to baseline.

``--before CHECKOUT`` (another checkout of reportgen, e.g. ``git worktree add /tmp/before main``) also
measures that checkout's renderer, alternating with this one ``--rounds`` times, and prints the
ratio of their best speeds: how much a change costs, measured in the same run (issue #21: tagging
must stay within 15 % of the untagged renderer's pages/s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = ("la consultation régionale sur la cybercriminalité a réuni plus de 1\u202f250 parties prenantes de "
         "16:00\u2009–\u200917:30 ; coopération transfrontière, protection des données & droits humains, "
         "« Convention sur la cybercriminalité » et renforcement des capacités à l’échelle des Amériques").split()


def synthetic(sections: int):
    from reportgen import model

    def text(n: int, seed: int) -> model.Phrase:
        words = [WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(n)]
        return model.Phrase(" ".join(words).capitalize() + ".", context=f"bench:{seed}")

    secs = []
    for s in range(sections):
        blocks = [model.LParagraph(text(120, s)), model.LParagraph(text(90, s + 1)),
                  model.LBulletList(tuple(text(35 + 5 * i, s + i) for i in range(6))),
                  model.LParagraph(text(150, s + 2))]
        secs.append(model.LSection(f"s{s}", model.Phrase(f"Section {s + 1} : défis et recommandations"),
                                   tuple(blocks)))
    return model.LocalizedReport(
        source_id="bench", lang="fr", tag="fr-FR", title=model.Phrase("Rapport de référence"),
        series=model.Phrase("Initiative de mobilisation"), organiser=model.Phrase("Alliance des ONG"),
        kind_label="Rapport final", facts=(("Date", "18 janvier 2024"), ("Horaire", "16:00\u2009–\u200917:30")),
        event_line="18 janvier 2024", sections=tuple(secs),
        labels=model.Labels(page_footer=("Page ", "{page}", " sur ", "{pages}")),
        created=dt.datetime(2024, 1, 18, tzinfo=dt.timezone.utc), generator="reportgen bench",
    )


def baseline(doc) -> tuple[int, int]:
    """The same text, bare ReportLab: one style, no furniture."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate
    from xml.sax.saxutils import escape

    font = Path(__file__).resolve().parent.parent / "reportgen" / "fonts" / "NotoSans-Regular.ttf"
    pdfmetrics.registerFont(TTFont("Base", str(font)))
    body = ParagraphStyle("b", fontName="Base", fontSize=10.5, leading=15, spaceAfter=8)
    story = []
    for s in doc.sections:
        story.append(Paragraph(escape(s.heading.text), body))
        for b in s.blocks:
            for p in (b.items if hasattr(b, "items") else (b.text,)):
                story.append(Paragraph(escape(p.text), body))
    buf = io.BytesIO()
    pages = []
    tpl = SimpleDocTemplate(buf, pagesize=A4, invariant=1, initialFontName="Base")
    tpl.build(story, onLaterPages=lambda c, d: pages.append(1), onFirstPage=lambda c, d: pages.append(1))
    return len(pages), len(buf.getvalue())


def ours(doc) -> tuple[int, int]:
    from reportgen.render import RenderOptions
    from reportgen.render.pdf import render

    out = render(doc, RenderOptions())
    return out.pages or 0, len(out.data)


def preflight(doc) -> tuple[int, int]:
    from reportgen.render.fonts import check_glyphs

    return len(check_glyphs(doc)), 0


def child(kind: str, sections: int, repeat: int) -> None:
    import reportlab.platypus  # noqa: F401 - imports are not part of the measurement

    import reportgen.render.pdf as pdf

    pdf.register_family("NotoSans")
    doc = synthetic(sections)
    fn = {"baseline": baseline, "reportgen": ours, "preflight": preflight}[kind]
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        pages, size = fn(doc)
        best = min(best, time.perf_counter() - t0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(json.dumps({"kind": kind, "seconds": best, "pages": pages, "bytes": size, "rss_mb": rss}))


def measure(checkout: Path, kind: str, sections: int, repeat: int) -> dict:
    script = checkout / "benchmarks" / "bench_pdf.py"
    out = subprocess.run([sys.executable, str(script), "--child", kind, "--sections", str(sections),
                          "--repeat", str(repeat)], check=True, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(checkout)}).stdout
    return json.loads(out)


def compare(before: Path, sections: int, repeat: int, rounds: int) -> None:
    """This checkout's renderer against ``before``'s, alternating (a busy machine slows both)."""
    here = Path(__file__).resolve().parent.parent
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    for _ in range(rounds):
        runs["before"].append(measure(before, "reportgen", sections, repeat))
        runs["after"].append(measure(here, "reportgen", sections, repeat))
    speeds = {}
    for name, results in runs.items():
        best = min(results, key=lambda r: r["seconds"])
        speeds[name] = best["pages"] / best["seconds"]
        all_speeds = ", ".join(f"{r['pages'] / r['seconds']:.0f}" for r in results)
        print(f"{name:>7}: best {speeds[name]:.0f} pages/s ({best['pages']} pages, {best['bytes'] / 1024:.0f} KB, "
              f"peak RSS {best['rss_mb']:.0f} MB); all rounds: {all_speeds}")
    print(f"after / before speed (pages/s): {speeds['after'] / speeds['before']:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sections", type=int, default=410, help="sections (default 410: about 500 A4 pages)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    ap.add_argument("--before", type=Path, help="another checkout whose renderer to compare with this one")
    ap.add_argument("--rounds", type=int, default=5, help="alternating measurements with --before (default 5)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.sections, args.repeat)
        return
    if args.before:
        compare(args.before.resolve(), args.sections, args.repeat, args.rounds)
        return
    results = {}
    for kind in ("baseline", "reportgen", "preflight"):
        out = subprocess.run([sys.executable, __file__, "--child", kind, "--sections", str(args.sections),
                              "--repeat", str(args.repeat)], check=True, capture_output=True, text=True).stdout
        results[kind] = json.loads(out)
    base, rg, pre = results["baseline"], results["reportgen"], results["preflight"]
    pages = rg["pages"]
    print(f"synthetic report: {args.sections} sections, {pages} pages (reportgen), {base['pages']} pages (baseline)")
    for r in (base, rg):
        print(f"{r['kind']:>10}: {r['seconds']:.2f} s, {r['pages'] / r['seconds']:.0f} pages/s, "
              f"{r['bytes'] / 1024:.0f} KB, peak RSS {r['rss_mb']:.0f} MB")
    print(f"{'preflight':>10}: {pre['seconds'] * 1000:.1f} ms for the whole document "
          f"({pre['seconds'] / rg['seconds'] * 100:.1f}% of rendering), peak RSS {pre['rss_mb']:.0f} MB")
    ratio = (pages / rg["seconds"]) / (base["pages"] / base["seconds"])
    print(f"reportgen / baseline speed (pages/s): {ratio:.2f}")
    speed = pages / rg["seconds"]
    print(f"goal >= 300 pages/s: {'met' if speed >= 300 else 'NOT met'} ({speed:.0f}); "
          f"goal peak <= 200 MB: {'met' if rg['rss_mb'] <= 200 else 'NOT met'} ({rg['rss_mb']:.0f} MB)")


if __name__ == "__main__":
    main()
