"""Factories for the training app."""

import datetime

import factory
import wagtail_factories
from django.utils import timezone

from training.models import CourseCategory, CourseIndexPage, CoursePage, CourseSeats, Term
from training.services.enrollment import Applicant

NOW = timezone.make_aware(datetime.datetime(2027, 5, 20, 9, 0))

#: TermFactory(**OPEN): a term whose enrollment is open whenever the tests run.
OPEN = dict(
    enrollment_opens_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
    enrollment_closes_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC),
)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    name = factory.Sequence(lambda n: f"2027 年暑期 {n}")
    season = "summer"
    starts_on = datetime.date(2027, 7, 5)
    ends_on = datetime.date(2027, 8, 20)
    enrollment_opens_at = NOW - datetime.timedelta(days=1)
    enrollment_closes_at = NOW + datetime.timedelta(days=10)
    max_courses_per_participant = 2
    age_cutoff_date = datetime.date(2027, 7, 5)


class CourseCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseCategory
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"类别{n}")
    slug = factory.Sequence(lambda n: f"cat{n}")


class CourseIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CourseIndexPage

    title = "培训课程"
    slug = "courses"


class CoursePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"少儿古筝班{n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    term = factory.SubFactory(TermFactory)
    category = factory.SubFactory(CourseCategoryFactory)
    capacity = 2
    waitlist_size = 2
    age_min = 6
    age_max = 12
    first_lesson = datetime.date(2027, 7, 5)


def one_seat_course_on_sale(parent) -> CoursePage:
    """A published one-seat course (no waitlist) in a course index under `parent`, its term's window open
    now: the home page's 培训课程报名 row shows it, and one enrollment fills it."""
    now = timezone.now()
    term = TermFactory(
        enrollment_opens_at=now - datetime.timedelta(days=1),
        enrollment_closes_at=now + datetime.timedelta(days=10),
        age_cutoff_date=datetime.date(2027, 7, 5),
    )
    index = CourseIndexPageFactory(parent=parent)
    course = CoursePageFactory(parent=index, title="少儿古筝启蒙班", term=term, capacity=1, waitlist_size=0)
    course.save_revision().publish()
    return course


def course_index_on_new_site(home_slug: str) -> CourseIndexPage:
    """A course index under a new home page that is the default site (transactional tests: the flush empties the tree)."""
    from wagtail.models import Site

    from haining.testing import ensure_wagtail_base_rows
    from home.tests.factories import HomePageFactory

    home = HomePageFactory(parent=ensure_wagtail_base_rows(), slug=home_slug)
    Site.objects.update_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "localhost"})
    return CourseIndexPageFactory(parent=home)


def id_number(birth: datetime.date, seq: int = 1, female: bool = False) -> str:
    from training.demo import demo_id_number

    return demo_id_number(birth, seq, female)


def applicant(seq: int = 1, birth=datetime.date(2018, 3, 1), **overrides) -> Applicant:
    number = overrides.pop("id_number", None) or id_number(birth, seq)
    fields = dict(
        applicant_name="张建国",
        phone=f"1390000{seq:04d}",
        participant_name=f"张小{'明亮晨阳'[seq % 4]}",
        id_number=number,
        birth_date=birth,
        gender="M",
        consent=True,
    )
    fields.update(overrides)
    return Applicant(**fields)


def seat_counts(course) -> tuple[int, int]:
    """(confirmed, waitlisted) as the course's seat row records them now."""
    seats = CourseSeats.objects.get(course_id=course.pk)
    return seats.confirmed, seats.waitlisted
