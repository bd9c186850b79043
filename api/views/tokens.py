"""The account page's API tokens: list them, make one (its secret shown once), revoke one.

Behind two-factor authentication (reflect.access.two_factor_required): a token acts for its
person without a second factor, so it is made only by someone who has one.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from api.access import access_own_token
from api.forms import TokenForm
from api.models import PersonalAccessToken
from api.scopes import scope_label
from api.services.tokens import make_token, revoke_token
from reflect.access import acting_user, two_factor_required
from reflect.errors import DomainError


@two_factor_required
def token_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    now = timezone.now()
    tokens = [
        {
            "token": token,
            "scopes": [scope_label(scope) for scope in token.scopes],
            "live": token.is_live(now),
            "state": "Revoked" if token.revoked_at else ("Works" if token.expires_at > now else "Expired"),
        }
        for token in PersonalAccessToken.objects.filter(user=user)[:100]
    ]
    return render(request, "api/tokens.html", {"tokens": tokens})


@two_factor_required
@require_http_methods(["GET", "POST"])
def token_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = make_token(
                user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"], days=form.cleaned_data["days"]
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            # The secret is in this response only: never cached, never shown again.
            response = render(
                request,
                "api/token_made.html",
                {"token": made.token, "secret": made.secret, "scopes": [scope_label(s) for s in made.token.scopes]},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "api/token_new.html", {"form": form})


@two_factor_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = acting_user(request)
    token = access_own_token(user, token_id)
    if request.method == "POST":
        revoke_token(token, acting_user=user)
        messages.success(request, f"“{token.name}” is revoked: it no longer works.")
        return redirect("api_tokens")
    return render(request, "api/token_revoke.html", {"token": token})
