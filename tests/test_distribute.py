"""reportgen distribute / verify: participants, language choice, manifest, outbox and real SMTP sending.

The SMTP tests run an aiosmtpd server on 127.0.0.1 (a free port) in a thread.
"""

from __future__ import annotations

import csv
import email
import hashlib
import io
import json
import mailbox
import re
import shutil
import socket
import subprocess
import ssl
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from pypdf import PdfReader

from reportgen.project import load_project
from reportgen.distribute.mail import RateLimiter, distribute
from reportgen.errors import InputError
from reportgen.distribute.participants import choose_language, load_participants

from .conftest import PROJECTS

SOURCE = "americas-2024"
PEOPLE = {  # address -> (requested, language chosen)
    "ana.souza@example.org": ("pt-BR", "pt"),
    "jose@example.net": ("es-419", "es"),
    "claire.dubois@example.fr": ("fr", "fr"),
    "hans@example.de": ("de-CH", "en"),
    "mary@example.com": ("en-US", "en"),
}
SUBJECTS = {  # the localized subject each language must have
    "pt": "Relatório de resultados: Consulta regional para as Américas",
    "es": "Informe de resultados: Consulta regional para las Américas",
    "fr": "Rapport final\u00a0: Consultation régionale pour les Amériques",
    "en": "Outcome report: Regional Consultation for the Americas",
}


@pytest.fixture
def project(default_project):
    shutil.copy(PROJECTS / "distribution" / "participants.csv", default_project / "participants.csv")
    return default_project


def dist_dir(project: Path) -> Path:
    return project / "build" / SOURCE / "distribution"


def read_manifest(project: Path) -> dict[str, dict[str, str]]:
    with (dist_dir(project) / "manifest.csv").open(encoding="utf-8", newline="") as f:
        return {row["email"]: row for row in csv.DictReader(f)}


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def body(msg) -> str:
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def attachment(msg) -> tuple[str, bytes]:
    (part,) = list(msg.iter_attachments())
    return part.get_filename(), part.get_content()


def outbox(project: Path) -> dict[str, bytes]:
    """The dry run's messages as a mail program reads ``outbox.mbox`` (the standard library's
    ``mailbox``), in their order, by address."""
    box = mailbox.mbox(dist_dir(project) / "outbox.mbox", create=False)
    try:
        raws = [box.get_bytes(key) for key in box.keys()]
    finally:
        box.close()
    return {parse(raw)["To"].addresses[0].addr_spec: raw for raw in raws}


# --------------------------------------------------------------------------- participants file


def test_participants_file_is_read(project):
    people, warnings = load_participants(project / "participants.csv", project)
    assert [(p.email, p.language, p.location.line) for p in people] == [
        (e, req, n) for n, (e, (req, _)) in enumerate(PEOPLE.items(), 2)]
    assert people[0].name == "Ana Souza" and people[0].organisation == "Instituto Exemplo"
    assert warnings == []


def test_semicolon_csv_with_aliases(tmp_path):
    people, _ = load_participants(PROJECTS / "distribution" / "semicolon.csv", PROJECTS / "distribution")
    assert [(p.name, p.email, p.language) for p in people] == [("Ana", "ana@example.org", "pt-BR")]


def test_yaml_participants_file(project, cli):
    yaml_people, _ = load_participants(PROJECTS / "distribution" / "participants.yaml")
    csv_people, _ = load_participants(PROJECTS / "distribution" / "participants.csv")
    assert [(p.name, p.email, p.language, p.organisation) for p in yaml_people] == [
        (p.name, p.email, p.language, p.organisation) for p in csv_people]
    assert [p.location.line for p in yaml_people] == [3, 7, 10, 11, 15]


def test_bad_yaml_participants(project, cli):
    shutil.copy(PROJECTS / "distribution" / "bad-participants.yaml", project / "bad.yaml")
    run = cli("distribute", SOURCE, "--participants", "bad.yaml", cwd=project)
    assert (run.code, run.err_lines) == (1, [
        "bad.yaml:7:10: error: email: expected a single value, got a list",
        "bad.yaml:4:3: error: email: missing",
        "bad.yaml:9:3: warning: key 'emial' is ignored (did you mean 'email'?)",
        "bad.yaml:13:3: error: email: 'ana@example.org' is also on line 1",
    ])


