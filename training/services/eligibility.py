"""What a visitor sees before the form: who may enroll, per the same rules the service enforces.

The ages come from training.services.enrollment.age_on at the term's cut-off date; this module only
turns them into the birth-date range a parent can check against a 户口簿 without arithmetic.
"""

import datetime

from training.models import Audience


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def birth_range(course) -> tuple[datetime.date | None, datetime.date | None]:
    """(earliest, latest) birth date that passes the age rules at the cut-off date; None = unbounded.

    Age n at cut-off c means born in (c − (n+1) years, c − n years]. So age ≥ min ⇔ born ≤ c − min years;
    age ≤ max ⇔ born > c − (max+1) years. Adults-only courses also require 16 (enrollment.check_rules).
    """
    cutoff = course.term.age_cutoff_date
    age_min = course.age_min
    if course.audience == Audience.ADULTS:
        age_min = max(age_min or 0, 16)
    latest = _years_before(cutoff, age_min) if age_min is not None else None
    earliest = None
    if course.age_max is not None:
        earliest = _years_before(cutoff, course.age_max + 1) + datetime.timedelta(days=1)
    return earliest, latest
