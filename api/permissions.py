"""A token reaches only the resource groups its scopes name; a browser session reaches what its
person may (objects are still checked by each app's access helpers, never here)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from api.models import PersonalAccessToken
from api.scopes import ResourceGroup, grants


class TokenScope(BasePermission):
    message = "This token may not do that: make one with the scope it needs on your account page."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if not isinstance(token, PersonalAccessToken):
            return True  # the browser's session: the person themself
        group: ResourceGroup = view.resource_group
        return grants(token.scopes, group, write=request.method not in SAFE_METHODS)