def test_bad_participants_every_error_with_its_line(project, cli):
    shutil.copy(PROJECTS / "distribution" / "bad-participants.csv", project / "bad.csv")
    run = cli("distribute", SOURCE, "--participants", "bad.csv", cwd=project)
    assert run.code == 1
    assert run.err_lines == [
        "bad.csv:3: error: email: 'bob@@example.org' is not a valid e-mail address",
        "bad.csv:4: error: language: 'Portuguese' is not a BCP 47 language tag (such as pt-BR, es-419 or fr)",
        "bad.csv:5: error: email: 'ANA.SOUZA@example.org' is also on line 2",
        "bad.csv:6: error: language: unknown language 'xx'",
        "bad.csv:7: error: name: empty",
    ]
    assert not (project / "build").exists()


def test_missing_column(project, cli):
    shutil.copy(PROJECTS / "distribution" / "missing-column.csv", project / "p.csv")
    run = cli("distribute", SOURCE, "--participants", "p.csv", cwd=project)
    assert (run.code, run.err_lines) == (1, [
        "p.csv:1: warning: column 'mail_address' is ignored",
        "p.csv:1: error: missing column 'email'",
    ])


def test_not_utf8(project, cli):
    (project / "p.csv").write_bytes("name,email,language\nJos\xe9,jose@example.org,es\n".encode("latin-1"))
    run = cli("distribute", SOURCE, "--participants", "p.csv", cwd=project)
    assert (run.code, run.err_lines) == (1, ["p.csv:2: error: not valid UTF-8 (byte 0xe9); save the file as CSV UTF-8"])


# --------------------------------------------------------------------------- language choice


@pytest.mark.parametrize("tag, available, fallback, want", [
    ("pt-BR", ["en", "es", "fr", "pt"], "en", ("pt", "parent")),
    ("es-419", ["en", "es", "fr", "pt"], "en", ("es", "parent")),
    ("fr", ["en", "es", "fr", "pt"], "en", ("fr", "exact")),
    ("zh-Hant-TW", ["en", "zh-Hant"], "en", ("zh-Hant", "parent")),
    ("pt-BR", ["en", "pt_BR"], "en", ("pt_BR", "exact")),
    ("pt-PT", ["en", "pt-BR"], "en", ("pt-BR", "sibling")),
    ("de-CH", ["en", "es", "fr", "pt"], "en", ("en", "fallback")),
    ("de-CH", ["en", "es", "fr", "pt"], "fr", ("fr", "fallback")),
])
def test_fallback_chain(tag, available, fallback, want):
    choice = choose_language(tag, available, fallback)
    assert (choice.lang, choice.rule) == want


def test_reason_is_recorded():
    assert choose_language("de-CH", ["en", "pt"], "en").reason == "no report in de-CH, de; en is the final fallback"
    assert choose_language("pt-BR", ["en", "pt"], "en").reason == "pt-BR is not available; pt is the closest"


# --------------------------------------------------------------------------- dry run


def test_dry_run_writes_manifest_and_outbox(project, cli):
    run = cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    assert run.code == 0, run.err
    assert "5 participants: 2 en, 1 es, 1 fr, 1 pt (1 by the final fallback)" in run.out
    folder = dist_dir(project)
    assert not (folder / "state.jsonl").exists()  # a dry run records nothing as sent
    manifest = read_manifest(project)
    assert {e: (r["requested"], r["language"]) for e, r in manifest.items()} == PEOPLE
    assert manifest["hans@example.de"]["reason"] == "no report in de-CH, de; en is the final fallback"
    rows = json.loads((folder / "manifest.json").read_text("utf-8"))["entries"]
    assert [(r["email"], r["sha256"], r["status"]) for r in rows] == [
        (e, r["sha256"], "dry-run") for e, r in manifest.items()]

    messages = outbox(project)
    assert list(messages) == list(manifest)  # every participant, in the participants file's order
    for addr, raw in messages.items():
        msg = parse(raw)
        row = manifest[addr]
        lang = row["language"]
        assert msg["Subject"] == SUBJECTS[lang]
        assert msg["Content-Language"].startswith(lang)
        name, data = attachment(msg)
        assert name == f"{SOURCE}.{lang}.pdf" == Path(row["file"]).name
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
        assert data == (folder.parent / row["file"]).read_bytes()  # files are named in the report's folder
        assert row["sha256"] in body(msg)
        assert msg["Message-ID"] == row["message_id"]
        assert msg["Date"] == "Thu, 18 Jan 2024 16:00:00 +0000"  # SOURCE_DATE_EPOCH
    fr = body(parse(messages["claire.dubois@example.fr"]))
    assert fr.startswith("Bonjour Claire Dubois,\n\nVeuillez trouver ci-joint «\u00a0Consultation régionale")
    en = body(parse(messages["hans@example.de"]))
    assert "This document is not available in German, so we are sending it in English." in en

    # the first message of each language, and of each language sent as the final fallback, to open
    # by double-click: the same message, its lines ending in CRLF as it is sent
    previews = {p.name: p.read_bytes() for p in (folder / "preview").iterdir()}
    assert {name: data.replace(b"\r\n", b"\n") for name, data in previews.items()} == {
        "pt.eml": messages["ana.souza@example.org"], "es.eml": messages["jose@example.net"],
        "fr.eml": messages["claire.dubois@example.fr"], "en.fallback.eml": messages["hans@example.de"],
        "en.eml": messages["mary@example.com"]}
    assert json.loads((folder / "manifest.json").read_text("utf-8"))["previews"] == [
        f"preview/{name}" for name in sorted(previews)]
    assert run.out.splitlines()[-4:-2] == [
        f"dry run: wrote 5 messages to build/{SOURCE}/distribution/outbox.mbox (nothing sent; add --send to send)",
        f"one of each language to open in a mail program: build/{SOURCE}/distribution/preview/ (en.eml, "
        "en.fallback.eml, es.eml, fr.eml, pt.eml)"]


