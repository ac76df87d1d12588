"""Send each participant the report in their language: manifest, outbox (dry run) or SMTP (``send``).

    participants.csv ──> participants ──> a language per person (fallback chain)
    build_project ──> the PDFs still missing ──> SHA-256 of each
    ──> one e-mail per person (subject and body from the layout catalogs, the PDF attached)
    ──> dry run: <out>/<source>/distribution/outbox.mbox (+ preview/<lang>.eml)   --send: SMTP, one at a time
    ──> <out>/<source>/distribution/manifest.csv + manifest.json; state.jsonl (what was sent)

Sending is idempotent and resumable: ``state.jsonl`` records each recipient *before* the message
goes out ("sending") and after ("sent" or "failed"), appended and flushed to disk each time. A sent message is
never sent again; a failed one is retried on the next run; one left "sending" by a crash is
"uncertain" and is only retried with ``retry_uncertain``. Details: docs/distribution.md.

Every text that reaches a header (names, the subject from the translated title and labels) is
checked by :func:`headers.header_problem`, and each message's bytes are parsed back before they
are written or sent: a message with any header but the expected ones is never written.

Logs and diagnostics carry no personal data except an e-mail address in a delivery error; the SMTP
password comes only from the environment and is never stored or printed.
"""

from __future__ import annotations

import datetime as _dt
import base64
import hashlib
import logging
import os
import re
import smtplib
import time
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import SMTP as SMTP_POLICY
from email.policy import default as DEFAULT_POLICY
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Callable, Mapping, NamedTuple, Sequence

from .. import localize, model
from ..project import Project, resolve_languages, resolve_sources
from ..build.pipeline import build_project, load_reports, load_translators, translated_shares
from ..files import check_output_folder, check_output_paths, replacing, write_atomic
from ..i18n.translator import Translator
from ..errors import Diagnostic, InputError, Location
from . import outgoing
from ..headers import header_problem
from .manifest import OUTBOX, PREVIEWS, DistributionResult, Entry, previous_outbox, verify_manifest, write_manifest
from .participants import Choice, Participant, choose_language, load_participants
from .smtp import ConnectError, RateLimiter, SmtpTransport, Transport, check_transport, mail_settings, printable
from .state import State, locked

__all__ = ["distribute", "verify_manifest", "RateLimiter"]  # verify_manifest: the CLI imports it from here

log = logging.getLogger("reportgen.distribute")

DRY_RUN_SENDER = "reportgen@example.invalid"


# --------------------------------------------------------------------------- messages


def _now() -> _dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
    return _dt.datetime.now(_dt.timezone.utc)


class Letter(NamedTuple):
    """The localized texts of one language's e-mail."""

    subject: str
    body: str


class _Part(NamedTuple):
    text: str
    what: str
    origin: Location | None


def _label(tr: Translator, key: str, **values: str) -> _Part:
    found = tr.lookup(localize.LAYOUT[key][0], f"layout:{key}")
    return _Part(localize.label(tr, key, **values), f"translation of 'layout:{key}'", found.location)


def check_subject(tr: Translator, doc: model.LocalizedReport, kind: str | None) -> None:
    """Refuse a subject that could add a mail header, at the catalog entry (or source line) of the
    text that brings the problem: the translated title, the kind of document or the subject label."""
    document = _label(tr, f"kind-{kind}") if kind and f"kind-{kind}" in localize.LAYOUT else _label(tr, "mail-document")
    title = _Part(doc.title.text, f"title {doc.title.context!r}", doc.title.origin)
    subject = _label(tr, "mail-subject", document=document.text, title=title.text)
    for part in (title, document, subject):
        problem = header_problem(part.text)
        if problem:
            raise InputError([Diagnostic("error", f"{doc.lang}: {part.what} goes into the e-mail's Subject and "
                                         f"{problem}; distribution refused", part.origin)])


