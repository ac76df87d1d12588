"""Build-speed benchmarks (issue #8). Run on demand: ``python benchmarks/bench_build.py``.

Each figure is printed beside a baseline measured in the same run, on the same machine:

1. full build of the default project (16 documents, cold process, default ``--jobs``) versus
   a) the import floor: a bare ``python -c`` importing ReportLab, python-docx, Babel and PyYAML
      (speed guard: at most 3x), and
   b) the equivalent pandoc (Markdown -> DOCX) + headless LibreOffice (DOCX -> PDF, warm, one batched
      call) pipeline on the same content (speed guard: reportgen at least 4x faster);
2. a no-op rebuild versus ``python -c "import reportgen"``;
3. ``--jobs 2`` versus ``--jobs 1`` on 32 documents.

Times are medians of several runs. Needs pandoc and soffice for 1a (skipped with a note otherwise).

reportgen's own modules are compiled to bytecode first, as ``pip install`` does: an editable install
run with PYTHONDONTWRITEBYTECODE=1 (as on some CI images) would otherwise compile them from source
in every process, a cost users do not pay.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1705593600")


def run(cmd: list[str], cwd: Path | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def median(fn, repeat: int) -> float:
    return statistics.median(fn() for _ in range(repeat))


def paired(a: list[str], b: list[str], repeat: int) -> tuple[float, float, float]:
    """Medians of ``a`` and ``b`` run alternately (so that drift in the machine's load hits both),
    and the median of the per-pair ratios a / b."""
    pairs = [(run(a), run(b)) for _ in range(repeat)]
    return (statistics.median(x for x, _ in pairs), statistics.median(y for _, y in pairs),
            statistics.median(x / y for x, y in pairs))


def make_project(dest: Path, copies: int = 1) -> Path:
    shutil.copytree(REPO / "locales", dest / "locales")
    (dest / "sources").mkdir(parents=True)
    po_extra: dict[str, str] = {}
    for src in sorted((REPO / "sources").glob("*.yaml")):
        text = src.read_text("utf-8")
        for i in range(copies):
            sid = src.stem if i == 0 else f"{src.stem}-copy{i}"
            (dest / "sources" / f"{sid}.yaml").write_text(text.replace(f"id: {src.stem}", f"id: {sid}"), "utf-8")
            if i:
                po_extra[src.stem] = sid
    if copies > 1:  # the copies need their own catalog entries (their msgctxt carries the new id)
        for po in (dest / "locales").glob("*/LC_MESSAGES/reportgen.po"):
            text = po.read_text("utf-8")
            entries = text.rstrip("\n").split("\n\n")[1:]
            for i in range(1, copies):
                for stem in po_extra:
                    mine = [e for e in entries if f'msgctxt "{stem}:' in e]
                    text += "\n" + "\n\n".join(e.replace(f'msgctxt "{stem}:', f'msgctxt "{stem}-copy{i}:')
                                                for e in mine) + "\n"
            po.write_text(text, "utf-8")
    return dest


def make_heavy_project(dest: Path, sources: int, bullets: int) -> Path:
    """English-only sources with many bullets: rendering, not start-up, dominates."""
    (dest / "sources").mkdir(parents=True)
    (dest / "reportgen.toml").write_text('languages = ["en"]\n', "utf-8")
    sentence = ("There was a clear consensus on the essential nature of cross-border cooperation to counter "
                "the transnational aspects of cybercrime.")
    for i in range(sources):
        items = "\n".join(f"          - id: b{j}\n            text: {sentence} ({j})" for j in range(bullets))
        (dest / "sources" / f"heavy-{i}.yaml").write_text(
            f"id: heavy-{i}\ntitle: Heavy report {i}\nsections:\n  - id: s\n    heading: Findings\n"
            f"    body:\n      - id: items\n        bullets:\n{items}\n", "utf-8")
    return dest


def markdown_of(project: Path) -> dict[str, str]:
    """The same content as Markdown, one file per (source, language), from reportgen's own model."""
    sys.path.insert(0, str(REPO))
    from reportgen import model
    from reportgen.project import load_project, resolve_languages, resolve_sources
    from reportgen.build.pipeline import load_reports, load_translators
    from reportgen.localize import language_tag, localize

    settings = load_project(project).settings
    langs = resolve_languages(settings, None)
    translators = load_translators(settings, langs)
    out = {}
    for _, report in load_reports(settings, resolve_sources(settings, None)):
        for lang in langs:
            doc = localize(report, translators[lang], language_tag(lang)).report
            lines = [f"---\ntitle: \"{doc.title.text}\"\nlang: {doc.tag}\n---\n"]
            if doc.series:
                lines.append(f"*{doc.series.text}*\n")
            if doc.organiser:
                lines.append(f"{doc.organiser.text}\n")
            lines += [f"**{k}:** {v}  " for k, v in doc.facts] + [""]
            for s in doc.sections:
                if s.heading:
                    lines.append(f"# {s.heading.text}\n")
                for b in s.blocks:
                    if isinstance(b, model.LParagraph):
                        lines.append(b.text.text + "\n")
                    else:
                        lines += [f"- {i.text}" for i in b.items] + [""]
            out[f"{report.id}.{lang}"] = "\n".join(lines)
    return out


def bench_pipeline(tmp: Path, project: Path) -> float | None:
    if not (shutil.which("pandoc") and shutil.which("soffice")):
        missing = " and ".join(t for t in ("pandoc", "soffice") if not shutil.which(t))
        print(f"  pandoc + LibreOffice: not measured ({missing} not installed); the >= 4x guard is unchecked")
        return None
    md_dir = tmp / "md"
    md_dir.mkdir()
    for name, text in markdown_of(project).items():
        (md_dir / f"{name}.md").write_text(text, "utf-8")
    profile = f"-env:UserInstallation=file://{tmp / 'lo-profile'}"
    docs = sorted(md_dir.glob("*.md"))
    # warm LibreOffice (profile creation, first start) outside the measurement: its best case
    subprocess.run(["pandoc", str(docs[0]), "-o", str(tmp / "warm.docx")], check=True)
    subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp / "warm"),
                    str(tmp / "warm.docx")], check=True, capture_output=True)

    def once() -> float:
        out = tmp / "pipe"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        t0 = time.perf_counter()
        for md in docs:
            subprocess.run(["pandoc", str(md), "-o", str(out / f"{md.stem}.docx")], check=True)
        subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(out),
                        *map(str, sorted(out.glob("*.docx")))], check=True, capture_output=True)
        return time.perf_counter() - t0

    return median(once, 3)


