"""Event calendar (文化活动). The index page is declared here so the home page can allow it."""

from django.db import models
from wagtail.admin.panels import FieldPanel

from home.models import SitePage


class EventIndexPage(SitePage):
    intro = models.TextField("导语", blank=True)

    content_panels = SitePage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = "活动日历"
        verbose_name_plural = "活动日历"
