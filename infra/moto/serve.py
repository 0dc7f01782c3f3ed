"""Runs moto in server mode like `moto_server`, but handles one request at a time.

moto's DynamoDB backend is not safe under concurrent requests: TransactWriteItems checks
conditions and applies writes without a lock, and on a failed condition it "rolls back" by
restoring a copy of the whole table taken when the transaction started, erasing writes that other
requests made meanwhile. `moto_server` serves requests on many threads, so concurrent optimistic
updates lose data there that real DynamoDB keeps. Serving one request at a time (connections are
still accepted concurrently) makes each call atomic, which is what the store tests rely on.

That copy is also slow: moto deep-copies every table a transaction writes to, items and stream
records included, once per item of the transaction, so a test's time grows with the square of
its writes. With one request at a time nothing but the transaction itself changes the table
while it runs, so this server backs up only what a transaction can change (see backup_table):
the same rollback, at the cost of the transaction instead of the table.

Usage: python3 serve.py [-H HOST] [-p PORT] [--fd FD] [--exit-with-parent]

  --fd FD              serve on the listening socket inherited as file descriptor FD (the
                       caller chose the port and holds it, so no other process can take it
                       between the choice and the start); -H and -p are then ignored
  --exit-with-parent   exit when the process that started this one ends (a test binary that
                       was killed leaves no server behind)
"""

import argparse
import copy
import io
import json
import os
import signal
import sys
import threading
import time
import types

from moto.dynamodb.models import DynamoDBBackend
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server


class OneAtATime:
    """WSGI middleware that runs the wrapped application for one request at a time, and answers
    a TransactWriteItems repeated with the same ClientRequestToken and body as real DynamoDB
    does: with the first call's success, writing nothing again. The SDK sends the same token on
    its own retries, so a retry of a transaction whose answer was lost on the way (a connection
    reset under load) is not taken for a second, conflicting write."""

    TARGET = "DynamoDB_20120810.TransactWriteItems"

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.done = {}  # ClientRequestToken -> (body, status, headers, response)

    def __call__(self, environ, start_response):
        with self.lock:
            token, body = None, None
            if environ.get("HTTP_X_AMZ_TARGET") == self.TARGET:
                size = int(environ.get("CONTENT_LENGTH") or 0)
                body = environ["wsgi.input"].read(size)
                environ["wsgi.input"] = io.BytesIO(body)
                try:
                    token = json.loads(body).get("ClientRequestToken")
                except ValueError:
                    token = None
                first = self.done.get(token) if token else None
                if first is not None and first[0] == body:
                    start_response(first[1], first[2])
                    return [first[3]]
            answer = {}

            def remember(status, headers, exc_info=None):
                answer["status"], answer["headers"] = status, list(headers)
                return start_response(status, headers, exc_info)

            # Build the whole response under the lock: moto may compute it lazily.
            chunks = list(self.app(environ, remember))
            if token and answer.get("status", "").startswith("200"):
                self.done[token] = (body, answer["status"], answer["headers"], b"".join(chunks))
                if len(self.done) > 10000:  # DynamoDB keeps a token for 10 minutes; keep the newest
                    del self.done[next(iter(self.done))]
            return chunks


def backup_table(table, keys):
    """Returns a copy of table that a rollback can restore: the table object copied, its maps of
    items copied (Put and Delete replace or remove an item, they do not change it), the items
    at keys (those the transaction touches, which an Update changes in place) deep-copied, and
    its stream records copied (a transaction appends to them)."""
    snap = copy.copy(table)
    snap.items = copy.copy(table.items)
    if table.range_key_attr is not None:
        for hash_key, rows in snap.items.items():
            snap.items[hash_key] = dict(rows)
    for hash_key, range_key in keys:
        if table.range_key_attr is None:
            if hash_key in snap.items:
                snap.items[hash_key] = copy.deepcopy(snap.items[hash_key])
        elif range_key in snap.items.get(hash_key, {}):
            snap.items[hash_key][range_key] = copy.deepcopy(snap.items[hash_key][range_key])
    if table.stream_shard is not None:
        shard = copy.copy(table.stream_shard)
        shard.items = list(table.stream_shard.items)
        shard.table = snap
        snap.stream_shard = shard
    return snap


def keys_of(table, op):
    """The (hash, range) key of the item a transaction's operation is about, as moto keys its
    items, or None."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    attrs = op.get("Item") or op.get("Key") or {}
    if table.hash_key_attr not in attrs:
        return None
    hash_key = DynamoType(attrs[table.hash_key_attr])
    range_key = None
    if table.range_key_attr is not None:
        if table.range_key_attr not in attrs:
            return None
        range_key = DynamoType(attrs[table.range_key_attr])
    return hash_key, range_key


def cheap_transaction_backups():
    """Makes TransactWriteItems back up tables with backup_table instead of copy.deepcopy."""
    import moto.dynamodb.models as models

    original = DynamoDBBackend.transact_write_items
    deepcopy = copy.deepcopy

    def transact_write_items(self, transact_items):
        touched = {}
        for item in transact_items:
            for op in item.values():
                name = op.get("TableName") if isinstance(op, dict) else None
                table = self.tables.get(name) if name else None
                if table is None:
                    continue
                key = keys_of(table, op)
                if key is not None:
                    touched.setdefault(id(table), []).append(key)
        backups = {}

        def backup(x, memo=None):
            # moto calls copy.deepcopy(table) before the transaction changes anything; other
            # deep copies keep their meaning.
            if isinstance(x, models.Table):
                if id(x) not in backups:
                    backups[id(x)] = backup_table(x, touched.get(id(x), []))
                return backups[id(x)]
            return deepcopy(x, memo)

        # moto's module uses copy.deepcopy only: it sees this namespace while the call runs.
        saved = models.copy
        models.copy = types.SimpleNamespace(copy=copy.copy, deepcopy=backup)
        try:
            return original(self, transact_items)
        finally:
            models.copy = saved

    DynamoDBBackend.transact_write_items = transact_write_items


def exit_with_parent():
    """Exits the process when its parent ends (the parent's pid is no longer ours)."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5055)
    parser.add_argument("--fd", type=int, default=None)
    parser.add_argument("--exit-with-parent", action="store_true")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    if args.exit_with_parent:
        exit_with_parent()
    cheap_transaction_backups()
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(
        args.host,
        args.port,
        OneAtATime(app),
        threaded=True,
        request_handler=MotoRequestHandler,
        fd=args.fd,
    )
    print(f"serving on http://{server.host}:{server.port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
