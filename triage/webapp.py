"""The Flask class the app runs on: Flask, with URLs built once and then remembered, JSON written
and read by orjson, and cookies read without searching the whole request for them.

Every page builds the same few URLs (the stylesheet, the script, the next step). Werkzeug builds a
URL by matching rules, which costs more than the rest of a small page; the result only depends on
the endpoint, its values and the path the app is mounted at, so it is kept. Only URLs without
query values are kept (the app's URLs name a page or a file, never anything a person entered),
and the cache is bounded all the same.
"""

from __future__ import annotations

from typing import Any, cast

import orjson
from flask import Flask, request
from flask.ctx import RequestContext
from flask.globals import request_ctx
from flask.json.provider import JSONProvider
from flask.wrappers import Request, Response
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.http import parse_cookie
from werkzeug.utils import cached_property


class OrjsonProvider(JSONProvider):
    """JSON for the API and health check by orjson, several times faster than the standard library
    for an assessment. Keys keep the order they are written in; output is compact UTF-8. Like
    Flask's own provider, it refuses what JSON cannot hold (NaN, or an object it does not know)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return orjson.dumps(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        body = orjson.dumps(self._prepare_response_obj(args, kwargs))
        return Response(body, mimetype="application/json")


class TriageRequest(Request):
    """Flask's request, reading cookies straight from the WSGI environment's one `HTTP_COOKIE`
    entry: what Werkzeug reads too, after searching every entry of the environment for it."""

    @cached_property
    def cookies(self) -> ImmutableMultiDict[str, str]:
        return parse_cookie(self.environ.get("HTTP_COOKIE"), cls=self.dict_storage_class)  # type: ignore[return-value]


class TriageFlask(Flask):
    json_provider_class = OrjsonProvider
    request_class = TriageRequest
    URLS_KEPT = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, str, tuple[tuple[str, str], ...]], str] = {}

    def url_for(
        self,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        plain = _anchor is None and _method is None and _scheme is None and not _external
        if not (plain and request_ctx and all(isinstance(v, str) for v in values.values())):
            return super().url_for(
                endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values
            )
        if endpoint[:1] == ".":
            endpoint = f"{request.blueprint}{endpoint}" if request.blueprint else endpoint[1:]
        key = (request.script_root, endpoint, tuple(sorted(values.items())))
        url = self._urls.get(key)
        if url is None:
            url = super().url_for(endpoint, **values)
            if len(self._urls) < self.URLS_KEPT:
                self._urls[key] = url
        return url


def this_request() -> RequestContext:
    """This request's context, with its `app`, `request` and `session`, looked up once.

    Flask's `current_app`, `request` and `session` find the context again on every attribute used
    (about a microsecond each, a dozen times on a page served from a skeleton).
    """
    return cast(Any, request_ctx)._get_current_object()  # type: ignore[no-any-return]
