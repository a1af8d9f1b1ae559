"""A local fake of a Jasmin-style SMS gateway (the outside world) that misbehaves on purpose.

It answers some requests 500, some late (after the client's timeout, having accepted the message), some with a
plain-text line that is not HTTP; it keeps client message ids as gateways that support them do (a resend with a
known id is answered with the first message id, not sent again); and right after accepting a message it posts the
delivery report, racing the back office's commit of the message id."""

import http.server
import random
import threading
import urllib.parse
import urllib.request
import uuid
from collections import Counter


class FakeGateway:
    def __init__(self, *, seed: int = 15, p_500: float = 0.2, p_late: float = 0.15, p_garbage: float = 0.1,
                 late_seconds: float = 1.5, latency: float = 0.0, dlr_url: str = ""):
        self.rng = random.Random(seed)
        self.p_500, self.p_late, self.p_garbage = p_500, p_late, p_garbage
        self.late_seconds, self.latency, self.dlr_url = late_seconds, latency, dlr_url
        self.lock = threading.Lock()
        self.accepted: dict[str, str] = {}  # client message id → gateway message id
        self.copies: Counter = Counter()  # client message id → copies sent to the handset
        self.faults: Counter = Counter()  # "500", "late", "garbage", "resend_recognised", "requests"
        self.dlr_answers: Counter = Counter()  # status code of our delivery-report endpoint
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # a client that gave up (timeout) is expected
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/send"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _decide(self, client_id: str) -> tuple[str, str]:
        """(what to do, message id) under the lock: a fault, or accept (once per client id)."""
        with self.lock:
            self.faults["requests"] += 1
            roll = self.rng.random()
            if roll < self.p_500:
                self.faults["500"] += 1
                return "500", ""
            if roll < self.p_500 + self.p_garbage:
                self.faults["garbage"] += 1
                return "garbage", ""
            known = self.accepted.get(client_id)
            if known:
                self.faults["resend_recognised"] += 1
                return "again", known
            message_id = uuid.uuid4().hex
            self.accepted[client_id] = message_id
            self.copies[client_id] += 1
            late = roll < self.p_500 + self.p_garbage + self.p_late
            if late:
                self.faults["late"] += 1
            return ("late" if late else "ok"), message_id

    def _report(self, message_id: str) -> None:
        data = urllib.parse.urlencode({"id": message_id, "message_status": "DELIVRD"}).encode()
        try:
            with urllib.request.urlopen(urllib.request.Request(self.dlr_url, data=data), timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        with self.lock:
            self.dlr_answers[status] += 1

    def _handler(self):
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
                action, message_id = gateway._decide(form.get("client-message-id", ""))
                if gateway.latency:
                    threading.Event().wait(gateway.latency)
                if action == "500":
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b"Error \"internal\"")
                    return
                if action == "garbage":
                    self.wfile.write(b"ERR throttled, try later\r\n")  # not an HTTP status line
                    return
                if gateway.dlr_url and action in ("ok", "late"):
                    threading.Thread(target=gateway._report, args=(message_id,), daemon=True).start()
                if action == "late":
                    threading.Event().wait(gateway.late_seconds)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(f'Success "{message_id}"'.encode())

            def log_message(self, *args):
                pass

        return Handler
