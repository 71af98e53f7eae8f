"""Who sees personal data, and the one set of masking rules every screen, export, log and API uses.

Source of the rules: PIPL (个人信息保护法) art. 51 — access limited to those who need it; staff without
`training.view_personal_data` get values that cannot be turned back into the person's data:

- 身份证号 (18 characters: 6 area code, 8 birth date, 3 sequence, 1 check character) is shown as its first
  2 and last 2 characters, ``33**************1X``, and the birth date as the year only. Even someone who
  knows the area code, the birth year and the gender is left with about 3,000 candidate numbers per
  person (366 days × 100 sequence numbers ÷ 11 check characters); the old ``330481********1234`` plus a
  birth-date column left exactly one.
- phone ``138****5678``; names ``张*明`` (first and last character, one star whatever the length;
  two characters → ``张*``); e-mail
  ``z***@example.cn``.

`masked_columns(user)` gives the same values as SQL expressions (the admin list and the exports build
them in the query); `display_value(user, enrollment, field)` gives one value (the inspect view, the API);
`MaskPersonalDataFilter` removes phone and ID numbers from log messages.

This module imports no models: training.models uses its mask functions.
"""

import logging
import re

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Cast, Concat, ExtractYear, Left, Right

from notices.masking import mask_email, mask_phone

PERMISSION = "training.view_personal_data"

#: Enrollment fields that are personal data, masked for users without the permission.
PERSONAL_FIELDS = ("applicant_name", "participant_name", "phone", "email", "id_number", "birth_date")


def can_see_personal_data(user) -> bool:
    return bool(user is not None and user.has_perm(PERMISSION))


def mask_id_number(number: str) -> str:
    number = number or ""
    return f"{number[:2]}{'*' * (len(number) - 4)}{number[-2:]}" if len(number) >= 10 else ("****" if number else "")


def mask_name(name: str) -> str:
    if not name:
        return ""
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" + name[-1]  # one star whatever the length: the length is not shown either


def birth_year(birth_date) -> str:
    return str(birth_date.year) if birth_date else ""


_MASKERS = {
    "applicant_name": mask_name,
    "participant_name": mask_name,
    "phone": mask_phone,
    "email": mask_email,
    "id_number": mask_id_number,
    "birth_date": birth_year,
}


def mask(field: str, value):
    """`value` of Enrollment `field` as someone without the permission sees it (unchanged if not personal)."""
    masker = _MASKERS.get(field)
    return masker(value) if masker and value not in (None, "") else value


def display_value(user, enrollment, field: str):
    """The value of one enrollment field as `user` may see it."""
    value = getattr(enrollment, field)
    return value if can_see_personal_data(user) else mask(field, value)


# --- The same rules in SQL (admin list and exports) -----------------------------------------------


def _masked_name_sql(field):
    return Case(
        When(**{f"{field}__regex": r"^.{3,}$"}, then=Concat(Left(field, 1), Value("*"), Right(field, 1))),
        When(**{f"{field}__regex": r"^..$"}, then=Concat(Left(field, 1), Value("*"))),
        default=F(field),
        output_field=CharField(),
    )


def _masked_id_sql(field):
    return Case(
        When(**{f"{field}__regex": r"^.{10,}$"}, then=Concat(Left(field, 2), Value("*" * 14), Right(field, 2))),
        When(**{f"{field}__exact": ""}, then=Value("")),
        default=Value("****"),
        output_field=CharField(),
    )


def _masked_phone_sql(field):
    return Case(
        When(**{f"{field}__regex": r"^.{7,}$"}, then=Concat(Left(field, 3), Value("****"), Right(field, 4))),
        When(**{f"{field}__exact": ""}, then=Value("")),
        default=Value("****"),
        output_field=CharField(),
    )


def masked_columns(user) -> dict:
    """Annotations ``<field>_shown`` for the personal fields, masked unless `user` may see them.

    Keys: participant_shown, applicant_shown, phone_shown, id_number_shown, birth_shown (the date, or
    the year as text when masked).
    """
    if can_see_personal_data(user):
        return {
            "participant_shown": F("participant_name"),
            "applicant_shown": F("applicant_name"),
            "phone_shown": F("phone"),
            "id_number_shown": F("id_number"),
            "birth_shown": F("birth_date"),
        }
    return {
        "participant_shown": _masked_name_sql("participant_name"),
        "applicant_shown": _masked_name_sql("applicant_name"),
        "phone_shown": _masked_phone_sql("phone"),
        "id_number_shown": _masked_id_sql("id_number"),
        "birth_shown": Cast(ExtractYear("birth_date"), CharField()),
    }


# --- Logs -------------------------------------------------------------------------------------------

# 11-digit mainland mobile numbers (optionally +86/86) and 18-character ID numbers, not inside longer digit runs.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Mask every phone and ID number found in free text (log lines)."""
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


class MaskPersonalDataFilter(logging.Filter):
    """Logging filter: the formatted message and exception text carry no full phone or ID number."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True
