"""Telling prose from code (SFT115-SFT117): the text checks read sentences, never programs.

A placeholder inside a format string, a line of code without a full stop and a bracket opened
on one line of a program are all normal in code; these helpers let a check look at the prose
of a text only, and recognise a response that is a program without fences (HumanEval's
completions are).
"""

from __future__ import annotations

import re

# A fenced block (an unclosed fence runs to the end) and an inline `code` span.
_FENCED = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)", re.DOTALL)
_INLINE = re.compile(r"`[^`\n]+`")
# A line that reads as code in the common languages: a statement keyword at its start, or a
# line ending in ; { } or a Python block opener, or indented by four spaces or a tab.
_CODE_LINE = re.compile(
    r"^\s*(?:def |class |return\b|import |from \S+ import |for .*:$|if .*:$|elif |else:|while .*:$|try:|except\b|"
    r"#include|#define|public |private |static |function\b|const |let |var |print\(|console\.|@\w+|"
    r"[A-Za-z_][\w.\[\]]* ?[-+*/]?= ?\S)"
    r"|[;{}]\s*$|\)\s*:\s*$|^(?:    |\t)\S",
    re.MULTILINE,
)
CODE_SHARE = 0.5  # share of lines that read as code for a text to be a program


def prose(text: str) -> str:
    """`text` without fenced code blocks and inline code spans."""
    if "```" in text or "~~~" in text:
        text = _FENCED.sub(" ", text)
    return _INLINE.sub(" ", text) if "`" in text else text


def looks_like_code(text: str) -> bool:
    """Whether an unfenced text is a program: at least half of its lines read as code."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    code = sum(1 for line in lines if _CODE_LINE.search(line))
    return code >= CODE_SHARE * len(lines) and (code >= 2 or len(lines) == 1 and code == 1)
