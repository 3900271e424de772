"""SFT118: a prompt whose material is an image, an attachment or a link, answered as if it were seen."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sftlint.check import Check
from sftlint.findings import Finding, Severity
from sftlint.records import Record
from sftlint.text.normal import excerpt

_SEEN = (
    r"(?:image|picture|photo|photograph|screenshot|diagram|chart|graph|figure|video|clip|audio|recording|"
    r"attachment|pdf|spreadsheet|scan|drawing|painting|map)s?"
)
# Material the model cannot see: an attachment marker, a markdown image, an attached file, an
# image placed above or below the text.
_UNSEEABLE = re.compile(
    r"<\s*(?:picture|image|photo|file|video|audio) attached\s*>|<\s*(?:image|img|picture)\s*/?>"
    r"|\[(?:image|picture|photo)\]"
    r"|!\[[^\]\n]*\]\([^)\n]+\)"
    r"|\b(?:the|this|these|that|my) (?:attached |uploaded |above |following )" + _SEEN + r"\b"
    r"|\b(?:the|this|these|that|my) " + _SEEN + r" (?:above|below|attached|I (?:attached|uploaded|sent|shared))\b"
    r"|\b(?:attached|uploaded) (?:\w+ ){0,2}?(?:file|document|report|image|picture|photo|pdf|spreadsheet)s?\b",
    re.IGNORECASE,
)
# A short prompt about "the image", "this chart": a longer one ("use the photo delivery system")
# names a thing, not material it lacks.
_MENTIONED = re.compile(r"\b(?:the|this|these|that|my) " + _SEEN + r"\b", re.IGNORECASE)
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
# Content named by a link: "summarize this article: https://...". Not "this website": a question
# about a site's behaviour ("shortcuts do not work on this website") needs no sight of it.
_LINKED = re.compile(
    r"\b(?:this|the|that|following) (?:article|page|web ?page|post|blog post|paper|video|thread|tweet|document|"
    r"repo|repository|story|report|review|text|content|passage)\b",
    re.IGNORECASE,
)
# Every sign above contains one of these: most prompts are ruled out without a regular expression.
_KEYS = (
    "attach", "upload", "image", "picture", "photo", "screenshot", "diagram", "chart", "graph", "figure", "video",
    "clip", "audio", "recording", "pdf", "spreadsheet", "scan", "drawing", "painting", "map", "http", "www.", "<img",
    "![",
)  # fmt: skip
MAX_ASK_WORDS = 25  # a prompt with more words than this carries its own material
# A response that says it cannot see the material, or asks for it.
_DECLINES = re.compile(
    r"\b(?:can(?:no|')?t|can not|could(?:n't| not)|unable to|not able to|don't have the ability to|do not have the "
    r"ability to|don't have access|do not have access|no access)\b[^.!?\n]{0,40}?\b(?:see|view|access|open|browse|"
    r"read|look at|display|process|analy[sz]e|watch|listen|click|visit|load|retrieve)"
    r"|\b(?:text-based|as a language model|as an ai)\b"
    r"|\b(?:please|could you|can you) (?:describe|paste|share|provide|upload|copy|send|give me)\b"
    r"|\bno (?:image|picture|photo|attachment|file)s? (?:was|were|is|are|has been|have been) "
    r"(?:attached|provided|shared|included|uploaded)",
    re.IGNORECASE,
)
# A response that speaks of the material as seen: "the image shows", "in the article", "the author argues".
_AS_SEEN = re.compile(
    r"\b(?:the|this|your) (?:image|picture|photo|photograph|screenshot|diagram|chart|graph|figure|video|clip|audio|"
    r"recording|attachment|pdf|spreadsheet|scan|drawing|painting|map|article|page|website|post|paper|document|"
    r"report|story|author|tweet|thread|file)\b[^.!?\n]{0,30}?\b(?:shows?|showing|depicts?|features?|contains?|"
    r"illustrates?|displays?|presents?|describes?|discusses?|says?|states?|argues?|explains?|highlights?|mentions?|"
    r"focuses|covers|provides|is about|talks about|consists? of|reveals?|suggests?|outlines?)\b"
    r"|\b(?:in|from|according to) (?:the|this|your) (?:image|picture|photo|screenshot|diagram|chart|graph|figure|"
    r"video|article|page|post|paper|document|file|attachment|spreadsheet)\b",
    re.IGNORECASE,
)


def unseeable(prompt: str) -> tuple[str, bool] | None:
    """What the prompt asks about that a text model cannot see, and whether the sign is strong
    (an attachment marker, an attached file, a linked page) rather than a mention ("this chart")."""
    lower = prompt.lower()
    if not any(key in lower for key in _KEYS):
        return None
    match = _UNSEEABLE.search(prompt)
    if match:
        return match.group(), True
    url = _URL.search(prompt)
    if url is not None:
        ask = _URL.sub(" ", prompt)
        linked = _LINKED.search(ask)
        if linked and len(ask.split()) <= MAX_ASK_WORDS:
            return f"{linked.group()} ({url.group()})", True
    mentioned = _MENTIONED.search(prompt)
    if mentioned and len(prompt.split()) <= MAX_ASK_WORDS:
        return mentioned.group(), False
    return None


class UnseeableContext(Check):
    """A prompt about an image, an attachment or a linked page, answered as if the model saw it.

    What it does: Finds prompts whose material the model cannot see: an attachment marker
    (`<Picture Attached>`, `[image]`, a markdown image), a reference to an image, a
    screenshot, a chart, a video, an attached or uploaded file ("the image above", "the
    attached report"; a plain "the image" or "this chart" only in a prompt of at most 25
    words), or a page given only as a link ("summarize this article: https://...", with at
    most 25 other words). It reports the record when the response does not say that it cannot
    see the material, nor ask for it: after an attachment marker, an attached file or a link,
    any such answer is about unseen material; after a plain mention the response must also
    speak of it as seen ("the image shows", "the article discusses", "according to the
    document"). Chat records are judged turn by turn: each assistant turn against the user
    turn before it. A record that carries an image, video or audio (a part of a turn, or an
    `image`, `images`, `video` or `audio` field as LLaVA and LLaMA-Factory write them) is
    multimodal data, not judged. In preview: the real data at hand holds no such record, so its precision
    there is not known.

    Why it matters: A text-only model trained on such pairs learns to describe images it never
    received and to summarise pages it never opened: confident invention. Such records come
    from multimodal or browsing logs exported without the image or the page.

    How to fix: Put the material into the prompt (the article's text, a description of the
    image), replace the response with one that says the material is missing, or drop the
    record.
    """

    code = "SFT118"
    slug = "unseeable-context"
    severity = Severity.WARNING
    cost = 7
    preview = True
    preview_note = (
        "real-data precision not known: no finding on the 22 real datasets (its two earlier ones, "
        "both wrong, were a tool call sending a dictated e-mail that says 'please find attached')"
    )

    def check_record(self, record: Record) -> Iterator[Finding]:
        if record.carries_media:
            return  # a multimodal record: the model is given what the prompt speaks of
        if record.turns is None:
            pairs = [("response", record.prompt, record.response)]
        else:
            # A turn that calls a tool acts on the request ("send the e-mail that says 'please find
            # attached ...'"); it does not describe material it was not given.
            calls = {call.turn for call in record.tool_use.calls} if record.tool_use is not None else set()
            pairs, asked = [], ""
            for turn in record.turns:
                if turn.role == "user":
                    asked = turn.content
                elif turn.index in calls:
                    asked = ""  # the request was acted on; the answer after the result reports it
                elif turn.role == "assistant" and turn.trained and asked:
                    pairs.append((f"turn {turn.index} (assistant)", asked, turn.content))
                    asked = ""
        for name, prompt, response in pairs:
            found = unseeable(prompt)
            if found is None or not response.strip() or _DECLINES.search(response):
                continue
            material, strong = found
            seen = _AS_SEEN.search(response)
            if strong or seen:
                how = (
                    f"describes it: {excerpt(seen.group())!r}"
                    if seen
                    else f"answers as if it had: {excerpt(response)!r}"
                )
                yield self.finding(
                    f"the prompt's material is {material.strip()!r}, which a text model cannot see, "
                    f"but the {name} {how}",
                    record,
                    material=material.strip(),
                )
