"""Simplified Chinese coverage of every app's interface strings, before and after our catalogs.

    .venv/bin/python bench/i18n_coverage.py            # per-app table
    .venv/bin/python bench/i18n_coverage.py --check    # exit 1 if any app is under 100%
    .venv/bin/python bench/i18n_coverage.py --missing  # list the untranslated strings
    .venv/bin/python bench/i18n_coverage.py --add-missing  # append them (empty msgstr) to our .po files
    .venv/bin/python bench/i18n_coverage.py --compile  # write the .mo files from our .po files

For each app in INSTALLED_APPS that ships an English source catalog (`locale/en/LC_MESSAGES/django.po`
and `djangojs.po`), every msgid (with its msgctxt) counts as translated "before" when the app's own
zh_Hans catalog has a non-empty, non-fuzzy msgstr for it, and "after" when that holds or our project
catalog (`site/locale/zh_Hans/LC_MESSAGES/<domain>.po`, found through LOCALE_PATHS) has one.
Django merges LOCALE_PATHS over the apps' catalogs, so "after" is what an editor sees.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parent.parent
PROJECT_LOCALE = REPO / "site" / "locale"
LANGUAGE = "zh_Hans"
DOMAINS = ("django", "djangojs")
PLURAL_FORMS = "nplurals=1; plural=0;"

Key = tuple[str | None, str]  # (msgctxt, msgid)


@dataclass
class AppCoverage:
    label: str
    domain: str
    total: int
    before: int
    after: int
    missing: list[polib.POEntry] = field(default_factory=list)  # untranslated even after merging

    @property
    def percent(self) -> float:
        return percent(self.after, self.total)


def percent(part: int, total: int) -> float:
    """Share rounded down to 0.1, so 2373 of 2374 reads 99.9%, never 100.0%."""
    return math.floor(1000 * part / total) / 10 if total else 100.0


def _setup_django() -> None:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haining.settings.test")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def entry_key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt, entry.msgid)


def is_translated(entry: polib.POEntry) -> bool:
    if entry.obsolete or entry.fuzzy:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(v.strip() for v in entry.msgstr_plural.values())
    return bool(entry.msgstr.strip())


def translated_keys(path: Path) -> set[Key]:
    if not path.exists():
        return set()
    return {entry_key(e) for e in polib.pofile(str(path)) if is_translated(e)}


def source_entries(path: Path) -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(path)) if not e.obsolete and e.msgid]


def project_po_path(domain: str) -> Path:
    return PROJECT_LOCALE / LANGUAGE / "LC_MESSAGES" / f"{domain}.po"


def app_catalogs():
    """Yield (app label, domain, English source .po, app's zh_Hans .po) for every installed app."""
    _setup_django()
    from django.apps import apps

    for config in apps.get_app_configs():
        locale = Path(config.path) / "locale"
        for domain in DOMAINS:
            source = locale / "en" / "LC_MESSAGES" / f"{domain}.po"
            if source.exists():
                yield config.name, domain, source, locale / LANGUAGE / "LC_MESSAGES" / f"{domain}.po"


def compute() -> list[AppCoverage]:
    project = {domain: translated_keys(project_po_path(domain)) for domain in DOMAINS}
    rows = []
    for label, domain, source, target in app_catalogs():
        own = translated_keys(target)
        entries = source_entries(source)
        before = [e for e in entries if entry_key(e) in own]
        missing = [e for e in entries if entry_key(e) not in own and entry_key(e) not in project[domain]]
        rows.append(AppCoverage(label, domain, len(entries), len(before), len(entries) - len(missing), missing))
    return rows


def format_table(rows: list[AppCoverage]) -> str:
    lines = [f"{'app':<40} {'domain':<9} {'total':>6} {'before':>7} {'after':>6} {'%':>7}"]
    for r in rows:
        lines.append(f"{r.label:<40} {r.domain:<9} {r.total:>6} {r.before:>7} {r.after:>6} {r.percent:>6.1f}%")
    total = sum(r.total for r in rows)
    before = sum(r.before for r in rows)
    after = sum(r.after for r in rows)
    pct_before = percent(before, total)
    pct_after = percent(after, total)
    lines.append(f"{'TOTAL':<40} {'':<9} {total:>6} {before:>7} {after:>6} {pct_after:>6.1f}%")
    lines.append(f"(before: {pct_before:.1f}%, {total - before} strings missing; after: {total - after} missing)")
    return "\n".join(lines)


def new_catalog() -> polib.POFile:
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": "haining-union-site",
        "PO-Revision-Date": "2026-11-24 16:00+0800",
        "Last-Translator": "海宁市总工会网站 <noreply@example.invalid>",
        "Language-Team": "Chinese (Simplified)",
        "Language": LANGUAGE,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS,
    }
    return po


def add_missing(rows: list[AppCoverage]) -> int:
    """Append every still-untranslated entry (empty msgstr, source reference kept) to our .po files."""
    added = 0
    for domain in DOMAINS:
        path = project_po_path(domain)
        po = polib.pofile(str(path), wrapwidth=0) if path.exists() else new_catalog()
        present = {entry_key(e) for e in po}
        added_here = 0
        for row in rows:
            if row.domain != domain:
                continue
            for e in row.missing:
                if entry_key(e) in present:
                    continue
                present.add(entry_key(e))
                new = polib.POEntry(
                    msgctxt=e.msgctxt,
                    msgid=e.msgid,
                    msgid_plural=e.msgid_plural,
                    msgstr="",
                    msgstr_plural={0: ""} if e.msgid_plural else {},
                    comment=row.label,
                    flags=[f for f in e.flags if f.endswith("-format")],
                )
                po.append(new)
                added_here += 1
        added += added_here
        if added_here:
            path.parent.mkdir(parents=True, exist_ok=True)
            po.save(str(path))
    return added


def compiled_messages(po: polib.POFile | polib.MOFile) -> dict[Key, tuple[str, ...]]:
    """The messages a catalog delivers at run time: {(msgctxt, msgid): translations}."""
    out = {}
    for e in po:
        if not e.msgid or (isinstance(po, polib.POFile) and not is_translated(e)):
            continue
        if e.msgid_plural:
            out[(e.msgctxt, e.msgid)] = tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural))
        else:
            out[(e.msgctxt, e.msgid)] = (e.msgstr,)
    return out


def compile_catalogs() -> list[Path]:
    """Write <domain>.mo next to each of our .po files (no GNU gettext needed). Fuzzy/empty are left out."""
    written = []
    for domain in DOMAINS:
        path = project_po_path(domain)
        if not path.exists():
            continue
        po = polib.pofile(str(path))
        for e in list(po):
            if not is_translated(e):
                po.remove(e)
        mo_path = path.with_suffix(".mo")
        po.save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if any app is under 100%%")
    parser.add_argument("--missing", action="store_true", help="list the untranslated strings")
    parser.add_argument("--add-missing", action="store_true", help="append untranslated strings to our .po files")
    parser.add_argument("--compile", action="store_true", help="compile our .po files to .mo")
    args = parser.parse_args()

    if args.compile:
        for path in compile_catalogs():
            print(f"wrote {path.relative_to(REPO)}")
    rows = compute()
    print(format_table(rows))
    if args.missing:
        for r in rows:
            for e in r.missing:
                ctx = f" [{e.msgctxt}]" if e.msgctxt else ""
                print(f"{r.label} ({r.domain}){ctx}: {e.msgid!r}")
    if args.add_missing:
        print(f"added {add_missing(rows)} entries with an empty msgstr; translate them, then run --compile")
    if args.check and any(r.after < r.total for r in rows):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
