"""Rough edges of the command line met on the way to a release (issue #17, item 7)."""

from __future__ import annotations

import shutil
import subprocess

from docx import Document

from reportgen.build import runner



def test_build_lines_come_in_source_language_format_order_off_a_terminal(default_project, cli):
    """Rendered by two workers, the documents finish in any order; the lines printed to a pipe or
    a log are in the plan's order, the same at every run."""
    run = cli("build", "-j", "2", cwd=default_project)
    assert run.code == 0, run.err
    lines = [line.split(" (")[0] for line in run.out.splitlines() if line.startswith("built ")]
    want = [f"built build/{s}/{s}.{lang}.{fmt}" for s in ("africa-2024", "americas-2024")
            for lang in ("en", "es", "fr", "pt") for fmt in ("docx", "pdf")]
    assert lines == want
    again = cli("build", "-j", "2", "--force", cwd=default_project)
    assert [line.split(" (")[0] for line in again.out.splitlines() if line.startswith("built ")] == want


def test_ctrl_c_prints_no_built_for_what_is_rolled_back(default_project, cli, monkeypatch):
    """Ctrl-C after the first document is rendered: the build rolls everything back, and nothing
    said it was built."""
    outcomes = runner.Runner.outcomes

    def interrupted(self):  # type: ignore[no-untyped-def]
        for n, item in enumerate(outcomes(self)):
            if n == 1:
                raise KeyboardInterrupt
            yield item

    monkeypatch.setattr(runner.Runner, "outcomes", interrupted)
    run = cli("build", "-j", "1", "--lang", "en", cwd=default_project)
    assert (run.code, run.out, run.err_lines) == (130, "", ["reportgen: interrupted"])
    assert not (default_project / "build").exists() or not list((default_project / "build").rglob("*.pdf"))


def test_run_inside_sources_says_where_the_project_is(default_project, cli):
    run = cli("build", cwd=default_project / "sources")
    assert (run.code, run.err_lines) == (1, [
        "sources: error: no source files (*.yaml) found (this looks like the sources folder itself: run "
        "reportgen from the project folder, or use -C ..)"])


def test_a_toml_error_at_the_end_of_the_file_has_its_line(default_project, cli):
    (default_project / "reportgen.toml").write_text('source_language = "en"\nlanguages = ["en",\n', "utf-8")
    run = cli("build", cwd=default_project)
    assert (run.code, run.err_lines) == (1, ["reportgen.toml:2: error: TOML syntax: Invalid value"])


def test_a_language_name_as_a_tag_gets_a_tag_suggested(default_project, cli):
    (default_project / "reportgen.toml").write_text('[language_tags]\nes = "Spanish"\n', "utf-8")
    run = cli("build", "--lang", "es", cwd=default_project)
    assert (run.code, run.err_lines) == (1, [
        "reportgen.toml:2: error: language_tags.es: no locale data for 'Spanish' (dates and numbers cannot be "
        "formatted); set language_tags.es to a language tag such as 'es-ES'"])


def test_a_pt_br_catalog_gets_the_bundled_portuguese_labels(default_project, cli):
    locales = default_project / "locales"
    shutil.rmtree(locales / "es")
    shutil.rmtree(locales / "fr")
    po = locales / "pt" / "LC_MESSAGES" / "reportgen.po"
    text = "".join(block + "\n\n" for block in po.read_text("utf-8").split("\n\n")
                   if "msgctxt \"layout:" not in block)  # the project catalog without its own labels
    (locales / "pt").rename(locales / "pt_BR")
    (locales / "pt_BR" / "LC_MESSAGES" / "reportgen.po").write_text(text.replace("Language: pt", "Language: pt_BR"),
                                                                      "utf-8")
    run = cli("build", "-q", "--lang", "pt_BR", "--format", "docx", "americas-2024", cwd=default_project)
    assert run.code == 0, run.err
    body = [p.text for p in Document(str(default_project / "build/americas-2024/americas-2024.pt_BR.docx")).paragraphs]
    assert body[0] == "Relatório de resultados"  # the kind label, from <reportgen>/locales/pt/…/layout.po


def test_a_new_catalog_does_not_say_last_translator_none(default_project, cli):
    assert cli("update", "--lang", "de", "-q", cwd=default_project).code == 0
    text = (default_project / "locales/de/LC_MESSAGES/reportgen.po").read_text("utf-8")
    assert '"Last-Translator: Automatically generated\\n"' in text and "Last-Translator: none" not in text
    check = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(default_project / "locales/de/LC_MESSAGES/reportgen.po")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
