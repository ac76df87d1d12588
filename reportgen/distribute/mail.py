"""Send each participant the report in their language: manifest, outbox (dry run) or SMTP (``send``).

    participants.csv ──> participants ──> a language per person (fallback chain)
    build_project ──> the PDFs still missing ──> SHA-256 of each
    ──> one e-mail per person (subject and body from the layout catalogs, the PDF attached)
    ──> dry run: <out>/<source>/distribution/outbox/*.eml      --send: SMTP, one message at a time
    ──> <out>/<source>/distribution/manifest.csv + manifest.json; state.jsonl (what was sent)

Sending is idempotent and resumable: ``state.jsonl`` records each recipient *before* the message
goes out ("sending") and after ("sent" or "failed"), appended and flushed to disk each time. A sent message is
never sent again; a failed one is retried on the next run; one left "sending" by a crash is
"uncertain" and is only retried with ``retry_uncertain``. Details: docs/distribution.md.

Logs and diagnostics carry no personal data except an e-mail address in a delivery error; the SMTP
password comes only from the environment and is never stored or printed.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import hashlib
import io
import json
import logging
import os
import re
import smtplib
import ssl
import time
from collections import deque
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Protocol, Sequence

from .. import localize, model
from ..project import Project, resolve_languages, resolve_sources
from ..build.pipeline import build_project, load_reports, load_translators
from ..files import write_atomic
from ..i18n.translator import Translator
from ..config import Settings
from ..errors import Diagnostic, InputError, Location, display_path
from .participants import EMAIL_RE, Choice, Participant, choose_language, load_participants

log = logging.getLogger("reportgen.distribute")

PASSWORD_ENV = "REPORTGEN_SMTP_PASSWORD"
ENV = {  # setting -> environment variable that overrides the config file
    "from": "REPORTGEN_MAIL_FROM", "smtp_host": "REPORTGEN_SMTP_HOST", "smtp_port": "REPORTGEN_SMTP_PORT",
    "smtp_security": "REPORTGEN_SMTP_SECURITY", "smtp_user": "REPORTGEN_SMTP_USER",
}
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
DRY_RUN_SENDER = "reportgen@example.invalid"
MANIFEST_COLUMNS = ("line", "name", "email", "organisation", "requested", "language", "rule", "reason",
                    "file", "sha256", "status", "detail", "message_id", "eml")


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class MailSettings:
    sender: str = ""
    reply_to: str = ""
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"  # "starttls" | "tls" | "none"
    user: str = ""
    fallback_language: str = ""
    rate: int = 0  # messages per minute; 0 = no limit


def mail_settings(settings: Settings, env: Mapping[str, str] | None = None) -> MailSettings:
    """The ``[distribute]`` table, each value overridable by its environment variable (``ENV``)."""
    env = os.environ if env is None else env
    table = dict(settings.distribute)
    where = Location(settings.config_path) if settings.config_path else None
    for key, var in ENV.items():
        if env.get(var, "").strip():
            table[key] = env[var].strip()
            where = None
    security = str(table.get("smtp_security", "starttls")).lower()
    if security not in DEFAULT_PORTS:
        raise InputError([Diagnostic("error", f"smtp_security: expected starttls, tls or none, got {security!r}",
                                     where)])
    try:
        port = int(table.get("smtp_port", DEFAULT_PORTS[security]))
    except ValueError:
        raise InputError([Diagnostic("error", f"smtp_port: expected a number, got {table['smtp_port']!r}",
                                     where)]) from None
    sender = str(table.get("from", ""))
    for key in ("from", "reply_to"):
        value = str(table.get(key, ""))
        if value and not EMAIL_RE.match(parseaddr(value)[1]):
            raise InputError([Diagnostic("error", f"distribute.{key}: {value!r} is not an e-mail address "
                                         "(write 'Name <address@example.org>' or 'address@example.org')", where)])
    rate = table.get("rate", 0)
    if not isinstance(rate, int) or rate < 0:
        raise InputError([Diagnostic("error", f"distribute.rate: expected a number of messages per minute, "
                                     f"got {rate!r}", where)])
    return MailSettings(sender=sender, reply_to=str(table.get("reply_to", "")),
                        host=str(table.get("smtp_host", "localhost")), port=port, security=security,
                        user=str(table.get("smtp_user", "")),
                        fallback_language=str(table.get("fallback_language", "")),
                        rate=rate)


# --------------------------------------------------------------------------- rate limit


class RateLimiter:
    """At most ``per_minute`` messages in any 60-second window. ``clock`` and ``sleep`` are
    injectable so that the logic is tested without waiting."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if per_minute < 0:
            raise ValueError("per_minute must be >= 0")
        self.per_minute = per_minute
        self.clock = clock
        self.sleep = sleep
        self.times: deque[float] = deque(maxlen=per_minute or None)

    def wait(self) -> float:
        """Block until one more message may go, count it, and return the seconds waited."""
        if not self.per_minute:
            return 0.0
        now = self.clock()
        waited = 0.0
        if len(self.times) == self.per_minute:
            ready = self.times[0] + 60.0
            if ready > now:
                waited = ready - now
                self.sleep(waited)
                now = max(self.clock(), ready)
        self.times.append(now)
        return waited


