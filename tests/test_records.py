"""Shape detection and normalisation to one Record."""

import pytest

from sftlint.records import normalise


def norm(value, fields=None):
    return normalise(value, "f.jsonl", 7, fields)


@pytest.mark.parametrize(
    ("value", "shape", "instruction", "response"),
    [
        ({"instruction": "Q", "input": "ctx", "output": "A"}, "alpaca", "Q", "A"),
        ({"instruction": "Q", "response": "A"}, "alpaca", "Q", "A"),
        ({"prompt": "Q", "completion": "A"}, "prompt-completion", "Q", "A"),
        ({"question": "Q", "answer": "A"}, "question-answer", "Q", "A"),
    ],
)
def test_flat_shapes(value, shape, instruction, response):
    record, problems = norm(value)
    assert problems == []
    assert (record.shape, record.instruction, record.response, record.line) == (shape, instruction, response, 7)


def test_input_and_label():
    record, _ = norm({"instruction": "Classify", "input": "text", "output": "pos", "label": 1})
    assert record.input == "text" and record.label == "1"
    assert record.prompt == "Classify\n\ntext"


def test_field_mapping_makes_a_custom_shape():
    record, problems = norm(
        {"query": "Q", "reply": "A", "tag": "x"}, {"instruction": "query", "response": "reply", "label": "tag"}
    )
    assert problems == [] and record.shape == "custom"
    assert (record.instruction, record.response, record.label) == ("Q", "A", "x")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([1, 2], "record is a JSON array"),
        ("text", "record is a JSON string"),
        ({"foo": 1}, "no instruction/response fields"),
        ({"instruction": "Q"}, "no instruction/response fields"),
        ({"instruction": "Q", "output": 3}, "field 'output' is a number"),
        ({"instruction": ["Q"], "output": "A"}, "field 'instruction' is a array"),
        ({"instruction": "Q", "output": "A", "label": {"x": 1}}, "field 'label' is a object"),
    ],
)
def test_schema_problems(value, expected):
    record, problems = norm(value)
    assert record is None
    assert problems[0][0] == "SFT002" and expected in problems[0][1]


def test_openai_chat():
    value = {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"},
            {"role": "user", "content": [{"type": "text", "text": "Price?"}]},
            {"role": "assistant", "content": "$5"},
        ]
    }
    record, problems = norm(value)
    assert problems == []
    assert (record.shape, record.input, record.instruction, record.response) == (
        "chat",
        "Be brief.",
        "Hi\nPrice?",
        "Hello\n$5",
    )
    assert [t.role for t in record.turns] == ["system", "user", "assistant", "user", "assistant"]


def test_sharegpt_roles_are_mapped():
    record, problems = norm({"conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}]})
    assert problems == [] and record.shape == "sharegpt"
    assert [t.role for t in record.turns] == ["user", "assistant"]


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        ([{"role": "user", "content": "Q"}], "no assistant turn"),
        ([{"role": "user", "content": "Q"}, {"role": "robot", "content": "A"}], "turn 2 has unknown role 'robot'"),
        ([{"role": "assistant", "content": "A"}, {"role": "user", "content": "Q"}], "turn 1 (assistant) comes before"),
        (
            [
                {"role": "user", "content": "Q"},
                {"role": "assistant", "content": "A"},
                {"role": "assistant", "content": "B"},
            ],
            "turn 3 (assistant) follows another assistant turn",
        ),
        (
            [
                {"role": "user", "content": "Q"},
                {"role": "assistant", "content": "A"},
                {"role": "system", "content": "S"},
            ],
            "turn 3 is a system turn",
        ),
        ([{"role": "user", "content": "Q"}, {"role": "assistant", "content": None}], "turn 2 (assistant) has no text"),
        ([{"role": "user", "content": "Q"}, "A"], "turn 2 is a string"),
        ([], "no turns"),
    ],
)
def test_chat_problems_name_the_turn(turns, expected):
    record, problems = norm({"messages": turns})
    assert record is None
    assert any(code == "SFT002" and expected in msg for code, msg in problems), problems


def test_messages_not_a_list():
    _, problems = norm({"messages": "hi"})
    assert "expected an array of turns" in problems[0][1]
