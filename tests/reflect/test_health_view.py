import pytest
from django.test import Client


def test_health_answers_ok_without_the_database(client: Client) -> None:
    # No django_db mark: the view must not touch the database (it is the benchmark's baseline).
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain"


@pytest.mark.django_db
def test_the_signed_in_health_check_reads_the_session_the_person_and_one_row(
    client: Client, world, django_assert_num_queries
) -> None:
    # The booking benchmark's database baseline: its cost must stay the session, the person
    # and one simple query, or the ratio it gives would flatter booking.
    client.force_login(world.member)
    with django_assert_num_queries(3):
        response = client.get("/health/signed-in/")
    assert (response.status_code, response.content, response["Content-Type"]) == (200, b"ok: staff", "text/plain")


@pytest.mark.django_db
def test_the_signed_in_health_check_answers_for_the_person_signed_in(client: Client, world) -> None:
    from reflect.models import Membership

    Membership.objects.filter(user=world.outsider).update(left_at="2026-01-01T00:00Z")
    client.force_login(world.outsider)
    assert client.get("/health/signed-in/").content == b"ok: not staff"
    client.force_login(world.member)
    assert client.get("/health/signed-in/").content == b"ok: staff"


@pytest.mark.django_db
def test_the_signed_in_health_check_sends_a_signed_out_visitor_to_sign_in(client: Client) -> None:
    response = client.get("/health/signed-in/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/health/signed-in/")
    assert client.post("/health/signed-in/").status_code == 405
