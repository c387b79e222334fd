"""Mail that hangs, for the crash tests: a backend that stops in the middle of a send until it is killed, and a
mail server that accepts the connection and never answers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend


class BlockingBackend(EmailBackend):
    """Writes each message to ``EMAIL_FILE_PATH``, but while ``MAIL_BLOCK_DIR/block`` exists it first says so
    (a ``sending-<n>`` file) and waits, as a worker does on a slow mail server, for at most a minute."""

    def send_messages(self, messages):
        folder = Path(settings.MAIL_BLOCK_DIR)  # type: ignore[misc]  # only in the settings the test writes
        if (folder / "block").exists():
            (folder / f"sending-{time.monotonic_ns()}").write_text("", encoding="utf-8")
            deadline = time.monotonic() + 60
            while (folder / "block").exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        return super().send_messages(messages)


@contextmanager
def silent_mail_server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never says a word; yields its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _address = server.accept()
            except OSError:
                continue
            held.append(connection)  # kept open, unanswered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        server.close()
