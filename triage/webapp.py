"""The Flask class the app runs on: stock Flask, with JSON written and read by orjson through
Flask's documented JSON provider."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Flask
from flask.json.provider import JSONProvider
from flask.wrappers import Response


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
        return Response(orjson.dumps(value), mimetype="application/json")


class TriageFlask(Flask):
    json_provider_class = OrjsonProvider
