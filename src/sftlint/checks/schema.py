from __future__ import annotations

from sftlint.check import Check
from sftlint.findings import Severity


class Schema(Check):
    """A record that is not an instruction-response example of a known shape.

    What it does: Reports records that are not JSON objects; that lack the instruction or the
    response field of their shape (alpaca, prompt/completion, question/answer, OpenAI
    `messages`, ShareGPT `conversations`, or the fields mapped in config); whose fields have
    the wrong type; an alpaca `history` that is not a list of [prompt, response] pairs; and
    chat records with an unknown role, a turn without text, no assistant turn, or roles out
    of order; and multimodal records whose `image`/`images` (`video`, `audio`) field names
    another number of files than the text has `<image>` (`<video>`, `<audio>`) tokens, as
    LLaVA and LLaMA-Factory place them. Tool calls and results (ShareGPT `function_call` /
    `observation`, OpenAI `tool_calls`, `tool` and `function` turns, Anthropic `tool_use` and
    `tool_result` blocks, Gemini's `functionCall` and `functionResponse` parts) and content
    given as a list of parts are valid turns; what is wrong with a call is SFT114's to
    report. Chat findings name the turn. A line over 8 MiB is reported here without being
    parsed: no training example is that large.

    Why it matters: A record the trainer cannot map to a prompt and a target is dropped or,
    worse, trained on with an empty or misplaced target. A conversation whose roles are out of
    order teaches the model to speak for the user. An image without its token is trained on
    as if it were not there (LLaVA), or stops the run (LLaMA-Factory checks the counts).

    How to fix: Make every record an object with the same field names. If your fields have
    other names, map them with `--field response=answer` or `[tool.sftlint.fields]` rather
    than renaming the data. For chat, each turn needs a known `role` and text `content`, and
    the conversation needs at least one assistant turn after a user turn.
    """

    code = "SFT002"
    slug = "schema"
    severity = Severity.ERROR
    from_reader = True
