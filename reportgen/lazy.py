"""Importing a library without doing, up front, work that reportgen never needs (standard library only).

Some libraries compile large regular expressions, or import heavy modules, when they are imported,
for features reportgen does not use: ReportLab's URL hyphenation (a 19 ms pattern), images
(Pillow, 5 ms) and sandboxed evaluator (inspect, 3 ms), PyYAML's pure-Python reader, which the C
parser replaces (a 3 ms pattern). Each process that starts pays for them before its first document.
Here a pattern is compiled, and a module executed, on first use instead: the features still work if
ever used.

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


class _Deferred(ModuleType):
    """A module not executed yet. The attributes the import system reads (``__name__``,
    ``__spec__``, ``__file__``...) are there, so that ``import name`` and ``from package import
    name`` bind it as it is; any other attribute runs the module's code in this very object first
    (which then stops being deferred), so that every reference to it sees the real module."""

    def __getattr__(self, attr: str) -> Any:  # only for attributes not there yet
        object.__setattr__(self, "__class__", ModuleType)  # first, so that executing it cannot recurse
        spec = self.__spec__
        try:
            spec.loader.exec_module(self)  # type: ignore[union-attr]
        except BaseException:
            sys.modules.pop(spec.name, None)  # as a failed import leaves it: the next import tries again
            raise
        return getattr(self, attr)


def defer_module(name: str) -> None:
    """Put module ``name`` in ``sys.modules`` unexecuted, to be executed on first use of any of its
    own attributes, so that a library importing it up front (``import name``, or ``from package
    import name``) does not pay for it until it is used. Nothing happens if it is imported already
    or not installed. Unlike :class:`importlib.util.LazyLoader`, whose modules load as soon as the
    import system reads their ``__spec__`` (which ``import name`` does when the module is in
    ``sys.modules`` already), importing a deferred module again leaves it deferred. Only for a
    module of Python code, not a package, and before other threads may use it."""
    import importlib.machinery
    import importlib.util

    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is not None or not isinstance(
            spec.loader, (importlib.machinery.SourceFileLoader, importlib.machinery.SourcelessFileLoader)):
        return  # missing (the library reports it itself), a package, or not Python code
    module = _Deferred(name)
    for key, value in (("__spec__", spec), ("__loader__", spec.loader), ("__file__", spec.origin),
                       ("__cached__", spec.cached), ("__package__", spec.parent)):
        setattr(module, key, value)
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:  # `from package import name` then finds it without asking the import system
        setattr(sys.modules[parent], child, module)
