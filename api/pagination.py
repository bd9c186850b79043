"""Cursor pagination: a page's ``next`` and ``previous`` links carry an opaque cursor, so a list
costs the same query wherever a client is in it, and rows added meanwhile are not skipped.

Strict about its parameters: a page size that is not a whole number from 1 to 100, or a cursor
this API did not write, is a 400 in plain words rather than quietly ignored."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering: tuple[str, ...] = ("-pk",)

    def get_page_size(self, request: Request) -> int:
        text = request.query_params.get(self.page_size_query_param)
        if text is None:
            return self.page_size
        if not (text.isdecimal() and len(text) <= 3 and 1 <= int(text) <= self.max_page_size):
            raise ValidationError({"page_size": [f"Give a page size from 1 to {self.max_page_size}."]})
        return int(text)

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {"cursor": ["Use the cursor from a page's next or previous link, as it is."]}
            ) from None

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: from a page's next or previous link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows a page (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class ByStart(Cursor):
    ordering = ("starts_at", "pk")
