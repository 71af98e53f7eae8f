"""Query budgets: home, news index and news page stay within 12 queries whether there are 10 or 1,000 news."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.models import NewsPage
from home.tests.factories import NewsCategoryFactory, NewsIndexPageFactory, SiteImageFactory

BUDGET = 12


def _add_news(index, count, category, image):
    existing = NewsPage.objects.count()
    for n in range(count):
        index.add_child(
            instance=NewsPage(
                title=f"职工新闻 {existing + n}",
                slug=f"n-{existing + n}",
                category=category,
                cover_image=image,
                lead="导语",
            )
        )


def _warm_count(client, url):
    # Warm the caches (renditions, navigation, footer) as any visitor after the first finds them; the
    # first request of a new site also creates its settings rows, which refreshes the chrome cache once.
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_news(client, site_root):
    index = NewsIndexPageFactory(parent=site_root)
    category = NewsCategoryFactory(name="工会要闻", slug="yaowen")
    image = SiteImageFactory()
    _add_news(index, 10, category, image)
    article = NewsPage.objects.live().order_by("pk").first()
    urls = ["/", index.url, article.url, f"{index.url}?category=yaowen", f"{index.url}?page=2"]
    small = {url: _warm_count(client, url) for url in urls}

    _add_news(index, 990, category, image)
    large = {url: _warm_count(client, url) for url in urls}

    for url in urls:
        assert small[url] <= BUDGET, f"{url}: {small[url]} queries with 10 news"
        assert large[url] == small[url], f"{url}: {small[url]} queries with 10 news, {large[url]} with 1000"
