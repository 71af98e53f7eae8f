"""Enrollments stored before names were normalised: composed (NFC) and with U+00B7 for every middle dot,
as training.services.identity.normalize_name_text now stores them, so the staff's search (which
normalises the query the same way) finds them. The dots are listed here, not imported: a migration
keeps what it did."""

import re
import unicodedata

from django.db import migrations

DOTS = str.maketrans(dict.fromkeys("•‧・･⸱∙⋅．\ua78f\u318d\u1427", "·"))
FIELDS = ("applicant_name", "participant_name")
MAX_LENGTH = 30  # both columns
COMPATIBILITY_IDEOGRAPHS = re.compile("([\uf900-\ufaff\U0002f800-\U0002fa1f])")


def normalise(value: str) -> str:
    """The dots always (one for one); composition only where it keeps the compatibility ideographs and fits
    the column (NFC can lengthen a name, and PostgreSQL would cut it to the column silently)."""
    dotted = value.translate(DOTS)
    parts = COMPATIBILITY_IDEOGRAPHS.split(dotted)
    composed = "".join(part if i % 2 else unicodedata.normalize("NFC", part) for i, part in enumerate(parts))
    return composed if len(composed) <= MAX_LENGTH else dotted


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