# --------------------------------------------------------------------------- state


@dataclass
class State:
    """What was sent, as an append-only journal (``state.jsonl``): one JSON record per line,
    ``{"key": address, "status": ..., "at": ...}``; the last record of a key is its state.

    Each record is appended and flushed to disk (fsync) before the run goes on, so the cost per
    message does not grow with the list, and a crash can at most cut the last line short: such a
    line is ignored (a cut "sending" record means the message was not handed over yet; a cut "sent"
    record leaves the "sending" before it, so the message counts as uncertain, never as unsent)."""

    path: Path
    recipients: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Byte offset of a last line cut short by a crash; it is cut off before the next record.
    torn_at: int | None = None

    @classmethod
    def load(cls, path: Path) -> "State":
        state = cls(path)
        if not path.exists():
            return state
        shown = display_path(path)
        data = path.read_bytes()
        lines = data.split(b"\n")
        for n, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
                key = record.pop("key")
                if not isinstance(key, str) or not isinstance(record.get("status"), str):
                    raise ValueError("expected a key and a status")
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                if n == len(lines):  # the last line, without its newline: cut short by a crash
                    state.torn_at = len(data) - len(raw)
                    continue
                raise InputError([Diagnostic("error", f"state file damaged ({exc}); it records what was "
                                             "sent: repair it by hand rather than deleting it",
                                             Location(shown, n))]) from None
            state.recipients[key] = record
        return state

    def mark(self, key: str, **record: Any) -> None:
        record["at"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        self.recipients[key] = record
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"key": key, **record}, ensure_ascii=False, sort_keys=True) + "\n"
        with self.path.open("ab") as f:
            if self.torn_at is not None:
                f.truncate(self.torn_at)
                self.torn_at = None
            f.write(line.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One sending run per distribution folder at a time (advisory lock, released by the OS on exit)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise InputError([Diagnostic("error", "another 'reportgen distribute --send' is running for this "
                                         "source", Location(display_path(path)))]) from None
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


# --------------------------------------------------------------------------- messages


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _now() -> _dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
    return _dt.datetime.now(_dt.timezone.utc)


@dataclass(frozen=True)
class Letter:
    """The localized texts of one language's e-mail."""

    subject: str
    body: str


def compose_letter(tr: Translator, doc: model.LocalizedReport, name: str, requested: str,
                   choice: Choice, sha256: str) -> Letter:
    tag = doc.tag
    subject = localize.label(tr, "mail-subject", document=doc.kind_label or localize.label(tr, "mail-document"),
                             title=doc.title.text)
    lines = [localize.label(tr, "mail-greeting", name=name), "",
             localize.label(tr, "mail-attached", title=doc.title.text)]
    if choice.rule == "fallback":
        lines.append(localize.label(tr, "mail-fallback", requested=localize.language_name(requested, tag),
                                    language=localize.language_name(choice.lang, tag)))
    lines += ["", localize.label(tr, "mail-checksum", sha256=sha256), "", localize.label(tr, "mail-closing")]
    if doc.organiser:
        lines.append(doc.organiser.text)
    return Letter(subject, "\n".join(lines) + "\n")


def build_message(letter: Letter, person: Participant, sender: str, reply_to: str, tag: str, pdf: Path,
                  pdf_data: bytes, message_id: str, date: _dt.datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = letter.subject
    msg["From"] = sender
    msg["To"] = Address(display_name=person.name, addr_spec=person.email)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg.set_content(letter.body)
    msg.add_attachment(pdf_data, maintype="application", subtype="pdf", filename=pdf.name)
    msg["Content-Language"] = tag  # after add_attachment, which moves Content-* headers into the first part
    # a boundary derived from the Message-ID keeps the bytes reproducible; "=_" cannot occur in
    # quoted-printable or base64 text, so it cannot collide with the content
    msg.set_boundary("=_reportgen_" + hashlib.sha256(message_id.encode()).hexdigest()[:24])
    return msg


def message_id(source: str, person: Participant, sha256: str, sender: str) -> str:
    """Deterministic: the same report file for the same person always has the same Message-ID."""
    digest = hashlib.sha256(f"{source}\0{person.key}\0{sha256}".encode()).hexdigest()[:32]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "reportgen.invalid"
    return f"<{digest}@{domain}>"


# --------------------------------------------------------------------------- SMTP


class Transport(Protocol):
    def open(self) -> None: ...
    def send(self, msg: EmailMessage, sender: str, recipient: str) -> None: ...
    def close(self) -> None: ...


class ConnectError(Exception):
    """The SMTP server could not be reached or refused the login: nothing was sent."""


def _tls_context() -> ssl.SSLContext:
    """Certificates are checked against the system's authorities (tests trust their own)."""
    return ssl.create_default_context()


class SmtpTransport:
    """One SMTP connection, reopened when the server has dropped it between messages."""

    def __init__(self, mail: MailSettings, password: str | None):
        self.mail = mail
        self.password = password
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connect (or check the connection with a NOOP, which sends no mail) before a message."""
        if self.smtp is not None:
            try:
                self.smtp.noop()
                return
            except (smtplib.SMTPException, OSError):
                self.close()
        m = self.mail
        try:
            if m.security == "tls":
                self.smtp = smtplib.SMTP_SSL(m.host, m.port, timeout=60, context=_tls_context())
            else:
                self.smtp = smtplib.SMTP(m.host, m.port, timeout=60)
                if m.security == "starttls":
                    self.smtp.starttls(context=_tls_context())
            if m.user:
                self.smtp.login(m.user, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise ConnectError(f"the SMTP server refused the login of {m.user!r}: {exc.smtp_code} "
                               f"{_text(exc.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise ConnectError(f"cannot connect to the SMTP server {m.host}:{m.port} ({m.security}): "
                               f"{exc}") from None

    def send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        assert self.smtp is not None, "open() first"
        self.smtp.send_message(msg, from_addr=sender, to_addrs=[recipient])

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None


def _check_transport(mail: MailSettings, env: Mapping[str, str]) -> str | None:
    if not mail.sender:
        raise InputError("distribute: no sender address: set 'from' in the [distribute] table of the config "
                         f"(or {ENV['from']}) before --send")
    password = env.get(PASSWORD_ENV) or None
    if mail.user and not password:
        raise InputError(f"distribute: the SMTP user is set but {PASSWORD_ENV} is not; the password is read "
                         "only from that environment variable")
    if mail.user and mail.security == "none" and mail.host not in ("localhost", "127.0.0.1", "::1"):
        raise InputError(f"distribute: refusing to send the SMTP password unencrypted to {mail.host}; "
                         "set smtp_security to 'starttls' or 'tls'")
    return password


# --------------------------------------------------------------------------- distribute


@dataclass
class Entry:
    person: Participant
    requested: str
    choice: Choice
    file: Path
    sha256: str
    status: str = "pending"  # dry-run | sent | already-sent | failed | uncertain | pending
    detail: str = ""
    message_id: str = ""
    eml: Path | None = None


@dataclass
class DistributionResult:
    source: str
    folder: Path
    entries: list[Entry] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)  # delivery failures (with addresses)
    built: list[Path] = field(default_factory=list)
    manifests: tuple[Path, ...] = ()
    outbox: Path | None = None
    sent: bool = False  # True for --send


def _resolve(path: Path, root: Path) -> Path:
    return path if path.is_absolute() or path.exists() else root / path


def distribute(
    project: Project,
    source: str,
    participants_file: str | Path,
    *,
    out_dir: Path | None = None,
    send: bool = False,
    rate: int | None = None,
    fallback: str | None = None,
    retry_uncertain: bool = False,
    env: Mapping[str, str] | None = None,
    transport: Transport | None = None,
    limiter: RateLimiter | None = None,
) -> DistributionResult:
    """Plan, write the outbox (dry run) or send, and write the manifest. Input problems raise
    :class:`InputError` before anything is sent; delivery failures are in ``result.errors``."""
    env = os.environ if env is None else env
    settings = project.settings
    mail = mail_settings(settings, env)
    people, warnings = load_participants(_resolve(Path(participants_file), settings.root), settings.root)
    (src_path, report), = load_reports(settings, resolve_sources(settings, [source]))
    available = resolve_languages(settings, None)
    final = fallback or mail.fallback_language or settings.source_language
    if final not in available:
        raise InputError(f"distribute: the final fallback language {final!r} is not built; "
                         f"choose from {', '.join(available)}")
    password = _check_transport(mail, env) if send and transport is None else None

    out_root = out_dir if out_dir is not None else settings.output_path
    folder = out_root / report.id / "distribution"
    result = DistributionResult(report.id, folder, warnings=list(warnings), sent=send)
    choices = [(p, choose_language(p.language, available, final)) for p in people]
    langs = sorted({c.lang for _, c in choices})
    pdfs = {lang: out_root / report.id / f"{report.id}.{lang}.pdf" for lang in langs}
    missing = [lang for lang in langs if not pdfs[lang].is_file()]
    if missing:
        built = build_project(project, source_args=[str(src_path)], langs=missing, formats=["pdf"], out_dir=out_root)
        result.built = [r.path for r in built.results]
        result.warnings += [w for w in built.warnings if w.code != "fallback-detail"]
    data = {lang: pdfs[lang].read_bytes() for lang in langs}
    hashes = {lang: hashlib.sha256(data[lang]).hexdigest() for lang in langs}

    translators = load_translators(settings, langs)
    docs = {lang: localize.localize(report, translators[lang],
                                    localize.language_tag(lang, settings.language_tags)).report for lang in langs}
    sender = mail.sender or DRY_RUN_SENDER
    if not mail.sender:
        result.warnings.append(Diagnostic("warning", f"no sender address configured ([distribute] from); "
                                          f"the outbox uses {DRY_RUN_SENDER}"))
    date = _now()
    state = State.load(folder / "state.jsonl")

    def make(entry: Entry) -> EmailMessage:  # composed when needed: memory stays flat for long lists
        lang = entry.choice.lang
        letter = compose_letter(translators[lang], docs[lang], entry.person.name, entry.requested, entry.choice,
                                entry.sha256)
        return build_message(letter, entry.person, sender, mail.reply_to, docs[lang].tag, entry.file, data[lang],
                             entry.message_id, date)

    plan: list[Entry] = []
    for person, choice in choices:
        entry = Entry(person, person.language, choice, pdfs[choice.lang], hashes[choice.lang])
        result.entries.append(entry)
        record = state.recipients.get(person.key, {})
        status = record.get("status")
        if status == "sent":
            entry.status, entry.message_id = "already-sent", record.get("message_id", "")
            entry.file = folder / record.get("file", os.path.relpath(entry.file, folder))
            entry.sha256 = record.get("sha256", entry.sha256)
            entry.detail = f"sent {record.get('at', '')}".strip()
            if record.get("sha256") != hashes[choice.lang] or record.get("language") != choice.lang:
                result.warnings.append(Diagnostic(
                    "warning", "the report was sent before this version of it; not sent again "
                    "(see 'Sending a new version' in docs/distribution.md)", person.location))
            continue
        if status == "sending" and not retry_uncertain:
            entry.status = "uncertain"
            entry.detail = "a previous run stopped while sending; not retried without --retry-uncertain"
            result.warnings.append(Diagnostic("warning", f"{person.email}: {entry.detail}", person.location))
            continue
        entry.message_id = message_id(report.id, person, entry.sha256, sender)
        plan.append(entry)

    if send:
        _send_all(plan, make, state, sender, transport or SmtpTransport(mail, password),
                  limiter or RateLimiter(rate if rate is not None else mail.rate), result)
    else:
        result.outbox = folder / "outbox"
        _write_outbox(plan, make, result.outbox, result.entries)
    result.manifests = write_manifest(result)
    return result


def _write_outbox(plan: Sequence[Entry], make: Callable[[Entry], EmailMessage], outbox: Path,
                  entries: list[Entry]) -> None:
    outbox.mkdir(parents=True, exist_ok=True)
    index = {id(e): n for n, e in enumerate(entries, 1)}
    for entry in plan:
        entry.eml = outbox / f"{index[id(entry)]:03d}.{entry.choice.lang}.eml"
    wanted = {e.eml.name for e in plan if e.eml}
    for old in outbox.glob("*.eml"):  # the outbox holds this run's plan only
        if old.name not in wanted:
            old.unlink()
    for entry in plan:
        assert entry.eml is not None
        data = make(entry).as_bytes(policy=SMTP_POLICY)
        if not entry.eml.is_file() or entry.eml.read_bytes() != data:
            write_atomic(entry.eml, data)
        entry.status = "dry-run"


def _send_all(plan: Sequence[Entry], make: Callable[[Entry], EmailMessage], state: State, sender: str,
              transport: Transport, limiter: RateLimiter, result: DistributionResult) -> None:
    envelope_from = parseaddr(sender)[1]
    with _locked(state.path.with_name("state.lock")):
        try:
            for entry in plan:
                p = entry.person
                msg = make(entry)
                limiter.wait()
                try:
                    transport.open()
                except ConnectError as exc:  # nothing of this message went out: it stays pending
                    result.errors.append(Diagnostic("error", f"{exc}; stopped"))
                    break
                rel = os.path.relpath(entry.file, state.path.parent)
                state.mark(p.key, status="sending", language=entry.choice.lang, file=rel, sha256=entry.sha256,
                           message_id=entry.message_id)
                try:
                    transport.send(msg, envelope_from, p.email)
                except smtplib.SMTPRecipientsRefused as exc:
                    code, text = next(iter(exc.recipients.values()))
                    _failed(state, entry, result, f"refused by the server: {code} {_text(text)}")
                except smtplib.SMTPResponseException as exc:
                    _failed(state, entry, result, f"refused by the server: {exc.smtp_code} {_text(exc.smtp_error)}")
                except (smtplib.SMTPException, OSError) as exc:
                    # the connection failed: whether this message went out is unknown
                    entry.status = "uncertain"
                    entry.detail = f"connection failed while sending: {exc}"
                    result.errors.append(Diagnostic("error", f"{p.email}: {entry.detail}; stopped (the next run "
                                                    "retries the others; this one only with --retry-uncertain)",
                                                    p.location))
                    break
                else:
                    state.mark(p.key, status="sent", language=entry.choice.lang, file=rel, sha256=entry.sha256,
                               message_id=entry.message_id)
                    entry.status = "sent"
                    log.info("sent %s", entry.message_id)
        finally:
            transport.close()


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _failed(state: State, entry: Entry, result: DistributionResult, detail: str) -> None:
    p = entry.person
    attempts = int(state.recipients.get(p.key, {}).get("attempts", 0)) + 1
    state.mark(p.key, status="failed", language=entry.choice.lang, sha256=entry.sha256, error=detail,
               attempts=attempts)
    entry.status, entry.detail = "failed", detail
    result.errors.append(Diagnostic("error", f"{p.email}: {detail} (retried on the next run)", p.location))


# --------------------------------------------------------------------------- manifest


def _rows(result: DistributionResult) -> list[dict[str, str]]:
    rows = []
    for e in result.entries:
        p = e.person
        rows.append({
            "line": str(p.location.line), "name": p.name, "email": p.email, "organisation": p.organisation,
            "requested": e.requested, "language": e.choice.lang, "rule": e.choice.rule, "reason": e.choice.reason,
            "file": Path(os.path.relpath(e.file, result.folder)).as_posix(), "sha256": e.sha256,
            "status": e.status, "detail": e.detail, "message_id": e.message_id,
            "eml": Path(os.path.relpath(e.eml, result.folder)).as_posix() if e.eml else "",
        })
    return rows


def _cell(value: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula: a name from a registration
    form must not (CSV injection). The apostrophe makes it text; manifest.json keeps the raw value."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_manifest(result: DistributionResult) -> tuple[Path, Path]:
    rows = _rows(result)
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _cell(v) if k in ("name", "organisation", "detail") else v for k, v in r.items()}
                     for r in rows)
    csv_path = result.folder / "manifest.csv"
    write_atomic(csv_path, buf.getvalue().encode("utf-8"))
    head = {"source": result.source, "mode": "send" if result.sent else "dry-run",
            "algorithm": "sha256", "files relative to": "this manifest's folder"}
    lines = json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "entries": [\n'
    lines += ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in rows) + "\n ]\n}\n"
    json_path = result.folder / "manifest.json"
    write_atomic(json_path, lines.encode("utf-8"))
    return csv_path, json_path


# --------------------------------------------------------------------------- verify


@dataclass
class VerifyResult:
    checked: int
    mismatches: list[Diagnostic]


def _manifest_rows(path: Path, shown: str) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text("utf-8-sig")
    except FileNotFoundError:
        raise InputError([Diagnostic("error", "no such manifest", Location(shown))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Diagnostic("error", f"cannot read the manifest: {exc}", Location(shown))]) from None
    if path.suffix.lower() == ".json":
        try:
            entries = json.loads(text)["entries"]
            rows = [{k: str(v) for k, v in e.items()} for e in entries]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError([Diagnostic("error", f"not a reportgen manifest ({exc})", Location(shown))]) from None
        lines = [n for n, line in enumerate(text.splitlines(), 1) if re.search(r'"sha256"\s*:', line)]
        if len(lines) != len(rows):
            lines = [0] * len(rows)
        return list(zip(lines, rows))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    out = []
    line = 1
    for row in reader:
        out.append((line + 1, row))
        line = reader.line_num
    if reader.fieldnames is None or not {"file", "sha256"} <= set(reader.fieldnames):
        raise InputError([Diagnostic("error", "not a reportgen manifest: needs the columns 'file' and 'sha256'",
                                     Location(shown, 1))])
    return out


def verify_manifest(manifest: str | Path) -> VerifyResult:
    """Re-hash every file of a manifest (CSV or JSON). A file is looked for at its path relative to
    the manifest, then beside the manifest (a copy received by e-mail)."""
    path = Path(manifest)
    shown = display_path(path)
    seen: set[tuple[str, str]] = set()
    bad: list[Diagnostic] = []
    for line, row in _manifest_rows(path, shown):
        name, want = row.get("file", ""), row.get("sha256", "").lower()
        if (name, want) in seen or not name:
            continue
        seen.add((name, want))
        loc = Location(shown, line)
        candidates = [path.parent / name, path.parent / Path(name).name]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            bad.append(Diagnostic("error", f"{name}: file not found", loc))
            continue
        got = sha256_file(found)
        if got != want:
            bad.append(Diagnostic("error", f"{name}: SHA-256 mismatch: the manifest says {want}, "
                                  f"{display_path(found)} has {got}", loc))
    return VerifyResult(len(seen), bad)
