"""Importing a library without doing, up front, work that reportgen never needs (standard library only).

Some libraries compile large regular expressions, or import heavy modules, when they are imported,
for features reportgen does not use: ReportLab's URL hyphenation (a 19 ms pattern) and images
(Pillow, 5 ms), PyYAML's pure-Python reader, which the C parser replaces (a 3 ms pattern). Each
process that starts pays for them before its first document. Here a pattern is compiled, and a
module executed, on first use instead: the features still work if ever used.

Used by the modules that own those libraries (:mod:`reportgen.render.pdf`, :mod:`reportgen.sources`).
"""

from __future__ import annotations

import importlib
import re
import sys
from types import ModuleType
from typing import Any, Callable


class LazyPattern:
    """A regular expression compiled on first use (any attribute: ``search``, ``sub``, ``flags``...)."""

    def __init__(self, pattern: str, flags: int):
        self._args, self._compiled = (pattern, flags), None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


def import_module(name: str, unused: Callable[[Any, int], bool]) -> ModuleType:
    """Import ``name`` (and what it imports) with every ``re.compile(pattern, flags)`` for which
    ``unused(pattern, flags)`` is true made a :class:`LazyPattern`; the others are compiled as
    usual. ``unused`` should name each pattern exactly: a library that changes one gets it compiled."""
    compile_now = re.compile

    def compile_lazily(pattern: Any, flags: int = 0) -> Any:
        return LazyPattern(pattern, flags) if unused(pattern, flags) else compile_now(pattern, flags)

    re.compile = compile_lazily  # type: ignore[assignment]
    try:
        return importlib.import_module(name)
    finally:
        re.compile = compile_now  # type: ignore[assignment]


def defer_module(name: str) -> None:
    """Put module ``name`` in ``sys.modules`` unexecuted, to be loaded on first use
    (:class:`importlib.util.LazyLoader`), so that a library importing it up front does not pay for
    it until it is used. Nothing happens if it is imported already or not installed."""
    import importlib.util

    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return  # the library reports a missing module itself
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:  # `from PIL import Image` then finds it without asking the import system (which would load it)
        setattr(sys.modules[parent], child, module)
