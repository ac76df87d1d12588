"""Incremental and parallel builds: up to date, rebuild on change, --force, --jobs, imports per phase."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from reportgen.project import FORMATS, load_project
from reportgen.build.pipeline import build_project
from reportgen.render import RENDERERS

HEAVY = ("yaml", "babel", "reportlab", "docx", "lxml")


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
            for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")}


def test_formats_match_renderers():
    assert FORMATS == tuple(RENDERERS)


def test_second_build_is_up_to_date(default_project, cli):
    first = cli("build", "-j", "1", cwd=default_project)
    assert first.code == 0 and first.out.splitlines()[-1].startswith("16 documents built in ")
    before = mtimes(default_project / "build")
    second = cli("build", cwd=default_project)
    assert second.code == 0
    assert second.out == "up to date: 16 documents (--force rebuilds them)\n"
    assert mtimes(default_project / "build") == before


def edit_catalog(project: Path, lang: str, old: str, new: str) -> None:
    po = project / "locales" / lang / "LC_MESSAGES" / "reportgen.po"
    text = po.read_text("utf-8")
    assert text.count(old) == 1
    po.write_text(text.replace(old, new), "utf-8")


def test_a_translation_one_report_uses_rebuilds_only_its_documents(default_project, cli):
    cli("build", "-j", "1", cwd=default_project)
    before, files_before = mtimes(default_project / "build"), outputs(default_project / "build")
    edit_catalog(default_project, "fr", "Défis et recommandations", "Défis et propositions")
    run = cli("build", "-j", "1", cwd=default_project)
    assert run.out.splitlines()[-1].startswith("2 documents built, 14 up to date in ")
    after, files_after = mtimes(default_project / "build"), outputs(default_project / "build")
    changed = sorted(k for k in after if after[k] != before[k])
    assert changed == ["americas-2024/americas-2024.fr.docx", "americas-2024/americas-2024.fr.pdf"]
    assert sorted(k for k in files_after if files_after[k] != files_before[k]) == changed
    # the other report's documents are those a full build from scratch makes (their date included)
    assert "Défis et propositions" in subprocess.run(
        ["pdftotext", str(default_project / "build" / changed[1]), "-"], capture_output=True, text=True).stdout
    again = cli("build", cwd=default_project)
    assert again.out == "up to date: 16 documents (--force rebuilds them)\n"
    cli("build", "--force", "-j", "1", cwd=default_project)
    assert outputs(default_project / "build") == files_after


def test_a_layout_label_rebuilds_every_document_of_its_language(default_project, cli):
    cli("build", "-j", "1", cwd=default_project)
    before = mtimes(default_project / "build")
    edit_catalog(default_project, "fr", 'msgstr "Horaire"', 'msgstr "Heure"')
    run = cli("build", "-j", "1", cwd=default_project)
    assert run.out.splitlines()[-1].startswith("4 documents built, 12 up to date in ")
    after = mtimes(default_project / "build")
    assert sorted(k for k in after if after[k] != before[k]) == [
        "africa-2024/africa-2024.fr.docx", "africa-2024/africa-2024.fr.pdf",
        "americas-2024/americas-2024.fr.docx", "americas-2024/americas-2024.fr.pdf"]


def test_a_catalog_header_or_a_broken_entry_rebuilds_the_language(default_project, cli):
    cli("build", "-j", "1", cwd=default_project)
    edit_catalog(default_project, "es", "\nmsgctxt \"africa-2024:title\"", "\nmsgctxt \"africa-2024:title")
    run = cli("build", "-j", "1", cwd=default_project)
    assert run.code == 1 and "reportgen.po:" in run.err and "Traceback" not in run.err


def test_an_unused_or_obsolete_entry_rebuilds_nothing(default_project, cli):
    cli("build", "-j", "1", cwd=default_project)
    po = default_project / "locales" / "pt" / "LC_MESSAGES" / "reportgen.po"
    po.write_text(po.read_text("utf-8") + '\nmsgctxt "nobody:uses"\nmsgid "This"\nmsgstr "Isto"\n'
                  '\n#~ msgctxt "gone:title"\n#~ msgid "Old"\n#~ msgstr "Velho"\n', "utf-8")
    assert cli("build", cwd=default_project).out == "up to date: 16 documents (--force rebuilds them)\n"


def test_the_state_file_stays_small(default_project, cli):
    cli("build", "-j", "1", cwd=default_project)
    size = (default_project / "build" / ".reportgen-state.json").stat().st_size
    assert size < 16 * 400, size


def test_changed_source_rebuilds_only_that_source(default_project, cli):
    cli("build", "-j", "1", cwd=default_project)
    src = default_project / "sources" / "africa-2024.yaml"
    src.write_text(src.read_text("utf-8").replace("location: Remote", "location: Remote "), "utf-8")
    run = cli("build", "-j", "1", cwd=default_project)
    assert run.out.splitlines()[-1].startswith("8 documents built, 8 up to date in ")


def test_deleted_output_is_rebuilt_and_force_rebuilds_all(default_project, cli):
    cli("build", "-j", "1", cwd=default_project)
    (default_project / "build" / "americas-2024" / "americas-2024.es.pdf").unlink()
    assert cli("build", cwd=default_project).out.splitlines()[-1].startswith("1 document built, 15 up to date")
    assert cli("build", "--force", cwd=default_project).out.splitlines()[-1].startswith("16 documents built in")


def test_fallback_warnings_repeat_when_up_to_date(default_project, cli):
    po = default_project / "locales" / "es" / "LC_MESSAGES" / "reportgen.po"
    text = po.read_text("utf-8")
    start = text.index('msgctxt "africa-2024:title"')
    end = text.index("\n\n", start)
    entry = text[start:end]
    po.write_text(text.replace(entry, entry.split("msgstr")[0] + 'msgstr ""'), "utf-8")
    first = cli("build", "-j", "1", cwd=default_project)
    warning = "warning: [fallback] es: africa-2024: 1 string untranslated — English used"
    assert warning in first.err_lines
    again = cli("build", cwd=default_project)
    assert warning in again.err_lines


def test_parallel_output_identical_to_serial(tmp_path, default_project):
    project = load_project(default_project)
    build_project(project, out_dir=tmp_path / "serial", jobs=1)
    build_project(project, out_dir=tmp_path / "pool", jobs=2)
    with ThreadPoolExecutor(3) as ex:
        build_project(project, out_dir=tmp_path / "threads", executor=ex)
    serial = outputs(tmp_path / "serial")
    assert len(serial) == 16
    assert outputs(tmp_path / "pool") == serial
    assert outputs(tmp_path / "threads") == serial


def _modules_after(code: str, cwd: Path) -> list[str]:
    probe = f"""
