"""What the API holds about a person, for their export (reflect/data_protection/).

Tokens go with the account: erasure anonymises the user and its tokens are revoked by the
erasure step below, so a token made before cannot act for the erased account.
"""

from __future__ import annotations

from api.models import PersonalAccessToken
from reflect.data_protection.registry import Erasure, register_erasure_step
from reflect.data_protection.registry import register_export as export

# Never the hash: the list a person sees on their account page, and no more.
export(PersonalAccessToken, "Your API tokens", lambda u: PersonalAccessToken.objects.filter(user=u), ["name", "prefix", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at"], order=60)  # fmt: skip


@register_erasure_step(30, "api: revoke the person's API tokens")
def revoke_tokens(erasure: Erasure) -> None:
    revoked = PersonalAccessToken.objects.filter(user=erasure.user, revoked_at__isnull=True).update(
        revoked_at=erasure.now
    )
    erasure.count("api_tokens_revoked", revoked)
