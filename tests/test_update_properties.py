"""Properties of the catalog merge on generated catalogs: idempotent, never loses a translation."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.i18n import catalogs

WORDS = ["the", "meeting", "partners", "review", "funding", "year", "staff", "online", "next", "steps",
         "Date", "Time", "{date}", "agreed", "on", "a", "plan"]
text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)


@st.composite
def scenario(draw):
    n = draw(st.integers(1, 12))
    old_texts = draw(st.lists(text, min_size=n, max_size=n))
    translated = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    # each old entry is kept, edited (same context, new text), renamed (new context) or removed
    fates = draw(st.lists(st.sampled_from(["keep", "edit", "rename", "remove"]), min_size=n, max_size=n))
    new_texts = draw(st.lists(text, min_size=n, max_size=n))
    added = draw(st.lists(text, max_size=3))
    return old_texts, translated, fates, new_texts, added


def make(old_texts, translated, fates, new_texts, added):
    old = catalogs.new_catalog(locale="fr")
    template = catalogs.new_catalog()
    for i, (t, done, fate, new) in enumerate(zip(old_texts, translated, fates, new_texts)):
        old.add(t, f"T{i}" if done else "", context=f"s:{i}")
        if fate == "keep":
            template.add(t, context=f"s:{i}")
        elif fate == "edit":
            template.add(new, context=f"s:{i}")
        elif fate == "rename":
            template.add(new, context=f"s:r{i}")
    for j, t in enumerate(added):
        template.add(t, context=f"s:a{j}")
    return old, template


@settings(max_examples=150, deadline=None)
@given(scenario())
def test_update_is_idempotent_and_keeps_every_translation(case):
    old, template = make(*case)
    once, _ = catalogs.update_catalog(template, old)
    data = catalogs.dump_po(once)
    twice, stats = catalogs.update_catalog(template, catalogs.parse_catalog(data, "x.po"))
    assert catalogs.dump_po(twice) == data
    assert (stats.added, stats.fuzzy, stats.obsolete) == (0, 0, 0)
    # every old translation is still somewhere: in an entry (maybe fuzzy) or obsolete
    kept = {m.string for m in once if m.id} | {m.string for m in once.obsolete.values()}
    assert {m.string for m in old if m.id and m.string} <= kept
    # the template decides the entries, in its order
    assert [(m.context, m.id) for m in once if m.id] == [(m.context, m.id) for m in template if m.id]
    # an unchanged entry keeps its translation and is not fuzzy
    for m in template:
        prev = old.get(m.id, context=m.context) if m.id else None
        if prev is not None:
            got = once.get(m.id, context=m.context)
            assert (got.string, got.fuzzy) == (prev.string, False)
