"""Reading the rule book's meta: its title, version, disclaimer and sources, the services it
names and the clinic's opening hours."""

from __future__ import annotations

import datetime
import re
import urllib.parse
from collections.abc import Mapping
from types import MappingProxyType

from triage.hours import HoursError, OpeningHours, parse_hours
from triage.rulebook.contract import _BOOKING_URL, _PHONE, _REF, _SEMVER, SERVICE_FIELDS, SERVICE_NAMES
from triage.rulebook.model import Meta, Option, Service, Source
from triage.rulebook.reading import _Reader
from triage.yamlsource import (
    Node,
    SequenceNode,
)


def booking_url_ok(url: str) -> bool:
    """An http(s) address a person can follow: a host, no user name or password, a valid port, and
    no control characters, written or percent-encoded."""
    if not _BOOKING_URL.match(url) or re.search(r"%(?:[01][0-9a-f]|7f)", url, re.IGNORECASE):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    no_user = "@" not in parts.netloc
    return parts.scheme in ("http", "https") and bool(parts.hostname) and no_user and port != 0


class _Meta(_Reader):
    """Reading the meta (services, opening hours)."""

    def meta(self, node: Node) -> Meta | None:
        keys = ("title", "version", "reviewed_by", "reviewed_on", "disclaimer")
        parts = ("emergency_number", "answer_labels", "messages", "sources")
        found = self.mapping(node, "meta", (*keys, *parts), ("services", "opening_hours"))
        if found is None or any(key not in found for key in (*keys, *parts)):
            return None
        number = self.number_override or self.scalar(found["emergency_number"])
        if not isinstance(number, str) or not re.fullmatch(r"[0-9][0-9 ]{1,14}", number):
            where = "the emergency number setting" if self.number_override else "emergency_number"
            self.problems.add(
                found["emergency_number"], f'{where} must be digits in quotes, like "911", not {number!r}'
            )
        else:
            self.number = number
        version = self.text(found["version"], "version", words=False)
        if version and not _SEMVER.match(version):
            self.problems.add(found["version"], f"version must be a semantic version like 1.2.0, not '{version}'")
        labels = self.mapping(found["answer_labels"], "answer_labels", ("yes", "no"))
        messages = self.mapping(found["messages"], "messages", ("unknown_question",))
        sources = []
        self.sources_read = isinstance(found["sources"], SequenceNode)
        for item in self.sequence(found["sources"], "sources"):
            entry = self.mapping(item, "a source", ("id", "title"), ("url",))
            if entry and len(entry.keys() & {"id", "title"}) == 2:
                sources.append(
                    (
                        Source(
                            self.ident(entry["id"], "a source id", _REF) or "",
                            self.text(entry["title"], "a source title", words=False) or "",
                            self.text(entry.get("url"), "a source url", words=False),
                        ),
                        entry["id"],
                    )
                )
        self.unique(((s.id, n) for s, n in sources), "source id")
        services = self.services(found.get("services"), node)
        self.phones = {sid: service.phone for sid, service in services.items()}
        texts = {key: self.text(found[key], key, words=key == "title") for key in keys if key != "disclaimer"}
        texts["disclaimer"] = self.voiced(found["disclaimer"], "the disclaimer")
        if texts["reviewed_on"] is not None:
            try:
                datetime.date.fromisoformat(texts["reviewed_on"])
            except ValueError:
                self.problems.add(
                    found["reviewed_on"],
                    f"reviewed_on must be a real date like 2026-11-24, not '{texts['reviewed_on']}'",
                )
        if labels is None or messages is None or len(labels) < 2 or not messages:
            return None
        answer_labels = {k: self.text(v, f"the label for {k}") or "" for k, v in labels.items()}
        self.yes_no = (Option("yes", answer_labels["yes"]), Option("no", answer_labels["no"]))
        return Meta(
            title=texts["title"] or "",
            version=version or "",
            reviewed_by=texts["reviewed_by"] or "",
            reviewed_on=texts["reviewed_on"] or "",
            emergency_number=self.number,
            disclaimer=texts["disclaimer"] or "",
            answer_labels=MappingProxyType(answer_labels),
            messages=MappingProxyType({k: self.text(v, f"message {k}") or "" for k, v in messages.items()}),
            sources=tuple(s for s, _ in sources),
            services=services,
            opening_hours=self.opening_hours(found.get("opening_hours")),
        )

    def opening_hours(self, node: Node | None) -> OpeningHours | None:
        if node is None:
            return None
        text = self.text(node, "opening_hours", words=False)
        try:
            return parse_hours(text) if text else None
        except HoursError as error:
            self.problems.add(node, f"opening_hours: {error}")
            return None

    def services(self, node: Node | None, meta: Node) -> Mapping[str, Service]:
        """The local services: each known one, with the rule book's words, then the settings'."""
        given: dict[str, dict[str, str | None]] = {sid: {"name": name} for sid, name in SERVICE_NAMES.items()}
        where: dict[tuple[str, str], tuple[str, Node]] = {}
        found = self.mapping(node, "services", (), tuple(SERVICE_NAMES)) if node is not None else {}
        for sid, item in (found or {}).items():
            fields = self.mapping(item, f"service '{sid}'", (), (*SERVICE_FIELDS, "no_number"))
            for key, text_node in (fields or {}).items():
                words = key in ("name", "no_number")  # not a phone number or an address
                given[sid][key] = self.text(text_node, f"the {key} of service '{sid}'", words=words)
                where[sid, key] = (f"the {key} of service '{sid}'", text_node)
        for sid, key, setting in self.service_settings:
            given[sid][key] = setting.strip() or None
            where[sid, key] = (f"the setting TRIAGE_{sid.upper()}_{key.upper()}", meta)
        services = {}
        for sid, values in given.items():
            phone, url = values.get("phone"), values.get("booking_url")
            if phone and not (_PHONE.match(phone) and len(re.sub(r"[^0-9]", "", phone)) >= 3):
                what, at = where[sid, "phone"]
                self.problems.add(at, f"{what} must be a phone number such as 811 or +1 403 555 0100, not {phone!r}")
            if url and not booking_url_ok(url):
                what, at = where[sid, "booking_url"]
                self.problems.add(
                    at, f"{what} must be a web address starting https:// with a host, and no user name, not {url!r}"
                )
            name = values.get("name") or SERVICE_NAMES[sid]
            services[sid] = Service(sid, name, phone, url, values.get("no_number"))
        return MappingProxyType(services)
