from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Someone who followed an invitation link, then signed up and confirmed their
        # address, is brought back to the invitation rather than left on the home page.
        from reflect.views.invitations import PENDING_INVITATION_SESSION_KEY

        pending = request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
        if pending:
            return pending
        return super().get_login_redirect_url(request)

    def get_email_verification_redirect_url(self, email_address):  # type: ignore[no-untyped-def]
        request = self.request
        from reflect.views.invitations import PENDING_INVITATION_SESSION_KEY

        pending = request.session.get(PENDING_INVITATION_SESSION_KEY) if request is not None else None
        if pending:
            return pending
        return super().get_email_verification_redirect_url(email_address)