import sys
from reportgen.cli import main
try:
    {code}
except SystemExit:
    pass
print("loaded:", *sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))
"""
    run = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, check=True)
    return run.stdout.splitlines()[-1].split()[1:]


def test_help_imports_no_heavy_library(default_project):
    assert _modules_after("main(['--help'])", default_project) == []
    assert _modules_after("main(['build', '--help'])", default_project) == []


def test_status_and_check_import_no_renderer(default_project):
    for command in ("main(['status'])", "main(['check'])"):
        loaded = _modules_after(command, default_project)
        assert "reportlab" not in loaded and "docx" not in loaded and "lxml" not in loaded, (command, loaded)


def test_noop_build_imports_no_heavy_library(default_project):
    assert _modules_after("main(['build', '-q', '-j', '1'])", default_project) != []  # the first build renders
    assert _modules_after("main(['build', '-q'])", default_project) == []


def test_public_api(default_project, tmp_path):
    import reportgen
    from reportgen.build import pipeline as build  # the module: no clash with the API names

    assert build.build_project is reportgen.build_project
    result = reportgen.build_project(reportgen.load_project(default_project), langs=["fr"], formats=["pdf"],
                                     out_dir=tmp_path / "out", jobs=1)
    assert [r.path.name for r in result.built] == ["africa-2024.fr.pdf", "americas-2024.fr.pdf"]


def test_a_threaded_caller_gets_the_same_documents(tmp_path, default_project):
    import threading

    project = load_project(default_project)
    build_project(project, out_dir=tmp_path / "serial", jobs=1)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        build_project(project, out_dir=tmp_path / "pool", jobs=2)
    finally:
        stop.set()
        t.join()
    assert outputs(tmp_path / "pool") == outputs(tmp_path / "serial")


def test_source_warnings_are_in_the_summary_and_repeat_when_up_to_date(default_project, cli):
    src = default_project / "sources" / "americas-2024.yaml"
    src.write_text(src.read_text("utf-8").replace("held on {date}", "held on {dates}"), "utf-8")
    warning = ("sources/americas-2024.yaml:28:20: warning: sections[1].body[1].paragraph: {dates} is not a "
               "placeholder and is shown literally (did you mean 'date'?)")
    first = cli("build", "-j", "1", "--lang", "en", "americas-2024", cwd=default_project)
    assert first.code == 0 and first.err_lines.count(warning) == 1, first.err
    again = cli("build", "--lang", "en", "americas-2024", cwd=default_project)
    assert again.out.startswith("up to date") and again.err_lines.count(warning) == 1


def test_an_id_the_quick_peek_cannot_read_still_names_the_outputs(default_project, cli):
    """A quoted `'id':` key is not seen by the plan's quick peek (which then takes the file name);
    the parsed id is checked against the file name, so the outputs are named by the id."""
    old = default_project / "sources" / "africa-2024.yaml"
    text = old.read_text("utf-8")
    assert "\nid: africa-2024\n" in text
    old.write_text(text.replace("\nid: africa-2024\n", "\n'id': africa-2024\n", 1), "utf-8")
    run = cli("build", "-j", "1", "--lang", "en", "--format", "pdf", cwd=default_project)
    assert run.code == 0, run.err
    built = sorted(p.relative_to(default_project / "build").as_posix()
                   for p in (default_project / "build").rglob("*.pdf"))
    assert built == ["africa-2024/africa-2024.en.pdf", "americas-2024/americas-2024.en.pdf"]
    old.rename(default_project / "sources" / "announcement.yaml")  # the id no longer matches the name
    run = cli("build", "-j", "1", "--lang", "en", "--format", "pdf", cwd=default_project)
    assert (run.code, run.err_lines) == (1, [
        "sources/announcement.yaml:4:7: error: id: 'africa-2024' differs from the file name 'announcement.yaml'; "
        "rename the file to africa-2024.yaml or set id: announcement"])


def test_the_command_ends_with_its_output_complete(default_project):
    """What the ``reportgen`` process printed all arrives, through a pipe as into a file, with the
    right exit status, and every output is in place."""
    # block-buffered output (no PYTHONUNBUFFERED): what the process leaves unflushed would be lost
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"} | {"SOURCE_DATE_EPOCH": "1705593600"}
    run = subprocess.run([sys.executable, "-m", "reportgen", "build", "-j", "2"], cwd=default_project,
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 17 and all(line.startswith("built build/") for line in lines[:16])
    assert lines[-1].startswith("16 documents built in ")
    assert len(outputs(default_project / "build")) == 16
    assert (default_project / "build" / ".reportgen-state.json").read_text("utf-8").endswith("}\n")
    (default_project / "sources" / "americas-2024.yaml").write_text("id: [unclosed\n", "utf-8")
    bad = subprocess.run([sys.executable, "-m", "reportgen", "build"], cwd=default_project,
                         capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr == "sources/americas-2024.yaml:2:1: error: YAML syntax: did not find expected ',' or ']'\n"


def test_another_reports_edit_keeps_a_distribution_manifest_verifying(default_project, cli):
    """#17 item 6: a translation only africa-2024 uses is edited after americas-2024 was distributed:
    americas' PDFs are not rebuilt (not even re-dated), so its manifest still verifies."""
    import shutil

    shutil.copy(Path(__file__).parent / "projects" / "distribution" / "participants.csv", default_project)
    cli("build", "-j", "1", cwd=default_project)
    assert cli("distribute", "americas-2024", "--participants", "participants.csv", cwd=default_project).code == 0
    po = default_project / "locales" / "es" / "LC_MESSAGES" / "reportgen.po"
    text = po.read_text("utf-8")
    start = text.index('msgctxt "africa-2024:title"')
    end = text.index("\n\n", start)
    entry = text[start:end]
    po.write_text(text.replace(entry, entry.replace('msgstr "', 'msgstr "(revisado) ', 1)), "utf-8")
    run = cli("build", "-j", "1", cwd=default_project)
    assert run.out.splitlines()[-1].startswith("2 documents built, 14 up to date in ")
    verify = cli("verify", "build/americas-2024/distribution/manifest.csv", cwd=default_project)
    assert verify.code == 0, verify.err


