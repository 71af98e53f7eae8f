"""Factories for the home app's models (wagtail-factories / factory_boy)."""

import datetime

import factory
import wagtail_factories
from django.utils import timezone

from home.models import HomePage, NewsCategory, NewsIndexPage, NewsPage, SiteImage, StandardPage


class SiteImageFactory(wagtail_factories.ImageFactory):
    class Meta:
        model = SiteImage

    title = factory.Sequence(lambda n: f"图片 {n}")


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HomePage

    title = "海宁市总工会"
    hero_title = "职工之家"


class StandardPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = StandardPage

    title = factory.Sequence(lambda n: f"页面 {n}")
    intro = "页面导语"


class NewsCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsCategory
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"栏目{n}")
    slug = factory.Sequence(lambda n: f"cat-{n}")


class NewsIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = NewsIndexPage

    title = "工会新闻"
    slug = "news"


class NewsPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = NewsPage

    title = factory.Sequence(lambda n: f"新闻标题 {n}")
    date = factory.Sequence(lambda n: timezone.localdate() - datetime.timedelta(days=n))
    lead = "新闻导语"
    category = factory.SubFactory(NewsCategoryFactory)
    cover_image = factory.SubFactory(SiteImageFactory)
