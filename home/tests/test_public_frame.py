"""长辈模式 toggle, pinyin slugs with redirects, share metadata, home title, 订阅 wording."""

import pytest
from wagtail.contrib.redirects.models import Redirect

from home.models import StandardPage
from home.slugs import pinyin_slug

pytestmark = pytest.mark.django_db


def test_elder_mode_toggle_sets_the_cookie_and_returns(site_root, client):
    response = client.get("/elder/?on=1&next=/search/%3Fq%3D%E5%8F%A4%E7%AD%9D")
    assert response.status_code == 302
    assert response["Location"] == "/search/?q=%E5%8F%A4%E7%AD%9D"
    assert response.cookies["hn_elder"].value == "1"
    assert response.cookies["hn_elder"]["max-age"] == 365 * 24 * 3600
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    page = client.get("/").content.decode()
    assert '<html lang="zh-CN" class="elder">' in page
    assert "退出长辈模式" in page
    off = client.get("/elder/?on=0&next=/")
    assert off.cookies["hn_elder"].value == ""
    assert '<html lang="zh-CN">' in client.get("/").content.decode()


def test_elder_mode_never_redirects_off_site(site_root, client):
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        assert client.get("/elder/", {"on": "1", "next": target})["Location"] == "/"


def test_toggle_link_works_without_javascript(site_root, client):
    html = client.get("/").content.decode()
    assert 'href="/elder/?on=1&amp;next=/"' in html


def test_pinyin_slug():
    assert pinyin_slug("少儿古筝启蒙班") == "shao-er-gu-zheng-qi-meng-ban"
    assert pinyin_slug("CAD 机械制图培训") == "cad-ji-xie-zhi-tu-pei-xun"
    assert pinyin_slug("绿化花卉工·女子班") == "lv-hua-hua-hui-gong-nv-zi-ban"
    assert len(pinyin_slug("职工" * 80)) <= 60


def test_new_page_gets_a_pinyin_slug_and_a_changed_one_redirects(site_root, client, django_capture_on_commit_callbacks):
    page = StandardPage(title="职工书屋开放时间", slug="职工书屋开放时间")
    site_root.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.slug == "zhi-gong-shu-wu-kai-fang-shi-jian"
    assert client.get("/zhi-gong-shu-wu-kai-fang-shi-jian/").status_code == 200
    # A second page with the same title gets a distinct address.
    twin = StandardPage(title="职工书屋开放时间", slug="职工书屋开放时间")
    site_root.add_child(instance=twin)
    twin.save_revision().publish()
    twin.refresh_from_db()
    assert twin.slug == "zhi-gong-shu-wu-kai-fang-shi-jian-2"
    # The editor may type their own ASCII address; the old one keeps working.
    page.slug = "shuwu"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert Redirect.objects.filter(old_path="/zhi-gong-shu-wu-kai-fang-shi-jian").exists()
    response = client.get("/zhi-gong-shu-wu-kai-fang-shi-jian/")
    assert response.status_code == 301 and response["Location"].endswith("/shuwu/")


def test_home_title_does_not_repeat_the_site_name(site_root, client):
    html = client.get("/").content.decode()
    title = html.split("<title>")[1].split("</title>")[0]
    assert title.count("海宁市总工会") == 1


def test_share_metadata_everywhere(site_root, client):
    page = StandardPage(title="关于我们", slug="about")
    site_root.add_child(instance=page)
    page.save_revision().publish()
    for url in ("/", "/about/", "/enroll/lookup/"):
        html = client.get(url).content.decode()
        assert '<meta property="og:title"' in html, url
        assert '<meta property="og:image" content="http://testserver/static/img/share.png">' in html, url
