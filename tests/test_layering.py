"""Imports point one way, and each third-party library has one home module (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "reportgen"

#: third-party top-level package -> the modules allowed to import it
HOMES = {
    "yaml": {"sources"},
    "docx": {"render.docx", "render.review_docx"},
    "reportlab": {"render.pdf", "render.pdf_text", "render.pdf_tags"},
    "babel.messages": {"i18n.merge"},
    "babel": {"i18n.merge", "localize"},
    "lxml": {"render.docx"},
    "pypdf": set(),
    "rich": {"cli"},
}
#: internal module -> internal modules it may import (besides model, errors, paths and theme, open to all)
LAYERS = {
    "model": {"errors", "paths", "theme"},
    "errors": set(),
    "paths": set(),
    "theme": set(),
    "files": set(),
    "config": {"render.fonts"},
    "project": {"config", "localize"},
    "sources": set(),
    "i18n.scan": {"i18n.header"},
    "i18n.header": {"i18n.scan"},  # for type annotations only
    "i18n.wrap": set(),
    "i18n.po": {"i18n.scan", "i18n.wrap"},
    "i18n.translator": {"i18n.scan"},
    "i18n.extract": {"__init__", "i18n.po"},
    "i18n.merge": {"i18n.extract", "i18n.fuzzy", "i18n.po", "i18n.translator"},
    "i18n.checks": {"i18n.formats", "i18n.plural", "headers"},
    "i18n.formats": set(),
    "i18n.plural": set(),
    "i18n.fuzzy": set(),
    "i18n.glossary": set(),
    "i18n.commands": {"project", "files", "build.pipeline", "i18n.checks", "i18n.extract", "i18n.glossary",
                      "i18n.merge", "i18n.po",
                      "i18n.translator", "localize"},
    "localize": {"i18n.translator"},
    "render": set(),
    "render.pdf": {"render", "render.fonts", "render.pdf_text", "render.pdf_tags"},
    "render.pdf_text": {"render.links", "render.pdf_tags"},
    "render.pdf_tags": set(),
    "render.links": set(),
    "render.fonts": set(),
    "build.plan": {"config", "files", "project", "i18n.scan"},
    "build.runner": {"files", "render"},
    "build.pipeline": {"project", "files", "config", "sources", "localize", "i18n.translator", "i18n.extract", "i18n.po",
                       "render", "render.fonts", "render.docx", "build.plan", "build.runner"},
    "render.docx": {"render", "render.docx_package", "render.docx_properties", "render.links", "render.package"},
    "render.docx_properties": {"render"},
    "render.package": set(),
    "render.docx_package": set(),
    "render.review_docx": {"render", "render.package"},
    "i18n.review": {"project", "files", "build.pipeline", "i18n.po", "i18n.checks", "localize",
                    "render.review_docx"},
    "distribute.participants": {"localize", "sources", "headers"},
    "headers": set(),
    "distribute.state": set(),
    "distribute.smtp": {"config", "headers", "distribute.participants"},
    "distribute.manifest": {"files", "distribute.participants"},
    "distribute.outgoing": {"headers", "distribute.participants"},
    "distribute.mail": {"project", "files", "build.pipeline", "localize", "distribute.participants", "distribute.outgoing",
                        "headers", "distribute.manifest", "distribute.smtp", "distribute.state",
                        "i18n.translator"},
    # the commands' front: it reaches the library through the commands and the project only
    "cli": {"project", "build.pipeline", "i18n.commands", "i18n.review", "distribute.mail"},
}
STDLIB_ONLY = {"model", "errors", "paths", "theme"}
#: modules that must not import any third-party library (the checks and the matcher see plain data)
NO_THIRD_PARTY = {"model", "errors", "paths", "theme", "files", "project", "i18n.checks", "i18n.fuzzy", "render.fonts",
                  "render.links", "build.plan", "build.runner", "i18n.translator", "i18n.scan", "i18n.wrap",
                  "i18n.po", "i18n.extract", "i18n.formats", "i18n.header", "i18n.plural", "i18n.glossary",
                  "headers", "distribute.outgoing", "render.docx_package", "render.docx_properties"}


def modules():
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        yield ".".join(parts) or "__init__", path


def imports_of(path: Path, name: str):
    tree = ast.parse(path.read_text("utf-8"))
    dotted = ["reportgen"] + ([] if name == "__init__" else name.split("."))
    package = dotted if path.name == "__init__.py" else dotted[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, False
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                mod = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:
                    for a in node.names:
                        sub = base + [a.name]
                        as_module = PKG.parent.joinpath(*sub)
                        is_module = as_module.with_suffix(".py").exists() or as_module.is_dir()
                        yield ".".join(sub if is_module else base), True
                else:
                    pkg_dir = PKG.parent.joinpath(*mod.split("."))
                    subs = [a.name for a in node.names if (pkg_dir / f"{a.name}.py").exists()]
                    if pkg_dir.is_dir() and subs:  # `from .i18n import catalogs`: the submodule
                        for s in subs:
                            yield f"{mod}.{s}", True
                    else:
                        yield mod, True
            else:
                yield node.module or "", False


def test_third_party_imports_stay_home():
    bad = []
    for name, path in modules():
        for mod, internal in imports_of(path, name):
            if internal:
                continue
            for lib in sorted(HOMES, key=len, reverse=True):
                if mod == lib or mod.startswith(lib + "."):
                    if name not in HOMES[lib]:
                        bad.append(f"{name} imports {mod}")
                    break
    assert bad == []


def test_internal_layers():
    bad = []
    for name, path in modules():
        if name not in LAYERS:
            continue
        for mod, internal in imports_of(path, name):
            if not internal:
                continue
            target = mod.removeprefix("reportgen.").removeprefix("reportgen") or "__init__"
            if target in ("model", "errors", "paths", "theme", "__init__") and name not in STDLIB_ONLY or target == name:
                continue
            if target not in LAYERS[name]:
                bad.append(f"{name} imports {target}")
    assert bad == []


def test_layering_test_can_fail():
    """The checker itself sees a forbidden import."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "sources.py"
        p.write_text("import reportlab\nfrom . import build\nfrom .render import pdf\n")
        found = list(imports_of(p, "sources"))
        assert ("reportlab", False) in found
        assert ("reportgen.build", True) in found
        assert ("reportgen.render.pdf", True) in found


def test_checks_and_matcher_use_the_standard_library_only():
    import sys

    bad = []
    for name, path in modules():
        if name not in NO_THIRD_PARTY:
            continue
        for mod, internal in imports_of(path, name):
            if not internal and mod.split(".")[0] not in sys.stdlib_module_names and mod != "__future__":
                bad.append(f"{name} imports {mod}")
    assert bad == []
