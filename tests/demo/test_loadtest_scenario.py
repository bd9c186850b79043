"""The load test's scenario (bench/loadtest) stays in step with the site: the locustfile loads
and names real pages, and every page its people are given answers them, on the demo data."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
DUMMY_IDS = {"group_session", "group_session_book", "group_session_cancel", "supervision_book", "pool_dashboard"}


def test_the_locustfile_loads_and_its_pages_are_real_addresses() -> None:
    # Locust patches the standard library when imported (gevent), so it is loaded in a process of its own.
    pages = json.loads(
        subprocess.run(
            [sys.executable, "-c", "import json, locustfile; print(json.dumps(locustfile.PAGES))"],
            cwd=ROOT / "bench" / "loadtest",
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    )
    assert set(pages) == {
        "home",
        "group session",
        "book a place",
        "cancel a place",
        "choose a supervision time",
        "availability",
        "availability settings",
        "dashboard",
    }
    for url_name in pages.values():
        assert reverse(url_name, args=[1] if url_name in DUMMY_IDS else [])


@pytest.mark.django_db
def test_every_page_the_people_are_given_answers_them(client, capsys) -> None:
    call_command("seed_demo", quiet_logins=True)
    capsys.readouterr()
    spec = importlib.util.spec_from_file_location("loadtest_seed", ROOT / "bench" / "loadtest" / "seed.py")
    assert spec is not None and spec.loader is not None
    seed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed)
    seed.main()
    people = json.loads(capsys.readouterr().out)
    assert len(people["staff"]) >= 30 and len(people["supervisors"]) == 7 and len(people["commissioners"]) == 1
    one_staff, supervisor, commissioner = people["staff"][0], people["supervisors"][0], people["commissioners"][0]
    assert one_staff["group_sessions"] and commissioner["dashboards"]

    def answers(session: str, path: str) -> int:
        client.cookies["sessionid"] = session
        return client.get(path).status_code

    for path in ["/", *one_staff["group_sessions"][:2], *one_staff["slot_pickers"]]:
        assert answers(one_staff["session"], path) == 200, path
    session_page = one_staff["group_sessions"][-1]
    booked = client.post(session_page + "book/", follow=True).content.decode()
    assert "Your place is booked" in booked
    cancelled = client.post(session_page + "cancel/", {"reason": ""}, follow=True).content.decode()
    assert "Your place is cancelled" in cancelled
    assert answers(supervisor["session"], "/availability/") == 200
    client.cookies["sessionid"] = supervisor["session"]
    assert client.post("/availability/settings/", supervisor["settings"]).status_code == 302
    for path in commissioner["dashboards"]:
        assert answers(commissioner["session"], path) == 200, path