def test_project_catalog_overrides_the_mail_labels(project, cli):
    po = project / "locales" / "es" / "LC_MESSAGES" / "reportgen.po"
    text = po.read_text("utf-8")
    entry = 'msgctxt "layout:mail-closing"\nmsgid "Kind regards,"\nmsgstr "Saludos cordiales,"'
    assert entry in text  # the project catalog carries the layout labels; a translator edits one
    po.write_text(text.replace(entry, entry.replace("Saludos cordiales,", "Un saludo cordial del equipo,")), "utf-8")
    assert cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project).code == 0
    text = body(parse(outbox(project)["jose@example.net"]))
    assert text.startswith("Estimado/a José Martínez:\n\nLe enviamos adjunto «Consulta regional para las Américas»")
    assert "\nUn saludo cordial del equipo,\n" in text and "Saludos cordiales" not in text


def test_manifest_csv_cells_never_start_a_formula(project, cli):
    text = (project / "participants.csv").read_text("utf-8").replace("Mary Smith", "=HYPERLINK(\"x\")")
    (project / "participants.csv").write_text(text, "utf-8")
    assert cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project).code == 0
    assert read_manifest(project)["mary@example.com"]["name"] == "'=HYPERLINK(\"x\")"
    rows = json.loads((dist_dir(project) / "manifest.json").read_text("utf-8"))["entries"]
    assert rows[-1]["name"] == "=HYPERLINK(\"x\")"


def test_dry_run_is_reproducible_and_builds_only_missing_pdfs(project, cli):
    assert cli("build", SOURCE, "--lang", "fr", "--format", "pdf", cwd=project).code == 0
    fr = project / "build" / SOURCE / f"{SOURCE}.fr.pdf"
    fr.write_bytes(fr.read_bytes())  # the existing PDF is used as it is
    before = fr.stat().st_mtime_ns
    run = cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    assert [line for line in run.out.splitlines() if line.startswith("built")] == [
        f"built build/{SOURCE}/{SOURCE}.{lang}.pdf" for lang in ("en", "es", "pt")]
    assert fr.stat().st_mtime_ns == before
    first = {p.name: p.read_bytes() for p in dist_dir(project).rglob("*") if p.is_file()}
    run = cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    assert "built" not in run.out
    again = {p.name: p.read_bytes() for p in dist_dir(project).rglob("*") if p.is_file()}
    assert first == again and len(first) == 8  # manifest.csv, .json, outbox.mbox, 5 previews


def test_eml_opens_in_a_mail_client_parser(project, cli):
    """The strict parser finds no defects: headers, MIME structure and encodings are valid."""
    cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    previews = list((dist_dir(project) / "preview").glob("*.eml"))
    assert len(previews) == 5
    for raw in [p.read_bytes() for p in previews] + list(outbox(project).values()):
        eol = b"\r\n" if b"\r" in raw else b"\n"  # CRLF in a preview, LF in the mbox
        assert raw.count(eol) == raw.count(b"\n") > 100
        msg = parse(raw)
        assert msg.get_content_type() == "multipart/mixed"
        assert all(not part.defects for part in msg.walk())
        assert max(len(line) for line in raw.split(eol)) <= 78


# --------------------------------------------------------------------------- SMTP


