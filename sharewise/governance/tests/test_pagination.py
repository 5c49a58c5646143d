"""Paging through a filtered list keeps the filter."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def test_the_next_page_keeps_the_criterion_it_was_filtered_by():
    page = Paginator(list(range(60)), 25).page(1)
    html = render_to_string(
        "includes/pagination.html",
        {"page": page, "extra_query": "criterion=alert_undecided&"},
    )
    assert 'href="?criterion=alert_undecided&amp;page=2"' in html
