"""An example of a team's own check, loaded by path: `sftlint lint data.jsonl --plugins checks/`.

Copy this file as a starting point: a check is a class with a code (your own prefix, never
SFT), a slug, a default severity, a docstring in three parts and, if it takes settings, an
Options model. Its options live under `[tool.sftlint.checks.no-email-in-response]`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field

from sftlint import Check, Finding, Record, Severity

EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b")


class NoEmailOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # a value of the wrong type is an error, never converted
    allowed_domains: list[str] = Field(
        default_factory=lambda: ["example.com", "example.org"],
        description="domains whose addresses may appear (your own support address, documentation examples)",
    )


class NoEmailInResponse(Check):
    """An e-mail address in a response, outside the allowed domains.

    What it does: Finds e-mail addresses in responses (every assistant turn for chat data)
    and reports each record whose addresses are not in `allowed_domains`.

    Why it matters: Support transcripts carry customers' and agents' addresses. A model
    fine-tuned on them can repeat a real person's address to anyone who asks, and invents
    plausible new ones in the same style.

    How to fix: Replace addresses with a placeholder such as `customer@example.com` before
    training, or add your own public support domain to `allowed_domains`.

    Options: `allowed_domains` (list of domains; subdomains included), default
    `["example.com", "example.org"]`.
    """

    code = "TEAM001"
    slug = "no-email-in-response"
    severity = Severity.WARNING
    Options = NoEmailOptions

    def check_record(self, record: Record) -> Iterator[Finding]:
        allowed = tuple(d.lower() for d in self.options.allowed_domains)
        for match in EMAIL.finditer(record.response):
            domain = match.group(1).lower()
            if not any(domain == d or domain.endswith("." + d) for d in allowed):
                yield self.finding(f"response contains the e-mail address {match.group()!r}", record)
                return
