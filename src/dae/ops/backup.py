"""Backups, restores and the restore drill (等保 2.0 level 3, 8.1.4.10 数据备份恢复).

An archive is one encrypted file ``dae-backup-<UTC time>.daebak``. Inside (a tar): the database — PostgreSQL as
``pg_dump --format=custom``, SQLite through its online backup API — the uploaded documents, and
``manifest.json`` with the SHA-256 of every member, the applied migrations and the ledger's trial balance at
the time of the backup. The tar is sealed with AES-256-GCM in 1 MiB chunks (each chunk's nonce carries its
number, the last is marked, so a reordered or cut archive does not open) under the backup key
(``DAE_BACKUP_KEY``, base64 of 32 bytes, or the key file ``$DAE_VAR_DIR/keys/backup.key``) — kept apart from
the archives. The database holds the sensitive fields encrypted under the field keys (``core.crypto``), which
are not in the archive: keep them, too, where a restore can reach them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connections

MAGIC = b"DAEBAK1\n"
CHUNK = 1 << 20


class BackupError(Exception):
    pass


# -- keys and sealing -------------------------------------------------------------------------------------------

def backup_key() -> bytes:
    text = os.environ.get("DAE_BACKUP_KEY", "")
    if not text:
        path = Path(os.environ.get("DAE_BACKUP_KEY_FILE") or Path(settings.VAR_DIR) / "keys" / "backup.key")
        if not path.exists():
            if getattr(settings, "DAE_REQUIRE_KEYS", False):
                raise BackupError(f"生产环境必须提供备份密钥 DAE_BACKUP_KEY 或 {path} (the backup key is required)")
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as out:
                    out.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        text = path.read_text().strip()
    key = base64.b64decode(text)
    if len(key) != 32:
        raise BackupError("备份密钥应为 32 字节 (the backup key must be 32 bytes)")
    return key


def seal(source: io.BufferedIOBase | Any, target: Any, key: bytes) -> None:
    aead = AESGCM(key)
    prefix = secrets.token_bytes(8)
    target.write(MAGIC + prefix)
    counter = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        nonce = prefix + struct.pack(">I", counter)
        sealed = aead.encrypt(nonce, chunk, b"last" if last else b"more")
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        chunk, counter = following, counter + 1


def unseal(source: Any, target: Any, key: bytes) -> None:
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("不是 dae 备份文件 (not a dae backup archive)")
    aead = AESGCM(key)
    prefix = source.read(8)
    counter = 0
    while True:
        head = source.read(4)
        if len(head) != 4:
            raise BackupError("备份文件不完整 (the archive is truncated)")
        body = source.read(struct.unpack(">I", head)[0])
        nonce = prefix + struct.pack(">I", counter)
        for marker in (b"more", b"last"):
            try:
                plain = aead.decrypt(nonce, body, marker)
            except InvalidTag:  # not this marker: try the other, then fail below
                continue
            target.write(plain)
            if marker == b"last":
                if source.read(1):
                    raise BackupError("备份文件末尾有多余数据 (data after the last chunk)")
                return
            break
        else:
            raise BackupError("备份文件无法解密：密钥不对或文件被改动 (wrong key or the archive was altered)")
        counter += 1


# -- the database ---------------------------------------------------------------------------------------------

def _pg_env(cfg: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if cfg.get(key):
            env[var] = str(cfg[key])
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} 失败 (failed): {result.stderr.strip()[-800:]}")


def dump_database(alias: str, target_dir: Path) -> str:
    connection = connections[alias]
    cfg = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        path = target_dir / "database.sqlite3"
        out = sqlite3.connect(path)
        try:
            connection.connection.backup(out)
        finally:
            out.close()
        return path.name
    if connection.vendor == "postgresql":
        path = target_dir / "database.dump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}", str(cfg["NAME"])],
             _pg_env(cfg))
        return path.name
    raise BackupError(f"不支持的数据库 (unsupported database): {connection.vendor}")


def create_pg_database(cfg: dict[str, Any], name: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, host=cfg.get("HOST") or None,
                         port=cfg.get("PORT") or None, user=cfg.get("USER") or None,
                         password=cfg.get("PASSWORD") or None) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_pg_database(cfg: dict[str, Any], name: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, host=cfg.get("HOST") or None,
                         port=cfg.get("PORT") or None, user=cfg.get("USER") or None,
                         password=cfg.get("PASSWORD") or None) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_database(dump: Path, cfg: dict[str, Any]) -> None:
    """Load a dump into the database named by ``cfg`` (made empty first): the SQLite file is copied, the
    PostgreSQL dump restored with pg_restore."""
    if dump.suffix == ".sqlite3":
        target = Path(cfg["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dump, target)
        return
    create_pg_database(cfg, str(cfg["NAME"]))
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={cfg['NAME']}", str(dump)],
         _pg_env(cfg))


# -- archives -------------------------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def file_roots() -> dict[str, Path]:
    return {"uploads": Path(settings.UPLOAD_DIR), "media": Path(settings.MEDIA_ROOT)}


def trial_balance(alias: str) -> dict[str, list[int]]:
    """Debit and credit per account code, in fen, straight from the legs of database ``alias``."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT a.code, SUM(ROUND(l.debit * 100)), SUM(ROUND(l.credit * 100)) FROM ledger_leg l "
            "JOIN ledger_account a ON a.id = l.account_id GROUP BY a.code ORDER BY a.code")
        return {str(code): [int(dr or 0), int(cr or 0)] for code, dr, cr in cursor.fetchall()}


