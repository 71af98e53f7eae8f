"""RSS 2.0 and Atom feeds of a news index."""

import datetime

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed


class NewsRssFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "zh-cn"

    def __init__(self, index_page):
        super().__init__()
        self.index_page = index_page

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return f"{self.index_page.title} · 海宁市总工会"

    def link(self):
        return self.index_page.get_url(self.request) or "/"

    def description(self):
        return self.index_page.intro or "海宁市总工会、海宁市工人文化宫最新动态"

    def items(self):
        return self.index_page.news_queryset()[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary_text

    def item_link(self, item):
        return item.get_url(self.request)

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time(9, 0)))

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [item.category.name] if item.category else []


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()
