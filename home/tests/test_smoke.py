import pytest

from home.tests.factories import NewsIndexPageFactory, NewsPageFactory


@pytest.mark.django_db
def test_home_and_news_render(client, site_root):
    index = NewsIndexPageFactory(parent=site_root)
    news = NewsPageFactory(parent=index, title="元旦职工拔河比赛")
    assert client.get("/").status_code == 200
    response = client.get(index.url)
    assert response.status_code == 200
    assert "元旦职工拔河比赛" in response.text
    assert client.get(news.url).status_code == 200
