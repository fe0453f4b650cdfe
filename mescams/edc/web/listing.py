"""Lists that scale: the search, filters, sort and page number of a list page, read from its query string, and the
links that keep them. Paging happens in the database (``LIMIT``/``OFFSET`` and one ``COUNT``), so a page costs the
same with 50 rows or 200,000.

Sorting is offered only on columns a page's role already sees; no list is sortable by anything allocation-
revealing (blinded lists keep a fixed, allocation-free order)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpRequest

PER_PAGE = 50


@dataclass(frozen=True)
class Sort:
    """The sort orders a list offers: ``key`` in the query string -> (label, ORM ordering)."""

    options: dict[str, tuple[str, tuple[str, ...]]]
    default: str

    def chosen(self, request: HttpRequest) -> str:
        key = request.GET.get("sort", "")
        return key if key in self.options else self.default

    def ordering(self, request: HttpRequest) -> tuple[str, ...]:
        return self.options[self.chosen(request)][1]

    def choices(self) -> list[tuple[str, str]]:
        return [(key, label) for key, (label, _) in self.options.items()]


@dataclass(frozen=True)
class ListPage:
    """One page of a list: its rows, where it sits, and the query string of its neighbours. ``more`` says the
    total was counted only up to ``total`` (a long list: "more than 10,000")."""

    rows: Sequence[Any]
    number: int
    pages: int
    total: int
    first_row: int
    last_row: int
    previous_query: str | None
    next_query: str | None
    more: bool = False


def page_of(request: HttpRequest, items: Any, *, per_page: int = PER_PAGE) -> ListPage:
    """Page ``?page=N`` of ``items`` (a query set or a list), the filters of the request kept in the links; a page
    number past the end gives the last page, anything unreadable the first."""
    paginator = Paginator(items, per_page)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    kept = [(k, v) for k, v in request.GET.items() if k != "page" and v]

    def query(number: int) -> str:
        return "?" + urlencode([*kept, ("page", str(number))])

    return ListPage(rows=list(page.object_list), number=page.number, pages=paginator.num_pages,
                    total=paginator.count, first_row=page.start_index(), last_row=page.end_index(),
                    previous_query=query(page.number - 1) if page.has_previous() else None,
                    next_query=query(page.number + 1) if page.has_next() else None)


def capped_page_of(request: HttpRequest, items: Any, *, per_page: int = PER_PAGE,
                   count_up_to: int = 10_000) -> ListPage:
    """Like :func:`page_of` for a query set too long to count on every visit (the audit trail): the rows of page
    N by ``LIMIT``/``OFFSET``, one row more to know whether a next page exists, and the total counted up to
    ``count_up_to`` only (``COUNT`` over a ``LIMIT``), shown as "more than ..." past it."""
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1
    counted = items[: count_up_to + 1].count()
    more = counted > count_up_to
    total = min(counted, count_up_to)
    last_page = max(1, -(-total // per_page))
    if not more:
        number = min(number, last_page)
    offset = (number - 1) * per_page
    fetched = list(items[offset: offset + per_page + 1])
    rows = fetched[:per_page]
    kept = [(k, v) for k, v in request.GET.items() if k != "page" and v]

    def query(n: int) -> str:
        return "?" + urlencode([*kept, ("page", str(n))])

    return ListPage(rows=rows, number=number, pages=last_page if not more else max(last_page, number + 1),
                    total=total, first_row=offset + 1 if rows else 0, last_row=offset + len(rows),
                    previous_query=query(number - 1) if number > 1 else None,
                    next_query=query(number + 1) if len(fetched) > per_page else None, more=more)


def search_text(request: HttpRequest, name: str = "q", *, limit: int = 100) -> str:
    """The trimmed text of a search box (at most ``limit`` characters: a search, not a document)."""
    text: str = request.GET.get(name, "")
    return text.strip()[:limit]
