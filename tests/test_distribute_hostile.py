"""Hostile inputs to ``reportgen distribute`` and ``verify`` (issue 18): header injection through
names and translated subjects, the participants file's limits, server replies, confinement.

Messages are checked as a mail program reads them: the ``.eml`` bytes and what a local aiosmtpd
server (127.0.0.1) received are parsed with ``email.parser.BytesParser(policy=default)``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP as SMTP_POLICY
from email.policy import default
from pathlib import Path

import pytest

from reportgen.headers import header_problem, is_header_safe
from reportgen.distribute.mail import Letter, build_message, message_bytes
from reportgen.distribute.participants import MAX_COLUMNS, MAX_LINE, MAX_ROWS, Participant
from reportgen.errors import Diagnostic, InputError, Location

from .test_distribute import SOURCE, Handler, dist_dir, outbox, project, read_manifest, smtp  # noqa: F401 - fixtures

EXPECTED_HEADERS = {"subject", "from", "to", "date", "message-id", "mime-version", "content-type",
                    "content-language"}
INJECTIONS = [  # all ASCII, no control character: each decodes to a line break and a header
    "=?utf-8?q?Ann=0D=0AReply-To:_attacker@evil.example?=",
    "=?utf-8?b?QW5uDQpSZXBseS1UbzogYXR0YWNrZXJAZXZpbC5leGFtcGxl?=",
    "Ann =?UTF-8?Q?=0A=0Abody?= Smith",
    "=?iso-8859-1?q?x=0ABcc:_evil@example.org?=",
]
ODD_BUT_FINE = ['Ann "Reply-To: x@evil.example"', "Smith, Ann <ann@evil.example>", "Ann ?= Smith",
                "Zoë Ñandú 李", "a" * 300]


def write_people(project: Path, rows: list[tuple[str, str, str]], name: str = "p.csv") -> str:
    lines = ["name,email,language"] + [",".join(f'"{c}"' if "," in c or '"' in c else c for c in
                                                (n.replace('"', '""') if '"' in n else n, e, lang))
                                       for n, e, lang in rows]
    (project / name).write_text("\n".join(lines) + "\n", "utf-8")
    return name


def headers_of(raw: bytes) -> tuple[list[str], EmailMessage]:
    msg = BytesParser(policy=default).parsebytes(raw)
    return [k.lower() for k in msg.keys()], msg


# --------------------------------------------------------------------------- header injection


def test_header_problem():
    for text in INJECTIONS + ["a\rb", "a\nb", "a\x85b", "a\u2028b", "a\u2029b", "a\x9bb", "a\x1b[31m"]:
        assert header_problem(text) and not is_header_safe(text), text
    for text in ODD_BUT_FINE + ["Rapport final\u00a0: Consultation", ""]:
        assert header_problem(text) == "" and is_header_safe(text), text


@pytest.mark.parametrize("column", ["name", "organisation"])
def test_encoded_word_in_a_participant_is_refused(project, cli, column):
    rows = ["name,email,language,organisation"]
    for n, text in enumerate(INJECTIONS):
        name, org = ("Ann", text) if column == "organisation" else (text, "")
        rows.append(f"{name},p{n}@example.org,en,{org}")
    (project / "p.csv").write_text("\n".join(rows) + "\n", "utf-8")
    run = cli("distribute", SOURCE, "--participants", "p.csv", cwd=project)
    assert run.code == 1
    assert [line.split(": contains")[0] for line in run.err_lines] == [
        f"p.csv:{n}: error: {column}" for n in range(2, 2 + len(INJECTIONS))]
    assert all("'=?'" in line for line in run.err_lines)
    assert not (project / "build").exists()


@pytest.mark.parametrize("name", ["Ann\u2028Smith", "Ann\x85Smith", "Ann\x9b31mSmith", "Ann\u2029Smith"])
def test_unicode_line_breaks_and_c1_controls_in_names_are_refused(project, cli, name):
    (project / "p.csv").write_text(f"name,email,language\n{name},ann@example.org,en\n", "utf-8")
    run = cli("distribute", SOURCE, "--participants", "p.csv", cwd=project)
    assert run.code == 1 and run.err_lines[0].startswith("p.csv:2: error: name: contains a line break or control")


def test_the_message_is_checked_whatever_the_interpreter_writes():
    """The last line of defence: even a name that got past the participants check (this Python,
    3.11.7, has CVE-2024-6923 and writes the decoded CR LF raw) never reaches the bytes."""
    person = Participant(INJECTIONS[0], "ann@example.org", "en", "", Location("p.csv", 2))
    with pytest.raises(InputError, match="name: contains '=[?]'"):
        build_message(Letter("Report", "Hi\n"), person, "a@example.org", "", "en", Path("r.pdf"), b"%PDF",
                      "<1@example.org>", dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    msg = EmailMessage()  # what the composition did before: the header machinery decodes the word
    msg["Subject"] = "Report"
    msg["To"] = Address(display_name=INJECTIONS[0], addr_spec="ann@example.org")
    msg.set_content("Hi")
    names, _ = headers_of(msg.as_bytes(policy=SMTP_POLICY))
    if "reply-to" not in names:
        pytest.skip("this interpreter has the fix for CVE-2024-6923")
    with pytest.raises(InputError, match="headers came out different"):
        message_bytes(msg, person)


def test_odd_names_never_add_a_header_in_eml_or_smtp(project, cli, smtp):
    rows = [(name, f"p{n}@example.org", "fr") for n, name in enumerate(ODD_BUT_FINE)]
    write_people(project, rows)
    run = cli("distribute", SOURCE, "--participants", "p.csv", cwd=project)
    assert run.code == 0, run.err
    messages = list(outbox(project).values())
    assert len(messages) == len(rows)
    for raw, (name, addr, _) in zip(messages, rows):
        names, msg = headers_of(raw)
        assert sorted(names) == sorted(EXPECTED_HEADERS)
        assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [(name, addr)]
    handler = smtp(Handler())
    assert cli("distribute", SOURCE, "--participants", "p.csv", "--send", cwd=project).code == 0
    assert len(handler.messages) == len(rows)
    for rcpts, raw in handler.messages:
        names, msg = headers_of(raw)
        assert sorted(names) == sorted(EXPECTED_HEADERS)
        assert [a.addr_spec for a in msg["To"].addresses] == rcpts


def _po_replace(project: Path, lang: str, context: str, msgstr: str) -> int:
    po = project / "locales" / lang / "LC_MESSAGES" / "reportgen.po"
    lines = po.read_text("utf-8").split("\n")
    at = lines.index(f'msgctxt "{context}"')
    assert lines[at + 2].startswith("msgstr ")
    lines[at + 2] = f'msgstr "{msgstr}"'
    po.write_text("\n".join(lines), "utf-8")
    return at + 2  # Babel and the scanner place an entry at its msgid line


@pytest.mark.parametrize("context", ["americas-2024:title", "layout:mail-subject", "layout:kind-outcome-report"])
def test_translated_subject_with_an_encoded_word_is_refused(project, cli, smtp, context):
    word = "=?utf-8?q?x=0D=0ABcc:_evil@example.org?="
    line = _po_replace(project, "fr", context, f"{{document}} : {{title}} {word}" if context == "layout:mail-subject"
                       else f"Rapport {word}")
    handler = smtp(Handler())
    for args in ((), ("--send",)):
        run = cli("distribute", SOURCE, "--participants", "participants.csv", *args, cwd=project)
        assert run.code == 1
        assert run.err_lines[-1].startswith(f"locales/fr/LC_MESSAGES/reportgen.po:{line}: error: fr: ")
        assert "goes into the e-mail's Subject and contains '=?'" in run.err_lines[-1]
    assert handler.messages == [] and not (dist_dir(project) / "outbox.mbox").exists()


def test_english_title_with_an_encoded_word_is_refused_at_its_source_line(project, cli):
    src = project / "sources" / f"{SOURCE}.yaml"
    text = src.read_text("utf-8")
    assert "title: Regional Consultation for the Americas" in text
    src.write_text(text.replace("title: Regional Consultation for the Americas",
                                "title: 'Regional =?utf-8?b?DQpCY2M6IGV2aWxAZXhhbXBsZS5vcmc=?='"), "utf-8")
    for lang in ("es", "fr", "pt"):  # the translations no longer match: English everywhere
        shutil.rmtree(project / "locales" / lang)
    run = cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    assert run.code == 1
    assert run.err_lines[-1].startswith(f"sources/{SOURCE}.yaml:7")
    assert "title 'americas-2024:title' goes into the e-mail's Subject" in run.err_lines[-1]


def test_sender_name_with_an_encoded_word_is_refused(project, cli, monkeypatch):
    monkeypatch.setenv("REPORTGEN_MAIL_FROM", "=?utf-8?q?x=0ABcc:_e@example.org?= <a@example.org>")
    run = cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    assert run.code == 1 and "distribute.from: contains '=?'" in run.err


# --------------------------------------------------------------------------- participants file


def test_blank_lines_before_the_header(project, cli):
    (project / "p.csv").write_text("\n\n  \nname,email,langage\nAnn,ann@example.org,en\n", "utf-8")
    run = cli("distribute", SOURCE, "--participants", "p.csv", cwd=project)
    assert (run.code, run.err_lines) == (1, [
        "p.csv:4: warning: column 'langage' is ignored (did you mean 'language'?)",
        "p.csv:4: error: missing column 'language' (did you mean 'langage'?)",
    ])
    (project / "p.csv").write_text("\n\nname,email,language\nAnn,ann@example.org,en\n", "utf-8")
    run = cli("distribute", SOURCE, "--participants", "p.csv", "-v", cwd=project)
    assert run.code == 0 and "p.csv:4: en -> en" in run.out


def test_huge_header_line_is_refused_quickly(project, cli):
    (project / "p.csv").write_bytes(b"name,email,language" + b",x" * 5_000_000 + b"\n")
    run = cli("distribute", SOURCE, "--participants", "p.csv", cwd=project)
    assert (run.code, run.err_lines) == (1, [f"p.csv:1: error: line too long (10,000,019 characters; the limit "
                                             f"is {MAX_LINE:,})"])


def test_limits_of_the_participants_file(project, cli):
    (project / "p.csv").write_text("name,email,language" + ",x" * MAX_COLUMNS + "\n", "utf-8")
    run = cli("distribute", SOURCE, "--participants", "p.csv", cwd=project)
    assert run.err_lines == [f"p.csv:1: error: the header has more than {MAX_COLUMNS} columns; expected "
                             "name,email,language,organisation"]
    (project / "p.csv").write_text("name,email,language\n" + "\n" * MAX_ROWS, "utf-8")
    run = cli("distribute", SOURCE, "--participants", "p.csv", cwd=project)
    assert run.err_lines == [f"p.csv:{MAX_ROWS + 1}: error: too many lines ({MAX_ROWS + 2:,}; the limit is "
                             f"{MAX_ROWS:,}); split the list into several files"]
    with (project / "p.csv").open("wb") as f:
        f.truncate(21 * 1024 * 1024)
    run = cli("distribute", SOURCE, "--participants", "p.csv", cwd=project)
    assert run.err_lines == ["p.csv: error: file too large (22,020,096 bytes; the limit is 20,971,520)"]


@pytest.mark.parametrize("kind", ["device", "fifo", "fifo.yaml"])
def test_participants_must_be_a_regular_file(project, cli, kind):
    if kind == "device":
        name = "/dev/zero"
    else:
        name = "people." + ("yaml" if kind.endswith("yaml") else "csv")
        os.mkfifo(project / name)  # nobody writes: reading it would wait for ever
    run = cli("distribute", SOURCE, "--participants", name, cwd=project)
    assert (run.code, run.err_lines) == (1, [f"{name}: error: not a regular file (a device, pipe or socket); "
                                             "save the participants file as a file"])


def test_address_lengths_beyond_rfc_5321(project, cli):
    long_local = "a" * 65 + "@example.org"
    long_domain = "a@" + ".".join(["b" * 60] * 5) + ".org"
    ok = "a" * 64 + "@example.org"
    write_people(project, [("A", long_local, "en"), ("B", long_domain, "en"), ("C", ok, "en")])
    run = cli("distribute", SOURCE, "--participants", "p.csv", cwd=project)
    assert run.code == 1
    assert [line.split(" is too long ")[1] for line in run.err_lines] == [
        "(65 characters before the @; RFC 5321 allows 64)", "(308 characters after the @; RFC 5321 allows 255)"]
    assert [line.split(": error:")[0] for line in run.err_lines] == ["p.csv:2", "p.csv:3"]


def test_errors_are_capped_at_fifty_and_counted(project, cli):
    write_people(project, [("A", f"bad{n}", "en") for n in range(3000)])
    run = cli("distribute", SOURCE, "--participants", "p.csv", cwd=project)
    assert run.code == 1
    assert len(run.err_lines) == 51
    assert run.err_lines[0] == "p.csv:2: error: email: 'bad0' is not a valid e-mail address"
    assert run.err_lines[-1] == "reportgen: 2950 more problems not shown (3000 errors in all)"


def test_manifest_email_column_never_starts_a_formula(project, cli):
    write_people(project, [("Ann", "=1+cmd@example.org", "en"), ("Bob", "-2@example.org", "en"),
                           ("Cy", "+x@example.org", "en")])
    assert cli("distribute", SOURCE, "--participants", "p.csv", cwd=project).code == 0
    assert sorted(read_manifest(project)) == ["'+x@example.org", "'-2@example.org", "'=1+cmd@example.org"]
    rows = json.loads((dist_dir(project) / "manifest.json").read_text("utf-8"))["entries"]
    assert [r["email"] for r in rows] == ["=1+cmd@example.org", "-2@example.org", "+x@example.org"]


# --------------------------------------------------------------------------- confinement


@pytest.mark.parametrize("link", ["distribution", "outbox.mbox", "preview", "state.jsonl", "state.lock", "manifest.csv",
                                  "pdf"])
def test_distribution_folder_is_confined(project, cli, smtp, tmp_path, link):
    """A symbolic link in the output folder must not send writes (or a dry run's deletions, or the
    attachment read) outside the project."""
    smtp(Handler())
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.eml").write_bytes(b"not ours")
    (outside / "secret").write_bytes(b"secret")
    base = project / "build" / SOURCE
    assert cli("build", SOURCE, "--format", "pdf", cwd=project).code == 0
    folder = base / "distribution"
    folder.mkdir()
    where = {"distribution": base / "distribution", "pdf": base / f"{SOURCE}.fr.pdf"}
    target = outside if link in ("distribution", "preview") else outside / "secret"
    if link in ("distribution", "pdf"):
        shutil.rmtree(where[link]) if where[link].is_dir() else where[link].unlink()
    where.get(link, folder / link).symlink_to(target)
    before = sorted((p.name, p.read_bytes()) for p in outside.iterdir())
    for args in ((), ("--send",)):
        run = cli("distribute", SOURCE, "--participants", "participants.csv", *args, cwd=project)
        if (link == "state.lock" and not args) or (link in ("outbox.mbox", "preview") and args):
            assert run.code == 0, run.err  # a dry run takes no lock, --send writes no outbox
            continue
        assert run.code == 1, (args, run.err)
        assert "leads outside the output folder" in run.err or "is not a regular file" in run.err, run.err
    assert sorted((p.name, p.read_bytes()) for p in outside.iterdir()) == before


def test_dry_run_deletes_only_the_previews_it_wrote(project, cli):
    assert cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project).code == 0
    preview = dist_dir(project) / "preview"
    assert len(list(preview.glob("*.eml"))) == 5
    (preview / "de.eml").write_bytes(b"someone else's")  # named like ours, not written by reportgen
    (preview / "notes.eml").write_bytes(b"mine")
    text = (project / "participants.csv").read_text("utf-8").splitlines()
    (project / "participants.csv").write_text("\n".join(text[:3]) + "\n", "utf-8")  # two participants left
    assert cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project).code == 0
    assert sorted(p.name for p in preview.iterdir()) == ["de.eml", "es.eml", "notes.eml", "pt.eml"]
    assert len(outbox(project)) == 2


def test_the_outbox_files_of_earlier_versions_are_cleaned_up(project, cli):
    """Earlier versions wrote one outbox/NNN.lang.eml per participant, each named in the manifest's
    "eml" column: the next dry run deletes those (and the folder once empty), nothing else."""
    folder = dist_dir(project)
    old = folder / "outbox"
    old.mkdir(parents=True)
    for name in ("001.pt.eml", "002.es.eml", "003.fr.eml"):
        (old / name).write_bytes(b"old message")
    (folder / "manifest.json").write_text(json.dumps({"source": SOURCE, "entries": [
        {"eml": "outbox/001.pt.eml"}, {"eml": "outbox/002.es.eml"}, {"eml": "../../../participants.csv"},
        {"eml": "outbox/../manifest.csv"}]}), "utf-8")
    assert cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project).code == 0
    assert [p.name for p in old.iterdir()] == ["003.fr.eml"]  # not in the manifest: not reportgen's to delete
    assert (project / "participants.csv").exists() and len(outbox(project)) == 5
    (folder / "manifest.json").write_text(json.dumps({"source": SOURCE, "entries": [{"eml": "outbox/003.fr.eml"}]}),
                                          "utf-8")
    assert cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project).code == 0
    assert not old.exists()


# --------------------------------------------------------------------------- SMTP server replies


class EscapingHandler(Handler):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 \x1b[2J\x1b]0;pwned\x07 \x9b31m no"


def test_terminal_escape_codes_in_replies_are_neither_printed_nor_stored(project, cli, smtp):
    smtp(EscapingHandler())
    run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    assert run.code == 1
    stored = (dist_dir(project) / "state.jsonl").read_text("utf-8") + (dist_dir(project) / "manifest.csv").read_text(
        "utf-8") + (dist_dir(project) / "manifest.json").read_text("utf-8")
    for text in (run.err, run.out, stored):
        assert not any(c in text for c in "\x1b\x07\x9b")
    assert "refused by the server: 550 5.1.1 \\x1b[2J\\x1b]0;pwned\\x07 \\x9b31m no" in run.err


def _trickling_server(stop) -> int:  # type: ignore[no-untyped-def]
    """A server that answers one byte every 0.3 s (until ``stop``), its greeting never complete."""
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()

    def serve() -> None:
        with srv:
            conn, _ = srv.accept()
            with conn:
                for byte in b"220-" + b"x" * 46:  # 15 s: far beyond the deadline, a bounded test without it
                    if stop.wait(0.3):
                        return
                    try:
                        conn.sendall(bytes([byte]))
                    except OSError:
                        return

    threading.Thread(target=serve, daemon=True).start()
    return srv.getsockname()[1]


def test_a_trickling_server_cannot_hold_a_run(project, cli, smtp, monkeypatch):
    import threading

    smtp(Handler())
    stop = threading.Event()
    try:
        monkeypatch.setenv("REPORTGEN_SMTP_PORT", str(_trickling_server(stop)))
        (project / "reportgen.toml").write_text("[distribute]\ntimeout = 2\n", "utf-8")
        run = cli("distribute", SOURCE, "--participants", "participants.csv", "--send", cwd=project)
    finally:
        stop.set()
    assert run.code == 1
    assert run.err_lines[-1] == ("reportgen: error: cannot connect to the SMTP server 127.0.0.1:"
                                 f"{os.environ['REPORTGEN_SMTP_PORT']} (none): no complete answer from the server "
                                 "within 2 s ([distribute] timeout); stopped")
    assert {r["status"] for r in read_manifest(project).values()} == {"pending"}


def test_timeout_setting_is_checked(project, cli):
    (project / "reportgen.toml").write_text("[distribute]\ntimeout = 0\n", "utf-8")
    run = cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    assert run.code == 1 and "distribute.timeout: expected the seconds one message may take (1 to 86400), got 0" in run.err


# --------------------------------------------------------------------------- verify


@pytest.mark.parametrize("name", ["/etc/passwd", "../../../../../../etc/passwd", "sub/../../x.pdf", "C:\\x.pdf",
                                  "link.pdf"])
def test_verify_hashes_only_files_inside_the_manifest_tree(project, cli, tmp_path, name):
    audit = tmp_path / "audit"
    audit.mkdir()
    (audit / "link.pdf").symlink_to("/etc/passwd")
    (audit / "manifest.csv").write_text(f"file,sha256\n{name},{'0' * 64}\n", "utf-8")
    run = cli("verify", "manifest.csv", cwd=audit)
    assert run.code == 1 and len(run.err_lines) == 1
    assert "has " not in run.err  # no hash of any file outside was computed and shown
    if name == "link.pdf":
        assert run.err_lines == ["manifest.csv:2: error: link.pdf: file not found"]
    else:
        assert run.err_lines[0].startswith(f"manifest.csv:2: error: {name!r}: refused: ")


def test_a_message_refused_midway_leaves_the_previous_outbox(project, cli, monkeypatch):
    """The outbox is written whole or not at all: a message refused after others were written
    leaves the previous outbox.mbox and previews as they were, and no temporary file."""
    assert cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project).code == 0
    folder = dist_dir(project)
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    from reportgen.distribute import outgoing
    real, calls = outgoing.compose, []

    def compose(template, body, person, message_id):
        calls.append(person.email)
        if len(calls) == 3:
            raise InputError([Diagnostic("error", "refused for the test", person.location)])
        return real(template, body, person, message_id.replace("@", ".new@"))

    monkeypatch.setattr(outgoing, "compose", compose)
    run = cli("distribute", SOURCE, "--participants", "participants.csv", cwd=project)
    assert (run.code, run.err_lines[-1]) == (1, "participants.csv:3: error: refused for the test")
    assert {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
