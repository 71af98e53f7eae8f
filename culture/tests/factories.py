"""Factories for the calendar: venues, categories, the calendar page and events with their dates."""

import datetime

import factory
import wagtail_factories

from culture.models import EventCategory, EventDate, EventDateChange, EventIndexPage, EventPage, Venue


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = "工人文化宫"
    room = factory.Sequence(lambda n: f"{n} 号厅")
    address = "海宁市工人路 1 号"
    capacity = 500


class EventCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventCategory
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"类别{n}")
    slug = factory.Sequence(lambda n: f"cat-{n}")


class EventIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = EventIndexPage

    title = "文化活动"
    slug = "activities"


def make_event(index, title="职工电影放映", dates=(), changes=(), publish=True, **fields) -> EventPage:
    """An event under `index` with the given date rules (dicts of EventDate fields) and changes.

    Published through a revision, as the admin does, so occurrences are synced the same way.
    """
    event = EventPage(title=title, slug=fields.pop("slug", None) or f"event-{EventPage.objects.count() + 1}", **fields)
    event.dates = [EventDate(**d) for d in dates]
    event.date_changes = [EventDateChange(**c) for c in changes]
    index.add_child(instance=event)
    if publish:
        event.save_revision().publish()
    return EventPage.objects.get(pk=event.pk)


def weekly(start: datetime.date, until: datetime.date, weekdays="", at=datetime.time(19, 0), end=datetime.time(21, 0)):
    return dict(start_date=start, start_time=at, end_time=end, repeat="weekly", weekdays=weekdays, repeat_until=until)
