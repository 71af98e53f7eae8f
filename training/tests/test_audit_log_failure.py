"""An audit-log entry that cannot be written never undoes the enrollment it records (training.services.enrollment).

On PostgreSQL a failed statement aborts the whole transaction, so the log INSERT runs in a savepoint; without
it the enrollment's next statement fails with "current transaction is aborted" and the applicant gets an error.
"""

import pytest
from django.db import connection

from training.models import Enrollment, EnrollmentStatus
from training.services import enrollment as service
from training.tests.factories import NOW, CoursePageFactory, applicant

pytestmark = pytest.mark.django_db


def test_a_failing_log_insert_keeps_the_enrollment(site_root):
    from training.tests.factories import CourseIndexPageFactory

    course = CoursePageFactory(parent=CourseIndexPageFactory(parent=site_root), capacity=2, waitlist_size=0)

    def broken_log_table(execute, sql, params, many, context):
        if 'INSERT INTO "wagtailcore_modellogentry"' in sql:
            return execute("SELECT 1 / 0", (), False, context)  # fails inside the database server
        return execute(sql, params, many, context)

    with connection.execute_wrapper(broken_log_table):
        outcome = service.enroll(course.pk, applicant(1), now=NOW)
    assert outcome.created and outcome.enrollment.status == EnrollmentStatus.CONFIRMED
    assert Enrollment.objects.get(course=course).reference == outcome.enrollment.reference
