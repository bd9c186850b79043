from django.test import Client


def test_health_answers_ok_without_the_database(client: Client) -> None:
    # No django_db mark: the view must not touch the database (it is the benchmark's baseline).
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain"
