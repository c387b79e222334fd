"""A real PostgreSQL primary and its streaming standby, started in a temporary folder for the replica's tests.

``ReplicaPair.start()`` makes a small cluster with ``initdb`` on a free port (replication allowed from 127.0.0.1,
as initdb's own pg_hba.conf does), creates the ``chibo`` database, copies the cluster with ``pg_basebackup -R``
into a standby on another free port, starts both and waits until the standby streams. ``close()`` stops both and
removes the folder. Nothing of the system's own cluster is touched. PostgreSQL refuses to run as root: as root the
server's commands run as the ``postgres`` system user (``runuser``), who owns the folder.

Also a command, for trying the router by hand: ``python -m tests.replica.pair`` starts a pair, prints
``DATABASE_URL=…`` and ``DATABASE_REPLICA_URL=…`` and keeps it until Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PACKAGE = "postgresql-15"
DATABASE = "chibo"
# The standby's own settings: small, fast to start, no fsync (a throwaway pair).
SERVER_OPTIONS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "'16MB'",
    "max_connections": "30",
    "max_wal_senders": "4",
    "wal_level": "replica",
    "hot_standby": "on",
    # The standby reports its position often, so that "caught up" is seen quickly.
    "wal_receiver_status_interval": "'1s'",
}


PAIR_VARIABLE = "CHIBO_TEST_REPLICA_PAIR"


class PairError(RuntimeError):
    """The pair could not be started (a missing program, a server that would not start)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user() -> list[str]:
    """The prefix that runs a server command: nothing for an ordinary user, ``runuser -u postgres --`` for root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise PairError(f"PostgreSQL refuses to run as root and there is no postgres user: install {PACKAGE}") from exc
    return ["runuser", "-u", "postgres", "--"]


def _program(name: str) -> str:
    path = BIN / name
    if not path.exists():
        raise PairError(f"{path} is missing: install the Debian package {PACKAGE} (apt-get install {PACKAGE})")
    return str(path)


@dataclass
class Server:
    data: Path
    port: int
    sockets: Path

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def connect(self, database: str = DATABASE) -> psycopg2.extensions.connection:
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database)
        connection.autocommit = True
        return connection


class ReplicaPair:
    def __init__(self, root: Path | None = None, ports: tuple[int, int] | None = None) -> None:
        """A new pair in a new folder; or, given its folder and ports, the pair another process started."""
        self.root = root or Path(tempfile.mkdtemp(prefix="chibo-replica-pair-"))
        self.sockets = self.root / "sockets"
        primary_port, standby_port = ports or (free_port(), free_port())
        self.primary = Server(self.root / "primary", primary_port, self.sockets)
        self.standby = Server(self.root / "standby", standby_port, self.sockets)
        self.started_in = 0.0
        if root is None:
            self.sockets.mkdir()
            if os.geteuid() == 0:
                for path in (self.root, self.sockets):
                    shutil.chown(path, "postgres", "postgres")

    @property
    def environment(self) -> dict[str, str]:
        """What a process needs to use the pair: chibo's two URLs, and where the pair is (``attached``)."""
        return {
            "DATABASE_URL": self.primary.url,
            "DATABASE_REPLICA_URL": self.standby.url,
            PAIR_VARIABLE: f"{self.root}:{self.primary.port}:{self.standby.port}",
        }

    @classmethod
    def attached(cls) -> ReplicaPair:
        """The pair named by the environment (``environment``)."""
        root, primary, standby = os.environ[PAIR_VARIABLE].rsplit(":", 2)
        return cls(Path(root), (int(primary), int(standby)))

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            [*_as_server_user(), *command], capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode:
            raise PairError(f"{' '.join(command)} failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> ReplicaPair:
        began = time.monotonic()
        try:
            self._run(_program("initdb"), "-D", str(self.primary.data), "-U", "postgres", "-A", "trust", "--no-sync")
            with (self.primary.data / "postgresql.conf").open("a") as conf:
                conf.write("".join(f"\n{key} = {value}" for key, value in SERVER_OPTIONS.items()) + "\n")
            self.start_server(self.primary)
            with contextlib.closing(self.primary.connect("postgres")) as connection:
                connection.cursor().execute(f"CREATE DATABASE {DATABASE}")
            self._run(
                _program("pg_basebackup"),
                *("-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres"),
                *("-D", str(self.standby.data), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"),
            )
            self.start_server(self.standby)
            self.wait_streaming()
        except BaseException:
            self.close()
            raise
        self.started_in = time.monotonic() - began
        return self

    def start_server(self, server: Server) -> None:
        options = f"-p {server.port} -c unix_socket_directories='{server.sockets}'"
        log = server.data.parent / f"{server.data.name}.log"
        self._run(_program("pg_ctl"), "-D", str(server.data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")

    def stop_server(self, server: Server) -> None:
        if self.running(server):
            self._run(_program("pg_ctl"), "-D", str(server.data), "-m", "immediate", "-w", "stop")

    def wait_streaming(self, timeout: float = 30) -> None:
        """Until the primary sees its standby streaming."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.closing(self.primary.connect("postgres")) as connection:
                cursor = connection.cursor()
                cursor.execute("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
                if cursor.fetchone()[0]:
                    return
            time.sleep(0.05)
        raise PairError(f"the standby on port {self.standby.port} did not start streaming in {timeout} s")

    def _lsn(self, server: Server, query: str) -> str:
        with contextlib.closing(server.connect()) as connection:
            cursor = connection.cursor()
            cursor.execute(query)
            return str(cursor.fetchone()[0])

    def _wait_standby(self, condition: str, what: str, timeout: float = 30) -> None:
        """Until the standby has ``condition`` (SQL, with %s for the primary's current position)."""
        target = self._lsn(self.primary, "SELECT pg_current_wal_flush_lsn()")
        deadline = time.monotonic() + timeout
        with contextlib.closing(self.standby.connect()) as connection:
            cursor = connection.cursor()
            while time.monotonic() < deadline:
                cursor.execute(f"SELECT {condition}", [target])
                if cursor.fetchone()[0]:
                    return
                time.sleep(0.02)
        raise PairError(f"the standby has not {what} {target} in {timeout} s")

    def wait_replayed(self) -> None:
        """Until the standby has replayed everything the primary has written so far."""
        self._wait_standby("pg_last_wal_replay_lsn() >= %s::pg_lsn", "replayed")

    def wait_received(self) -> None:
        """Until the standby has received (not necessarily replayed) everything the primary has written so far."""
        self._wait_standby("pg_last_wal_receive_lsn() >= %s::pg_lsn", "received")

    def wait_lag_over(self, seconds: float, timeout: float = 30) -> None:
        """Until the standby is behind and its last replayed change is more than ``seconds`` old."""
        deadline = time.monotonic() + timeout
        with contextlib.closing(self.standby.connect()) as connection:
            cursor = connection.cursor()
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()"
                    " AND now() - pg_last_xact_replay_timestamp() > make_interval(secs => %s)",
                    [seconds],
                )
                if cursor.fetchone()[0]:
                    return
                time.sleep(0.02)
        raise PairError(f"the standby did not fall {seconds} s behind in {timeout} s")

    def set_replay(self, *, paused: bool) -> None:
        with contextlib.closing(self.standby.connect()) as connection:
            connection.cursor().execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")

    @contextlib.contextmanager
    def replay_paused(self) -> Iterator[None]:
        """The standby receives the primary's changes but applies none of them, then catches up."""
        self.wait_replayed()
        self.set_replay(paused=True)
        try:
            yield
        finally:
            self.set_replay(paused=False)
        self.wait_replayed()

    def running(self, server: Server) -> bool:
        return (server.data / "postmaster.pid").exists()

    def close(self) -> None:
        for server in (self.standby, self.primary):
            with contextlib.suppress(PairError, subprocess.TimeoutExpired):
                self.stop_server(server)
        shutil.rmtree(self.root, ignore_errors=True)


def main() -> None:  # pragma: no cover - by hand
    pair = ReplicaPair().start()
    print(f"DATABASE_URL={pair.primary.url}")
    print(f"DATABASE_REPLICA_URL={pair.standby.url}")
    print(f"# started in {pair.started_in:.1f} s; Ctrl-C stops both and removes {pair.root}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        pair.close()


if __name__ == "__main__":
    main()
