"""DOCX renderer speed on a long document, against naive python-docx in the same run.

    python benchmarks/bench_docx.py            # ~500 A4 pages
    python benchmarks/bench_docx.py --pages    # also count the pages with LibreOffice (slow)

The baseline writes the same paragraphs with python-docx's documented API,
``document.add_paragraph(text, style="List Bullet")``, which looks the style up by name for every
paragraph. Goal (issue #6): a 500-page document in at most 2 s.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docx import Document  # noqa: E402

from reportgen.model import Labels, LBulletList, LocalizedReport, LParagraph, LSection, Phrase  # noqa: E402
from reportgen.render import RenderOptions  # noqa: E402
from reportgen.render.docx import render  # noqa: E402

SENTENCES = (
    "Les participants ont fait part de leurs observations sur le rôle évolutif des réseaux sociaux.",
    "Il est important de reconnaître la hausse des taux de cybercriminalité et ses répercussions.",
    "Un net consensus s’est dégagé sur le caractère essentiel de la coopération transfrontière.",
    "L’accent a été mis sur la nécessité pour la nouvelle convention de pouvoir s’adapter.",
    "La législation sur la cybercriminalité ne saurait empiéter sur la réglementation existante.",
)
SECTIONS = 875  # about 500 A4 pages at 10.5 pt (LibreOffice: 500)


def text(i: int, sentences: int) -> str:
    return " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(sentences))


def long_report() -> LocalizedReport:
    sections = []
    for s in range(SECTIONS):
        blocks = (LParagraph(Phrase(text(s, 6))), LBulletList(tuple(Phrase(text(s + b, 2)) for b in range(6))),
                  LParagraph(Phrase(text(s + 3, 6))))
        sections.append(LSection(f"s{s}", Phrase(f"Section {s + 1}: {SENTENCES[s % 5][:40]}"), blocks))
    return LocalizedReport(
        source_id="bench", lang="fr", tag="fr-FR", title=Phrase("Rapport de référence"), series=Phrase("Série"),
        organiser=Phrase("Organisation"), kind_label="Rapport final",
        facts=(("Date", "18 janvier 2024"), ("Lieu", "En ligne")), event_line="18 janvier 2024",
        sections=tuple(sections), labels=Labels(page_footer=("Page ", "{page}", " sur ", "{pages}")),
    )


def naive(doc: LocalizedReport) -> bytes:
    """The same content through python-docx's by-name API (the baseline)."""
    d = Document()
    d.add_paragraph(doc.kind_label, style="Normal")
    d.add_paragraph(doc.series.text, style="Subtitle")
    d.add_paragraph(doc.title.text, style="Title")
    d.add_paragraph(doc.organiser.text, style="Subtitle")
    for label, value in doc.facts:
        d.add_paragraph(f"{label}: {value}", style="Normal")
    for s in doc.sections:
        d.add_paragraph(s.heading.text, style="Heading 1")
        for b in s.blocks:
            if isinstance(b, LParagraph):
                d.add_paragraph(b.text.text, style="Normal")
            else:
                for item in b.items:
                    d.add_paragraph(item.text, style="List Bullet")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def best(fn, repeat: int = 3) -> tuple[float, bytes]:
    times, data = [], b""
    for _ in range(repeat):
        t0 = time.perf_counter()
        data = fn()
        times.append(time.perf_counter() - t0)
    return min(times), data


def count_pages(data: bytes) -> int | None:
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "bench.docx"
        src.write_bytes(data)
        subprocess.run([soffice, f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", tmp, str(src)], capture_output=True, check=True)
        info = subprocess.run(["pdfinfo", str(Path(tmp) / "bench.pdf")], capture_output=True, text=True).stdout
        return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", action="store_true", help="count the pages with LibreOffice")
    args = parser.parse_args()
    doc = long_report()
    paragraphs = 7 + sum(1 + sum(len(b.items) if isinstance(b, LBulletList) else 1 for b in s.blocks)
                         for s in doc.sections)
    words = sum(len(t.split()) for _, t in doc.all_text())
    render(doc, RenderOptions())  # warm-up: imports, template parsing
    ours, data = best(lambda: render(doc, RenderOptions()).data)
    base, _ = best(lambda: naive(doc), repeat=1)
    print(f"document: {paragraphs} paragraphs, {words} words, {len(data) / 1024:.0f} KB")
    print(f"reportgen render:                  {ours:6.2f} s  ({ours / paragraphs * 1e6:.0f} µs/paragraph)")
    print(f"python-docx add_paragraph(style=): {base:6.2f} s  ({base / paragraphs * 1e6:.0f} µs/paragraph)")
    print(f"ratio: reportgen is {base / ours:.1f}x faster than the baseline")
    if args.pages:
        pages = count_pages(data)
        if pages is None:
            print("pages: LibreOffice (soffice) not installed")
        else:
            print(f"pages (LibreOffice): {pages}; {pages / ours:.0f} pages/s; goal 500 pages in <= 2 s: "
                  f"{'met' if ours * 500 / pages <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
