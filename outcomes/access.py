"""Who may see what of the outcome measures: a person their own invitations, nothing of anyone
else's (a stranger's id is the same 404 as one that does not exist)."""

from __future__ import annotations

from django.http import Http404

from outcomes.models import OutcomeInvitation
from reflect.models import User


def access_own_invitation(user: User, invitation_id: int) -> OutcomeInvitation:
    invitation = OutcomeInvitation.objects.select_related("pool").filter(pk=invitation_id, person=user).first()
    if invitation is None:
        raise Http404("No such questionnaire.")
    return invitation
