"""Enrollments stored before names were normalised: composed (NFC) and with U+00B7 for every middle dot,
as training.services.identity.normalize_name_text now stores them, so the staff's search (which
normalises the query the same way) finds them. The dots are listed here, not imported: a migration
keeps what it did."""

import unicodedata

from django.db import migrations

DOTS = str.maketrans(dict.fromkeys("•‧・･⸱∙⋅．", "·"))
FIELDS = ("applicant_name", "participant_name")


def normalise(value: str) -> str:
    return unicodedata.normalize("NFC", value).translate(DOTS)


def forwards(apps, schema_editor):
    Enrollment = apps.get_model("training", "Enrollment")
    changed = []
    for enrollment in Enrollment.objects.only("pk", *FIELDS).iterator(chunk_size=2000):
        before = [getattr(enrollment, name) for name in FIELDS]
        for name in FIELDS:
            setattr(enrollment, name, normalise(getattr(enrollment, name)))
        if [getattr(enrollment, name) for name in FIELDS] != before:
            changed.append(enrollment)
    Enrollment.objects.bulk_update(changed, FIELDS, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("training", "0010_merge_20261130_1813")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
