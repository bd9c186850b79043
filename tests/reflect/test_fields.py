"""The typed date and time fields (reflect/fields.py): the pure readers, and the fields in a form."""

import datetime

import pytest
from django import forms
from hypothesis import given, settings
from hypothesis import strategies as st

from reflect.fields import (
    DATE_HINT,
    TIME_MESSAGE,
    GovukDateField,
    NotUnderstood,
    TimeTextField,
    read_date,
    read_time,
    short_time,
)

BOUNDED = settings(max_examples=60, deadline=None)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9:30", datetime.time(9, 30)),
        ("09:30", datetime.time(9, 30)),
        ("0930", datetime.time(9, 30)),
        ("930", datetime.time(9, 30)),
        ("9.30am", datetime.time(9, 30)),
        ("9:30 am", datetime.time(9, 30)),
        ("9:30 A.M.", datetime.time(9, 30)),
        ("2pm", datetime.time(14, 0)),
        ("2 PM", datetime.time(14, 0)),
        ("2:15pm", datetime.time(14, 15)),
        ("14:00", datetime.time(14, 0)),
        ("  14:00  ", datetime.time(14, 0)),
        ("00:00", datetime.time(0, 0)),
        ("23:59", datetime.time(23, 59)),
        ("12am", datetime.time(0, 0)),
        ("12pm", datetime.time(12, 0)),
        ("12:30am", datetime.time(0, 30)),
        ("midday", datetime.time(12, 0)),
        ("Noon", datetime.time(12, 0)),
        ("12 noon", datetime.time(12, 0)),
        ("midnight", datetime.time(0, 0)),
    ],
)
def test_read_time_reads_the_ways_people_write_a_time(typed, expected):
    assert read_time(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "2",  # 2am or 2pm?
        "14",  # an hour alone, no minutes and no am/pm
        "24:00",
        "25:00",
        "9:60",
        "13pm",
        "0am",
        "14:00pm",
        "9:3",
        "9:300",
        "nine thirty",
        "9-30",
        "٩:٣٠",  # Arabic-Indic digits: not read as 9:30
        "9:30 in the morning",
        "1" * 10_000,
    ],
)
def test_read_time_refuses_what_it_cannot_read_for_certain(typed):
    with pytest.raises(NotUnderstood) as refused:
        read_time(typed)
    assert refused.value.message == "Enter a time, like 9:30am or 2pm"


@BOUNDED
@given(st.text(max_size=40))
def test_read_time_on_any_text_gives_a_time_or_the_one_message(text):
    try:
        assert isinstance(read_time(text), datetime.time)
    except NotUnderstood as refused:
        assert refused.message == TIME_MESSAGE


@BOUNDED
@given(st.times().map(lambda t: t.replace(second=0, microsecond=0)))
def test_read_time_reads_back_every_way_of_writing_a_time(moment):
    half = "am" if moment.hour < 12 else "pm"
    twelve = moment.hour % 12 or 12
    assert read_time(short_time(moment)) == moment
    assert read_time(f"{moment:%H:%M}") == moment
    assert read_time(f"{moment:%H%M}") == moment
    assert read_time(f"{twelve}.{moment.minute:02d}{half}") == moment
    assert read_time(f"{twelve}:{moment.minute:02d} {half.upper()}") == moment


@pytest.mark.parametrize(
    ("boxes", "expected"),
    [
        (("15", "1", "2027"), datetime.date(2027, 1, 15)),
        (("05", "01", "2027"), datetime.date(2027, 1, 5)),
        ((" 5 ", " 1 ", " 2027 "), datetime.date(2027, 1, 5)),
        (("29", "2", "2028"), datetime.date(2028, 2, 29)),
        (("14", "Jan", "2027"), datetime.date(2027, 1, 14)),
        (("14", "september", "2027"), datetime.date(2027, 9, 14)),
    ],
)
def test_read_date_reads_three_boxes(boxes, expected):
    assert read_date(*boxes) == expected


@pytest.mark.parametrize(
    ("boxes", "message", "parts"),
    [
        (("", "", ""), "Enter the date", ("day", "month", "year")),
        (("15", "", "2027"), "The date must include a month", ("month",)),
        (("", "", "2027"), "The date must include a day and month", ("day", "month")),
        (("15", "1", ""), "The date must include a year", ("year",)),
        (("15/01/2027", "", ""), "The date must include a month and year", ("month", "year")),
        (("15/01/2027", "1", "2027"), "The date must be a real date", ("day",)),
        (("31", "2", "2027"), "The date must be a real date", ("day",)),
        (("29", "2", "2027"), "The date must be a real date", ("day",)),
        (("1", "13", "2027"), "The date must be a real date", ("month",)),
        (("0", "1", "2027"), "The date must be a real date", ("day",)),
        (("1", "Smarch", "2027"), "The date must be a real date", ("month",)),
        (("15", "1", "27"), "Year must be 4 numbers", ("year",)),
        (("15", "1", "02027"), "Year must be 4 numbers", ("year",)),
        (("15", "1", "9" * 5000), "The date must be a real date", ("year",)),
        (("15", "1", "２０２７"), "The date must be a real date", ("year",)),  # full-width digits
    ],
)
def test_read_date_names_the_box_that_is_wrong(boxes, message, parts):
    with pytest.raises(NotUnderstood) as refused:
        read_date(*boxes)
    assert (refused.value.message, refused.value.parts) == (message, parts)


