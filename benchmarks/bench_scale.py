"""Scale benchmarks (issue #20). Run on demand: ``python benchmarks/bench_scale.py [--code DIR] [--sizes 10,100,200]
[--people 1000,10000]``.

``--code DIR``: the reportgen checkout to measure (default: this one), e.g. ``--code /work/main`` for
the figures before a change; everything else (the projects, the baseline) is the same.

1. **Builds** of N synthetic sources (copies of the bundled two, with their catalog entries; 4
   languages, PDF + DOCX: 8 documents a source), each in a fresh process with ``--jobs 2``:
   full build, no-op (median of 5) and one-edit rebuild (one Spanish translation that one source
   uses), each as a ratio against the baseline ``python -c "import reportgen"`` measured in the
   same run (median of 5); the one-edit line also says how many documents were rendered. The state
   file's size per output is printed too.
2. **Distribution dry run** (outbox.mbox and the previews written) of one report to 1,000 and 10,000 participants in 4
   languages, in a fresh process each: time per participant and the process's peak memory
   (``ru_maxrss``), and the import baseline.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_build import make_project  # noqa: E402  (the synthetic project: copies of the bundled sources)

PY = sys.executable


def env_for(code: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(code), SOURCE_DATE_EPOCH="1705593600")


def timed(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - t0, done.stdout


def built_count(out: str) -> int:
    last = out.strip().splitlines()[-1]
    if last.startswith("up to date"):
        return 0
    return int(re.match(r"(\d+) documents? built", last).group(1))  # type: ignore[union-attr]


def bench_builds(code: Path, sizes: list[int], baseline: float) -> None:
    env = env_for(code)
    build = [PY, "-m", "reportgen", "build", "-j", "2"]
    print(f"{'sources':>7} {'docs':>5} | {'full build':>16} | {'no-op':>15} | {'one edit (rendered)':>24} | state/output")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            project = make_project(Path(tmp) / "p", copies=n // 2)
            full, out = timed(build, env, project)
            docs = built_count(out)
            noop = statistics.median(timed(build, env, project)[0] for _ in range(5))
            po = project / "locales" / "es" / "LC_MESSAGES" / "reportgen.po"
            text = po.read_text("utf-8")
            one = 'msgctxt "africa-2024:title"\n'
            at = text.index(one)
            end = text.index("\n\n", at)
            entry = text[at:end]
            po.write_text(text.replace(entry, entry.replace('msgstr "', 'msgstr "(editado) ', 1)), "utf-8")
            edit, out = timed(build, env, project)
            state = (project / "build" / ".reportgen-state.json").stat().st_size
            print(f"{n:>7} {docs:>5} | {full:6.2f} s {full / baseline:6.1f}x | {noop * 1000:5.0f} ms {noop / baseline:5.2f}x"
                  f" | {edit:6.2f} s {edit / baseline:5.1f}x ({built_count(out):>4}) | {state / max(docs, 1):6.0f} B")


DIST = r"""
import resource, sys, time
from pathlib import Path
from reportgen.project import load_project
from reportgen.distribute.mail import distribute
project = load_project(Path(sys.argv[1]))
t0 = time.perf_counter()
result = distribute(project, "americas-2024", sys.argv[2])
took = time.perf_counter() - t0
print(took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(result.entries))
"""


def bench_distribution(code: Path, people: list[int], baseline: float) -> None:
    env = env_for(code)
    langs = ["en", "es", "fr", "pt-BR"]
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "p", copies=1)
        subprocess.run([PY, "-m", "reportgen", "build", "--format", "pdf", "-j", "2"], cwd=project, env=env, check=True,
                       capture_output=True)
        _, floor_rss = timed([PY, "-c", "import resource, reportgen.distribute.mail; "
                              "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"], env)
        print(f"baseline: peak memory of importing reportgen.distribute.mail: {int(floor_rss) / 1024:.0f} MB")
        print(f"{'people':>7} | {'dry run':>8} | {'per person':>10} | {'/ import reportgen':>18} | peak memory")
        for n in people:
            csv = project / f"people-{n}.csv"
            csv.write_text("name,email,language,organisation\n" + "".join(
                f"Person {i},p{i}@example.org,{langs[i % 4]},Org {i % 7}\n" for i in range(n)), "utf-8")
            shutil.rmtree(project / "build" / "americas-2024" / "distribution", ignore_errors=True)
            _, out = timed([PY, "-c", DIST, str(project), str(csv)], env, project)
            took, rss, entries = out.split()
            assert int(entries) == n
            print(f"{n:>7} | {float(took):6.2f} s | {float(took) / n * 1000:7.3f} ms | {float(took) / baseline:17.1f}x"
                  f" | {int(rss) / 1024:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--code", type=Path, default=HERE.parent)
    ap.add_argument("--sizes", default="10,100,200")
    ap.add_argument("--people", default="1000,10000")
    ap.add_argument("--skip-builds", action="store_true")
    args = ap.parse_args()
    code = args.code.resolve()
    subprocess.run([PY, "-m", "compileall", "-q", str(code / "reportgen")], check=True)
    env = env_for(code)
    baseline = statistics.median(timed([PY, "-c", "import reportgen"], env)[0] for _ in range(5))
    print(f"code: {code}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs; "
          f"baseline python -c 'import reportgen': {baseline * 1000:.0f} ms")
    if not args.skip_builds:
        bench_builds(code, [int(x) for x in args.sizes.split(",")], baseline)
    if args.people:
        bench_distribution(code, [int(x) for x in args.people.split(",")], baseline)


if __name__ == "__main__":
    main()