class LetterForm:
    """One language's letter with the participant left out: the texts that every participant of the
    language shares are made once; :meth:`fill` adds the name (and the fallback note)."""

    def __init__(self, tr: Translator, doc: model.LocalizedReport, sha256: str) -> None:
        self.tr, self.doc = tr, doc
        self.subject = localize.label(tr, "mail-subject", title=doc.title.text,
                                      document=doc.kind_label or localize.label(tr, "mail-document"))
        self.attached = localize.label(tr, "mail-attached", title=doc.title.text)
        tail = ["", localize.label(tr, "mail-checksum", sha256=sha256), "", localize.label(tr, "mail-closing")]
        self.tail = "\n".join(tail + ([doc.organiser.text] if doc.organiser else [])) + "\n"
        self._notes: dict[str, str] = {}

    def fill(self, name: str, requested: str, choice: Choice) -> Letter:
        lines = [localize.label(self.tr, "mail-greeting", name=name), "", self.attached]
        if choice.rule == "fallback":
            lines.append(self._note(requested))
        return Letter(self.subject, "\n".join(lines) + "\n" + self.tail)

    def _note(self, requested: str) -> str:
        if requested not in self._notes:
            tag = self.doc.tag
            self._notes[requested] = localize.label(
                self.tr, "mail-fallback", requested=localize.language_name(requested, tag),
                language=localize.language_name(self.doc.lang, tag))
        return self._notes[requested]


class Attachment(NamedTuple):
    """A PDF encoded once for every message that carries it: its base64 lines as the SMTP policy
    writes them, and the short stand-in each message is composed with before they replace it."""

    stand_in: bytes
    encoded: bytes


def encode_attachment(data: bytes) -> Attachment:
    stand_in = b"reportgen attachment " + hashlib.sha256(data).hexdigest()[:24].encode()
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n").removesuffix(b"\r\n")
    return Attachment(stand_in, encoded)


def build_message(letter: Letter, person: Participant, sender: str, reply_to: str, tag: str, pdf: Path,
                  pdf_data: bytes | Attachment, message_id: str, date: _dt.datetime) -> EmailMessage:
    """The message; with an :class:`Attachment`, its stand-in is the attachment's content until
    :func:`message_bytes` puts the encoded PDF in its place."""
    for what, text in (("subject", letter.subject), ("name", person.name), ("sender", sender),
                       ("reply_to", reply_to)):
        if header_problem(text):  # checked where each comes from; this guards the composition itself
            raise InputError([Diagnostic("error", f"{what}: {header_problem(text)}", person.location)])
    msg = EmailMessage()
    msg["Subject"] = letter.subject
    msg["From"] = sender
    msg["To"] = Address(display_name=person.name, addr_spec=person.email)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg.set_content(letter.body)
    content = pdf_data.stand_in if isinstance(pdf_data, Attachment) else pdf_data
    msg.add_attachment(content, maintype="application", subtype="pdf", filename=pdf.name)
    msg["Content-Language"] = tag  # after add_attachment, which moves Content-* headers into the first part
    # a boundary derived from the Message-ID keeps the bytes reproducible; "=_" cannot occur in
    # quoted-printable or base64 text, so it cannot collide with the content
    msg.set_boundary("=_reportgen_" + hashlib.sha256(message_id.encode()).hexdigest()[:24])
    return msg


def message_bytes(msg: EmailMessage, person: Participant, attachment: Attachment | None = None) -> bytes:
    """The message as it is written or sent, once its headers are read back as a mail program
    reads them: exactly the headers :func:`build_message` set, each once, the recipient unchanged
    (whatever the interpreter's version does when it folds a header). ``attachment``: the one the
    message was built with, put in place of its stand-in (the same bytes as encoding it here)."""
    data = msg.as_bytes(policy=SMTP_POLICY)
    if attachment is not None:
        marker = base64.b64encode(attachment.stand_in)
        before, found, after = data.partition(b"\r\n" + marker + b"\r\n")
        if not found or marker in after:
            raise InputError([Diagnostic("error", "the e-mail's attachment could not be placed; not written or sent",
                                         person.location)])
        data = b"".join((before, b"\r\n", attachment.encoded, b"\r\n", after))
    if not outgoing.headers_ok(data, person):
        names = BytesHeaderParser(policy=DEFAULT_POLICY).parsebytes(data).keys()
        raise InputError([Diagnostic("error", "the e-mail's headers came out different from those set "
                                     f"(got {', '.join(sorted(set(k.lower() for k in names)))}); not written or sent",
                                     person.location)])
    return data


