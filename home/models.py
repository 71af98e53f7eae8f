"""The site's frame: users and images, the home page, standard pages, news, and site settings."""

from urllib.parse import urlencode

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtail.models import Orderable, Page
from wagtail.search import index

from .blocks import BodyBlock, FooterLinkBlock, NavItemBlock, QuickLinkBlock


class SiteImage(AbstractImage):
    credit = models.CharField("摄影/来源", max_length=100, blank=True)
    # Set on upload (home.uploads.normalise_image_upload): templates serve animated GIFs as uploaded.
    is_animated = models.BooleanField("动图", default=False, editable=False)
    # Where a picture pasted from another site (a WeChat article) was imported from; reused, not re-imported.
    source_url = models.URLField("原图地址", max_length=1000, blank=True, db_index=True, editable=False)

    admin_form_fields = Image.admin_form_fields + ("credit",)

    class Meta(AbstractImage.Meta):
        verbose_name = "图片"
        verbose_name_plural = "图片"


class SiteRendition(AbstractRendition):
    image = models.ForeignKey(SiteImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)

    # Wagtail writes every rendition it returns back to the cache unless it is marked as coming from
    # there; renditions read from the cache are not marked, so each hit cost a needless write.
    def __setstate__(self, state):
        super().__setstate__(state)
        self._from_cache = True

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_from_cache", None)
        return state


def with_card_renditions(queryset, field: str = "cover_image"):
    """Select a listing's cover images in the same query.

    Renditions are not prefetched: Wagtail keeps every rendition it has made in the cache (Redis in
    production), so a warm listing of any length costs no rendition queries at all. A prefetch would
    add one query to every listing to save queries only on the very first, cold request.
    """
    return queryset.select_related(field)


class SitePage(Page):
    """Fields every public page shares: a listing summary and a social-sharing image."""

    listing_summary = models.CharField(
        "列表摘要", max_length=200, blank=True, help_text="在列表和分享卡片中显示；留空则使用搜索描述"
    )
    social_image = models.ForeignKey(
        "home.SiteImage",
        verbose_name="分享图片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="微信等分享时显示的图片（建议 1200×630）",
    )

    promote_panels = [
        MultiFieldPanel(Page.promote_panels, heading="常用设置"),
        FieldPanel("listing_summary"),
        FieldPanel("social_image"),
    ]

    class Meta:
        abstract = True

    def full_clean(self, *args, **kwargs):
        # A Chinese slug (the admin fills it in from the title) becomes pinyin: readable links in WeChat.
        from home.slugs import needs_pinyin, pinyin_slug, unique_sibling_slug

        if needs_pinyin(self.slug) and self.title and self.depth and self.depth > 2:
            readable = pinyin_slug(self.title) or pinyin_slug(self.slug)
            if readable:
                self.slug = unique_sibling_slug(self, readable)
        super().full_clean(*args, **kwargs)

    @classmethod
    def serve_queryset(cls):
        """The queryset routing uses to fetch a page of this type (add select_related for its template)."""
        return cls.objects.all()

    def route(self, request, path_components):
        """Fetch a child in one query, already specific, when this page allows one child type only.

        Wagtail's default costs two queries per URL level (the base row, then the specific row).
        """
        if path_components:
            child_models = type(self).allowed_subpage_models()
            if len(child_models) == 1 and hasattr(child_models[0], "serve_queryset"):
                try:
                    child = child_models[0].serve_queryset().child_of(self).get(slug=path_components[0])
                except child_models[0].DoesNotExist:
                    return super().route(request, path_components)
                child._cached_parent_obj = self
                return child.route(request, path_components[1:])
        return super().route(request, path_components)

    @property
    def summary_text(self) -> str:
        return self.listing_summary or self.search_description or ""

    @property
    def og_image(self):
        return self.social_image


