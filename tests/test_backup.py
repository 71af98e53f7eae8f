"""`manage backup` / `manage restore`: a restore into a fresh database brings back every enrollment row exactly."""

import datetime
import sqlite3
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from home.backup import MANIFEST, PG_FILE, SQLITE_FILE, BackupError, restore_backup
from training.models import Enrollment
from training.services.enrollment import enroll
from training.tests.factories import NOW, CourseIndexPageFactory, CoursePageFactory, applicant

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _rows(cursor) -> list[tuple]:
    cursor.execute("SELECT * FROM training_enrollment ORDER BY id")
    return [tuple(row) for row in cursor.fetchall()]


@pytest.fixture
def enrollments(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    course = CoursePageFactory(parent=index, capacity=3, waitlist_size=5)
    for n in range(1, 7):
        # Microseconds in every timestamp: a restore must keep them (first come, first served).
        enroll(course.pk, applicant(n), now=NOW + datetime.timedelta(seconds=n, microseconds=123457 * n))
    assert Enrollment.objects.count() == 6
    assert all(e.consent_at.microsecond for e in Enrollment.objects.all())
    connection.ensure_connection()
    return _rows(connection.connection.cursor())  # the driver's own values, as a restore sees them


@pytest.fixture
def media_file():
    folder = Path(settings.MEDIA_ROOT) / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "海宁市总工会〔2026〕12号通知.pdf"
    path.write_bytes(b"%PDF-1.4 demo " + bytes(range(256)))
    return path


def test_sqlite_backup_restores_into_a_fresh_database_row_for_row(enrollments, media_file, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite path; the PostgreSQL path is tested below")
    folder = tmp_path / "backup"
    call_command("backup", output=folder)
    assert (folder / SQLITE_FILE).exists() and (folder / MANIFEST).exists()

    fresh = tmp_path / "fresh.sqlite3"
    call_command("restore", folder, database_url=f"sqlite:///{fresh}", no_media=True, yes=True)
    restored = sqlite3.connect(
        fresh, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
    )  # as Django reads it
    try:
        assert _rows(restored.cursor()) == enrollments
    finally:
        restored.close()


def test_restore_into_the_configured_database_brings_back_deleted_rows_and_media(enrollments, media_file, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("restoring over the test database itself is only done on SQLite")
    original = media_file.read_bytes()
    folder = tmp_path / "backup"
    call_command("backup", output=folder)

    Enrollment.objects.all().delete()
    media_file.unlink()
    call_command("restore", folder, yes=True)

    connection.ensure_connection()
    assert _rows(connection.connection.cursor()) == enrollments
    assert media_file.read_bytes() == original


def test_an_altered_backup_is_refused(enrollments, tmp_path):
    folder = tmp_path / "backup"
    call_command("backup", output=folder, no_media=True)
    dump = folder / (SQLITE_FILE if connection.vendor == "sqlite" else PG_FILE)
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="SHA-256"):
        restore_backup(folder, database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(CommandError):
        call_command("restore", folder, yes=True)


def test_backup_refuses_a_folder_that_is_not_empty(tmp_path, db):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="不为空"):
        call_command("backup", output=tmp_path)


@pytest.mark.postgres
def test_postgresql_backup_restores_into_a_fresh_database_row_for_row(enrollments, media_file, tmp_path):
    db = connection.settings_dict
    fresh = f"{db['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    dsn = dict(host=db.get("HOST") or "localhost", port=db.get("PORT") or 5432, user=db.get("USER"))
    if db.get("PASSWORD"):
        dsn["password"] = db["PASSWORD"]
    folder = tmp_path / "backup"
    call_command("backup", output=folder)
    assert (folder / PG_FILE).exists()

    with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as admin:
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        url = f"postgres://{dsn['user'] or ''}@{dsn['host']}:{dsn['port']}/{fresh}"
        call_command("restore", folder, database_url=url, no_media=True, yes=True)
        with psycopg.connect(dbname=fresh, **dsn) as restored:
            assert _rows(restored.cursor()) == enrollments
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
