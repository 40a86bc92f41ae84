"""The Flask class the app runs on: stock Flask, with JSON written and read by orjson through
Flask's documented JSON provider, and templates compiled once per process through Jinja's
documented bytecode cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from flask import Flask
from flask.json.provider import JSONProvider
from flask.wrappers import Response
from jinja2.bccache import Bucket, BytecodeCache


def resource_dir(name: str) -> Path:
    """A folder shipped in the wheel inside the package, or at the top of a checkout."""
    packaged = Path(__file__).with_name(name)
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / name


# The catalogs of other languages: the pages' own words (domain `messages`) beside the rule book's
# (domain `rules`), in `translations/` at the top of a checkout and inside the package in a wheel.
PAGE_TRANSLATIONS = resource_dir("translations")


class OrjsonProvider(JSONProvider):
    """JSON for the API and health check by orjson, several times faster than the standard library
    for an assessment. Keys keep the order they are written in; output is compact UTF-8. Like
    Flask's own provider, it refuses what JSON cannot hold (NaN, or an object it does not know)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return orjson.dumps(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """As Flask's own provider: one value, several (sent as a list), or keyword arguments."""
        if args and kwargs:
            raise TypeError("response() takes either arguments or keyword arguments, not both")
        value = kwargs or (args[0] if len(args) == 1 else list(args) if args else None)
        return json_response(value)


def json_response(value: Any) -> Response:
    """What `jsonify(value)` gives, without finding the app's JSON provider (for the API's
    assessments, the busiest route that answers JSON)."""
    return Response(orjson.dumps(value), mimetype="application/json")


class InProcessBytecode(BytecodeCache):
    """Compiled templates kept in this process, as Jinja's documentation shows a bytecode cache
    is written. Jinja keys each by the template's name and a checksum of its source, so a template
    that changes is compiled again."""

    def __init__(self) -> None:
        self.kept: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.kept.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.kept[bucket.key] = bucket.bytecode_to_string()


class TriageFlask(Flask):
    json_provider_class = OrjsonProvider
    # Every app of a process (the tests build hundreds) shares the templates' compiled code.
    # (Flask documents jinja_options as a class attribute to override.)
    jinja_options = {**Flask.jinja_options, "bytecode_cache": InProcessBytecode()}  # noqa: RUF012
