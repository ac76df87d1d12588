"""reportgen: structured findings (YAML) + gettext catalogs -> multilingual DOCX and PDF reports.

The small public API::

    from reportgen import load_project, build
    project = load_project(".")
    result = build(project)
"""

__version__ = "0.1.0"

__all__ = ["__version__", "build", "load_project"]


def __getattr__(name: str):  # lazy, so that `import reportgen` stays cheap
    if name in ("build", "load_project"):
        from . import build as _build

        return getattr(_build, {"build": "build_project", "load_project": "load_project"}[name])
    raise AttributeError(name)
