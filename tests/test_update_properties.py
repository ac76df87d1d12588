"""Properties of the catalog merge on generated catalogs: idempotent, never loses a translation."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.i18n import merge, po

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
    old = merge.new_language_catalog("fr")
    template = po.Catalog()
    for i, (t, done, fate, new) in enumerate(zip(old_texts, translated, fates, new_texts)):
        old.entries.append(po.Entry(t, (f"T{i}" if done else "",), f"s:{i}"))
        if fate == "keep":
            template.entries.append(po.Entry(t, ("",), f"s:{i}"))
        elif fate == "edit":
            template.entries.append(po.Entry(new, ("",), f"s:{i}"))
        elif fate == "rename":
            template.entries.append(po.Entry(new, ("",), f"s:r{i}"))
    for j, t in enumerate(added):
        template.entries.append(po.Entry(t, ("",), f"s:a{j}"))
    return old, template


@settings(max_examples=150, deadline=None)
@given(scenario())
def test_update_is_idempotent_and_keeps_every_translation(case):
    old, template = make(*case)
    once, _ = merge.update_catalog(template, old)
    data = po.dump(once)
    twice, stats = merge.update_catalog(template, po.parse(data, "x.po"))
    assert twice.source == data  # the same bytes
    assert (stats.added, stats.fuzzy, stats.obsolete) == (0, 0, 0)
    # every old translation is still somewhere: in an entry (maybe fuzzy) or obsolete
    reread = po.parse(data, "x.po")
    kept = {m.msgstr for m in reread.entries}
    assert {m.msgstr for m in old.messages() if m.translated} <= kept
    # the template decides the entries, in its order
    assert [m.key for m in reread.messages()] == [m.key for m in template.messages()]
    # an unchanged entry keeps its translation and is not fuzzy
    for m in template.messages():
        prev = old.get(m.msgid, m.context)
        if prev is not None:
            got = reread.get(m.msgid, m.context)
            assert (got.msgstr, got.fuzzy) == (prev.msgstr, False)
