"""Backups of the database and media, and their restore.

A backup is one folder ``<VAR_DIR>/backups/<YYYYmmdd-HHMMSS>/`` holding:

- ``database.sqlite3`` — SQLite's online backup API (a consistent snapshot while the site keeps serving), or
  ``database.pgdump`` — ``pg_dump --format=custom`` (consistent: one repeatable-read transaction);
- ``media.tar.gz`` — every file under ``MEDIA_ROOT`` (uploaded images, documents, renditions);
- ``manifest.json`` — when and from which engine it was made, the SHA-256 of each file and the row count
  of every table, so a restore can prove it brought back what was saved.

Restore checks the hashes first, then replaces the database (``pg_restore --clean --single-transaction``
for PostgreSQL; SQLite's backup API in the other direction) and extracts the media, and finally compares
the row counts with the manifest. ``database_url`` restores into another database than the configured one
(a restore drill into a scratch database, or a new server).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.db import connection, connections

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_FILE = "media.tar.gz"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (in Chinese, for operators)."""


@dataclass
class RestoreReport:
    """What a restore brought back: tables whose row count differs from the manifest (empty when all match)."""

    folder: Path
    tables: int
    mismatches: dict[str, tuple[int, int]]


def default_folder(now: datetime.datetime | None = None) -> Path:
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / stamp


def create_backup(folder: Path | None = None, *, media: bool = True) -> Path:
    """Write a backup folder (see the module docstring) and return its path.

    Raises BackupError when the folder already exists or a dump tool fails.
    """
    folder = Path(folder or default_folder())
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"备份目录已存在且不为空：{folder}")
    folder.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor == "sqlite":
        _sqlite_backup(folder / SQLITE_FILE)
    elif vendor == "postgresql":
        _pg_dump(connection.settings_dict, folder / PG_FILE)
    else:  # pragma: no cover - the project supports these two
        raise BackupError(f"不支持的数据库：{vendor}")
    if media:
        _archive_media(folder / MEDIA_FILE)
    manifest = {
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "engine": vendor,
        "files": {path.name: _sha256(path) for path in sorted(folder.iterdir())},
        "row_counts": table_row_counts(connection),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def restore_backup(folder: Path, *, database_url: str | None = None, media: bool = True) -> RestoreReport:
    """Restore the backup in ``folder`` into the configured database (or ``database_url``) and MEDIA_ROOT.

    Existing rows in the target database are replaced. Raises BackupError on a missing or altered file
    or a failing restore tool.
    """
    folder = Path(folder)
    manifest = _read_manifest(folder)
    target = dj_database_url.parse(database_url) if database_url else connection.settings_dict
    engine = "sqlite" if "sqlite" in target["ENGINE"] else "postgresql" if "postgres" in target["ENGINE"] else ""
    if engine != manifest["engine"]:
        raise BackupError(f"备份来自 {manifest['engine']}，目标数据库是 {engine or target['ENGINE']}，不能直接恢复。")
    if engine == "sqlite":
        _sqlite_restore(folder / SQLITE_FILE, target, configured=database_url is None)
    else:
        _pg_restore(folder / PG_FILE, target)
    if media and MEDIA_FILE in manifest["files"]:
        _extract_media(folder / MEDIA_FILE)

    if database_url:
        counts = _counts_at(target)
    else:
        connections.close_all()
        counts = table_row_counts(connection)
    expected = manifest["row_counts"]
    mismatches = {
        table: (count, counts.get(table, -1)) for table, count in expected.items() if counts.get(table, -1) != count
    }
    return RestoreReport(folder=folder, tables=len(expected), mismatches=mismatches)


def table_row_counts(conn) -> dict[str, int]:
    """Row count of every table of an installed model, keyed by table name."""
    tables = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)})
    existing = set(conn.introspection.table_names())
    with conn.cursor() as cursor:
        counts = {}
        for table in tables:
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
    return counts


def _counts_at(target: dict) -> dict[str, int]:
    """Row counts in a database that is not Django's configured one, through a plain DB-API connection."""
    tables = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)})
    if "sqlite" in target["ENGINE"]:
        raw = sqlite3.connect(target["NAME"])
        listing = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        import psycopg

        raw = psycopg.connect(
            dbname=target["NAME"],
            host=target.get("HOST") or "localhost",
            port=target.get("PORT") or 5432,
            user=target.get("USER") or None,
            password=target.get("PASSWORD") or None,
        )
        listing = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    try:
        cursor = raw.cursor()
        cursor.execute(listing)
        existing = {row[0] for row in cursor.fetchall()}
        counts = {}
        for table in tables:
            if table in existing:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                counts[table] = cursor.fetchone()[0]
        return counts
    finally:
        raw.close()


def _read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"读不到备份清单 {folder / MANIFEST}：{error}") from error
    for name, digest in manifest["files"].items():
        path = folder / name
        if not path.exists() or _sha256(path) != digest:
            raise BackupError(f"备份文件 {name} 缺失或已被改动（SHA-256 不符），不恢复。")
    return manifest


def _sqlite_backup(path: Path) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def _sqlite_restore(path: Path, target: dict, *, configured: bool) -> None:
    source = sqlite3.connect(path)
    try:
        if configured:
            connection.ensure_connection()
            source.backup(connection.connection)
        else:
            destination = sqlite3.connect(target["NAME"])
            try:
                source.backup(destination)
            finally:
                destination.close()
    finally:
        source.close()


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["--host", db.get("HOST") or "localhost", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict) -> None:
    if not shutil.which(command[0]):
        raise BackupError(f"找不到 {command[0]}：请安装 PostgreSQL 客户端（Debian: postgresql-client）。")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()[:2000]}")


def _pg_dump(db: dict, path: Path) -> None:
    args, env = _pg_env(db)
    _run(["pg_dump", *args, "--format=custom", "--no-owner", "--no-acl", "--file", str(path), db["NAME"]], env)


def _pg_restore(path: Path, db: dict) -> None:
    connections.close_all()
    args, env = _pg_env(db)
    command = ["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction"]
    _run([*command, "--dbname", db["NAME"], str(path)], env)


def _archive_media(path: Path) -> None:
    root = Path(settings.MEDIA_ROOT)
    with tarfile.open(path, "w:gz") as archive:
        if root.exists():
            for child in sorted(root.iterdir()):
                archive.add(child, arcname=child.name)


def _extract_media(path: Path) -> None:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "r:gz") as archive:
        archive.extractall(root, filter="data")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