def main() -> None:
    import compileall

    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    compileall.compile_dir(REPO / "reportgen", quiet=1)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        project = make_project(tmp / "default")
        build = [PY, "-m", "reportgen", "build", "-q", "--force", "-C", str(project)]

        print("\n1. full build of the default project (16 documents, cold process)")
        imports = [PY, "-c", "import reportlab.platypus, docx, babel.dates, babel.messages.pofile, yaml"]
        ours, floor, ratio = paired(build, imports, 7)
        print(f"  reportgen build            {ours * 1000:7.0f} ms")
        print(f"  import floor               {floor * 1000:7.0f} ms   ratio {ratio:.2f}x  "
              f"(guard <= 3x: {'met' if ratio <= 3 else 'NOT met'}; median of 7 alternating pairs)")
        pipe = bench_pipeline(tmp, project)
        if pipe:
            print(f"  pandoc + LibreOffice       {pipe * 1000:7.0f} ms   speed-up {pipe / ours:.1f}x  "
                  f"(guard >= 4x: {'met' if pipe >= 4 * ours else 'NOT met'})")

        print("\n2. no-op rebuild")
        run(build[:-3] + ["-C", str(project)])
        noop = median(lambda: run([PY, "-m", "reportgen", "build", "-q", "-C", str(project)]), 9)
        imp = median(lambda: run([PY, "-c", "import reportgen"]), 9)
        print(f"  reportgen build (no-op)    {noop * 1000:7.0f} ms")
        print(f"  python -c 'import reportgen' {imp * 1000:5.0f} ms   ratio {noop / imp:.2f}x  (goal <= 2x)")

        print("\n3. --jobs 2 versus --jobs 1 on 32 documents")
        big = make_project(tmp / "big", copies=2)
        serial, parallel, ratio = paired([PY, "-m", "reportgen", "build", "-q", "--force", "-j", "1", "-C", str(big)],
                                         [PY, "-m", "reportgen", "build", "-q", "--force", "-j", "2", "-C", str(big)], 11)
        print(f"  --jobs 1                   {serial * 1000:7.0f} ms")
        print(f"  --jobs 2                   {parallel * 1000:7.0f} ms   speed-up {ratio:.2f}x  (goal >= 1.6x; median of 11 pairs)")

        print("\n3b. the same on 32 longer documents (16 sources of about 12 pages, en, DOCX + PDF)")
        heavy = make_heavy_project(tmp / "heavy", sources=16, bullets=240)
        serial, parallel, ratio = paired([PY, "-m", "reportgen", "build", "-q", "--force", "-j", "1", "-C", str(heavy)],
                                         [PY, "-m", "reportgen", "build", "-q", "--force", "-j", "2", "-C", str(heavy)], 7)
        print(f"  --jobs 1                   {serial * 1000:7.0f} ms")
        print(f"  --jobs 2                   {parallel * 1000:7.0f} ms   speed-up {ratio:.2f}x")


if __name__ == "__main__":
    main()
