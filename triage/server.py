"""`triage serve`: the web app under gunicorn, a production WSGI server.

The app (and so the rule book) is built once in the master process before any worker starts, so a
broken rule book stops start-up with its `file:line` messages and nothing is served.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeGuard

from flask import Flask
from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from triage import config, create_app
from triage.rulebook import RulebookError


class AccessLog(glogging.Logger):
    """Gunicorn's logger, with an access line of five fields: method, path without query string,
    status, size and duration, such as `GET /questions/breathing 200 4208 3ms`.

    No client address, referrer or agent: the log has nothing that could identify a person, and the
    pages put no answers in URLs. Gunicorn's own access line gathers every header and environment
    value for its format on each request, which cost more than serving a page; this writes the same
    five fields directly. Where the access log is gunicorn's own stream (standard output or a file,
    printing the message as it is), the line is written to it as that handler writes it, without the
    log record the logging module builds for each line; any other handler gets a record as usual.
    """

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        log = self.access_log
        if not self.access_log_enabled or not log.isEnabledFor(logging.INFO):
            return
        status = str(resp.status).split(None, 1)[0]
        ms = request_time.seconds * 1000 + request_time.microseconds // 1000
        method, path, size = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), getattr(resp, "sent", None)
        line = f"{method} {path} {status} {size} {ms}ms"
        for handler in log.handlers:
            if not (_writes_message_only(handler) and _write(handler, line)):
                handler.handle(log.makeRecord(log.name, logging.INFO, "", 0, line, (), None))


def _writes_message_only(handler: logging.Handler) -> TypeGuard[logging.StreamHandler[Any]]:
    """A plain stream or file handler that prints each message as it is, with no filter."""
    return (
        type(handler) in (logging.StreamHandler, logging.FileHandler)
        and not handler.filters
        and getattr(handler.formatter, "_fmt", "%(message)s") == "%(message)s"
        and handler.level <= logging.INFO
        and getattr(handler, "stream", None) is not None
    )


def _write(handler: logging.StreamHandler[Any], line: str) -> bool:
    """Write the line as the handler's own `emit` does; False if that failed (the handler is then
    given a record, and reports the failure as the logging module does)."""
    handler.acquire()
    try:
        handler.stream.write(line + handler.terminator)
        handler.stream.flush()
        return True
    except Exception:
        return False
    finally:
        handler.release()


class _Server(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def serve(host: str, port: int, workers: int) -> int:
    if not os.environ.get("TRIAGE_SECRET_KEY"):
        instance = Path(Flask("triage").instance_path)
        if config.ensure_secret_key(instance):
            print(f"Created a secret key in {instance / 'secret_key'} (set TRIAGE_SECRET_KEY to share one).")
    try:
        app = create_app()
    except RulebookError as error:
        print("\n".join(error.lines()), file=sys.stderr)
        print(
            f"{len(error.problems)} problem(s): the rule book cannot be used, so the app did not start.",
            file=sys.stderr,
        )
        return 1
    except config.ConfigError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 1

    def when_ready(_server: Any) -> None:
        print(f"ALS red-flag triage is running at http://{host}:{port}/ (press Ctrl+C to stop)", flush=True)

    # The logging module's documented savings: no thread or multiprocessing names gathered for each
    # line, which no format here prints (the process id, which the error log prints, is kept).
    logging.logThreads = False
    logging.logMultiprocessing = False
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "accesslog": "-",
        "logger_class": AccessLog,
        "errorlog": "-",
        "loglevel": "warning",
        "when_ready": when_ready,
        "forwarded_allow_ips": os.environ.get("TRIAGE_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    }
    _Server(app, options).run()
    return 0
