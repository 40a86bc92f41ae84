"""A rule book's sign-off: who signed it for the clinic, when and over what text, and so whether it
is signed, a draft, or changed since it was signed. (`triage.rulebook.loading` reads it from the
file; `triage.signing` writes it.)"""

from __future__ import annotations

from dataclasses import dataclass

SIGNATURE = "signature"  # the key of the signature block a clinician's sign-off writes


@dataclass(frozen=True)
class Signature:
    """Who signed the rule book for the clinic, when, and the SHA-256 of what they signed (the
    rule book's text without its signature block)."""

    by: str
    on: str  # an ISO 8601 date and time, with its UTC offset
    sha256: str


DRAFT_NOTICE = "Draft: not yet reviewed by a clinician"


@dataclass(frozen=True)
class SignOff:
    """The rule book's sign-off status: signed, a draft, or changed since it was signed."""

    status: str  # signed | draft | changed
    signature: Signature | None
    content_sha256: str

    @property
    def signed(self) -> bool:
        return self.status == "signed"

    @property
    def summary(self) -> str:
        if self.status == "signed" and self.signature:
            return f"signed by {self.signature.by} on {self.signature.on}"
        if self.status == "changed" and self.signature:
            return f"DRAFT: changed since it was signed by {self.signature.by} on {self.signature.on}"
        return "DRAFT: not signed"

    @property
    def notice(self) -> str | None:
        """What every result says while the rule book is not signed (None once it is)."""
        return None if self.signed else DRAFT_NOTICE