def message_id(source: str, person: Participant, sha256: str, domain: str) -> str:
    """Deterministic: the same report file for the same person always has the same Message-ID."""
    digest = hashlib.sha256(f"{source}\0{person.key}\0{sha256}".encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


# --------------------------------------------------------------------------- distribute


def _resolve(path: Path, root: Path) -> Path:
    return path if path.is_absolute() or path.exists() else root / path


def _targets(folder: Path, pdfs: Mapping[str, Path], send: bool) -> list[Path]:
    """Every file a run reads or writes in the output folder (the outbox files are checked as planned;
    a dry run reads the state too)."""
    names = ["manifest.csv", "manifest.json", "state.jsonl"] + (["state.lock"] if send else [])
    return [folder / n for n in names] + list(pdfs.values())


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
    min_complete: float | None = None,
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
    password = check_transport(mail, env) if send and transport is None else None

    out_root = out_dir if out_dir is not None else settings.output_path
    if out_dir is None:  # confined like build/ (docs/robustness.md)
        check_output_folder(out_root, settings.root)
    folder = out_root / report.id / "distribution"
    result = DistributionResult(report.id, folder, warnings=list(warnings), sent=send)
    withheld = _withheld(project, report, available, final, min_complete)
    choices = [(p, choose_language(p.language, available, final, withheld)) for p in people]
    langs = sorted({c.lang for _, c in choices})
    pdfs = {lang: out_root / report.id / f"{report.id}.{lang}.pdf" for lang in langs}
    check_output_paths(_targets(folder, pdfs, send), out_root)
    data = _read_pdfs(project, src_path, pdfs, out_root, result)
    hashes = {lang: hashlib.sha256(data[lang]).hexdigest() for lang in langs}
    sender = mail.sender or DRY_RUN_SENDER
    if not mail.sender:
        result.warnings.append(Diagnostic("warning", f"no sender address configured ([distribute] from); "
                                          f"the outbox uses {DRY_RUN_SENDER}"))
    date = _now()
    make = _composer(project, report, data, sender, mail.reply_to, date)
    if not send:
        plan = _plan(result, choices, pdfs, hashes, State.load(folder / "state.jsonl"), retry_uncertain, sender)
        _write_outbox(plan, make, result, out_root, parseaddr(sender)[1], date)
        result.manifests = write_manifest(result)
        return result
    # the lock before the state: a second run waiting for the first must not plan from a stale copy
    with locked(folder / "state.lock"):
        state = State.load(folder / "state.jsonl")
        plan = _plan(result, choices, pdfs, hashes, state, retry_uncertain, sender)
        _send_all(plan, make, state, parseaddr(sender)[1], transport or SmtpTransport(mail, password),
                  limiter or RateLimiter(rate if rate is not None else mail.rate), result)
        result.manifests = write_manifest(result)
    return result


def _withheld(project: Project, report: model.Report, available: Sequence[str], final: str,
              min_complete: float | None) -> dict[str, str]:
    """The languages not offered because their catalog is below the distribution threshold
    (``--min-complete``, else ``[distribute] min_complete``, else 100 %): language -> why. The final
    fallback is always offered."""
    settings = project.settings
    threshold = min_complete if min_complete is not None else settings.distribute.get("min_complete", 100)
    langs = [lang for lang in available if lang != final]
    shares = translated_shares(load_translators(settings, langs), [report])
    return {lang: f"{pct:.0f}% translated" for lang, (pct, _, _) in shares.items() if pct < threshold}


def _read_pdfs(project: Project, src_path: Path, pdfs: Mapping[str, Path], out_root: Path,
               result: DistributionResult) -> dict[str, bytes]:
    """Each language's PDF as the current inputs make it: the build's plan compares every PDF's
    fingerprint (source, catalogs, settings, reportgen) with the one recorded when it was built, and
    renders again each PDF that is missing or out of date before anything is attached. A draft is
    never attached: drafts have names of their own, and a final PDF's fingerprint is a final build's.
    Only regular files inside the output folder are read."""
    built = build_project(project, source_args=[str(src_path)], langs=list(pdfs), formats=["pdf"], out_dir=out_root)
    result.built = [r.path for r in built.built]
    if result.built:
        result.warnings += [w for w in built.warnings if w.code != "fallback-detail"]
    check_output_paths(list(pdfs.values()), out_root)
    return {lang: path.read_bytes() for lang, path in pdfs.items()}


def _composer(project: Project, report: model.Report, data: Mapping[str, bytes], sender: str,
              reply_to: str, date: _dt.datetime) -> Callable[..., bytes]:
    """What makes each entry's message bytes (composed when needed: memory stays flat for long
    lists), once every language's subject has proved safe for a header."""
    settings = project.settings
    langs = sorted(data)
    translators = load_translators(settings, langs)
    docs = {lang: localize.localize(report, translators[lang],
                                    localize.language_tag(lang, settings.language_tags)).report for lang in langs}
    for lang in langs:
        check_subject(translators[lang], docs[lang], report.kind)
    attachments = {lang: encode_attachment(pdf) for lang, pdf in data.items()}  # each PDF encoded once
    forms: dict[tuple[str, str], LetterForm] = {}
    templates: dict[tuple[str, str, bytes], outgoing.Template | None] = {}

    def make(entry: Entry, eol: bytes = b"\r\n") -> bytes:
        """The entry's message, its lines ending in CRLF as sent (or in ``eol``)."""
        lang = entry.choice.lang
        if (lang, entry.sha256) not in forms:
            forms[lang, entry.sha256] = LetterForm(translators[lang], docs[lang], entry.sha256)
        letter = forms[lang, entry.sha256].fill(entry.person.name, entry.requested, entry.choice)
        key = (lang, entry.file.name, eol)
        if key not in templates:  # what every message of the language shares, written once
            template = outgoing.make_template(letter.subject, sender, reply_to, docs[lang].tag, date, entry.file,
                                              data[lang])
            templates[key] = template.with_eol(eol) if template else None
        template = templates[key]
        fast = outgoing.compose(template, letter.body, entry.person, entry.message_id) if template else None
        if fast is not None:
            return fast
        msg = build_message(letter, entry.person, sender, reply_to, docs[lang].tag, entry.file, attachments[lang],
                            entry.message_id, date)
        whole = message_bytes(msg, entry.person, attachments[lang])
        return whole if eol == b"\r\n" else whole.replace(b"\r\n", eol)

    return make


def _plan(result: DistributionResult, choices: Sequence[tuple[Participant, Choice]], pdfs: Mapping[str, Path],
          hashes: Mapping[str, str], state: State, retry_uncertain: bool, sender: str) -> list[Entry]:
    """An entry per participant in ``result``; those still to send (by the state) returned."""
    folder = result.folder
    domain = parseaddr(sender)[1].rpartition("@")[2] or "reportgen.invalid"
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
        entry.message_id = message_id(result.source, person, entry.sha256, domain)
        plan.append(entry)
    return plan


def _write_outbox(plan: Sequence[Entry], make: Callable[..., bytes], result: DistributionResult,
                  out_root: Path, envelope_from: str, date: _dt.datetime) -> None:
    """Write this run's messages into ``outbox.mbox``, and the first message of each language (and
    the first of each language sent as the final fallback) into ``preview/`` as ``.eml`` files.
    Delete only the files an earlier dry run wrote (by its manifest) that this one does not: never
    a file reportgen did not write."""
    folder = result.folder
    result.outbox = folder / OUTBOX
    firsts: dict[str, Entry] = {}
    for entry in plan:
        firsts.setdefault(entry.choice.lang + (".fallback" if entry.choice.rule == "fallback" else ""), entry)
    previews = {id(entry): folder / PREVIEWS / f"{name}.eml" for name, entry in sorted(firsts.items())}
    result.previews = sorted(previews.values())
    stale = [folder / name for name in sorted(previous_outbox(folder) - {_rel(p, folder) for p in result.previews})]
    check_output_paths([result.outbox, *result.previews, *stale], out_root)
    plain = bool(envelope_from) and envelope_from.isascii() and envelope_from.isprintable() and " " not in envelope_from
    envelope = f"From {envelope_from if plain else 'MAILER-DAEMON'} {time.asctime(date.utctimetuple())}\n"
    shown: dict[Path, bytes] = {}
    with replacing(result.outbox) as mbox:  # messages made one at a time: memory stays flat
        for entry in plan:
            mbox.write(envelope.encode("ascii"))
            mbox.write(mbox_text(make(entry, b"\n")))
            mbox.write(b"\n")
            if id(entry) in previews:
                shown[previews[id(entry)]] = make(entry)
    # once every message is made (a refused one leaves the previous files as they were)
    for path, data in shown.items():
        write_atomic(path, data)
    for old in stale:
        if old.is_file():
            old.unlink()
    for old_folder in {old.parent for old in stale} - {folder}:
        _remove_if_empty(old_folder)
    for entry in plan:
        entry.status = "dry-run"


_FROM_LINE = re.compile(rb"^(>*From )", re.MULTILINE)


def mbox_text(data: bytes) -> bytes:
    """A message (its lines ending in LF) as an mbox holds it (mboxrd, RFC 4155): a line that
    starts with "From " (after any ">") gets one more ">", so it cannot be read as the start of the
    next message."""
    return _FROM_LINE.sub(rb">\1", data) if b"From " in data else data


def _rel(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:  # not empty (someone's own files), or already gone
        pass


def _send_all(plan: Sequence[Entry], make: Callable[..., bytes], state: State, envelope_from: str,
              transport: Transport, limiter: RateLimiter, result: DistributionResult) -> None:
    try:
        for entry in plan:
            p = entry.person
            data = make(entry)
            limiter.wait()
            try:
                transport.open()
            except ConnectError as exc:  # nothing of this message went out: it stays pending
                result.errors.append(Diagnostic("error", f"{printable(exc)}; stopped"))
                break
            rel = os.path.relpath(entry.file, state.path.parent)
            state.mark(p.key, status="sending", language=entry.choice.lang, file=rel, sha256=entry.sha256,
                       message_id=entry.message_id)
            try:
                transport.send(data, envelope_from, p.email)
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                _failed(state, entry, result, f"refused by the server: {code} {printable(text)}")
            except smtplib.SMTPResponseException as exc:
                _failed(state, entry, result, f"refused by the server: {exc.smtp_code} {printable(exc.smtp_error)}")
            except (smtplib.SMTPException, OSError) as exc:
                # the connection failed: whether this message went out is unknown
                entry.status = "uncertain"
                entry.detail = f"connection failed while sending: {printable(exc)}"
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


def _failed(state: State, entry: Entry, result: DistributionResult, detail: str) -> None:
    p = entry.person
    attempts = int(state.recipients.get(p.key, {}).get("attempts", 0)) + 1
    state.mark(p.key, status="failed", language=entry.choice.lang, sha256=entry.sha256, error=detail,
               attempts=attempts)
    entry.status, entry.detail = "failed", detail
    result.errors.append(Diagnostic("error", f"{p.email}: {detail} (retried on the next run)", p.location))