def test_read_date_names_the_date_it_is_about():
    with pytest.raises(NotUnderstood) as refused:
        read_date("3", "", "2027", subject="the first day off")
    assert refused.value.message == "The first day off must include a month"


@BOUNDED
@given(st.dates(min_value=datetime.date(1000, 1, 1)))
def test_read_date_reads_back_any_date(day):
    assert read_date(str(day.day), str(day.month), str(day.year)) == day
    assert read_date(f"{day.day:02d}", f"{day.month:02d}", str(day.year)) == day
    assert read_date(str(day.day), f"{day:%B}", str(day.year)) == day


@BOUNDED
@given(st.text(max_size=12), st.text(max_size=12), st.text(max_size=12))
def test_read_date_on_any_boxes_gives_a_date_or_a_sentence(day, month, year):
    try:
        assert isinstance(read_date(day, month, year), datetime.date)
    except NotUnderstood as refused:
        assert refused.message.startswith(("Enter the date", "The date must", "Year must be 4 numbers"))
        assert refused.parts


class HolidayForm(forms.Form):
    first_day = GovukDateField(label="First day off", subject="the first day off")
    starts_at = TimeTextField(label="Starts at")
    ends_at = TimeTextField(label="Ends at", required=False)


def test_the_fields_clean_to_a_date_and_a_time():
    form = HolidayForm(
        data={"first_day_day": "15", "first_day_month": "01", "first_day_year": "2027", "starts_at": "9.30am"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "first_day": datetime.date(2027, 1, 15),
        "starts_at": datetime.time(9, 30),
        "ends_at": None,
    }


def test_the_fields_say_what_is_wrong_in_words():
    form = HolidayForm(data={"first_day_day": "15/01/2027", "starts_at": "2"})
    assert not form.is_valid()
    assert form.errors == {
        "first_day": ["The first day off must include a month and year"],
        "starts_at": ["Enter a time, like 9:30am or 2pm"],
    }
    empty = HolidayForm(data={})
    assert not empty.is_valid()
    assert empty.errors == {"first_day": ["Enter the first day off"], "starts_at": [TIME_MESSAGE]}


def test_the_date_renders_as_the_govuk_date_input_with_its_errors():
    form = HolidayForm(data={"first_day_day": "15", "first_day_month": "", "first_day_year": "2027", "starts_at": "x"})
    form.is_valid()
    html = form["first_day"].as_field_group()
    assert (
        '<fieldset class="govuk-fieldset" role="group" aria-describedby="id_first_day-hint id_first_day-error">' in html
    )
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">First day off</legend>' in html
    assert f'<div id="id_first_day-hint" class="govuk-hint">{DATE_HINT}</div>' in html
    assert (
        '<p id="id_first_day-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span>'
        " The first day off must include a month</p>"
    ) in html
    # The day box has the field's own id (the error summary links to it); only the month is marked.
    assert '<label class="govuk-label govuk-date-input__label" for="id_first_day">Day</label>' in html
    assert (
        '<input type="text" name="first_day_day" value="15" class="govuk-input govuk-date-input__input'
        ' govuk-input--width-2" inputmode="numeric" autocomplete="off" id="id_first_day">'
    ) in html
    assert (
        '<input type="text" name="first_day_month" class="govuk-input govuk-date-input__input'
        ' govuk-input--width-2 govuk-input--error" inputmode="text" autocomplete="off" aria-invalid="true"'
        ' id="id_first_day_month">'
    ) in html
    assert 'name="first_day_year" value="2027" class="govuk-input govuk-date-input__input govuk-input--width-4"' in html
    assert "aria-describedby" not in html.split("<input", 1)[1]
    summary = form.render()
    assert '<li><a href="#id_first_day">The first day off must include a month</a></li>' in summary


def test_the_time_renders_as_a_text_box_with_its_hint_and_error():
    form = HolidayForm(data={"starts_at": "25:00"})
    form.is_valid()
    html = form["starts_at"].as_field_group()
    assert '<div id="id_starts_at-hint" class="govuk-hint">For example, 9:30am or 2pm</div>' in html
    assert (
        '<input type="text" name="starts_at" value="25:00" class="govuk-input govuk-input--error govuk-input--width-5"'
        ' autocomplete="off" spellcheck="false" aria-describedby="id_starts_at-hint id_starts_at-error" required'
        ' aria-invalid="true"'
        ' id="id_starts_at">'
    ) in html


def test_an_unbound_form_shows_the_saved_date_and_time_as_typed():
    form = HolidayForm(initial={"first_day": datetime.date(2027, 1, 5), "starts_at": datetime.time(14, 0)})
    html = form.render()
    assert 'name="first_day_day" value="5"' in html
    assert 'name="first_day_month" value="1"' in html
    assert 'name="first_day_year" value="2027"' in html
    assert 'name="starts_at" value="14:00"' in html
