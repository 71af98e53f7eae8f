"""Event calendar (文化活动): venues, the calendar index page and events."""

from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from home.models import SitePage


class Venue(index.Indexed, models.Model):
    """A place where events and courses happen (shared with the training app)."""

    name = models.CharField("名称", max_length=80)
    address = models.CharField("地址", max_length=160, blank=True)
    room = models.CharField("房间/楼层", max_length=60, blank=True)
    capacity = models.PositiveIntegerField("容纳人数", null=True, blank=True)
    map_url = models.URLField("地图链接", blank=True, help_text="高德或百度地图的地址链接")
    accessibility = models.TextField("无障碍说明", blank=True)

    panels = [
        FieldPanel("name"),
        MultiFieldPanel([FieldPanel("address"), FieldPanel("room"), FieldPanel("map_url")], heading="位置"),
        FieldPanel("capacity"),
        FieldPanel("accessibility"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("address"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = "场馆"
        verbose_name_plural = "场馆"

    def __str__(self) -> str:
        return f"{self.name} {self.room}".strip()


class EventIndexPage(SitePage):
    intro = models.TextField("导语", blank=True)

    content_panels = SitePage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = "活动日历"
        verbose_name_plural = "活动日历"
