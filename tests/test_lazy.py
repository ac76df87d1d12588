"""reportgen.lazy: modules and patterns deferred to their first use behave as if loaded up front."""

from __future__ import annotations

import sys

import pytest

from reportgen import lazy


@pytest.fixture
def modules(tmp_path, monkeypatch):
    """A folder on sys.path for throw-away modules, and sys.modules restored afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = dict(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - set(before):
        del sys.modules[name]


def test_a_deferred_module_runs_once_on_first_use(modules):
    (modules / "rg_counted.py").write_text(
        "import builtins\nbuiltins.rg_runs = getattr(builtins, 'rg_runs', 0) + 1\nVALUE = 42\n", "utf-8")
    lazy.defer_module("rg_counted")
    import builtins

    import rg_counted  # noqa: F401 - importing again must not run it

    assert type(rg_counted).__name__ == "_Deferred"
    assert getattr(builtins, "rg_runs", 0) == 0
    assert (rg_counted.VALUE, rg_counted.__name__, type(rg_counted).__name__) == (42, "rg_counted", "module")
    from rg_counted import VALUE

    assert (VALUE, builtins.rg_runs, sys.modules["rg_counted"] is rg_counted) == (42, 1, True)
    del builtins.rg_runs


def test_a_deferred_module_that_fails_is_imported_again_next_time(modules):
    (modules / "rg_broken.py").write_text("raise ValueError('broken on purpose')\n", "utf-8")
    lazy.defer_module("rg_broken")
    import rg_broken

    with pytest.raises(ValueError, match="broken on purpose"):
        rg_broken.anything  # noqa: B018
    assert "rg_broken" not in sys.modules
    with pytest.raises(ValueError, match="broken on purpose"):
        import rg_broken  # noqa: F401,F811


def test_packages_missing_and_loaded_modules_are_left_alone(modules):
    (modules / "rg_pkg").mkdir()
    (modules / "rg_pkg" / "__init__.py").write_text("X = 1\n", "utf-8")
    lazy.defer_module("rg_pkg")
    lazy.defer_module("rg_not_installed")
    lazy.defer_module("json")  # imported already, by reportgen
    assert "rg_pkg" not in sys.modules and "rg_not_installed" not in sys.modules
    assert type(sys.modules["json"]).__name__ == "module"


def test_a_lazy_pattern_compiles_on_first_use():
    p = lazy.LazyPattern(r"a+", 0)
    assert p._compiled is None
    assert p.sub("-", "baaa") == "b-" and p.pattern == "a+"
