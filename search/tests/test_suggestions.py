"""大家都在搜 (issue #14): only terms many visitors searched AND found, minus blocked words, plus pinned ones.

Searches go through the real search page from many client addresses, as visitors (and spammers) do.
"""

import pytest
from django.test import Client

from home.tests.factories import NewsIndexPageFactory, NewsPageFactory
from search.models import SearchSuggestionSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def news(site_root):
    index = NewsIndexPageFactory(parent=site_root)
    for title in ("海宁市总工会举办元旦职工拔河比赛", "暑期少儿古筝兴趣班招生", "职工书屋免费开放"):
        NewsPageFactory(parent=index, title=title, lead="")
    return index


def search_from(n_clients: int, query: str, times_each: int = 1):
    for n in range(n_clients):
        visitor = Client(REMOTE_ADDR=f"198.51.{n // 250}.{n % 250 + 1}")
        for _ in range(times_each):
            assert visitor.get("/search/", {"q": query}).status_code == 200


def suggestions(client) -> str:
    from django.core.cache import cache

    from search.models import SUGGESTIONS_CACHE_KEY

    cache.delete(SUGGESTIONS_CACHE_KEY)
    html = client.get("/search/", {"q": "没有这个词的内容"}).text
    return html.split("大家都在搜", 1)[1] if "大家都在搜" in html else ""


def test_a_spam_phrase_searched_50_times_never_appears(client, news):
    search_from(50, "高价回收购物卡")  # finds nothing
    search_from(50, "代开发票 职工")  # shares 职工 with real pages, and holds a blocked word
    search_from(50, "职工 加V 13912345678")  # contact details
    search_from(1, "垃圾广告词", times_each=50)  # one script, 50 times
    search_from(6, "拔河")  # control: a real term that finds pages
    shown = suggestions(client)
    assert "拔河" in shown
    for phrase in ("高价回收购物卡", "代开发票", "13912345678", "加V", "垃圾广告词"):
        assert phrase not in shown


def test_only_terms_that_find_pages_with_all_their_words(client, news):
    search_from(6, "古筝")
    search_from(6, "古筝 钢琴")  # 钢琴 is on no page: an OR search finds pages, an AND search does not
    shown = suggestions(client)
    assert "古筝" in shown and "钢琴" not in shown


def test_the_minimum_count_is_distinct_visitors_and_editable(client, news):
    search_from(4, "书屋")
    assert "书屋" not in suggestions(client)
    config = SearchSuggestionSettings.load()
    config.min_searches = 3
    config.save()
    assert "书屋" in suggestions(client)


def test_editors_block_and_pin_terms(client, news):
    search_from(6, "拔河")
    search_from(6, "古筝")
    config = SearchSuggestionSettings.load()
    config.blocked_terms = "拔 河\n"
    config.pinned_terms = "工会会员服务\n古筝"
    config.save()
    shown = suggestions(client)
    assert "拔河" not in shown  # blocked, even written with a space
    assert shown.index("工会会员服务") < shown.index("古筝")
    assert shown.count(">古筝<") == 1  # pinned and popular: listed once


def test_editors_edit_the_lists_in_the_admin(client, admin_user, news):
    client.force_login(admin_user)
    response = client.get("/admin/settings/sitesearch/searchsuggestionsettings/", follow=True)
    assert response.status_code == 200 and "屏蔽词" in response.text and "置顶搜索词" in response.text
