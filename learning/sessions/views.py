"""Learning sessions' pages: the commissioner arranges a session or points to a course (from the
demand view's topic row); staff book a place in one step; attendees say whether it met their
need. Every object through an access check: an outsider gets the same 404 as for nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from learning.queries import topics_open_to
from learning.sessions import services
from learning.sessions.forms import ExternalCourseForm, FeedbackForm, LearningSessionForm
from reflect.access import acting_user, commissioner_area
from reflect.errors import DomainError
from reflect.models import Pool
from scheduling.groups.access import access_group
from scheduling.groups.notices import session_when
from scheduling.models import GroupPurpose, Place, PlaceStatus, ReflectiveGroup


def _initial_topics(request: HttpRequest, pool: Pool) -> dict[str, object]:
    """The topic of the demand view's row the commissioner came from, ticked already."""
    topic_id = request.GET.get("topic", "")
    if not topic_id.isdigit() or len(topic_id) > 12:
        return {}
    topic = topics_open_to(pool).filter(pk=int(topic_id)).first()
    return {"topics": [topic.pk]} if topic is not None else {}


@commissioner_area
def arrange_session(request: HttpRequest, pool: Pool) -> HttpResponse:
    form = LearningSessionForm(request.POST or None, pool=pool, initial=_initial_topics(request, pool))
    if request.method == "POST" and form.is_valid():
        try:
            group = services.publish_learning_session(
                pool,
                acting_user=acting_user(request),
                topics=form.cleaned_data["topics"],
                **form.group_fields(),
            )
        except DomainError as error:
            field = error.field if error.field in form.fields else None
            if field in {None, "rrule", "first_date", "last_date"} and error.field:
                field = "chosen_dates"
            form.add_error(field, error.message)
        else:
            messages.success(request, f"{group.title} is published. Everyone who asked for its topics is told.")
            return redirect("group_manage", pool.pk, group.pk)
    return render(request, "learning/sessions/arrange.html", {"pool": pool, "form": form})


@commissioner_area
def point_to_course(request: HttpRequest, pool: Pool) -> HttpResponse:
    form = ExternalCourseForm(request.POST or None, pool=pool, initial=_initial_topics(request, pool))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course = services.publish_external_course(
                pool,
                acting_user=acting_user(request),
                topics=data["topics"],
                title=data["title"],
                provider=data["provider"],
                url=data["url"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"{course.title} is shared. Everyone who asked for its topics is told.")
            return redirect("pool_detail", pool.pk)
    return render(request, "learning/sessions/course.html", {"pool": pool, "form": form})


def _learning_group(request: HttpRequest, group_id: int) -> ReflectiveGroup:
    group = access_group(acting_user(request), group_id)
    if group.purpose != GroupPurpose.LEARNING:
        raise Http404("No such learning session.")
    return group


@login_required
def book_session(request: HttpRequest, group_id: int) -> HttpResponse:
    """One step from the message or the home page: GET shows the session, all its coming dates
    and one button; POST books a place on every one of them (a series is one course)."""
    group = _learning_group(request, group_id)
    user = acting_user(request)
    now = timezone.now()
    if request.method == "POST":
        booked = services.book_learning_session(group, acting_user=user, now=now)
        for refusal in booked.refused:
            messages.error(request, refusal)
        if booked.places:
            messages.success(request, services.booked_words(len(booked.places), len(booked.refused)))
        if len(booked.places) == 1 and not booked.refused:
            return redirect("group_session", booked.places[0].session_id)
        return redirect("group_detail", group.pk)
    return render(request, "learning/sessions/book.html", services.booking_page(group, user, now))


def _own_attended_place(request: HttpRequest, place_id: int) -> Place:
    place = (
        Place.objects.filter(
            pk=place_id,
            user=acting_user(request),
            status=PlaceStatus.ATTENDED,
            session__group__purpose=GroupPurpose.LEARNING,
        )
        .select_related("session__group")
        .first()
    )
    if place is None:
        raise Http404("No such place.")
    return place


@login_required
def feedback(request: HttpRequest, place_id: int) -> HttpResponse:
    """Did the session meet your need? One tap, optional, asked once; kept as a count only."""
    place = _own_attended_place(request, place_id)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.give_feedback(place, form.cleaned_data["answer"], acting_user=acting_user(request))
        except DomainError as error:
            form.add_error("answer", error.message)
        else:
            messages.success(request, "Thank you. Your answer is counted with everyone else's, without your name.")
            return redirect("home")
    session = place.session
    return render(
        request,
        "learning/sessions/feedback.html",
        {"place": place, "group": session.group, "when": session_when(session), "form": form},
    )
