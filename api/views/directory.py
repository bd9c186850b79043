"""The supervisor directory: the public fields of verified, listed supervisors, for the people
the directory page is for (supervision.access)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers
from api.scopes import ResourceGroup
from api.views.base import ApiList, ApiView, acting_user
from api.views.schema import id_parameter, problems
from supervision.access import access_supervisor, may_browse_directory
from supervision.models import SupervisorProfile
from supervision.queries import listed_supervisors


@extend_schema(
    summary="The supervisor directory", responses={200: serializers.Supervisor(many=True), **problems(400, 404)}
)
class SupervisorList(ApiList):
    resource_group = ResourceGroup.DIRECTORY
    serializer_class = serializers.Supervisor

    def get_queryset(self) -> QuerySet[SupervisorProfile]:
        if not may_browse_directory(acting_user(self.request)):
            raise NotFound("The directory is for staff of an organisation.")
        return listed_supervisors()


class SupervisorDetail(ApiView):
    resource_group = ResourceGroup.DIRECTORY

    @extend_schema(
        summary="One supervisor's public profile",
        parameters=[id_parameter("supervisor_id", "supervisor")],
        responses={200: serializers.Supervisor, **problems(404)},
    )
    def get(self, request: Request, supervisor_id: int, **kwargs: Any) -> Response:
        return Response(serializers.Supervisor(access_supervisor(acting_user(request), supervisor_id)).data)
