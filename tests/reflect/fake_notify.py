"""A small stand-in for GOV.UK Notify's API: the parts the official client uses to send.

It checks the client's JSON Web Token the way Notify does (HS256, signed with the key's
secret, ``iss`` = the service id) and answers by phone number or first address line:
``…400`` → 400 (a bad number), ``…500`` → 500, ``…slow`` → too slow for the client's timeout,
anything else → 201 with a notification id.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"reflect_test-{SERVICE_ID}-{SECRET}"


class FakeNotify(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.requests: list[dict] = []
        self.slow_seconds = 2.0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> FakeNotify:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: FakeNotify

    def log_message(self, format: str, *args: object) -> None:  # quiet in test output
        pass

    def _answer(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        authorisation = self.headers.get("Authorization", "")
        try:
            claims = jwt.decode(
                authorisation.removeprefix("Bearer "), SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"]}
            )
            if claims["iss"] != SERVICE_ID:
                raise jwt.InvalidIssuerError("wrong service")
        except jwt.PyJWTError as error:
            self._answer(403, {"status_code": 403, "errors": [{"error": "AuthError", "message": str(error)}]})
            return
        self.server.requests.append({"path": self.path, "body": body})
        if self.path == "/v2/notifications/sms":
            marker = body.get("phone_number", "")
        elif self.path == "/v2/notifications/letter":
            marker = body.get("personalisation", {}).get("address_line_1", "")
        else:
            self._answer(404, {"status_code": 404, "errors": [{"error": "NotFound", "message": "Not found"}]})
            return
        if marker.endswith("400"):
            self._answer(
                400,
                {
                    "status_code": 400,
                    "errors": [{"error": "ValidationError", "message": "phone_number Not a UK mobile number"}],
                },
            )
        elif marker.endswith("500"):
            self._answer(
                500, {"status_code": 500, "errors": [{"error": "Exception", "message": "Internal server error"}]}
            )
        elif marker.endswith("slow"):
            time.sleep(self.server.slow_seconds)
            self._answer(201, {"id": str(uuid.uuid4())})
        else:
            self._answer(
                201,
                {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, json.dumps(body, sort_keys=True))),
                    "reference": body.get("reference"),
                },
            )
