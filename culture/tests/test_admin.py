"""Editors publish a weekly series with one cancelled date in the admin, and are told when a change is wrong."""

import datetime

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from culture.models import EventOccurrence, EventPage
from culture.tests.factories import EventCategoryFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("editor", "e@example.cn", "pw"))
    return client


def series_form(category, venue, changes):
    return nested_form_data(
        {
            "title": "周末职工电影放映",
            "slug": "films",
            "category": category.pk,
            "venue": venue.pk,
            "organiser": "海宁市工人文化宫",
            "summary": "每周六晚免费放映",
            "audience": "全市职工",
            "price": "",
            "booking_note": "",
            "booking_url": "",
            "status": "scheduled",
            "status_note": "",
            "body": streamfield([("paragraph", rich_text("<p>凭票入场</p>"))]),
            "dates": inline_formset(
                [
                    {
                        "start_date": "2026-12-05",
                        "start_time": "19:00",
                        "end_time": "21:00",
                        "end_date": "",
                        "repeat": "weekly",
                        "weekdays": ["5"],
                        "interval": "1",
                        "repeat_until": "2027-01-30",
                    }
                ],
                min=1,
            ),
            "date_changes": inline_formset(changes),
            "action-publish": "publish",
        }
    )


def test_editor_publishes_a_weekly_series_with_one_cancelled_date(editor_client, calendar_page, client):
    category, venue = EventCategoryFactory(name="电影", slug="film"), VenueFactory(room="职工剧场")
    url = f"/admin/pages/add/culture/eventpage/{calendar_page.pk}/"
    assert editor_client.get(url).status_code == 200
    change = {
        "date": "2026-12-26",
        "kind": "cancelled",
        "new_date": "",
        "new_start_time": "",
        "new_end_time": "",
        "note": "剧场检修",
    }
    response = editor_client.post(url, series_form(category, venue, [change]))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    event = EventPage.objects.get(slug="films")
    assert event.live
    occurrences = list(EventOccurrence.objects.filter(event=event).order_by("start"))
    assert len(occurrences) == 9
    assert [o.date for o in occurrences if o.status == "cancelled"] == [datetime.date(2026, 12, 26)]
    # The visitor's month view and the .ics agree.
    html = client.get("/activities/2026/12/").content.decode()
    # Five Saturdays in the grid: four in December and 2 January in its last row.
    assert html.count("周末职工电影放映") == 5 and "已取消" in html
    ics = client.get(event.url + "ics/").content.decode()
    assert "EXDATE;TZID=Asia/Shanghai:20261226T190000" in ics


def test_a_change_on_a_date_the_series_does_not_have_is_refused(editor_client, calendar_page):
    category, venue = EventCategoryFactory(name="电影", slug="film"), VenueFactory()
    url = f"/admin/pages/add/culture/eventpage/{calendar_page.pk}/"
    change = {
        "date": "2026-12-24",
        "kind": "cancelled",
        "new_date": "",
        "new_start_time": "",
        "new_end_time": "",
        "note": "",
    }
    response = editor_client.post(url, series_form(category, venue, [change]))
    assert response.status_code == 200
    assert not EventPage.objects.filter(slug="films").exists()
    errors = response.context["form"].formsets["date_changes"].forms[0].errors
    assert "12月24日没有安排场次" in errors["date"][0]


def test_venues_and_categories_are_managed_in_the_admin(editor_client):
    VenueFactory(room="职工剧场", capacity=500)
    VenueFactory(room="职工书屋", capacity=60)
    response = editor_client.get("/admin/snippets/culture/venue/?capacity__gte=100")
    html = response.content.decode()
    assert response.status_code == 200 and "职工剧场" in html and "职工书屋" not in html
    assert editor_client.get("/admin/snippets/culture/eventcategory/").status_code == 200
