"""A mail server for tests: a few lines of SMTP over a threaded socketserver, keeping
each message it accepts, or refusing recipients with the answer a real server gives.
Django's SMTP backend talks to it exactly as it would to a relay."""

from __future__ import annotations

import email
import email.policy
import socket
import socketserver
import threading
from contextlib import contextmanager


class _Session(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        sink = self.server.sink
        self.reply("220 sink.test ESMTP ready")
        sender, recipients = None, []
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink.test")
            elif verb == "MAIL":
                sender, recipients = command[10:], []
                self.reply("250 2.1.0 OK")
            elif verb == "RCPT":
                if sink.refuse:
                    self.reply(sink.refuse)
                else:
                    recipients.append(command[8:].strip("<>"))
                    self.reply("250 2.1.5 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (part := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(part[1:] if part.startswith(b"..") else part)
                sink.received.append(
                    (
                        sender,
                        recipients,
                        email.message_from_bytes(b"".join(lines), policy=email.policy.default),
                    )
                )
                self.reply("250 2.0.0 Queued")
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 2.0.0 OK")
            elif verb == "NOOP":
                self.reply("250 2.0.0 OK")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Command not recognised")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Sink:
    def __init__(self, refuse: str = ""):
        self.refuse = refuse  # the reply to every RCPT, e.g. "550 5.1.1 No such user"
        self.received: list = []  # (sender, recipients, email.message.EmailMessage)


@contextmanager
def smtp_sink(settings, *, refuse: str = ""):
    """A running sink with Django's SMTP backend pointed at it."""
    sink = Sink(refuse)
    server = _Server(("127.0.0.1", 0), _Session)
    server.sink = sink
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def no_mail_server(settings):
    """Django's SMTP backend pointed at a port where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield
