"""Cursor pagination: a page's ``next`` and ``previous`` links carry an opaque cursor, so a list
costs the same query wherever a client is in it, and rows added meanwhile are not skipped."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering: tuple[str, ...] = ("-pk",)


class ByStart(Cursor):
    ordering = ("starts_at", "pk")