class Handler:
    def __init__(self, reject=()):
        self.reject = set(reject)
        self.messages: list[tuple[list[str], bytes]] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def received(self) -> dict[str, list[email.message.EmailMessage]]:
        out: dict[str, list] = {}
        for rcpts, raw in self.messages:
            for r in rcpts:
                out.setdefault(r, []).append(parse(raw))
        return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch):
    """Start SMTP servers on 127.0.0.1; point reportgen at the last one started."""
    controllers = []

    def start(handler: Handler, **kwargs) -> Handler:
        port = _free_port()
        c = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        c.start()
        controllers.append(c)
        monkeypatch.setenv("REPORTGEN_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("REPORTGEN_SMTP_PORT", str(port))
        monkeypatch.setenv("REPORTGEN_SMTP_SECURITY", "none")
        monkeypatch.setenv("REPORTGEN_MAIL_FROM", "Consultations <consult@example.org>")
        return handler

    yield start
    for c in controllers:
        c.stop()


def check_delivered(project: Path, handler: Handler, addresses) -> None:
    """Each address got exactly one message, in its language, with an intact attachment."""
    manifest = read_manifest(project)
    received = handler.received()
    assert sorted(received) == sorted(addresses)
    for addr in addresses:
        (msg,) = received[addr]
        row = manifest[addr]
        assert msg["Subject"] == SUBJECTS[PEOPLE[addr][1]]
        assert msg["From"] == "Consultations <consult@example.org>"
        name, data = attachment(msg)
        assert name == Path(row["file"]).name
        assert hashlib.sha256(data).hexdigest() == row["sha256"]


def test_send_each_participant_exactly_once(project, cli, smtp):
    handler = smtp(Handler())
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    assert run.code == 0, run.err
    assert "5 sent" in run.out
    check_delivered(project, handler, PEOPLE)
    assert {r["status"] for r in read_manifest(project).values()} == {"sent"}
    records = [json.loads(line) for line in (dist_dir(project) / "state.jsonl").read_text("utf-8").splitlines()]
    assert [(r["key"], r["status"]) for r in records] == [(a, s) for a in PEOPLE for s in ("sending", "sent")]

    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    assert run.code == 0 and "5 already-sent" in run.out
    assert len(handler.messages) == 5  # nothing sent twice
    check_delivered(project, handler, PEOPLE)
    assert not (dist_dir(project) / "outbox.mbox").exists()  # --send writes no outbox
    assert not (dist_dir(project) / "preview").exists()
    run = cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)  # a dry run now: none left
    assert run.code == 0 and "dry run: wrote 0 messages" in run.out and "5 already-sent" in run.out
    assert outbox(project) == {} and (dist_dir(project) / "outbox.mbox").read_bytes() == b""
    assert not (dist_dir(project) / "preview").exists()


def test_the_outbox_holds_exactly_what_is_sent(project, cli, smtp):
    """outbox.mbox (mboxrd) holds each message as --send sends it, in LF lines, and a line that
    starts with "From " (here the Spanish closing) quoted with ">" so that it starts no message."""
    po = project / "locales" / "es" / "LC_MESSAGES" / "reportgen.po"
    text = po.read_text("utf-8").replace('msgstr "Saludos cordiales,"', 'msgstr "From Lima, saludos cordiales,"')
    po.write_text(text, "utf-8")
    handler = smtp(Handler())
    assert cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project).code == 0
    messages = outbox(project)
    mbox = (dist_dir(project) / "outbox.mbox").read_bytes()
    assert mbox.startswith(b"From consult@example.org Thu Jan 18 16:00:00 2024\n")
    assert mbox.count(b"\nFrom ") == 4 and b"\n>From Lima, saludos cordiales,\n" in mbox
    assert cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project).code == 0
    sent = {rcpts[0]: raw for rcpts, raw in handler.messages}
    assert sorted(sent) == sorted(messages)
    for addr, raw in sent.items():
        assert b"\n" not in raw.replace(b"\r\n", b"")
        as_stored = re.sub(rb"^(>*From )", rb">\1", raw.replace(b"\r\n", b"\n"), flags=re.MULTILINE)
        assert messages[addr] == as_stored
    assert b"\r\nFrom Lima, saludos cordiales,\r\n" in sent["jose@example.net"]


@pytest.mark.skipif(shutil.which("formail") is None, reason="formail (procmail) not installed")
def test_formail_splits_the_outbox_into_the_same_messages(project, cli, tmp_path):
    """A second reader of the mbox, procmail's formail (what mail filters use to split one): the same
    messages, each behind its From line, with the mboxrd-quoted line as written."""
    po = project / "locales" / "es" / "LC_MESSAGES" / "reportgen.po"
    po.write_text(po.read_text("utf-8").replace('msgstr "Saludos cordiales,"', 'msgstr "From Lima,"'), "utf-8")
    assert cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project).code == 0
    mbox = dist_dir(project) / "outbox.mbox"
    subprocess.run(["formail", "-s", "sh", "-c", f'cat > "{tmp_path}/m$FILENO"'], input=mbox.read_bytes(), check=True)
    split = [p.read_bytes() for p in sorted(tmp_path.glob("m*"))]
    assert [raw.split(b"\n", 1)[0] for raw in split] == [b"From reportgen@example.invalid Thu Jan 18 16:00:00 2024"] * 5
    assert [raw.split(b"\n", 1)[1].rstrip(b"\n") for raw in split] == [
        raw.rstrip(b"\n") for raw in outbox(project).values()]
    assert b"\n>From Lima,\n" in split[1]


