"""A PostgreSQL server of the tests' own: initdb and pg_ctl on a free 127.0.0.1 port, in a
temporary folder, stopped and deleted afterwards. It never uses a server already running.

initdb and postgres refuse to run as root: as root, they run as the ``postgres`` user
that Debian's ``postgresql`` package creates (``make test`` installs the package through
``scripts/bootstrap.sh`` when initdb is missing). Debian keeps the binaries in
``/usr/lib/postgresql/<version>/bin``, off ``PATH``; both places are searched.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psycopg

USER = "healthcrawl"
DATABASE = "healthcrawl"


def postgres_binary(name: str) -> Path:
    """``initdb``/``pg_ctl`` from ``PATH`` or Debian's versioned folders (newest first)."""
    found = shutil.which(name)
    if found:
        return Path(found)
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda path: int(Path(path).parent.name), reverse=True):
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    raise FileNotFoundError(f"{name} not found on PATH or in /usr/lib/postgresql/*/bin; "
                            "`make test` installs PostgreSQL (scripts/bootstrap.sh)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


START_ATTEMPTS = 3
Server = TypeVar("Server")


def on_a_free_port(start_once: Callable[[], Server]) -> Server:
    """A test server ``start_once`` starts on a :func:`free_port`, started again (on a new
    port) when it fails (``RuntimeError``): the port is only probed, and until the server
    binds it another test process's connection may take it."""
    for _ in range(START_ATTEMPTS - 1):
        try:
            return start_once()
        except RuntimeError:
            continue
    return start_once()


@dataclass
class PostgresServer:
    """A running server: one database, one user with a password (scram-sha-256)."""

    folder: Path
    port: int
    password: str
    as_user: list[str]

    def url(self, *, password: bool = False, database: str = DATABASE) -> str:
        """``postgresql://healthcrawl@127.0.0.1:PORT/DB``, with the password only if asked."""
        secret = f":{self.password}" if password else ""
        return f"postgresql://{USER}{secret}@127.0.0.1:{self.port}/{database}"

    def env(self) -> dict[str, str]:
        """The environment of a command that connects through libpq's PGPASSWORD."""
        return {**os.environ, "PGPASSWORD": self.password}

    def connect(self, **kwargs: Any) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url(password=True), autocommit=True, **kwargs)

    def run(self, *command: str | Path) -> None:
        subprocess.run([*self.as_user, *map(str, command)], check=True, capture_output=True, timeout=120)

    def stop(self) -> None:
        try:
            self.run(postgres_binary("pg_ctl"), "-D", self.folder / "data", "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> PostgresServer:
    return on_a_free_port(_start_once)


def _start_once() -> PostgresServer:
    """initdb a new cluster in a temporary folder and start it on a free loopback port."""
    folder = Path(tempfile.mkdtemp(prefix="healthcrawl-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    server = PostgresServer(folder, free_port(), secrets.token_urlsafe(12), as_user)
    password_file = folder / "password"
    password_file.write_text(server.password + "\n")
    if as_user:
        os.chown(password_file, pwd.getpwnam("postgres").pw_uid, -1)
    try:
        server.run(postgres_binary("initdb"), "-D", folder / "data", "-U", USER, "--auth=scram-sha-256",
                   f"--pwfile={password_file}", "-E", "UTF8", "--locale=C", "--no-sync")
        server.run(postgres_binary("pg_ctl"), "-D", folder / "data", "-l", folder / "server.log", "-w",
                   "-t", "60", "-o", f"-c listen_addresses=127.0.0.1 -p {server.port} -k {folder} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start")
        with psycopg.connect(server.url(password=True, database="postgres"), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {DATABASE}")
    except BaseException as error:
        log = folder / "server.log"
        details = log.read_text() if log.exists() else getattr(error, "stderr", b"")
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"cannot start the test PostgreSQL server: {error}\n{details!s}") from error
    return server
