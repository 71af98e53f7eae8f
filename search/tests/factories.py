"""Search tests build content with the home app's factories (news and standard pages)."""

from home.tests.factories import NewsIndexPageFactory, NewsPageFactory, StandardPageFactory  # noqa: F401