class HomePage(SitePage):
    hero_title = models.CharField("横幅标题", max_length=60, default="职工之家 · 娘家人")
    hero_text = models.CharField("横幅文字", max_length=200, blank=True)
    hero_image = models.ForeignKey(
        "home.SiteImage", verbose_name="横幅图片", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hero_link = models.ForeignKey(
        "wagtailcore.Page", verbose_name="横幅链接", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hero_link_text = models.CharField("横幅按钮文字", max_length=20, default="了解更多")
    featured_news = models.ForeignKey(
        "home.NewsPage",
        verbose_name="头条新闻",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="留空则显示最新一条新闻",
    )
    quick_links = StreamField([("link", QuickLinkBlock())], blank=True, verbose_name="快捷服务入口")

    content_panels = SitePage.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("hero_title"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
                PageChooserPanel("hero_link"),
                FieldPanel("hero_link_text"),
            ],
            heading="首页横幅",
        ),
        PageChooserPanel("featured_news", "home.NewsPage"),
        FieldPanel("quick_links"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.StandardPage", "home.NewsIndexPage", "culture.EventIndexPage", "training.CourseIndexPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = "首页"
        verbose_name_plural = "首页"

    def latest_news(self, count: int = 6):
        return list(
            with_card_renditions(NewsPage.objects.live().public().select_related("category")).order_by("-date", "-pk")[
                :count
            ]
        )

    def news_section(self) -> dict:
        """The featured story (the editor's choice, else the latest) and the six news after it."""
        news = self.latest_news(7)
        featured = None
        if self.featured_news_id:
            featured = with_card_renditions(NewsPage.objects.live().public()).filter(pk=self.featured_news_id).first()
        featured = featured or (news[0] if news else None)
        return {
            "featured": featured,
            "latest_news": [item for item in news if featured is None or item.pk != featured.pk][:6],
            "news_index": NewsIndexPage.objects.live().child_of(self).first(),
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Evaluated only when the cached fragment is missing (see home.signals).
        context["news_section"] = SimpleLazyObject(self.news_section)
        return context


class StandardPage(SitePage):
    intro = models.TextField("导语", blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name="正文")

    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    content_panels = SitePage.content_panels + [FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = "普通页面"
        verbose_name_plural = "普通页面"

    @property
    def summary_text(self) -> str:
        return self.listing_summary or self.intro or self.search_description or ""


class Category(models.Model):
    """A named category in a set order: news 栏目, course 类别 and event 类别 are all one."""

    name = models.CharField("名称", max_length=30, unique=True)
    slug = models.SlugField("网址标识", max_length=40, unique=True, allow_unicode=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("sort_order")]

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class NewsCategory(Category):
    class Meta(Category.Meta):
        verbose_name = "新闻栏目"
        verbose_name_plural = "新闻栏目"


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey("home.NewsPage", on_delete=models.CASCADE, related_name="tagged_items")


class NewsIndexPage(RoutablePageMixin, SitePage):
    intro = models.TextField("导语", blank=True)
    per_page = 12

    content_panels = SitePage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.NewsPage"]

    class Meta:
        verbose_name = "新闻列表页"
        verbose_name_plural = "新闻列表页"

    def news_queryset(self):
        return with_card_renditions(
            NewsPage.objects.live().public().descendant_of(self).select_related("category")
        ).order_by("-date", "-pk")

    def listing(self, category_slug: str, tag: str, page_number) -> dict:
        """The news list for the given filters: the page of items, categories and the active filters."""
        news = self.news_queryset()
        categories = list(NewsCategory.objects.all())
        active_category = None
        if category_slug:
            active_category = next((c for c in categories if c.slug == category_slug), None)
            news = news.filter(category=active_category) if active_category else news.none()
        if tag:
            news = news.filter(tags__name=tag)
        paginator = Paginator(news, self.per_page)
        try:
            page_obj = paginator.page(page_number)
        except PageNotAnInteger:
            page_obj = paginator.page(1)
        except EmptyPage:
            page_obj = paginator.page(paginator.num_pages)
        return {
            "page_obj": page_obj,
            "news_items": list(page_obj.object_list),
            "categories": categories,
            "active_category": active_category,
        }

    @path("")
    def index_view(self, request):
        category_slug = request.GET.get("category", "").strip()[:60]
        active_tag = request.GET.get("tag", "").strip()[:100]
        page_number = request.GET.get("page", "1")[:12]
        # Evaluated only when the template's cached fragment is missing (see home.signals).
        listing = SimpleLazyObject(lambda: self.listing(category_slug, active_tag, page_number))
        filters = {k: v for k, v in (("category", category_slug), ("tag", active_tag)) if v}
        return self.render(
            request,
            context_overrides={
                "listing": listing,
                "query_prefix": urlencode(filters) + "&" if filters else "",
                "category_slug": category_slug,
                "active_tag": active_tag,
                "page_number": page_number,
            },
        )

    @path("feed/", name="rss")
    def rss_feed(self, request):
        from .feeds import NewsRssFeed

        return NewsRssFeed(self)(request)

    @path("atom/", name="atom")
    def atom_feed(self, request):
        from .feeds import NewsAtomFeed

        return NewsAtomFeed(self)(request)


class NewsPage(SitePage):
    date = models.DateField("发布日期", default=timezone.localdate)
    category = models.ForeignKey(
        NewsCategory, verbose_name="栏目", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True, verbose_name="标签")
    lead = models.TextField("导语", blank=True, help_text="列表和分享中显示的一两句话")
    cover_image = models.ForeignKey(
        "home.SiteImage", verbose_name="封面图", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The caption belongs to this page: an image reused from a course must not bring its library text along.
    cover_caption = models.CharField(
        "封面图说明", max_length=200, blank=True, help_text="显示在封面图下方；留空则不显示"
    )
    author = models.CharField("作者/来源", max_length=60, blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name="正文")

    search_fields = Page.search_fields + [
        index.SearchField("lead"),
        index.SearchField("body"),
        index.FilterField("date"),
        index.RelatedFields("category", [index.SearchField("name")]),
    ]

    content_panels = SitePage.content_panels + [
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("category"), FieldPanel("tags"), FieldPanel("author")], heading="发布信息"
        ),
        FieldPanel("lead"),
        FieldPanel("cover_image"),
        FieldPanel("cover_caption"),
        FieldPanel("body"),
        InlinePanel("gallery_images", label="图集", heading="图集"),
        InlinePanel("related_links", label="相关新闻", heading="相关新闻"),
    ]

    parent_page_types = ["home.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "新闻"
        verbose_name_plural = "新闻"

    @property
    def summary_text(self) -> str:
        return self.listing_summary or self.lead or self.search_description or ""

    @property
    def og_image(self):
        return self.social_image or self.cover_image

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["og_type"] = "article"
        context["gallery"] = self.gallery_images.select_related("image")  # lazy: cached fragments skip it
        return context

    @classmethod
    def serve_queryset(cls):
        return cls.objects.select_related("cover_image", "category")

    @cached_property
    def related_news(self) -> list:
        """Editor-chosen related news first, topped up with the latest of the same category (at most 3).

        One query: chosen pages are flagged with an EXISTS subquery and sorted ahead of the rest.
        """
        chosen = RelatedNews.objects.filter(page_id=self.pk, news_id=OuterRef("pk"))
        condition = Exists(chosen)
        if self.category_id:
            condition |= Q(category_id=self.category_id)
        return list(
            with_card_renditions(NewsPage.objects.live().public().select_related("category"))
            .exclude(pk=self.pk)
            .filter(condition)
            .annotate(is_chosen=Exists(chosen))
            .order_by("-is_chosen", "-date", "-pk")[:3]
        )


class NewsGalleryImage(Orderable):
    page = ParentalKey(NewsPage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey("home.SiteImage", verbose_name="图片", on_delete=models.CASCADE, related_name="+")
    caption = models.CharField("说明", max_length=200, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]


class RelatedNews(Orderable):
    page = ParentalKey(NewsPage, on_delete=models.CASCADE, related_name="related_links")
    news = models.ForeignKey(NewsPage, verbose_name="新闻", on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("news", "home.NewsPage")]


@register_setting(icon="site")
class SiteContactSettings(BaseSiteSetting):
    organisation = models.CharField("单位名称", max_length=60, default="海宁市总工会 · 海宁市工人文化宫")
    address = models.CharField("地址", max_length=120, blank=True)
    hotline = models.CharField("服务热线", max_length=30, default="12351")
    phone = models.CharField("联系电话", max_length=30, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    opening_hours = models.TextField("开放时间", blank=True)
    wechat_qr = models.ForeignKey(
        "home.SiteImage",
        verbose_name="微信公众号二维码",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    wechat_name = models.CharField("公众号名称", max_length=40, blank=True)
    icp_number = models.CharField("ICP 备案号", max_length=40, blank=True)
    footer_links = StreamField([("link", FooterLinkBlock())], blank=True, verbose_name="页脚链接")

    panels = [
        MultiFieldPanel(
            [FieldPanel("organisation"), FieldPanel("address"), FieldPanel("opening_hours")], heading="基本信息"
        ),
        MultiFieldPanel([FieldPanel("hotline"), FieldPanel("phone"), FieldPanel("email")], heading="联系方式"),
        MultiFieldPanel([FieldPanel("wechat_name"), FieldPanel("wechat_qr")], heading="微信"),
        FieldPanel("icp_number"),
        FieldPanel("footer_links"),
    ]

    class Meta:
        verbose_name = "联系方式与页脚"


@register_setting(icon="list-ul")
class NavigationSettings(BaseSiteSetting):
    main_navigation = StreamField([("item", NavItemBlock())], blank=True, verbose_name="主导航")

    panels = [FieldPanel("main_navigation")]

    class Meta:
        verbose_name = "主导航"
