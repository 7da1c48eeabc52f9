"""A private PostgreSQL cluster for tests: initdb and pg_ctl in a temporary folder.

It listens on a Unix socket in that folder and on no TCP port at all, trusts
whoever reaches the socket (only this machine's users can), runs without
fsync (a test database need not survive a power cut; the crash test is on
SQLite), and is stopped and removed afterwards. PostgreSQL refuses to run as
root, so under root (as CI runs) the cluster runs as the `postgres` user that
Debian's package makes, or `nobody`, which owns the folder.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

USER = "frankly"  # the database role, not an OS user


def find_bin() -> Path | None:
    """Debian's /usr/lib/postgresql/VERSION/bin, the newest if there are several."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


class Cluster:
    """One running cluster; `database(name)` makes a fresh database in it."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.owner = _unprivileged_owner()
        self.folder = Path(tempfile.mkdtemp(prefix="frankly-pg-"))
        self.data = self.folder / "data"
        if self.owner is not None:
            os.chown(self.folder, self.owner.pw_uid, self.owner.pw_gid)

    def start(self) -> None:
        self._run(
            "initdb",
            f"--pgdata={self.data}",
            f"--username={USER}",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        options = f"-c listen_addresses='' -k {self.folder} -c fsync=off -c full_page_writes=off"
        self._run(
            "pg_ctl", "start", "--wait", f"--pgdata={self.data}",
            f"--log={self.folder / 'log'}", f"--options={options}",
        )  # fmt: skip

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "--wait", "--mode=immediate", f"--pgdata={self.data}")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{USER}@/{database}?host={self.folder}"

    def database(self, name: str) -> str:
        """A new empty database; its URL."""
        import psycopg

        with psycopg.connect(host=str(self.folder), user=USER, dbname="postgres") as connection:
            connection.autocommit = True  # CREATE DATABASE runs outside a transaction
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def log(self) -> str:
        path = self.folder / "log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if self.owner is not None:
            command = ["runuser", "-u", self.owner.pw_name, "--", *command]
        result = subprocess.run(
            command, cwd=self.folder, capture_output=True, text=True, timeout=60, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{program} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
                f"{self.log()}"
            )


def _unprivileged_owner() -> pwd.struct_passwd | None:
    """Whom to run PostgreSQL as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root, and there is no postgres or nobody user to run as")
