from django.urls import reverse


def test_ping_answers_a_logged_in_account_and_nothing_else(client, client_for, people) -> None:
    response = client_for("member").get(reverse("ping"))
    assert response.status_code == 200
    assert response.content == b"ok"

    anonymous = client.get(reverse("ping"))
    assert anonymous.status_code == 302