def applied_migrations(alias: str) -> dict[str, str]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        latest: dict[str, str] = {}
        for app, name in cursor.fetchall():
            latest[app] = max(latest.get(app, ""), name)
        return latest


def make_backup(out_dir: Path, *, alias: str = "default", key: bytes | None = None) -> Path:
    """Write one encrypted archive of the database and the documents into ``out_dir``; returns its path."""
    key = key or backup_key()
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    with tempfile.TemporaryDirectory(prefix="dae-backup-") as tmp:
        work = Path(tmp)
        database = dump_database(alias, work)
        members = {database: _sha256(work / database)}
        manifest: dict[str, Any] = {
            "format": 1, "created_at": dt.datetime.now(dt.UTC).isoformat(), "vendor": connections[alias].vendor,
            "database": database, "migrations": applied_migrations(alias), "trial_balance": trial_balance(alias),
        }
        tar_path = work / "archive.tar"
        with tarfile.open(tar_path, "w") as tar:
            tar.add(work / database, arcname=database)
            for name, root in file_roots().items():
                if root.is_dir():
                    for path in sorted(p for p in root.rglob("*") if p.is_file()):
                        arcname = f"files/{name}/{path.relative_to(root).as_posix()}"
                        tar.add(path, arcname=arcname)
                        members[arcname] = _sha256(path)
            manifest["members"] = members
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        target = out_dir / f"dae-backup-{stamp}.daebak"
        partial = target.with_suffix(".partial")
        with tar_path.open("rb") as source, partial.open("wb") as sealed:
            seal(source, sealed, key)
        partial.chmod(0o600)
        partial.replace(target)
    return target


@dataclass
class Opened:
    folder: Path
    manifest: dict[str, Any]

    @property
    def dump(self) -> Path:
        return self.folder / str(self.manifest["database"])


def open_archive(archive: Path, folder: Path, *, key: bytes | None = None) -> Opened:
    """Decrypt and unpack ``archive`` into ``folder`` and check every member against the manifest."""
    key = key or backup_key()
    tar_path = folder / "archive.tar"
    with archive.open("rb") as source, tar_path.open("wb") as plain:
        unseal(source, plain, key)
    with tarfile.open(tar_path) as tar:
        tar.extractall(folder, filter="data")
    tar_path.unlink()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for name, digest in manifest["members"].items():
        path = folder / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"备份成员校验失败 (digest mismatch): {name}")
    return Opened(folder, manifest)


