"""haining.compiled_query: a queryset compiled once answers, for every parameter value, exactly what evaluating
the queryset answers (values, types after the database's converters, annotations, deferred fields), on
whichever database the run uses (SQLite in the default run, PostgreSQL in the services run)."""

import datetime
import decimal

import pytest
from django.db import transaction
from django.db.models import F

from haining.compiled_query import SENTINEL_ID, SENTINEL_TEXT, CompiledQuery
from training.models import CourseSeats, Enrollment
from training.services import enrollment as service
from training.services.enrollment import enroll
from training.tests.factories import OPEN, CourseIndexPageFactory, CoursePageFactory, TermFactory, applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(site_root):
    index = CourseIndexPageFactory(parent=site_root)
    first = CoursePageFactory(
        parent=index, term=TermFactory(**OPEN), capacity=3, waitlist_size=1, fee=decimal.Decimal("120.50")
    )
    second = CoursePageFactory(
        parent=index,
        term=TermFactory(**OPEN, age_cutoff_date=datetime.date(2027, 9, 1), max_courses_per_participant=3),
        capacity=1,
        waitlist_size=0,
        requires_employer=True,
        age_min=None,
    )
    for course in (first, second):
        course.save_revision().publish()
    return first, second


def _state(instance):
    """Every loaded field and annotation of `instance`, with its type."""
    return {name: (value, type(value)) for name, value in instance.__dict__.items() if not name.startswith("_")}


def test_the_seat_query_answers_what_the_queryset_answers_for_each_course(courses):
    compiled = CompiledQuery(lambda course_id: service._counts_queryset(True, course_id), course_id=SENTINEL_ID)
    enroll(courses[0].pk, applicant(1))
    for course in courses:
        with transaction.atomic():
            [fetched] = compiled.fetch(course_id=course.pk)
            [evaluated] = list(service._counts_queryset(True, course.pk))
        assert fetched.pk == course.pk
        assert _state(fetched) == _state(evaluated)
        assert fetched.get_deferred_fields() == evaluated.get_deferred_fields()
        # the annotations carry the database's converted values: dates, datetimes, decimals, booleans
        assert isinstance(fetched.term_age_cutoff_date_now, datetime.date)
        assert isinstance(fetched.course_live_now, bool) and fetched.course_live_now is True
        assert isinstance(fetched.term_enrollment_opens_at_now, datetime.datetime)
        assert fetched.term_enrollment_opens_at_now.tzinfo is not None
    assert compiled.compilations == 1  # compiled by the first fetch, reused for the second course
    with transaction.atomic():
        assert compiled.fetch(course_id=courses[1].pk + 10_000) == []


def test_a_text_parameter_and_constants_in_the_query(courses):
    held = CompiledQuery(
        lambda term_id, id_number: Enrollment.objects.filter(
            course__term_id=term_id, id_number=id_number, status__in=("confirmed", "waitlisted")
        ).order_by("pk"),
        term_id=SENTINEL_ID,
        id_number=SENTINEL_TEXT,
    )
    first, second = courses
    people = [applicant(n) for n in (1, 2, 3)]
    for person in people:
        enroll(first.pk, person)
    enroll(second.pk, applicant(1, employer="海宁市某机械厂"))
    for course in courses:
        for person in people:
            expected = list(
                Enrollment.objects.filter(
                    course__term_id=course.term_id, id_number=person.id_number, status__in=("confirmed", "waitlisted")
                ).order_by("pk")
            )
            fetched = held.fetch(term_id=course.term_id, id_number=person.id_number)
            assert [e.pk for e in fetched] == [e.pk for e in expected]
            assert [_state(e) for e in fetched] == [_state(e) for e in expected]
    assert held.fetch(term_id=first.term_id, id_number="' OR 1=1 --") == []  # a parameter, never SQL text


def test_what_it_refuses(courses):
    with pytest.raises(ValueError, match="unchanged"):  # `contains` wraps the value in %…%
        CompiledQuery(lambda text: Enrollment.objects.filter(id_number__contains=text), text=SENTINEL_TEXT).fetch(
            text="3304"
        )
    with pytest.raises(ValueError, match="plain model queryset"):
        CompiledQuery(
            lambda course_id: CourseSeats.objects.select_related("course").filter(course_id=course_id),
            course_id=SENTINEL_ID,
        ).fetch(course_id=courses[0].pk)
    with pytest.raises(ValueError, match="plain model queryset"):
        CompiledQuery(
            lambda course_id: CourseSeats.objects.filter(course_id=course_id).values("confirmed"),
            course_id=SENTINEL_ID,
        ).fetch(course_id=courses[0].pk)
    compiled = CompiledQuery(
        lambda course_id: CourseSeats.objects.filter(course_id=course_id).annotate(cap=F("course__capacity")),
        course_id=SENTINEL_ID,
    )
    with pytest.raises(ValueError, match="exactly"):
        compiled.fetch(course=courses[0].pk)
    assert [seats.cap for seats in compiled.fetch(course_id=courses[0].pk)] == [3]


def test_the_services_compiled_queries_are_compiled_once_per_process(courses):
    service._HELD_IN_TERM.forget()
    service._LOCKED_COUNTS[True].forget()
    before = (service._HELD_IN_TERM.compilations, service._LOCKED_COUNTS[True].compilations)
    for n in range(1, 5):
        enroll(courses[0].pk, applicant(n))
    assert (service._HELD_IN_TERM.compilations, service._LOCKED_COUNTS[True].compilations) == (
        before[0] + 1,
        before[1] + 1,
    )
    assert CourseSeats.objects.get(course_id=courses[0].pk).confirmed == 3
