"""Organisations through the API: the person's own, and — for their lead — the current staff,
through the same access helpers as the organisation pages (reflect/access.py)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema

from api import serializers
from api.scopes import ResourceGroup
from api.views.base import ApiList, acting_user
from api.views.schema import id_parameter, problems
from reflect.access import access_led_organisation
from reflect.models import Membership
from reflect.queries import current_members, memberships_of


@extend_schema(
    summary="Your organisations",
    responses={200: serializers.Organisation(many=True), **problems(400)},
)
class OrganisationList(ApiList):
    resource_group = ResourceGroup.ORGANISATIONS
    serializer_class = serializers.Organisation

    def get_queryset(self) -> QuerySet[Membership]:
        return memberships_of(acting_user(self.request))


@extend_schema(
    summary="The staff of an organisation you lead",
    parameters=[id_parameter("organisation_id", "organisation")],
    responses={200: serializers.Member(many=True), **problems(400, 404)},
)
class MemberList(ApiList):
    resource_group = ResourceGroup.ORGANISATIONS
    serializer_class = serializers.Member

    def get_queryset(self) -> QuerySet[Membership]:
        organisation_id = self.kwargs["organisation_id"]
        organisation, _ = access_led_organisation(acting_user(self.request), organisation_id)
        return current_members(organisation)
