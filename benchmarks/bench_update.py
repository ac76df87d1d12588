"""`reportgen update`'s merge against GNU msgmerge --previous, at 2,000 and 20,000 entries.

    python benchmarks/bench_update.py [--entries 2000 20000] [--edited 0.10]

For each size, three cases on the same old catalog (every entry translated, with a msgctxt as
reportgen writes them):

* edited: 10 % of the texts changed by one word (same msgctxt), 5 % replaced by unrelated texts
  under new ids (which must get no old translation);
* rename-all: the same, and every id renamed (every msgctxt changes: all found by similarity);
* no-op: the same template again.

Both tools read the catalog and the template and write the result (end to end, files in a
temporary folder). Prints the times, the ratio (msgmerge / reportgen), and the decisions: edited
texts given their own old translation (fuzzy), texts given another text's translation, and
how many decisions differ between the two.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportgen.i18n import merge, po  # noqa: E402

HEADER = po.Entry("", ("Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n > 1);\n"
                       "Language: fr\n",))


def vocabulary(rng: random.Random, n: int = 4000) -> list[str]:
    syllables = ["ka", "lo", "mi", "ne", "ro", "ta", "shi", "ven", "dor", "pli", "gra", "tu", "an", "es",
                 "ri", "co", "mu", "sel", "ber", "fa", "qui", "zo", "lan", "pe", "dra", "ni", "vo", "ex"]
    words = {"the", "of", "and", "to", "in", "a", "for", "on", "with", "by", "is", "are", "that", "be"}
    while len(words) < n:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def texts(rng: random.Random, n: int) -> list[str]:
    vocab = vocabulary(rng)
    weights = [1 / (i + 1) for i in range(len(vocab))]  # Zipf: a few words are very common
    out: set[str] = set()
    while len(out) < n:
        kind = rng.random()
        length = rng.randint(1, 5) if kind < 0.3 else rng.randint(8, 25) if kind < 0.9 else rng.randint(40, 100)
        out.add(" ".join(rng.choices(vocab, weights, k=length)).capitalize() + ".")
    return sorted(sorted(out), key=lambda _: rng.random())


def edit(rng: random.Random, text: str) -> str:
    """A one-word edit: replace, insert or delete a word."""
    words = text.rstrip(".").split()
    i = rng.randrange(len(words))
    op = rng.choice(["replace", "insert", "delete"] if len(words) > 3 else ["replace", "insert"])
    if op == "replace":
        words[i] = words[i] + "ly"
    elif op == "insert":
        words.insert(i, "notably")
    else:
        del words[i]
    return " ".join(words) + "."


def build(n: int, share: float, case: str, seed: int = 7):
    """(old catalog, template, indices of edited texts)."""
    rng = random.Random(seed)
    english = texts(rng, n + n)
    english, fresh = english[:n], english[n:]
    chosen = rng.sample(range(n), int(n * share * 1.5))
    edited = set(chosen[: int(n * share)]) if case != "no-op" else set()
    replaced = set(chosen[int(n * share):]) if case != "no-op" else set()
    old = po.Catalog([po.Entry(HEADER.msgid, HEADER.msgstr)])
    template = po.Catalog([po.Entry("", ("Content-Type: text/plain; charset=UTF-8\n",))])
    for i, text in enumerate(english):
        ctx = f"doc:s{i // 20}:p{i}"
        old.entries.append(po.Entry(text, (f"FR {i}: {text[::-1]}",), ctx))
        new = edit(rng, text) if i in edited else fresh[i] if i in replaced else text
        new_ctx = f"doc:new{i}" if i in replaced else (ctx + "-v2" if case == "rename-all" else ctx)
        template.entries.append(po.Entry(new, ("",), new_ctx))
    return po.dump(old), po.dump(template), edited


def decisions(result: po.Catalog, template: po.Catalog) -> list[tuple[str, str]]:
    """Per template entry: ("own" | "other" | "none", "fuzzy" | "") of the merged entry."""
    out = []
    by_key = result.index()
    for i, t in enumerate(template.messages()):
        m = by_key.get(t.key)
        if m is None or not m.translated:
            out.append(("none", ""))
        else:
            out.append(("own" if m.msgstr[0].split(":", 1)[0] == f"FR {i}" else "other", "fuzzy" if m.fuzzy else ""))
    return out


def run_ours(old: bytes, pot: bytes) -> tuple[float, po.Catalog]:
    t0 = time.perf_counter()
    new, _ = merge.update_catalog(po.parse(pot, "t.pot"), po.parse(old, "fr.po"))
    data = new.source if new.source is not None else po.dump(new)
    return time.perf_counter() - t0, po.parse(data, "out.po")


def run_msgmerge(old: bytes, pot: bytes, where: Path) -> tuple[float, po.Catalog]:
    (where / "fr.po").write_bytes(old)
    (where / "t.pot").write_bytes(pot)
    t0 = time.perf_counter()
    subprocess.run(["msgmerge", "--previous", "-q", "-o", str(where / "out.po"), str(where / "fr.po"),
                    str(where / "t.pot")], check=True)
    return time.perf_counter() - t0, po.read(where / "out.po")


def summary(d: list[tuple[str, str]], edited: set[int]) -> str:
    own = sum(1 for i in edited if d[i] == ("own", "fuzzy"))
    other = sum(1 for kind, _ in d if kind == "other")
    return f"{own}/{len(edited)} edited matched, {other} given another text's translation"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, nargs="+", default=[2000, 20000])
    ap.add_argument("--edited", type=float, default=0.10)
    args = ap.parse_args()
    print(f"{'entries':>7}  {'case':<10}  {'reportgen':>9}  {'msgmerge':>9}  {'ratio':>6}  decisions")
    for n in args.entries:
        for case in ("edited", "rename-all", "no-op"):
            old, pot, edited = build(n, args.edited, case)
            template = po.parse(pot, "t.pot")
            ours_s, ours = run_ours(old, pot)
            with tempfile.TemporaryDirectory() as d:
                gnu_s, gnu = run_msgmerge(old, pot, Path(d))
            a, b = decisions(ours, template), decisions(gnu, template)
            differ = sum(x != y for x, y in zip(a, b))
            print(f"{n:>7}  {case:<10}  {ours_s:>8.2f}s  {gnu_s:>8.2f}s  {gnu_s / ours_s:>5.1f}x  "
                  f"reportgen: {summary(a, edited)}; msgmerge: {summary(b, edited)}; {differ} decisions differ")


if __name__ == "__main__":
    main()
