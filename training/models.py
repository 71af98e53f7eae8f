"""Course catalog and enrollment (培训课程). The index page is declared here so the home page can allow it."""

from django.db import models
from wagtail.admin.panels import FieldPanel

from home.models import SitePage


class CourseIndexPage(SitePage):
    intro = models.TextField("导语", blank=True)

    content_panels = SitePage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = "课程目录"
        verbose_name_plural = "课程目录"
