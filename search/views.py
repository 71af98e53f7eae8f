"""The search page and the header box's suggestions."""

import logging

from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import select_template
from django.views.decorators.http import require_GET
from wagtail.models import Page

from haining.client_address import client_ip
from search.services import clean_query, promotions_for, search_pages, site_for_request, suggestions_for_empty
from search.suggestions import count_search, popular_terms
from search.tasks import count_search_hit

logger = logging.getLogger(__name__)

_result_templates: dict[str, object] = {}


def result_template(page):
    """`<app_label>/search/<model_name>.html` where a page type provides one, else the generic card."""
    meta = page._meta
    key = meta.label_lower
    if key not in _result_templates:
        _result_templates[key] = select_template(
            [f"{meta.app_label}/search/{meta.model_name}.html", "search/includes/result.html"]
        )
    return _result_templates[key]


@require_GET
def search(request):
    query = clean_query(request.GET.get("q", ""))
    result_type = request.GET.get("type", "")[:20]
    page_number = request.GET.get("page", "1")[:12]
    outcome = search_pages(query, result_type, page_number)
    site_for_request(request)  # the cards' links: looked up once, from the cache
    for result in outcome.results:
        result.html = result_template(result.page).render({"result": result, "page": result.page, "request": request})

    promotions = []
    first_page = outcome.page_obj is None or outcome.page_obj.number == 1
    if query and first_page and not outcome.result_type:
        promotions = promotions_for(query)
    if query and first_page and count_search(query, client_ip(request)):
        count_search_hit(query)  # buffered: no write here (search.tasks)

    context = {
        "search_query": query,
        "outcome": outcome,
        "promotions": promotions,
    }
    if query and not outcome.total:
        context["did_you_mean"] = suggestions_for_empty(query)
    if not outcome.total:
        context["popular"] = popular_terms()
    return render(request, "search/search.html", context)


@require_GET
def suggest(request):
    """Search-as-you-type: up to 8 page titles for what has been typed so far (JSON)."""
    query = clean_query(request.GET.get("q", ""))
    if len(query) < 1:
        return JsonResponse({"query": query, "results": []})
    pages = Page.objects.live().public().filter(depth__gt=2).autocomplete(query)[:8]
    results = [{"title": page.title, "url": page.url} for page in pages]
    response = JsonResponse({"query": query, "results": results})
    response["Cache-Control"] = "public, max-age=60"
    return response