def restore_files(opened: Opened, roots: dict[str, Path] | None = None) -> int:
    roots = roots or file_roots()
    count = 0
    for name in opened.manifest["members"]:
        if not name.startswith("files/"):
            continue
        _files, root, rel = name.split("/", 2)
        target = roots[root] / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(opened.folder / name, target)
        count += 1
    return count


def latest_archive(folder: Path) -> Path:
    archives = sorted(folder.glob("dae-backup-*.daebak"))
    if not archives:
        raise BackupError(f"{folder} 中没有备份 (no backup archive in {folder})")
    return archives[-1]


def backup_dir() -> Path:
    return Path(os.environ.get("DAE_BACKUP_DIR") or Path(settings.VAR_DIR) / "backups")


# -- the restore drill ----------------------------------------------------------------------------------------

def open_alias(alias: str, cfg: dict[str, Any]) -> Any:
    """A connection to another database under ``alias`` for this process (ORM ``using(alias)`` and raw SQL),
    without adding it to the settings."""
    from django.db.utils import load_backend

    wrapper = load_backend(cfg["ENGINE"]).DatabaseWrapper(cfg, alias)
    connections[alias] = wrapper
    return wrapper


def close_alias(alias: str) -> None:
    connections[alias].close()
    del connections[alias]


@contextmanager
def scratch_database(vendor: str, folder: Path, alias: str = "drill") -> Iterator[tuple[str, dict[str, Any]]]:
    """A database alias for a throw-away copy: a SQLite file in ``folder`` or a new PostgreSQL database on the
    default server, removed afterwards."""
    base = dict(connections.databases["default"])
    if vendor == "sqlite":
        cfg = {**base, "NAME": str(folder / "drill.sqlite3"), "TEST": {}}
    else:
        cfg = {**base, "NAME": f"dae_drill_{os.getpid()}_{secrets.token_hex(3)}", "TEST": {}}
    try:
        yield alias, cfg
    finally:
        if vendor != "sqlite":
            drop_pg_database(cfg, str(cfg["NAME"]))


@dataclass(frozen=True)
class DrillReport:
    archive: str
    vendor: str
    seconds: float
    restore_seconds: float
    accounts: int
    debit_fen: int
    credit_fen: int
    balanced: bool
    matches_backup: bool
    log_chain: str

    @property
    def passed(self) -> bool:
        return self.balanced and self.matches_backup and self.log_chain != "failed"


def restore_drill(archive: Path, *, key: bytes | None = None) -> DrillReport:
    """Restore ``archive`` into a scratch database, run the ledger's trial balance there and compare it with the
    one recorded at backup time, run the log-chain check when the project has one (``verify_logs``), time it."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dae-drill-") as tmp:
        folder = Path(tmp)
        opened = open_archive(archive, folder, key=key)
        vendor = str(opened.manifest["vendor"])
        with scratch_database(vendor, folder) as (alias, cfg):
            load_database(opened.dump, cfg)
            restored = time.monotonic() - started
            open_alias(alias, cfg)
            try:
                balance = trial_balance(alias)
                chain = _log_chain(alias)
            finally:
                close_alias(alias)
    debit = sum(v[0] for v in balance.values())
    credit = sum(v[1] for v in balance.values())
    return DrillReport(archive.name, vendor, time.monotonic() - started, restored, len(balance), debit, credit,
                       debit == credit, balance == opened.manifest["trial_balance"], chain)


def _log_chain(alias: str) -> str:
    """The hash-chained logs' check (``dae verify_logs``), where the project has it."""
    from django.core.management import call_command, get_commands

    if "verify_logs" not in get_commands():
        return "not available"
    call_command("verify_logs", database=alias, stdout=io.StringIO())
    return "passed"