def test_a_new_version_is_not_sent_again(project, cli, smtp):
    handler = smtp(Handler())
    assert cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project).code == 0
    sent = read_manifest(project)["claire.dubois@example.fr"]["sha256"]
    po = project / "locales/fr/LC_MESSAGES/reportgen.po"  # a translator corrects the French title
    po.write_text(po.read_text("utf-8").replace('msgstr "Consultation régionale pour les Amériques"',
                                                'msgstr "Consultation régionale des Amériques"'), "utf-8")
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    assert run.code == 0 and len(handler.messages) == 5
    assert f"built build/{SOURCE}/{SOURCE}.fr.pdf" in run.out.splitlines()  # the new version, rebuilt
    assert run.err_lines == ["participants.csv:4: warning: the report was sent before this version of it; not sent "
                             "again (see 'Sending a new version' in docs/distribution.md)"]
    assert read_manifest(project)["claire.dubois@example.fr"]["sha256"] == sent  # what the person received
    run = cli("verify", f"build/{SOURCE}/distribution/manifest.csv", cwd=project)
    assert run.code == 1 and f": error: {SOURCE}.fr.pdf: SHA-256 mismatch" in run.err


def test_a_pdf_older_than_its_catalog_is_rebuilt_before_it_is_attached(project, cli):
    assert cli("build", SOURCE, "-q", "--format", "pdf", cwd=project).code == 0
    es = project / "build" / SOURCE / f"{SOURCE}.es.pdf"
    old = es.read_bytes()
    po = project / "locales/es/LC_MESSAGES/reportgen.po"  # a translator fixes the Spanish title
    po.write_text(po.read_text("utf-8").replace('msgstr "Consulta regional para las Américas"',
                                                'msgstr "Consulta regional de las Américas"'), "utf-8")
    run = cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    assert run.code == 0, run.err
    assert [line for line in run.out.splitlines() if line.startswith("built")] == [f"built build/{SOURCE}/{SOURCE}.es.pdf"]
    name, data = attachment(parse(outbox(project)["jose@example.net"]))
    assert data == es.read_bytes() != old
    assert "Consulta regional de las Américas" in subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert read_manifest(project)["jose@example.net"]["sha256"] == hashlib.sha256(data).hexdigest()


def test_a_draft_is_never_attached(project, cli):
    assert cli("build", SOURCE, "-q", "--format", "pdf", cwd=project).code == 0
    final = {p.name: p.read_bytes() for p in (project / "build" / SOURCE).glob("*.pdf")}
    assert cli("build", SOURCE, "-q", "--draft", "--format", "pdf", cwd=project).code == 0
    run = cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    assert run.code == 0, run.err
    assert "built" not in run.out
    messages = outbox(project)
    assert len(messages) == 5
    for raw in messages.values():
        name, data = attachment(parse(raw))
        assert ".draft." not in name and data == final[name]


def test_rate_must_be_positive(project, cli):
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--rate", "0", cwd=project)
    assert (run.code, run.err_lines) == (1, ["reportgen: error: --rate: expected a positive number of messages "
                                             "per minute"])


def test_settings_from_pyproject(project, cli):
    (project / "pyproject.toml").write_text('[tool.reportgen.distribute]\nfallback_language = "pt"\n'
                                            'from = "Team <team@example.org>"\n', "utf-8")
    assert cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project).code == 0
    assert read_manifest(project)["hans@example.de"]["language"] == "pt"
    eml = parse(outbox(project)["hans@example.de"])
    assert eml["From"] == "Team <team@example.org>"
    assert eml["Message-ID"].endswith("@example.org>")


def test_rejected_recipient_is_retried_on_the_next_run(project, cli, smtp):
    handler = smtp(Handler(reject={"jose@example.net"}))
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    assert run.code == 1
    assert run.err_lines == ["participants.csv:3: error: jose@example.net: refused by the server: "
                             "550 5.1.1 mailbox unavailable (retried on the next run)"]
    others = [a for a in PEOPLE if a != "jose@example.net"]
    check_delivered(project, handler, others)
    assert read_manifest(project)["jose@example.net"]["status"] == "failed"
    records = [json.loads(line) for line in (dist_dir(project) / "state.jsonl").read_text("utf-8").splitlines()]
    jose = [r for r in records if r["key"] == "jose@example.net"]
    assert [(r["status"], r.get("attempts")) for r in jose] == [("sending", None), ("failed", 1)]

    handler.reject.clear()
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    assert run.code == 0, run.err
    assert "1 sent" in run.out and "4 already-sent" in run.out
    check_delivered(project, handler, PEOPLE)  # still exactly one message each


