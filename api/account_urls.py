"""The account page's API tokens, mounted at /account/api-tokens/."""

from django.urls import path

from api.views import tokens

urlpatterns = [
    path("", tokens.token_list, name="api_tokens"),
    path("new/", tokens.token_new, name="api_token_new"),
    path("<id:token_id>/revoke/", tokens.token_revoke, name="api_token_revoke"),
]
