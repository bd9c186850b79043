"""What every API view shares: who it acts for, its resource group, and ETags on reads."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import get_conditional_response
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.scopes import ResourceGroup
from reflect.models import User


def acting_user(request: Request) -> User:
    """The person a request acts for (signed in by session or token; TokenScope let it in)."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError("acting_user() is for authenticated API requests.")
    return user


class ApiView(APIView):
    resource_group: ResourceGroup

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """A strong ETag on every successful read, from the body itself; ``If-None-Match`` with
        the same tag gets 304 and no body (the data were read, the bytes are not sent)."""
        response = super().dispatch(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200 and isinstance(response, Response):
            response.render()
            etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
            response["ETag"] = etag
            response["Vary"] = "Accept, Authorization, Cookie"
            # The response itself, or 304 Not Modified when If-None-Match names this tag.
            conditional = get_conditional_response(request, etag=etag, response=response)
            return conditional if conditional is not None else response
        return response


# A list: the person's own rows (``get_queryset``), a page at a time by cursor.
class ApiList(ApiView, generics.ListAPIView):
    pass
