"""Two ``reportgen distribute --send`` runs at once never deliver a message twice (issue 18).

Real processes (``python -m reportgen``) send to a local aiosmtpd server on 127.0.0.1; every
delivery is counted per recipient.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller

from .conftest import REPO
from .test_distribute import SOURCE, Handler, _free_port, dist_dir, project  # noqa: F401 - fixture

LANGS = ("en", "fr", "es", "pt-BR")
BUILT = ("en", "fr", "es", "pt")  # the language each of LANGS gets


def _people(project: Path, n: int) -> None:
    rows = [f"Person {i},p{i}@example.org,{LANGS[i % len(LANGS)]}" for i in range(n)]
    (project / "p.csv").write_text("name,email,language\n" + "\n".join(rows) + "\n", "utf-8")


def _env(port: int) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), REPORTGEN_SMTP_HOST="127.0.0.1", REPORTGEN_SMTP_PORT=str(port),
               REPORTGEN_SMTP_SECURITY="none", REPORTGEN_MAIL_FROM="Consultations <consult@example.org>")
    env.pop("REPORTGEN_SMTP_PASSWORD", None)
    return env


def test_two_send_runs_at_once_deliver_each_message_once(project, cli):
    """The case that raced: a list of thousands, all sent but the few just added, sent again by
    two runs at once. Each run reads the list and the state for a while; before the fix, a run that
    read the state while the other was about to send planned from a stale copy and took the lock
    after the other had let it go: 4 of 5 rounds duplicated the new messages with 20,000
    participants, 2 of 5 with 5,000 (a race: this test of 4 rounds of 6,000 catches it only
    sometimes; the next test shows the order of lock and state every time)."""
    n, new = 6000, 2
    _people(project, n)
    assert cli("build", SOURCE, "--format", "pdf", "-q", cwd=project).code == 0
    pdfs = project / "build" / SOURCE
    hashes = {lang: hashlib.sha256((pdfs / f"{SOURCE}.{lang}.pdf").read_bytes()).hexdigest() for lang in BUILT}
    handler = Handler()
    port = _free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    outcomes = []
    try:
        for _ in range(4):
            dist_dir(project).mkdir(parents=True, exist_ok=True)
            with (dist_dir(project) / "state.jsonl").open("w", encoding="utf-8") as f:
                for i in range(new, n):  # everyone sent before, except the first `new`
                    lang = BUILT[i % len(BUILT)]
                    f.write(json.dumps({"key": f"p{i}@example.org", "status": "sent", "language": lang,
                                        "file": f"../{SOURCE}.{lang}.pdf", "sha256": hashes[lang],
                                        "message_id": f"<{i}@example.org>", "at": "2024-01-18"}) + "\n")
            cmd = [sys.executable, "-m", "reportgen", "distribute", SOURCE, "--participants", "p.csv", "--send", "-q"]
            procs = [subprocess.Popen(cmd, cwd=project, env=_env(port), stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for _ in range(2)]
            round_ = len(handler.messages)
            for p in procs:
                _, err = p.communicate(timeout=120)
                outcomes.append((p.returncode, err))
            counts = Counter(r for rcpts, _ in handler.messages[round_:] for r in rcpts)
            assert counts == {f"p{i}@example.org": 1 for i in range(new)}  # each new one exactly once
    finally:
        server.stop()
    for code, err in outcomes:  # each run either sent, found everything sent, or met the other's lock
        assert code == 0 or err.strip().endswith("error: another 'reportgen distribute --send' is running for "
                                                 "this source"), err


def test_the_lock_is_taken_before_the_state_is_read(project, cli, monkeypatch):
    """A run that finds the lock taken stops before it reads state.jsonl (which the other run is
    writing): it cannot plan from a stale copy. Here the state is unreadable: the lock comes first."""
    monkeypatch.setenv("REPORTGEN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("REPORTGEN_SMTP_PORT", str(_free_port()))
    monkeypatch.setenv("REPORTGEN_SMTP_SECURITY", "none")
    monkeypatch.setenv("REPORTGEN_MAIL_FROM", "consult@example.org")
    _people(project, 3)
    folder = dist_dir(project)
    folder.mkdir(parents=True)
    (folder / "state.jsonl").write_text("{damaged\n{}\n", "utf-8")
    with open(folder / "state.lock", "wb") as other_run:
        fcntl.flock(other_run.fileno(), fcntl.LOCK_EX)
        run = cli("distribute", SOURCE, "--participants", "p.csv", "--send", cwd=project)
    assert (run.code, run.err_lines) == (1, [f"build/{SOURCE}/distribution/state.lock: error: another "
                                             "'reportgen distribute --send' is running for this source"])
    run = cli("distribute", SOURCE, "--participants", "p.csv", "--send", cwd=project)
    assert run.code == 1 and "state.jsonl:1: error: state file damaged" in run.err
