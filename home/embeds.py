"""Video embeds for the platforms editors in China use, without asking the platform anything.

A link (or an ``<iframe>`` code copied from the platform's 分享 → 嵌入代码) is matched against the
providers below and the player address is built from the video id, so saving a page never waits for
bilibili and never fails because a host is slow. Platforms that mainland visitors cannot reach
(YouTube …) are refused with the reason; WeChat Channels (视频号) cannot be framed outside WeChat,
so its links become a link card. The player origins are listed once in ``settings.EMBED_FRAME_ORIGINS``
(the Content-Security-Policy's frame-src).
"""

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from wagtail.embeds.exceptions import EmbedNotFoundException
from wagtail.embeds.finders.base import EmbedFinder


class VideoLinkError(ValueError):
    """A link that cannot become a video player; ``str(error)`` is the Chinese message for the editor."""


@dataclass(frozen=True)
class VideoProvider:
    name: str  # shown to editors and visitors
    patterns: tuple[re.Pattern, ...]  # each captures the video id as the group "id"
    player: str  # player address with {id}; empty for link-only platforms

    def match(self, url: str) -> str | None:
        for pattern in self.patterns:
            found = pattern.search(url)
            if found:
                return found.group("id")
        return None


def _re(*patterns: str) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


PROVIDERS = (
    VideoProvider(
        "哔哩哔哩",
        _re(
            r"^https?://(?:www\.|m\.)?bilibili\.com/video/(?P<id>BV[0-9A-Za-z]{10})",
            r"^https?://player\.bilibili\.com/player\.html\?(?:.*&)?bvid=(?P<id>BV[0-9A-Za-z]{10})",
        ),
        "https://player.bilibili.com/player.html?bvid={id}&autoplay=0",
    ),
    VideoProvider(
        "腾讯视频",
        _re(
            r"^https?://v\.qq\.com/x/(?:cover/[0-9a-z]+/|page/)(?P<id>[0-9a-z]{11})\.html",
            r"^https?://v\.qq\.com/txp/iframe/player\.html\?(?:.*&)?vid=(?P<id>[0-9a-z]{11})",
        ),
        "https://v.qq.com/txp/iframe/player.html?vid={id}&autoplay=false",
    ),
    VideoProvider(
        "优酷",
        _re(
            r"^https?://v\.youku\.com/v_show/id_(?P<id>[0-9A-Za-z=]{8,40})\.html",
            r"^https?://player\.youku\.com/embed/(?P<id>[0-9A-Za-z=]{8,40})",
        ),
        "https://player.youku.com/embed/{id}",
    ),
    VideoProvider(
        "抖音",
        _re(
            r"^https?://(?:www\.)?douyin\.com/video/(?P<id>\d{8,25})",
            r"^https?://open\.douyin\.com/player/video\?(?:.*&)?vid=(?P<id>\d{8,25})",
        ),
        "https://open.douyin.com/player/video?vid={id}&autoplay=0",
    ),
    VideoProvider("微信视频号", _re(r"^https?://channels\.weixin\.qq\.com/(?P<id>\S+)"), ""),
)

# Hosts a visitor in mainland China cannot open: the page would show an empty frame.
UNREACHABLE_HOSTS = {
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "youtube-nocookie.com": "YouTube",
    "vimeo.com": "Vimeo",
    "dailymotion.com": "Dailymotion",
    "facebook.com": "Facebook",
    "instagram.com": "Instagram",
    "twitter.com": "X (Twitter)",
    "x.com": "X (Twitter)",
    "tiktok.com": "TikTok",
}
SHORT_LINK_HOSTS = {"b23.tv", "v.douyin.com", "url.cn"}

_IFRAME_SRC = re.compile(r"<iframe\b[^>]*?\bsrc\s*=\s*([\"'])(?P<src>.*?)\1", re.IGNORECASE | re.DOTALL)


def link_from_input(text: str) -> str:
    """The address an editor meant: a pasted ``<iframe src=…>`` code gives its ``src``; ``//host`` gets https."""
    text = (text or "").strip()
    found = _IFRAME_SRC.search(text)
    if found:
        text = html.unescape(found.group("src")).strip()
    if text.startswith("//"):
        text = "https:" + text
    return text


@dataclass(frozen=True)
class VideoLink:
    provider: VideoProvider
    video_id: str
    url: str

    @property
    def player_url(self) -> str:
        return self.provider.player.format(id=self.video_id) if self.provider.player else ""


def parse_video_link(url: str) -> VideoLink:
    """Match ``url`` to a provider, or raise VideoLinkError with the reason in Chinese."""
    url = link_from_input(url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise VideoLinkError("请粘贴视频页面的网址（以 https:// 开头）或平台提供的嵌入代码。")
    host = parts.hostname or ""
    for blocked, name in UNREACHABLE_HOSTS.items():
        if host == blocked or host.endswith("." + blocked):
            raise VideoLinkError(
                f"{name} 在中国大陆无法访问，大多数观众会看到空白。请改用哔哩哔哩、腾讯视频、优酷，或把视频以 MP4 上传。"
            )
    if host in SHORT_LINK_HOSTS:
        raise VideoLinkError("这是短链接：请先在浏览器中打开它，再复制地址栏里的完整网址粘贴到这里。")
    # Older bilibili embed codes carry aid=… only; bvid is what the player needs now.
    if host == "player.bilibili.com" and not parse_qs(parts.query).get("bvid"):
        raise VideoLinkError("这段哔哩哔哩嵌入代码没有 BV 号：请粘贴视频页面的网址（含 BV 号）。")
    for provider in PROVIDERS:
        video_id = provider.match(url)
        if video_id:
            return VideoLink(provider, video_id, url)
    raise VideoLinkError("暂不支持这个视频网站：请使用哔哩哔哩、腾讯视频、优酷、抖音或视频号的视频网址，或上传 MP4。")


class ChinaVideoFinder(EmbedFinder):
    """Wagtail embed finder for the providers above; builds the player HTML from the id (no network)."""

    def __init__(self, **options):
        self.options = options

    def accept(self, url):
        try:
            parse_video_link(url)
        except VideoLinkError:
            return False
        return True

    def find_embed(self, url, max_width=None, max_height=None):
        try:
            link = parse_video_link(url)
        except VideoLinkError as error:
            raise EmbedNotFoundException(str(error)) from error
        name = html.escape(link.provider.name)
        if link.player_url:
            markup = (
                f'<iframe src="{html.escape(link.player_url)}" title="{name}视频播放器" loading="lazy" '
                'allowfullscreen referrerpolicy="strict-origin-when-cross-origin" '
                'sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"></iframe>'
            )
            kind = "video"
        else:
            markup = (
                f'<a class="video-embed__link" href="{html.escape(link.url)}" rel="noopener">'
                f'<span aria-hidden="true">▶</span> 在微信中观看（{name}）</a>'
            )
            kind = "link"
        return {
            "title": "",
            "author_name": "",
            "provider_name": link.provider.name,
            "type": kind,
            "thumbnail_url": "",
            "width": 16 if link.player_url else None,
            "height": 9 if link.player_url else None,
            "html": markup,
        }
