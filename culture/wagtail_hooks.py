"""Admin for the calendar: venues, and event categories (events themselves are pages)."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import EventCategory, Venue


class VenueViewSet(SnippetViewSet):
    model = Venue
    icon = "site"
    menu_label = "场馆"
    list_display = ["name", "room", "address", "capacity"]
    list_filter = {"capacity": ["gte", "lte"], "address": ["icontains"]}
    search_fields = ["name", "address", "room"]
    ordering = ["name"]


class EventCategoryViewSet(SnippetViewSet):
    model = EventCategory
    icon = "tag"
    menu_label = "活动类别"
    list_display = ["name", "slug", "sort_order"]
    list_filter = {"name": ["icontains"]}
    ordering = ["sort_order", "name"]


class CultureSettingsGroup(SnippetViewSetGroup):
    menu_label = "文化活动设置"
    menu_icon = "date"
    menu_order = 310
    items = (VenueViewSet, EventCategoryViewSet)


register_snippet(CultureSettingsGroup)
