"""Ranked matches, requests and agreements: the lead's side and the supervisor's side."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from reflect import wording
from reflect.access import access_organisation, acting_user, two_factor_required
from reflect.errors import DomainError
from reflect.models import Organisation, Pool, User, current_lead
from supervision.access import access_supervisor
from supervision.enums import AgreementStatus, RequestStatus
from supervision.forms import CheckInForm, EndAgreementForm, RequestReplyForm, SupervisionRequestForm
from supervision.matching import Offer
from supervision.models import SupervisionAgreement, SupervisionRequest, SupervisorProfile
from supervision.services import agreements as services
from supervision.services.check_ins import may_check_in, record_check_in
from supervision.services.matches import ranked_matches


def access_led_organisation_or_404(user: User, organisation_id: int) -> Organisation:
    """Matching and requests are the lead's: to anyone else the page does not exist."""
    organisation, membership = access_organisation(user, organisation_id)
    if not membership.is_lead:
        raise Http404("No such page.")
    return organisation


def _pools_of(organisation: Organisation) -> list[Pool]:
    return list(organisation.pools.order_by("-starts_on", "name"))


def _chosen_pool(request: HttpRequest, pools: list[Pool]) -> Pool | None:
    wanted = request.GET.get("pool", "")
    return next((p for p in pools if str(p.pk) == wanted), pools[0] if pools else None)


