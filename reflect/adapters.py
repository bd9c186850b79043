from __future__ import annotations

import uuid
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest

from reflect.client_ip import client_address, parse_networks
from reflect.models import User
from reflect.notification_kinds import NotificationKind
from reflect.services.notifications import queue_notification
from reflect.views.invitations import PENDING_INVITATION_SESSION_KEY


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's rate limits count by: X-Forwarded-For only from a trusted proxy.

        allauth's own ALLAUTH_TRUSTED_PROXY_COUNT believes the header whoever connects, so a
        client reaching the server past the proxy could name any address; this checks the
        connection against TRUSTED_PROXIES first (reflect/client_ip.py, docs/deployment.md).
        """
        address = client_address(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_X_FORWARDED_FOR", ""),
            parse_networks(settings.TRUSTED_PROXIES),
        )
        return address if address is not None else super().get_client_ip(request)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Someone who followed an invitation link, then signed up and confirmed their
        # address, is brought back to the invitation rather than left on the home page.
        pending = request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
        if pending:
            return pending
        return super().get_login_redirect_url(request)

    def get_email_verification_redirect_url(self, email_address: EmailAddress) -> str | None:
        request = self.request
        pending = request.session.get(PENDING_INVITATION_SESSION_KEY) if request is not None else None
        if pending:
            return pending
        return super().get_email_verification_redirect_url(email_address)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render allauth's message as usual, then queue it in the outbox instead of sending.

        Address checks and password resets then survive a Redis or mail-server outage like
        every other message (docs/architecture.md). The rendered text carries a key, so it is kept as
        secret context, wiped once sent.
        """
        request = allauth_context.request
        full_context = {"request": request, "email": email, "current_site": get_current_site(request)}
        full_context.update(context)
        message = self.render_mail(template_prefix, email, full_context)
        html = ""
        if isinstance(message, EmailMultiAlternatives):
            html = next(
                (
                    content
                    for content, mimetype in message.alternatives
                    if mimetype == "text/html" and isinstance(content, str)
                ),
                "",
            )
        user = context.get("user")
        with transaction.atomic():
            queue_notification(
                user if isinstance(user, User) and user.pk else None,
                NotificationKind.ACCOUNT_MESSAGE,
                email=email,
                # Each call is a new message (a second reset request means a second e-mail).
                key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4()}",
                about=template_prefix,
                secret_context={"subject": message.subject, "text": message.body, "html": html},
            )
