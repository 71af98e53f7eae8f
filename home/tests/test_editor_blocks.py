"""Video embeds, pasted tables, 通知 formatting and page-owned captions, rendered as visitors get them."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
from wagtail.rich_text import RichText

from home.blocks import BodyBlock, PastedTableBlock, VideoBlock, VideoEmbedBlock, clean_table_data
from home.embeds import PROVIDERS, VideoLinkError, parse_video_link
from home.tests.factories import NewsIndexPageFactory, NewsPageFactory, SiteImageFactory

VIDEO_LINKS = {
    "https://www.bilibili.com/video/BV1GJ411x7h7/?spm_id_from=333.1007": (
        "哔哩哔哩",
        "https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&autoplay=0",
    ),
    '<iframe src="//player.bilibili.com/player.html?isOutside=true&aid=1&bvid=BV1GJ411x7h7&cid=2&p=1" '
    'scrolling="no" border="0" frameborder="no" allowfullscreen="true"></iframe>': (
        "哔哩哔哩",
        "https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&autoplay=0",
    ),
    "https://v.qq.com/x/cover/mzc00200abcd123/x4100k2bsy0.html": (
        "腾讯视频",
        "https://v.qq.com/txp/iframe/player.html?vid=x4100k2bsy0&autoplay=false",
    ),
    "https://v.youku.com/v_show/id_XNTk2NDI5MTY4MA==.html?spm=a2h0c": (
        "优酷",
        "https://player.youku.com/embed/XNTk2NDI5MTY4MA==",
    ),
    "https://www.douyin.com/video/7312345678901234567": (
        "抖音",
        "https://open.douyin.com/player/video?vid=7312345678901234567&autoplay=0",
    ),
}


@pytest.mark.parametrize("text", list(VIDEO_LINKS))
def test_video_links_and_embed_codes_become_players_without_a_request(text):
    name, player = VIDEO_LINKS[text]
    link = parse_video_link(text)
    assert (link.provider.name, link.player_url) == (name, player)


@pytest.mark.parametrize(
    "url, words",
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "中国大陆无法访问"),
        ("https://youtu.be/dQw4w9WgXcQ", "中国大陆无法访问"),
        ("https://b23.tv/abc123", "短链接"),
        ("https://example.com/video.html", "暂不支持"),
        ("视频在公众号里", "https://"),
    ],
)
def test_unusable_video_links_are_refused_with_the_reason(url, words):
    with pytest.raises(VideoLinkError, match=words):
        parse_video_link(url)


def test_every_player_origin_is_listed_for_the_content_security_policy():
    for provider in PROVIDERS:
        if provider.player:
            parts = urlsplit(provider.player)
            assert f"{parts.scheme}://{parts.netloc}" in settings.EMBED_FRAME_ORIGINS, provider.name


@pytest.mark.django_db
def test_video_block_renders_the_player_and_refuses_youtube():
    block = VideoBlock()
    value = block.to_python({"video": "https://www.bilibili.com/video/BV1GJ411x7h7", "title": "职工运动会"})
    html = block.render(value)
    assert 'src="https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&amp;autoplay=0"' in html
    assert "allowfullscreen" in html and "style=" not in html
    assert "职工运动会 · 来源：哔哩哔哩" in html

    embed_block = VideoEmbedBlock()
    with pytest.raises(ValidationError, match="中国大陆无法访问"):
        embed_block.clean(embed_block.value_from_form("https://www.youtube.com/watch?v=dQw4w9WgXcQ"))
    iframe = '<iframe src="//player.bilibili.com/player.html?bvid=BV1GJ411x7h7" allowfullscreen></iframe>'
    assert embed_block.clean(embed_block.value_from_form(iframe)).url.startswith("https://player.bilibili.com/")


def test_wechat_channels_link_becomes_a_link_card():
    link = parse_video_link("https://channels.weixin.qq.com/web/pages/feed?eid=export%2FUzFf")
    assert link.provider.name == "微信视频号" and link.player_url == ""


# A WPS 表格 selection: a title merged across three columns, a cell merged down two rows.
WPS_TABLE = {
    "rows": [
        [{"text": "2026年职工技能竞赛成绩", "colspan": 3, "rowspan": 1}],
        [{"text": "序号", "colspan": 1, "rowspan": 1}, {"text": "姓名", "colspan": 1, "rowspan": 1}, {"text": "成绩"}],
        [{"text": "1", "rowspan": 2}, {"text": "张　伟"}, {"text": "98"}],
        [{"text": "欧阳·娜娜"}, {"text": "96.5"}],
        [{"text": "2"}, {"text": "李\u202e强"}, {"text": "<b>90</b>"}],
    ]
}


def test_pasted_table_keeps_merged_cells_and_header_row():
    block = PastedTableBlock()
    value = block.to_python(
        {"caption": "成绩表", "data": clean_table_data(WPS_TABLE), "header_row": True, "header_column": False}
    )
    html = block.render(value)
    assert '<th scope="colgroup" colspan="3">2026年职工技能竞赛成绩</th>' in html
    assert '<td rowspan="2">1</td>' in html
    assert "<td>96.5</td>" in html and "<td>欧阳·娜娜</td>" in html
    assert "&lt;b&gt;90&lt;/b&gt;" in html  # pasted markup is text, never HTML
    assert "\u202e" not in html
    assert html.index("<thead>") < html.index("2026年") < html.index("</thead>") < html.index("序号")


@pytest.mark.parametrize("bad", [None, {}, {"rows": []}, {"rows": "x"}, {"rows": [["a"]] * 501}])
def test_pasted_table_refuses_empty_or_huge_tables(bad):
    with pytest.raises(ValidationError):
        clean_table_data(bad)


def test_notice_formatting_round_trips_through_the_editor():
    html = (
        '<h2 class="red-head">海宁市总工会文件</h2><p class="align-center">海工〔2026〕12号</p>'
        '<p class="indent">各基层工会：</p><p class="align-right">2026年11月30日</p>'
    )
    features = BodyBlock.base_blocks["paragraph"].features
    converter = ContentstateConverter(features=features)
    contentstate = converter.from_database_format(html)
    assert '"type": "red-head"' in contentstate and '"type": "indent"' in contentstate
    round_trip = converter.to_database_format(contentstate)
    for fragment in ('class="red-head"', 'class="align-center"', 'class="indent"', 'class="align-right"', "〔2026〕"):
        assert fragment in round_trip


@pytest.mark.django_db
def test_cover_caption_belongs_to_the_page_not_the_library(client, site_root):
    course_picture = SiteImageFactory(title="书法班课堂", description="书法班学员练习楷书")
    index = NewsIndexPageFactory(parent=site_root)
    news = NewsPageFactory(parent=index, title="新闻复用课程图片", cover_image=course_picture)
    html = client.get(news.url).content.decode()
    assert "<figcaption>书法班学员练习楷书</figcaption>" not in html
    assert "书法班课堂" not in html
    news.cover_caption = "职工书法展开幕"
    news.save_revision().publish()
    html = client.get(news.url).content.decode()
    assert "<figcaption>职工书法展开幕</figcaption>" in html


@pytest.mark.django_db
def test_animated_gif_is_served_as_uploaded(client, site_root):
    image = SiteImageFactory(title="动图", is_animated=True)
    index = NewsIndexPageFactory(parent=site_root)
    news = NewsPageFactory(parent=index, cover_image=image)
    html = client.get(news.url).content.decode()
    assert f'src="{image.file.url}"' in html


def test_rich_text_keeps_no_break_spaces_and_full_width_punctuation():
    source = "<p>第一条\u00a0\u00a0\u00a0（一）“职工之家”：健步走，全民健身！</p>"
    value = BodyBlock.base_blocks["paragraph"].clean(RichText(source))
    assert "\u00a0\u00a0\u00a0（一）“职工之家”：健步走，全民健身！" in value.source
