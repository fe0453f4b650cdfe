"""A local SMTP server for the tests, on 127.0.0.1 and a free port: it speaks enough of RFC 5321 (EHLO/HELO, MAIL,
RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) for Django's SMTP backend and keeps every message it receives.

Written here, on the standard library's socketserver, rather than adding aiosmtpd: about sixty lines, no new
dependency for one test fixture, and Python 3.12 removed the standard library's own ``smtpd``."""

from __future__ import annotations

import email
import socketserver
import threading
from dataclasses import dataclass, field
from email.message import Message
from typing import Any


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: Message


@dataclass
class SmtpServer:
    host: str = "127.0.0.1"
    port: int = 0
    messages: list[Received] = field(default_factory=list)
    _server: Any = None

    def __enter__(self) -> SmtpServer:
        store = self.messages

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(f"{line}\r\n".encode())

            def handle(self) -> None:
                self.reply("220 localhost test SMTP")
                sender, recipients = "", []
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    verb = raw.decode(errors="replace").strip()
                    upper = verb.upper()
                    if upper.startswith("EHLO"):
                        self.reply("250-localhost")
                        self.reply("250 8BITMIME")
                    elif upper.startswith("HELO") or upper.startswith("NOOP"):
                        self.reply("250 OK")
                    elif upper.startswith("MAIL FROM:"):
                        sender, recipients = verb[10:].strip().strip("<>").split(">")[0], []
                        self.reply("250 OK")
                    elif upper.startswith("RCPT TO:"):
                        recipients.append(verb[8:].strip().strip("<>"))
                        self.reply("250 OK")
                    elif upper == "DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        lines = []
                        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                            lines.append(line[1:] if line.startswith(b"..") else line)
                        store.append(Received(sender, recipients, email.message_from_bytes(b"".join(lines))))
                        self.reply("250 OK queued")
                    elif upper == "RSET":
                        sender, recipients = "", []
                        self.reply("250 OK")
                    elif upper == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 command not implemented")

        self._server = socketserver.ThreadingTCPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
