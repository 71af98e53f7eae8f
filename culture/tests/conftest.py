import pytest

from culture.tests.factories import EventIndexPageFactory


@pytest.fixture
def calendar_page(site_root):
    return EventIndexPageFactory(parent=site_root)