def test_warnings_are_kept_once_per_source_and_language(default_project, cli):
    import json
    import re

    po = default_project / "locales" / "es" / "LC_MESSAGES" / "reportgen.po"
    text = po.read_text("utf-8")
    blank = re.sub(r'(msgctxt "africa-2024:[^"]*"\nmsgid "[^"]*"\n)msgstr "[^"]*"', r'\1msgstr ""', text)
    assert blank.count('msgstr ""') > text.count('msgstr ""') + 3
    po.write_text(blank, "utf-8")
    first = cli("build", "-j", "1", "-v", cwd=default_project)
    details = sorted(line for line in first.err_lines if "[fallback-detail]" in line)
    assert len(details) > 3
    state = json.loads((default_project / "build" / ".reportgen-state.json").read_text("utf-8"))
    [(_, africa)] = [(k, v) for k, v in state["sources"].items() if k.endswith("africa-2024.yaml")]
    assert len(africa["warnings"]["es"]) == len(details) + 1  # the summary and each text, once for both formats
    assert all(len(v) == 4 for v in state["outputs"].values())
    again = cli("build", "-v", cwd=default_project)
    assert sorted(line for line in again.err_lines if "[fallback-detail]" in line) == details


def test_catalog_entries_are_the_scanners_entries_and_anything_else_counts_for_every_document(tmp_path):
    from reportgen.build.plan import COMMON, catalog_entries

    po = tmp_path / "x.po"
    po.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  '#, fuzzy\nmsgctxt "a:1"\nmsgid "One"\nmsgstr "Uno"\n\n'
                  'msgctxt "a:2"\nmsgid "Two"\nmsgstr "Dos"\n\n'
                  'msgctxt "b:"\n"1"\nmsgid "Cont"\nmsgstr "Cont"\n\n'
                  'msgctxt "b:\\"q\\""\nmsgid "Esc"\nmsgstr "Esc"\n\n'
                  'msgid "No context"\nmsgstr "Sin contexto"\n\n'
                  '#~ msgctxt "gone"\n#~ msgid "Old"\n#~ msgstr "Viejo"\n', "utf-8")
    parts = catalog_entries(po)
    assert sorted(parts) == sorted([COMMON, "a:1", "a:2", "b:1", 'b:"q"'])
    assert parts["a:1"].startswith("#, fuzzy\n") and "Uno" in parts["a:1"] and "Dos" in parts["a:2"]
    assert '"1"' in parts["b:1"] and "Esc" in parts['b:"q"']
    assert "Content-Type" in parts[COMMON] and "Sin contexto" in parts[COMMON]
    assert "Viejo" not in "".join(parts.values())
    # a file the scanner refuses counts whole for every document
    po.write_text(po.read_text("utf-8") + 'msgctxt "a:1"\nmsgid "One"\nmsgstr "Otra vez"\n', "utf-8")
    assert list(catalog_entries(po)) == [COMMON]
