"""`triage serve`: the web app under gunicorn, a production WSGI server.

The app (and so the rule book) is built once in the master process before any worker starts, so a
broken rule book stops start-up with its `file:line` messages and nothing is served.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from triage import config, create_app
from triage.rulebook import RulebookError

# Method, path without query string, status, size, duration. No client address, referrer or agent:
# the log has nothing that could identify a person, and the pages put no answers in URLs.
ACCESS_LOG_FORMAT = "%(m)s %(U)s %(s)s %(B)s %(M)sms"


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

    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": "warning",
        "when_ready": when_ready,
        "forwarded_allow_ips": os.environ.get("TRIAGE_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    }
    _Server(app, options).run()
    return 0
