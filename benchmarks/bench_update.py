"""Merge a template into a 2,000-entry catalog with 10 % edited texts: reportgen vs Babel.

    python benchmarks/bench_update.py [--entries 2000] [--edited 0.10] [--skip-babel]

Both merges start from the same parsed catalogs and are timed without parsing or writing.
The texts carry no msgctxt, so every edited text must be found by fuzzy matching (the hard case);
reportgen's usual case, stable msgctxt ids, is timed as well. Prints the times, the ratio, how
many edited texts each tool paired with their own old translation, and how many texts got a wrong one
(an unrelated new text must get none).
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from babel.messages.catalog import Catalog  # noqa: E402

from reportgen.i18n import catalogs  # noqa: E402


def vocabulary(rng: random.Random, n: int = 4000) -> list[str]:
    syllables = ["ka", "lo", "mi", "ne", "ro", "ta", "shi", "ven", "dor", "pli", "gra", "tu", "an", "es",
                 "ri", "co", "mu", "sel", "ber", "fa", "qui", "zo", "lan", "pe", "dra", "ni", "vo", "ex"]
    words = {"the", "of", "and", "to", "in", "a", "for", "on", "with", "by", "is", "are", "that", "be"}
    while len(words) < n:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def sentence(rng: random.Random, vocab: list[str], weights: list[float], n_words: int) -> str:
    return " ".join(rng.choices(vocab, weights, k=n_words)).capitalize() + "."


def texts(rng: random.Random, n: int) -> list[str]:
    vocab = vocabulary(rng)
    weights = [1 / (i + 1) for i in range(len(vocab))]  # Zipf: a few words are very common
    out: set[str] = set()
    while len(out) < n:
        kind = rng.random()
        length = rng.randint(1, 5) if kind < 0.3 else rng.randint(8, 25) if kind < 0.9 else rng.randint(40, 100)
        out.add(sentence(rng, vocab, weights, length))
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


def build(n: int, share: float, contexts: bool, seed: int = 7):
    """Old catalog: ``n`` translated texts. Template: the same with ``share`` of them edited by one
    word, and ``share / 2`` replaced by new, unrelated texts (which must get no translation)."""
    rng = random.Random(seed)
    english = texts(rng, n + n)
    english, fresh = english[:n], english[n:]
    chosen = rng.sample(range(n), int(n * share * 1.5))
    edited, replaced = set(chosen[: int(n * share)]), set(chosen[int(n * share):])
    old = catalogs.new_catalog(locale="fr")
    template = catalogs.new_catalog()
    for i, text in enumerate(english):
        ctx = f"doc:s{i // 20}:p{i}" if contexts else None
        old.add(text, f"FR {i}: {text[::-1]}", context=ctx)
        new = edit(rng, text) if i in edited else fresh[i] if i in replaced else text
        template.add(new, context=f"doc:new{i}" if contexts and i in replaced else ctx)
    return old, template, edited, english


def score(result: Catalog, edited: set[int], english: list[str], template: Catalog) -> tuple[int, int]:
    """(edited texts given their own old translation, texts given someone else's)."""
    right = wrong = 0
    new_texts = [m for m in template if m.id]
    for i, t in enumerate(new_texts):
        m = result.get(t.id, context=t.context)
        if m is None or not m.string:
            continue
        if m.string.split(":", 1)[0] == f"FR {i}":
            right += i in edited
        else:
            wrong += 1
    return right, wrong


def timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=2000)
    ap.add_argument("--edited", type=float, default=0.10)
    ap.add_argument("--skip-babel", action="store_true", help="skip Babel's (slow) update")
    args = ap.parse_args()

    old, template, edited, english = build(args.entries, args.edited, contexts=False)
    print(f"{args.entries} entries, {len(edited)} edited by one word, {len(edited) // 2} replaced by unrelated texts, "
          "no msgctxt (all found by fuzzy matching)")
    ours_s, (ours, stats) = timed(lambda: catalogs.update_catalog(template, old))
    right, wrong = score(ours, edited, english, template)
    print(f"  reportgen update_catalog: {ours_s:8.3f} s   {right}/{len(edited)} edited texts matched, {wrong} wrong translations")
    if not args.skip_babel:
        theirs = copy.deepcopy(old)
        babel_s, _ = timed(lambda: theirs.update(template, no_fuzzy_matching=False))
        right_b, wrong_b = score(theirs, edited, english, template)
        print(f"  Babel Catalog.update:     {babel_s:8.3f} s   {right_b}/{len(edited)} edited texts matched, {wrong_b} wrong translations")
        print(f"  ratio: reportgen is {babel_s / ours_s:.0f}x faster")

    old, template, edited, english = build(args.entries, args.edited, contexts=True)
    ctx_s, (ours, stats) = timed(lambda: catalogs.update_catalog(template, old))
    right, wrong = score(ours, edited, english, template)
    print(f"with stable msgctxt ids (reportgen's sources): {ctx_s:.3f} s, "
          f"{right}/{len(edited)} matched, {wrong} wrong")


if __name__ == "__main__":
    main()
