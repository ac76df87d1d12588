"""reportgen: structured findings (YAML) + gettext catalogs -> multilingual DOCX and PDF reports.

The small public API::

    from reportgen import load_project, build_project
    project = load_project(".")
    result = build_project(project, langs=["es"], formats=["pdf"])
"""

__version__ = "0.1.0"

__all__ = ["__version__", "build_project", "load_project"]


def __getattr__(name: str):  # lazy, so that `import reportgen` stays cheap
    if name in ("build_project", "load_project"):
        import importlib

        module = "reportgen.project" if name == "load_project" else "reportgen.build.pipeline"
        return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module 'reportgen' has no attribute {name!r}")
