"""Runs moto in server mode like `moto_server`, but handles one request at a time.

moto's DynamoDB backend is not safe under concurrent requests: TransactWriteItems checks
conditions and applies writes without a lock, and on a failed condition it "rolls back" by
restoring a copy of the whole table taken when the transaction started, erasing writes that other
requests made meanwhile. `moto_server` serves requests on many threads, so concurrent optimistic
updates lose data there that real DynamoDB keeps. Serving one request at a time (connections are
still accepted concurrently) makes each call atomic, which is what the store tests rely on.

Usage: python3 serve.py [-H HOST] [-p PORT]
"""

import argparse
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


class OneAtATime:
    """WSGI middleware that runs the wrapped application for one request at a time."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            # Build the whole response under the lock: moto may compute it lazily.
            return list(self.app(environ, start_response))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5055)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        args.host,
        args.port,
        OneAtATime(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
