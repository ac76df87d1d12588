"""Sending: the ``[distribute]`` settings, the rate limit and the SMTP connection.

Every message has an overall deadline (``timeout`` in ``[distribute]``, 120 s by default): a
server that answers one byte at a time cannot hold a run for ever. What a server answers is shown
and stored only with its control characters escaped (a terminal escape code in a reply is text).
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import socket
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Callable, Mapping, Protocol

from ..config import Settings
from ..errors import Diagnostic, InputError, Location
from ..headers import header_problem
from .participants import EMAIL_RE

PASSWORD_ENV = "REPORTGEN_SMTP_PASSWORD"
ENV = {  # setting -> environment variable that overrides the config file
    "from": "REPORTGEN_MAIL_FROM", "smtp_host": "REPORTGEN_SMTP_HOST", "smtp_port": "REPORTGEN_SMTP_PORT",
    "smtp_security": "REPORTGEN_SMTP_SECURITY", "smtp_user": "REPORTGEN_SMTP_USER",
}
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
#: seconds one message may take, connection included ([distribute] timeout)
DEFAULT_TIMEOUT = 120.0
#: seconds one read or write on the connection may wait (at most the deadline)
SOCKET_TIMEOUT = 60.0


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
    timeout: float = DEFAULT_TIMEOUT  # seconds per message, connecting included


def _fail(message: str, where: Location | None) -> InputError:
    return InputError([Diagnostic("error", message, where)])


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
        raise _fail(f"smtp_security: expected starttls, tls or none, got {security!r}", where)
    try:
        port = int(table.get("smtp_port", DEFAULT_PORTS[security]))
    except ValueError:
        raise _fail(f"smtp_port: expected a number, got {table['smtp_port']!r}", where) from None
    sender = str(table.get("from", ""))
    for key in ("from", "reply_to"):
        value = str(table.get(key, ""))
        if header_problem(value):
            raise _fail(f"distribute.{key}: {header_problem(value)}", where)
        if value and not EMAIL_RE.match(parseaddr(value)[1]):
            raise _fail(f"distribute.{key}: {value!r} is not an e-mail address "
                        "(write 'Name <address@example.org>' or 'address@example.org')", where)
    rate = table.get("rate", 0)
    if not isinstance(rate, int) or rate < 0:
        raise _fail(f"distribute.rate: expected a number of messages per minute, got {rate!r}", where)
    timeout = table.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 86400:
        raise _fail(f"distribute.timeout: expected the seconds one message may take (1 to 86400), "
                    f"got {timeout!r}", where)
    return MailSettings(sender=sender, reply_to=str(table.get("reply_to", "")),
                        host=str(table.get("smtp_host", "localhost")), port=port, security=security,
                        user=str(table.get("smtp_user", "")),
                        fallback_language=str(table.get("fallback_language", "")),
                        rate=rate, timeout=float(timeout))


def check_transport(mail: MailSettings, env: Mapping[str, str]) -> str | None:
    """The SMTP password (from the environment only), once the settings allow sending at all."""
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


# --------------------------------------------------------------------------- server text

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(raw: bytes | str | object) -> str:
    """A server's answer (or an error about it) as one line of plain text: control characters,
    terminal escape codes among them, are written as ``\\x1b``."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if m.group() < "\u0100"
                            else f"\\u{ord(m.group()):04x}", text)


# --------------------------------------------------------------------------- SMTP


class Transport(Protocol):
    def open(self) -> None: ...
    def send(self, data: bytes, sender: str, recipient: str) -> None: ...
    def close(self) -> None: ...


class ConnectError(Exception):
    """The SMTP server could not be reached or refused the login: nothing was sent."""


class DeadlineError(OSError):
    """The server did not finish with one message within the deadline."""


