"""Real mail servers on the loopback for the e-mail tests.

``smtp_server``: aiosmtpd in a thread on a free port, with AUTH (any user, password
"smtp-secret"), recording every accepted mail; ``smtp_server.refuse`` scripts SMTP errors.
``imap_server``: Debian's dovecot as a throwaway instance (temporary maildir, passwd-file user
``support@example.com`` / ``imap-secret``, no system configuration), started per test. Without
dovecot the IMAP tests fail loudly under CI=true and are skipped with the reason otherwise.
"""

from __future__ import annotations

import getpass
import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

IMAP_USER = "support@example.com"
IMAP_PASSWORD = "imap-secret"
SMTP_PASSWORD = "smtp-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class SmtpServer:
    port: int = 0
    mails: list[ReceivedMail] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # e.g. "451 4.3.0 later", used in order

    def refuse(self, reply: str) -> None:
        self.refusals.append(reply)

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.refusals:
            return self.refusals.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        raw = bytes(envelope.original_content or b"")
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.mails.append(
            ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), message, raw)
        )
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword) and data.password.decode() == SMTP_PASSWORD:
            self.logins.append(data.login.decode())
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(port=free_port())
    controller = Controller(
        server,
        hostname="127.0.0.1",
        port=server.port,
        authenticator=server.authenticate,
        auth_require_tls=False,
        decode_data=False,
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (path for path in ("/usr/sbin/dovecot",) if os.access(path, os.X_OK)), None
    )


@dataclass
class ImapServer:
    port: int
    root: Path
    process: subprocess.Popen[bytes]
    command: list[str]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def restart(self) -> None:
        """Stop and start the server again on the same maildir (mail and UIDs stay)."""
        self.stop()
        self.process = start_process(self.command, self.port, self.root)

    def client(self) -> imaplib.IMAP4:
        # generous: dovecot starts its auth process on the first login, slow on a loaded machine
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=60)
        client.login(IMAP_USER, IMAP_PASSWORD)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            status, _data = client.append(folder, None, None, raw.replace(b"\r\n", b"\n"))
            assert status == "OK"
        finally:
            client.logout()

    def list_mail(self, folder: str = "INBOX") -> list[tuple[int, bytes]]:
        """(UID, flags) of every mail in a folder."""
        client = self.client()
        try:
            client.select(folder)
            status, data = client.uid("FETCH", "1:*", "(FLAGS)")
            found: list[tuple[int, bytes]] = []
            for line in data if status == "OK" else []:
                if isinstance(line, bytes) and b"UID" in line:
                    uid = int(line.split(b"UID ")[1].split()[0].rstrip(b")"))
                    flags = line.split(b"FLAGS (")[1].split(b")")[0].split()
                    found.append((uid, b" ".join(flag for flag in flags if flag != b"\\Recent")))
            return found
        finally:
            client.logout()

    def create_folder(self, name: str) -> None:
        client = self.client()
        try:
            client.create(name)
        finally:
            client.logout()


DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                if sock.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.05)  # waiting for a real server process to listen, not for time logic
    log_text = log.read_text() if log.exists() else ""
    raise RuntimeError(f"dovecot did not start on port {port}: {log_text[-2000:]}")


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    binary = dovecot_binary()
    if binary is None:
        reason = (
            "DOVECOT MISSING: the IMAP tests need Debian's dovecot-imapd "
            "(apt-get install dovecot-imapd; scripts/test and .ci/run install it)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    # Not under pytest's 0700 temporary root: dovecot's unprivileged processes must reach it.
    root = Path(tempfile.mkdtemp(prefix="schwarmdesk-dovecot-"))
    root.chmod(0o755)
    for name in ("run", "state", "mail"):
        (root / name).mkdir()
    if os.getuid() == 0:  # as root: dovecot's own unprivileged users, mail owned by nobody
        login_user = "dovenull" if _user_exists("dovenull") else "nobody"
        internal_user = "dovecot" if _user_exists("dovecot") else "nobody"
        uid = gid = 65534
        os.chown(root / "mail", uid, gid)
    else:  # as an ordinary user: every dovecot process runs as that user
        login_user = internal_user = getpass.getuser()
        uid, gid = os.getuid(), os.getgid()
    port = free_port()
    (root / "passwd").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}::::::\n")
    config = root / "dovecot.conf"
    command = [binary, "-F", "-c", str(config)]
    config.write_text(
        DOVECOT_CONF.format(
            root=root,
            login_user=login_user,
            internal_user=internal_user,
            uid=uid,
            gid=gid,
            port=port,
        )
    )
    try:
        server = ImapServer(port, root, start_process(command, port, root), command)
    except RuntimeError:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def start_process(command: list[str], port: int, root: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process, root / "dovecot.log")
    except RuntimeError:
        process.kill()
        process.wait(timeout=5)
        raise
    return process


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
