"""SFT003 decides a clean record with one scan of all its text; that pre-test must never hide
a finding the text-by-text tests would make."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sftlint.checks.encoding import Encoding
from sftlint.records import normalise

# Characters each test looks for, their neighbours, and mojibake's lead characters.
_ODD = ["\x00", "\x08", "\t", "\n", "\r", "\x0b", "\x1f", " ", "~", "\x7f", "\x80", "\x9f", "\xa0", "\ufffd",
        "\ufeff", "â", "€", "™", "Ã", "©", "Â", "£", "é", "\u2028", "\ud800", "a"]  # fmt: skip
_texts = st.text(alphabet=st.sampled_from(_ODD), max_size=12) | st.sampled_from(["", "plain words", "donâ€™t"])


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.fixed_dictionaries({"instruction": _texts, "output": _texts}, optional={"input": _texts}),
        st.lists(_texts, min_size=2, max_size=4).map(
            lambda texts: {
                "messages": [{"role": ("user", "assistant")[i % 2], "content": t} for i, t in enumerate(texts)]
            }
        ),
    ),
    st.sampled_from([None, "invalid UTF-8 byte 0xe9 at byte 3"]),
)
def test_the_pre_test_never_hides_a_finding(value, decode_error):
    record, _ = normalise(value, "f.jsonl", 1)
    record.decode_error = decode_error
    check = Encoding()
    expected = [f.message for f in check.text_by_text(record)]
    assert [f.message for f in check.check_record(record)] == expected


def test_clean_records_and_each_kind_of_damage():
    check = Encoding()

    def messages(output: str) -> list[str]:
        record, _ = normalise({"instruction": "Say hi", "output": output}, "f.jsonl", 1)
        return [f.message for f in check.check_record(record)]

    assert messages("Hello,\tworld.\r\nBye.") == []
    assert messages("Grüße aus Köln — schön!") == []
    assert "U+0007" in messages("ring \x07 the bell")[0]
    assert "U+007F" in messages("delete \x7f this")[0]
    assert "mojibake" in messages("donâ€™t")[0]
    assert "U+FEFF" in messages("\ufeffHello")[0]
    assert "U+FFFD" in messages("caf\ufffd")[0]
