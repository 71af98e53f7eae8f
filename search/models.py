"""Site search: what editors control about the search page (the 大家都在搜 suggestions)."""

from django.core.cache import cache
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

SUGGESTIONS_CACHE_KEY = "search:suggestions"


@register_setting(icon="search")
class SearchSuggestionSettings(BaseGenericSetting):
    """大家都在搜: pinned terms first, then what many visitors searched and found, minus blocked words."""

    pinned_terms = models.TextField(
        "置顶搜索词", blank=True, help_text="每行一个，始终显示在“大家都在搜”的最前面（按填写顺序）。"
    )
    blocked_terms = models.TextField(
        "屏蔽词",
        blank=True,
        help_text="每行一个。包含这些字词的搜索词不会出现在“大家都在搜”中（不区分全角半角、大小写和空格）。",
    )
    min_searches = models.PositiveSmallIntegerField(
        "最少搜索人数",
        default=5,
        help_text="近 30 天内至少有这么多位访客（按网络地址每天计一次）搜索过、且能搜到内容的词才会显示。",
    )

    panels = [FieldPanel("pinned_terms"), FieldPanel("blocked_terms"), FieldPanel("min_searches")]

    class Meta:
        verbose_name = "搜索建议（大家都在搜）"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(SUGGESTIONS_CACHE_KEY)
