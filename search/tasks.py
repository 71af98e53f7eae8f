"""Background work of the search app."""

from django_tasks import task


@task()
def record_search_query(query: str) -> None:
    """Count a search so editors see what visitors look for (Wagtail's 搜索词 report, promotions)."""
    from wagtail.contrib.search_promotions.models import Query

    Query.get(query).add_hit()
