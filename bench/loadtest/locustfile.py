"""A city's day on Reflect, for Locust (`make loadtest`, docs/performance.md "Under load").

Three kinds of people, in a realistic mix: staff browsing and booking (the most), supervisors
editing their availability, commissioners opening the dashboard (the fewest, the heaviest page).
Everyone is already signed in: the people and their pages come from bench/loadtest/seed.py, as
JSON in the file named by LOADTEST_PEOPLE. Each request is named after its page, so Locust's
figures are per page."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

CSRF_TOKEN = "l" * 32  # any 32-character secret is a valid unmasked CSRF cookie and token
# The pages the scenario asks for, by their URL names: the smoke test resolves each.
PAGES = {
    "home": "home",
    "group session": "group_session",
    "book a place": "group_session_book",
    "cancel a place": "group_session_cancel",
    "choose a supervision time": "supervision_book",
    "availability": "availability_overview",
    "availability settings": "availability_settings",
    "dashboard": "pool_dashboard",
}


def _people() -> dict[str, list[dict[str, Any]]]:
    path = os.environ.get("LOADTEST_PEOPLE")
    if not path:
        return {"staff": [], "supervisors": [], "commissioners": []}
    loaded: dict[str, list[dict[str, Any]]] = json.loads(Path(path).read_text())
    return loaded


PEOPLE = _people()


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 3)  # reading a page before the next click
    kind = ""

    def on_start(self) -> None:
        self.person = random.choice(PEOPLE[self.kind])
        self.client.cookies.set("sessionid", self.person["session"])
        self.client.cookies.set("csrftoken", CSRF_TOKEN)

    def post(self, path: str, name: str, data: dict[str, Any] | None = None) -> None:
        headers = {"X-CSRFToken": CSRF_TOKEN, "Referer": self.host or ""}
        self.client.post(path, data={"csrfmiddlewaretoken": CSRF_TOKEN, **(data or {})}, headers=headers, name=name)


class Staff(Person):
    weight = 8
    kind = "staff"

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(3)
    def group_session(self) -> None:
        self.client.get(random.choice(self.person["group_sessions"]), name="group session")

    @task(2)
    def book_and_cancel_a_place(self) -> None:
        session = random.choice(self.person["group_sessions"])
        self.post(session + "book/", "book a place")
        self.post(session + "cancel/", "cancel a place", {"reason": ""})

    @task(2)
    def choose_a_supervision_time(self) -> None:
        if self.person["slot_pickers"]:
            self.client.get(random.choice(self.person["slot_pickers"]), name="choose a supervision time")


class Supervisor(Person):
    weight = 2
    kind = "supervisors"

    @task(2)
    def availability(self) -> None:
        self.client.get("/availability/", name="availability")

    @task(1)
    def edit_settings(self) -> None:
        self.post("/availability/settings/", "availability settings", self.person["settings"])


class Commissioner(Person):
    weight = 1
    kind = "commissioners"

    @task
    def dashboard(self) -> None:
        self.client.get(random.choice(self.person["dashboards"]), name="dashboard")