def test_interrupted_send_is_not_repeated_without_asking(project, cli, smtp):
    handler = smtp(Handler())
    folder = dist_dir(project)
    folder.mkdir(parents=True)
    # a run that crashed while sending to Mary: its "sent" record was cut short
    (folder / "state.jsonl").write_text('{"key": "mary@example.com", "status": "sending", "language": "en"}\n'
                                        '{"key": "mary@example.com", "status": "se', "utf-8")
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    assert run.code == 0
    assert ("participants.csv:6: warning: mary@example.com: a previous run stopped while sending; "
            "not retried without --retry-uncertain") in run.err_lines
    assert "mary@example.com" not in handler.received() and len(handler.messages) == 4
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", "--retry-uncertain", cwd=project)
    assert run.code == 0 and "1 sent" in run.out
    check_delivered(project, handler, PEOPLE)
    lines = (folder / "state.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == 1 + 2 * 5 and all(json.loads(line) for line in lines)  # the cut line is gone


def test_damaged_state_file_stops_before_sending(project, cli, smtp):
    handler = smtp(Handler())
    folder = dist_dir(project)
    folder.mkdir(parents=True)
    (folder / "state.jsonl").write_text('{"key": "mary@example.com", "status": "sent"}\nnot json\n\n', "utf-8")
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    assert run.code == 1 and handler.messages == []
    assert run.err_lines[-1].startswith(f"build/{SOURCE}/distribution/state.jsonl:2: error: state file damaged (")


def test_password_only_from_the_environment_and_never_written(project, cli, smtp, monkeypatch):
    secret = "s3cret-Pa55word"

    class Auth:
        def __call__(self, server, session, envelope, mechanism, auth_data):
            handler.logins.append((auth_data.login, auth_data.password))
            return AuthResult(success=auth_data.password == secret.encode())

    handler = smtp(Handler(), authenticator=Auth(), auth_require_tls=False)
    (project / "reportgen.toml").write_text('[distribute]\nsmtp_user = "mailer"\n', "utf-8")
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    assert (run.code, run.err_lines) == (1, [
        "reportgen: error: distribute: the SMTP user is set but REPORTGEN_SMTP_PASSWORD is not; "
        "the password is read only from that environment variable"])
    monkeypatch.setenv("REPORTGEN_SMTP_PASSWORD", secret)
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    assert run.code == 0, run.err
    assert handler.logins == [(b"mailer", secret.encode())]
    check_delivered(project, handler, PEOPLE)
    assert secret not in run.out + run.err
    for path in (project / "build").rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_unreachable_server_sends_nothing_and_marks_nothing(project, cli, smtp, monkeypatch):
    smtp(Handler())
    port = _free_port()  # nothing listens there
    monkeypatch.setenv("REPORTGEN_SMTP_PORT", str(port))
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    assert run.code == 1
    assert run.err_lines == [f"reportgen: error: cannot connect to the SMTP server 127.0.0.1:{port} (none): "
                             "[Errno 111] Connection refused; stopped"]
    assert {r["status"] for r in read_manifest(project).values()} == {"pending"}
    assert not (dist_dir(project) / "state.jsonl").exists()


@pytest.fixture
def tls(monkeypatch):
    """A certificate authority the client trusts (instead of the system's) and a server certificate."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server)

    def client() -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        ca.configure_trust(ctx)
        return ctx

    monkeypatch.setattr("reportgen.distribute.smtp._tls_context", client)
    return server


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_send_over_tls(project, cli, smtp, tls, monkeypatch, security):
    secret = "tls-only-secret"

    def auth(server, session, envelope, mechanism, auth_data):
        handler.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)

    if security == "starttls":  # the server refuses to go on in plain text
        handler = smtp(Handler(), tls_context=tls, require_starttls=True, authenticator=auth)
    else:
        # aiosmtpd counts only STARTTLS as TLS for AUTH; this connection is TLS from its first byte
        handler = smtp(Handler(), ssl_context=tls, authenticator=auth, auth_require_tls=False)
    monkeypatch.setenv("REPORTGEN_SMTP_SECURITY", security)
    monkeypatch.setenv("REPORTGEN_SMTP_USER", "mailer")
    monkeypatch.setenv("REPORTGEN_SMTP_PASSWORD", secret)
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    assert run.code == 0, run.err
    assert handler.logins == [(b"mailer", secret.encode())]
    check_delivered(project, handler, PEOPLE)


def test_untrusted_certificate_is_refused(project, cli, smtp, tls, monkeypatch):
    smtp(Handler(), ssl_context=tls)
    monkeypatch.setattr("reportgen.distribute.smtp._tls_context", ssl.create_default_context)
    monkeypatch.setenv("REPORTGEN_SMTP_SECURITY", "tls")
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    assert run.code == 1
    assert "CERTIFICATE_VERIFY_FAILED" in run.err and "0 sent" not in run.out
    assert {r["status"] for r in read_manifest(project).values()} == {"pending"}


def test_password_in_the_config_is_refused(project, cli):
    (project / "reportgen.toml").write_text('[distribute]\nsmtp_user = "mailer"\npassword = "x"\n', "utf-8")
    run = cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    assert (run.code, run.err_lines) == (1, [
        "reportgen.toml:3: error: distribute.password: a password is never read from a file; "
        "set the environment variable REPORTGEN_SMTP_PASSWORD"])


def test_no_unencrypted_password_to_a_remote_host(project, monkeypatch):
    (project / "reportgen.toml").write_text(
        '[distribute]\nfrom = "a@example.org"\nsmtp_host = "mail.example.org"\nsmtp_security = "none"\n'
        'smtp_user = "mailer"\n', "utf-8")
    with pytest.raises(InputError, match="refusing to send the SMTP password unencrypted to mail.example.org"):
        distribute(load_project(project), SOURCE, project / "participants.csv", send=True,
                   env={"REPORTGEN_SMTP_PASSWORD": "x"})


def test_send_needs_a_sender(project, cli, monkeypatch):
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    assert run.code == 1 and "no sender address" in run.err


def test_fallback_language_from_config(project, cli):
    (project / "reportgen.toml").write_text('languages = ["en", "es", "fr", "pt"]\n[distribute]\n'
                                            'fallback_language = "fr"\n', "utf-8")
    assert cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project).code == 0
    assert read_manifest(project)["hans@example.de"]["language"] == "fr"
    assert cli("distribute", SOURCE, "--participants", "participants.csv", "--fallback", "es", cwd=project).code == 0
    assert read_manifest(project)["hans@example.de"]["language"] == "es"
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--fallback", "de", cwd=project)
    assert (run.code, run.err_lines) == (1, ["reportgen: error: distribute: the final fallback language 'de' is "
                                             "not built; choose from en, es, fr, pt"])


# --------------------------------------------------------------------------- rate limit


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_rate_limiter_never_exceeds_the_rate():
    clock = FakeClock()
    limiter = RateLimiter(3, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(10):
        limiter.wait()
        times.append(clock.now)
        clock.now += 1.0  # sending takes a second
    assert clock.sleeps == [57.0, 57.0, 57.0]  # after each 3 in a row: wait for the window to pass
    assert times[:3] == [1000.0, 1001.0, 1002.0] and times[3] == 1060.0
    for i, t in enumerate(times):
        assert sum(t <= u < t + 60 for u in times[i:]) <= 3


def test_rate_limiter_does_not_wait_when_slow_enough():
    clock = FakeClock()
    limiter = RateLimiter(2, clock=clock, sleep=clock.sleep)
    for _ in range(6):
        assert limiter.wait() == 0.0
        clock.now += 30.0
    assert clock.sleeps == []
    assert RateLimiter(0, clock=clock, sleep=clock.sleep).wait() == 0.0


def test_send_uses_the_rate_limiter(project, smtp):
    handler = smtp(Handler())
    clock = FakeClock()
    result = distribute(load_project(project), SOURCE, project / "participants.csv", send=True,
                        limiter=RateLimiter(2, clock=clock, sleep=clock.sleep))
    assert not result.errors and len(handler.messages) == 5
    assert clock.sleeps == [60.0, 60.0]  # 5 messages at 2 per minute: two full waits


# --------------------------------------------------------------------------- verify


def test_verify(project, cli, tmp_path):
    cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    folder = dist_dir(project)
    for name in ("manifest.csv", "manifest.json"):
        run = cli("verify", str(folder / name), cwd=project)
        assert (run.code, run.out) == (0, f"4 files match build/{SOURCE}/distribution/{name}\n")

    # an auditor's copy: the manifest and the PDFs side by side
    audit = tmp_path / "audit"
    audit.mkdir()
    shutil.copy(folder / "manifest.csv", audit)
    for pdf in (project / "build" / SOURCE).glob("*.pdf"):
        shutil.copy(pdf, audit)
    assert cli("verify", "manifest.csv", cwd=audit).code == 0

    es = audit / f"{SOURCE}.es.pdf"
    want = read_manifest(project)["jose@example.net"]["sha256"]
    es.write_bytes(es.read_bytes() + b"%tampered\n")
    got = hashlib.sha256(es.read_bytes()).hexdigest()
    (audit / f"{SOURCE}.fr.pdf").unlink()
    run = cli("verify", "manifest.csv", cwd=audit)
    assert (run.code, run.out) == (1, "")
    assert run.err_lines == [
        f"manifest.csv:3: error: {SOURCE}.es.pdf: SHA-256 mismatch: the manifest says {want}, "
        f"{SOURCE}.es.pdf has {got}",
        f"manifest.csv:4: error: {SOURCE}.fr.pdf: file not found",
    ]


def test_verify_json_lines_and_bad_manifest(project, cli):
    cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    pdf = project / "build" / SOURCE / f"{SOURCE}.pt.pdf"
    pdf.write_bytes(b"not the report")
    run = cli("verify", f"build/{SOURCE}/distribution/manifest.json", cwd=project)
    assert run.code == 1
    assert [line.split(": SHA-256")[0] for line in run.err_lines] == [
        f"build/{SOURCE}/distribution/manifest.json:9: error: {SOURCE}.pt.pdf"]
    (project / "x.csv").write_text("a,b\n1,2\n", "utf-8")
    run = cli("verify", "x.csv", cwd=project)
    assert (run.code, run.err_lines) == (1, ["x.csv:1: error: not a reportgen manifest: needs the columns "
                                             "'file' and 'sha256'"])


def test_unknown_language_code_is_an_input_error(default_project, cli):
    """localize.is_known_language used to let Babel's UnknownLocaleError through (exit 2)."""
    run = cli("build", "--lang", "xx", cwd=default_project)
    assert (run.code, run.err_lines) == (1, ["reportgen: error: unknown language 'xx'; choose from en, es, fr, pt"])


@pytest.mark.parametrize("name", ["missing.csv", "folder.yaml", "folder.csv"])
def test_unreadable_participants_file_is_a_located_error(project, cli, name):
    (project / "folder.yaml").mkdir()
    (project / "folder.csv").mkdir()
    run = cli("distribute", SOURCE, "--participants", name, cwd=project)
    expected = "no such participants file" if name == "missing.csv" else "is a directory, not a participants file"
    assert (run.code, run.err_lines) == (1, [f"{name}: error: {expected}"])


def test_an_untranslated_language_is_not_offered(project, cli):
    """A catalog made by `update --lang de` and not translated: the German reader gets English, with
    the note, and the manifest says why; the message's language, text and PDF agree."""
    assert cli("update", "--lang", "de", "-q", cwd=project).code == 0
    run = cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    assert run.code == 0, run.err
    row = read_manifest(project)["hans@example.de"]
    assert (row["language"], row["rule"], row["reason"]) == (
        "en", "fallback", "no report in de-CH, de (de: 0% translated); en is the final fallback")
    assert not (project / "build" / SOURCE / f"{SOURCE}.de.pdf").exists()
    for addr, raw in outbox(project).items():
        msg = parse(raw)
        lang = read_manifest(project)[addr]["language"]
        name, data = attachment(msg)
        assert name == f"{SOURCE}.{lang}.pdf"
        reader = PdfReader(io.BytesIO(data))
        assert msg["Content-Language"] == reader.trailer["/Root"]["/Lang"]
        assert msg["Subject"] == SUBJECTS[lang]
    hans = parse(outbox(project)["hans@example.de"])
    assert hans["Content-Language"] == "en-GB"
    assert "This document is not available in German, so we are sending it in English." in body(hans)
    # the threshold is the project's to choose: --min-complete, or [distribute] min_complete
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--min-complete", "0", cwd=project)
    assert run.code == 0 and read_manifest(project)["hans@example.de"]["language"] == "de"


def test_the_distribution_threshold_from_the_config(project, cli):
    assert cli("update", "--lang", "de", "-q", cwd=project).code == 0
    (project / "reportgen.toml").write_text("[distribute]\nmin_complete = 0\n", "utf-8")
    assert cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project).code == 0
    assert read_manifest(project)["hans@example.de"]["language"] == "de"
    (project / "reportgen.toml").write_text("[distribute]\nmin_complete = 101\n", "utf-8")
    run = cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    assert run.code == 1
    assert run.err_lines == ["reportgen.toml:2: error: distribute.min_complete: expected a percentage from 0 to 100, "
                             "got 101"]
