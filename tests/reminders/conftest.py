import threading
import time as clock
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.reminders.fake_push import PushService


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service_ = PushService()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            clock.sleep(service_.delay)
            with service_.lock:
                service_.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
            self.send_response(service_.answers.get(self.path, 201))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service_.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield service_
    server.shutdown()
    server.server_close()