class _Watched:
    """An SMTP connection that shows itself to its deadline's watchdog as soon as it connects
    (the constructor connects and reads the greeting, which a slow server can make last)."""

    def __init__(self, watch: Callable[[smtplib.SMTP], None], **kwargs: object) -> None:
        self.watch = watch
        super().__init__(**kwargs)  # type: ignore[call-arg]

    def connect(self, host: str = "localhost", port: int = 0, source_address: object = None):  # type: ignore[no-untyped-def]
        self.watch(self)  # type: ignore[arg-type]
        return super().connect(host, port, source_address)  # type: ignore[misc]


class _SMTP(_Watched, smtplib.SMTP):
    pass


class _SMTP_SSL(_Watched, smtplib.SMTP_SSL):
    pass


def _tls_context() -> ssl.SSLContext:
    """Certificates are checked against the system's authorities (tests trust their own)."""
    return ssl.create_default_context()


class SmtpTransport:
    """One SMTP connection, reopened when the server has dropped it between messages.

    ``open`` starts the message's deadline and ``send`` ends it; when it passes, a watchdog
    thread shuts the socket down, which ends whatever read or write the connection is waiting in."""

    def __init__(self, mail: MailSettings, password: str | None):
        self.mail = mail
        self.password = password
        self.smtp: smtplib.SMTP | None = None
        self._connecting: smtplib.SMTP | None = None  # the connection the deadline watches
        self._watchdog: threading.Timer | None = None
        self._expired = False

    def _start_deadline(self) -> None:
        self._stop_deadline()
        self._expired = False
        self._watchdog = threading.Timer(self.mail.timeout, self._expire)
        self._watchdog.daemon = True
        self._watchdog.start()

    def _stop_deadline(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    def _expire(self) -> None:
        self._expired = True
        sock = getattr(self._connecting, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's, also under TLS

    def _watch(self, smtp: smtplib.SMTP) -> None:
        self._connecting = smtp

    def _late(self, exc: BaseException) -> BaseException:
        if self._expired:
            return DeadlineError(f"no complete answer from the server within {self.mail.timeout:g} s "
                                 "([distribute] timeout)")
        return exc

    def open(self) -> None:
        """Connect (or check the connection with a NOOP, which sends no mail) before a message."""
        self._start_deadline()
        if self.smtp is not None:
            try:
                self.smtp.noop()
                return
            except (smtplib.SMTPException, OSError):
                self._drop()
                if self._expired:
                    self._stop_deadline()
                    raise ConnectError(f"the SMTP server {self.mail.host}:{self.mail.port} stopped answering: "
                                       f"{self._late(OSError())}") from None
        m = self.mail
        timeout = min(SOCKET_TIMEOUT, m.timeout)
        try:
            if m.security == "tls":
                self.smtp = _SMTP_SSL(self._watch, host=m.host, port=m.port, timeout=timeout, context=_tls_context())
            else:
                self.smtp = _SMTP(self._watch, host=m.host, port=m.port, timeout=timeout)
            if m.security == "starttls":
                self.smtp.starttls(context=_tls_context())
            if m.user:
                self.smtp.login(m.user, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            self._drop()
            self._stop_deadline()
            raise ConnectError(f"the SMTP server refused the login of {m.user!r}: {exc.smtp_code} "
                               f"{printable(exc.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            self._stop_deadline()
            raise ConnectError(f"cannot connect to the SMTP server {m.host}:{m.port} ({m.security}): "
                               f"{printable(self._late(exc))}") from None

    def send(self, data: bytes, sender: str, recipient: str) -> None:
        """Send the message's bytes as they are (checked by ``mail.message_bytes``)."""
        assert self.smtp is not None, "open() first"
        try:
            self.smtp.sendmail(sender, [recipient], data)
        except (smtplib.SMTPException, OSError) as exc:
            late = self._late(exc)
            if late is not exc:
                self._drop()
                raise late from None
            raise
        finally:
            self._stop_deadline()

    def _drop(self) -> None:
        for smtp in {id(s): s for s in (self.smtp, self._connecting) if s is not None}.values():
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.close()
        self.smtp = self._connecting = None

    def close(self) -> None:
        self._stop_deadline()
        if self.smtp is not None:
            self._start_deadline()  # QUIT too must not wait for ever
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self._stop_deadline()
            self._drop()