@login_required
def organisation_matches(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = access_led_organisation_or_404(acting_user(request), organisation_id)
    pools = _pools_of(organisation)
    pool = _chosen_pool(request, pools)
    wanted_format = request.GET.get("format", "")
    hours_text = request.GET.get("hours", "").strip()
    try:
        hours = Decimal(hours_text) if hours_text else None
        if hours is not None and not Decimal("0.5") <= hours <= Decimal("40"):
            raise InvalidOperation
    except InvalidOperation:
        messages.error(request, "Hours a month must be a number from 0.5 to 40; we used your questionnaire's.")
        hours = None
    language = request.GET.get("language", "").strip()
    result = ranked_matches(
        organisation,
        pool,
        wanted_format=Offer(wanted_format) if wanted_format in Offer._value2member_map_ else None,
        hours_per_month=hours,
        languages=[language] if language else [],
    )
    return render(
        request,
        "supervision/matches/matches.html",
        {
            "organisation": organisation,
            "pools": pools,
            "pool": pool,
            "result": result,
            "offers": list(Offer),
            "language": language,
            "show_excluded": request.GET.get("why_not") == "1",
        },
    )


@login_required
def request_supervisor(request: HttpRequest, organisation_id: int, supervisor_id: int) -> HttpResponse:
    user = acting_user(request)
    organisation = access_led_organisation_or_404(user, organisation_id)
    supervisor = access_supervisor(user, supervisor_id)
    if not supervisor.is_listed:
        raise Http404("No such supervisor.")
    pools = organisation.pools.order_by("-starts_on", "name")
    initial = {}
    first_pool = pools.first()
    if first_pool is not None:
        start = services.default_start(first_pool)
        initial = {
            "pool": first_pool.pk,
            "starts_on": start,
            "review_on": services.add_months(start, services.FIRST_REVIEW_MONTHS),
        }
    if request.GET.get("format") in supervisor.offers:
        initial["format"] = request.GET["format"]
    if request.GET.get("hours"):
        initial["hours_per_month"] = request.GET["hours"]
    form = SupervisionRequestForm(request.POST or None, pools=pools, offers=supervisor.offers, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_request(
                acting_user=user, organisation=organisation, supervisor=supervisor, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            data = form.cleaned_data
            messages.success(
                request,
                f"Your request is with {supervisor.user.display_name}: from {wording.day(data['starts_on'])}, "
                f"first reviewed on {wording.day(data['review_on'])}.",
            )
            return redirect("organisation_supervision", organisation.pk)
    return render(
        request,
        "supervision/matches/request.html",
        {"form": form, "organisation": organisation, "supervisor": supervisor, "no_pool": first_pool is None},
    )


@login_required
def organisation_supervision(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = access_led_organisation_or_404(acting_user(request), organisation_id)
    return render(
        request,
        "supervision/matches/organisation_supervision.html",
        {
            "organisation": organisation,
            "requests": SupervisionRequest.objects.filter(organisation=organisation).select_related(
                "supervisor__user", "pool"
            ),
            "agreements": SupervisionAgreement.objects.filter(organisation=organisation).select_related(
                "supervisor__user", "pool"
            ),
        },
    )


@login_required
@require_POST
def withdraw_request(request: HttpRequest, organisation_id: int, request_id: int) -> HttpResponse:
    user = acting_user(request)
    organisation = access_led_organisation_or_404(user, organisation_id)
    supervision_request = get_object_or_404(SupervisionRequest, pk=request_id, organisation=organisation)
    try:
        services.withdraw_request(supervision_request, acting_user=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your request is withdrawn.")
    return redirect("organisation_supervision", organisation.pk)


# --- the supervisor's side ------------------------------------------------------------------


def _own_profile_or_404(user: User) -> SupervisorProfile:
    return get_object_or_404(SupervisorProfile, user=user)


@two_factor_required
def supervisor_requests(request: HttpRequest) -> HttpResponse:
    profile = _own_profile_or_404(acting_user(request))
    requests = SupervisionRequest.objects.filter(supervisor=profile).select_related("organisation", "pool")
    return render(
        request,
        "supervision/supervisors/requests.html",
        {
            "pending": [r for r in requests if r.status == RequestStatus.PENDING],
            "answered": [r for r in requests if r.status != RequestStatus.PENDING],
        },
    )


@two_factor_required
def supervisor_request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    user = acting_user(request)
    profile = _own_profile_or_404(user)
    supervision_request = get_object_or_404(
        SupervisionRequest.objects.select_related("organisation", "pool", "supervisor__user", "requested_by"),
        pk=request_id,
        supervisor=profile,
    )
    form = RequestReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reply = form.cleaned_data["reply"]
        try:
            if "accept" in request.POST:
                services.accept_request(supervision_request, acting_user=user, reply=reply)
                messages.success(request, f"You have agreed to supervise {supervision_request.organisation.name}.")
                return redirect("supervisor_agreements")
            services.decline_request(supervision_request, acting_user=user, reply=reply)
            messages.success(request, "You have declined the request.")
            return redirect("supervisor_requests")
        except DomainError as error:
            form.add_error(None, error.message)
    return render(
        request,
        "supervision/supervisors/request_detail.html",
        {"supervision_request": supervision_request, "form": form},
    )


@two_factor_required
def supervisor_agreements(request: HttpRequest) -> HttpResponse:
    profile = _own_profile_or_404(acting_user(request))
    return render(
        request,
        "supervision/supervisors/agreements.html",
        {
            "agreements": SupervisionAgreement.objects.filter(supervisor=profile).select_related(
                "organisation", "pool"
            ),
            "active": AgreementStatus.ACTIVE,
        },
    )


@login_required
def end_agreement(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """Either side gives notice. Anyone who is neither the supervisor nor the lead gets a 404."""
    user = acting_user(request)
    agreement = get_object_or_404(
        SupervisionAgreement.objects.select_related("organisation", "supervisor__user", "pool")
        .filter(Q(supervisor__user=user) | current_lead("organisation__memberships", user=user))
        .distinct(),
        pk=agreement_id,
    )
    is_supervisor = agreement.supervisor.user_id == user.pk
    form = EndAgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_agreement(
                agreement, acting_user=user, ends_on=form.cleaned_data["ends_on"], reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"The agreement ends on {wording.date(form.cleaned_data['ends_on'])}.")
            if is_supervisor:
                return redirect("supervisor_agreements")
            return redirect("organisation_supervision", agreement.organisation_id)
    return render(request, "supervision/matches/end_agreement.html", {"form": form, "agreement": agreement})


@login_required
def agreement_check_in(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """The optional check-in at the review date, for the supervisor and the organisation's staff."""
    user = acting_user(request)
    agreement = get_object_or_404(
        SupervisionAgreement.objects.select_related("organisation", "supervisor__user"), pk=agreement_id
    )
    if not may_check_in(agreement, user):
        raise Http404("No such agreement.")
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_check_in(agreement, acting_user=user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Thank you. Only totals across the whole pool are ever shown to the funder.")
            return redirect("home")
    return render(request, "supervision/matches/check_in.html", {"form": form, "agreement": agreement})
