"""Shape detection and normalisation to one Record."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sftlint.records import FieldSurvey, _fast_chat, _fast_flat, _normalise, normalise


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
        ({"instruction": ["Q"], "output": "A"}, "field 'instruction' is an array"),
        ({"instruction": "Q", "output": "A", "label": {"x": 1}}, "field 'label' is an object"),
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


# -- the fast path gives exactly what the general path gives -----------------------------------

_words = st.sampled_from(["", "Q", "A", "ctx", "hello there", "é"])
_labels = st.one_of(st.none(), _words, st.integers(), st.booleans(), st.floats(allow_nan=False), st.lists(_words))
_text_or_not = st.one_of(_words, _words, st.none(), st.integers(), st.lists(_words, max_size=1))
_chat_roles = st.sampled_from(["user", "assistant", "system", "tool", "function"] * 4 + ["User", "bot"])
_sharegpt_roles = st.sampled_from(
    ["human", "gpt", "system", "model", "chatgpt", "observation", "function_call"] * 3 + ["Human", "bot"]
)
_contents = st.one_of(
    _words,
    _words,
    _words,
    st.none(),
    st.lists(st.fixed_dictionaries({"text": _words})),
    st.lists(st.fixed_dictionaries({"type": st.sampled_from(["text", "image"]), "value": _words})),
)
_records = st.one_of(
    st.fixed_dictionaries(
        {
            "messages": st.lists(
                st.fixed_dictionaries(
                    {"role": _chat_roles, "content": _contents},
                    optional={"tool_calls": st.just([{"id": "a", "function": {"name": "f", "arguments": "{}"}}])},
                ),
                max_size=5,
            )
        },
        optional={"label": _labels, "tools": st.just('[{"name": "f"}]')},
    ),
    st.fixed_dictionaries(
        {"conversations": st.lists(st.fixed_dictionaries({"from": _sharegpt_roles, "value": _contents}), max_size=5)},
        optional={"label": _labels},
    ),
    st.fixed_dictionaries(
        {"instruction": _text_or_not},
        optional={
            "output": _text_or_not,
            "response": _words,
            "input": _text_or_not,
            "label": _labels,
            "history": st.lists(st.lists(_words, min_size=1, max_size=2), max_size=2),
        },
    ),
    st.fixed_dictionaries({"prompt": _text_or_not}, optional={"completion": _text_or_not, "label": _labels}),
    st.fixed_dictionaries({"question": _words, "answer": _text_or_not}, optional={"instruction": _words}),
)


def _fields(record):
    if record is None:
        return None
    turns = None if record.turns is None else [(t.index, t.role, t.content) for t in record.turns]
    fields = ("shape", "instruction", "input", "response", "label", "tool_use", "media")
    return [getattr(record, name) for name in fields], turns


@settings(max_examples=400, deadline=None)
@given(_records)
def test_the_fast_path_gives_the_general_paths_record(value):
    fast, fast_problems = normalise(value, "f.jsonl", 7)
    general, problems = _normalise(value, "f.jsonl", 7, {})
    assert fast_problems == problems
    assert _fields(fast) == _fields(general)
    if fast is not None:
        assert fast.turns == general.turns and fast.raw is value


def test_well_formed_records_take_the_fast_path_and_odd_ones_the_general_path():
    turns = [("system", "S"), ("user", "Q"), ("assistant", "A")]
    ok = {"messages": [{"role": role, "content": content} for role, content in turns]}
    assert _fast_chat(ok, "f", 1) == normalise(ok, "f", 1)[0]
    assert _fast_chat({"messages": ok["messages"][::-1]}, "f", 1) is None  # out of order: problems to explain
    assert _fast_flat({"instruction": "Q", "output": "A", "input": None}, "alpaca", "f", 1).input == ""
    assert _fast_flat({"instruction": "Q", "output": 3}, "alpaca", "f", 1) is None


# -- tool calling, content parts and alpaca history -------------------------------------------

_WEATHER = {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}


def test_sharegpt_tool_calls_are_assistant_turns_and_results_tool_turns():
    call = '{"name": "get_weather", "arguments": {"city": "Paris"}}'
    value = {
        "conversations": [
            {"from": "human", "value": "Weather in Paris?"},
            {"from": "function_call", "value": call},
            {"from": "observation", "value": '{"temp": 21}'},
            {"from": "gpt", "value": "21 degrees."},
        ],
        "tools": json.dumps([_WEATHER]),
    }
    record, problems = norm(value)
    assert problems == []
    assert [(t.role, t.content) for t in record.turns][1:3] == [("assistant", call), ("tool", '{"temp": 21}')]
    use = record.tool_use
    assert use.declared == {"get_weather": _WEATHER["parameters"]}
    assert [(c.turn, c.role, c.name, c.arguments, c.error) for c in use.calls] == [
        (2, "function_call", "get_weather", {"city": "Paris"}, None)
    ]
    assert [(r.turn, r.role) for r in use.results] == [(3, "observation")]


def test_openai_tool_calls_are_written_out_as_the_assistant_turns_text():
    value = {
        "tools": [{"type": "function", "function": _WEATHER}],
        "messages": [
            {"role": "user", "content": "Weather in Paris and Lyon?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "a", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
                    {"id": "b", "function": {"name": "get_weather", "arguments": "{oops"}},
                ],
            },
            {"role": "tool", "tool_call_id": "a", "content": "21"},
            {"role": "function", "name": "get_weather", "content": "19"},
            {"role": "assistant", "content": "21 and 19 degrees."},
        ],
    }
    record, problems = norm(value)
    assert problems == []
    assert [t.role for t in record.turns] == ["user", "assistant", "tool", "tool", "assistant"]
    assert record.turns[1].content.startswith('{"name": "get_weather", "arguments": {"city": "Paris"}}\n')
    assert [(c.id, c.arguments) for c in record.tool_use.calls] == [("a", {"city": "Paris"}), ("b", None)]
    assert "not valid JSON" in record.tool_use.calls[1].error
    assert [(r.call_id, r.name, r.role) for r in record.tool_use.results] == [
        ("a", None, "tool"),
        (None, "get_weather", "function"),
    ]


def test_an_assistant_text_after_a_call_is_no_schema_problem():
    call = '{"name": "f", "arguments": {}}'
    value = {"conversations": [{"from": "human", "value": "Q"}, {"from": "function_call", "value": call},
                               {"from": "gpt", "value": "A"}]}  # fmt: skip
    assert norm(value)[1] == []
    _, problems = norm({"conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"},
                                          {"from": "gpt", "value": "B"}]})  # fmt: skip
    assert "follows another assistant turn" in problems[0][1]


def test_content_parts_text_and_value_are_read_and_media_counted():
    value = {
        "messages": [
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x.png"}}, {"type": "image"}]},
            {"role": "assistant", "content": [{"type": "text", "value": "A cat."}]},
            {"role": "user", "content": [{"type": "text", "text": "Colour?"}, {"type": "audio", "audio": "x.wav"}]},
            {"role": "assistant", "content": "Grey."},
        ]
    }
    record, problems = norm(value)
    assert problems == []
    assert [t.content for t in record.turns] == ["", "A cat.", "Colour?", "Grey."]
    assert record.media == {1: 2, 3: 1}
    assert record.tool_use is None


def test_alpaca_history_becomes_turns_before_the_instruction():
    value = {"instruction": "And in Lyon?", "input": "today", "output": "19.", "history": [["Paris?", "21."]]}
    record, problems = norm(value)
    assert problems == [] and record.shape == "alpaca"
    assert [(t.index, t.role, t.content) for t in record.turns] == [
        (1, "user", "Paris?"),
        (2, "assistant", "21."),
        (3, "user", "And in Lyon?\n\ntoday"),
        (4, "assistant", "19."),
    ]
    assert (record.instruction, record.response) == ("Paris?\nAnd in Lyon?\n\ntoday", "21.\n19.")
    assert norm({"instruction": "Q", "output": "A", "history": []})[0].turns is None
    _, problems = norm({"instruction": "Q", "output": "A", "history": [["only a prompt"]]})
    assert problems == [("SFT002", "history item 1 is not a [prompt, response] pair of strings")]


def test_an_assistant_turn_with_text_and_a_call_keeps_both():
    call = {"id": "a", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
    value = {
        "messages": [
            {"role": "user", "content": "Paris?"},
            {"role": "assistant", "content": "Checking.", "tool_calls": [call]},
        ]
    }
    record, problems = norm(value)
    assert problems == []
    assert record.turns[1].content == 'Checking.\n{"name": "get_weather", "arguments": {"city": "Paris"}}'


_Q, _A = "What is the capital of Australia?", "The capital of Australia is Canberra."


@pytest.mark.parametrize(
    "value",
    [
        # OpenAI's newer name for the system message
        {"messages": [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": _Q},
                      {"role": "assistant", "content": _A}]},
        # role/content turns under "conversations", from/value turns under "messages"
        {"conversations": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": _Q},
                           {"role": "assistant", "content": _A}]},
        {"messages": [{"from": "system", "value": "Be brief."}, {"from": "human", "value": _Q},
                      {"from": "gpt", "value": _A}]},
        # TRL's conversational prompt-completion
        {"prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": _Q}],
         "completion": [{"role": "assistant", "content": _A}]},
        # Gemini's "model" role written as messages
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": _Q},
                      {"role": "model", "content": _A}]},
        # the Responses API's text parts
        {"messages": [{"role": "system", "content": [{"type": "input_text", "text": "Be brief."}]},
                      {"role": "user", "content": [{"type": "input_text", "text": _Q}]},
                      {"role": "assistant", "content": [{"type": "output_text", "text": _A}]}]},
    ],
)  # fmt: skip
def test_common_chat_formats_read_as_one_conversation(value):
    record, problems = normalise(value, "f.jsonl", 1)
    assert problems == [] and record is not None
    assert [(t.role, t.content) for t in record.turns] == [("system", "Be brief."), ("user", _Q), ("assistant", _A)]
    assert (record.instruction, record.response, record.media) == (_Q, _A, None)
    assert _normalise(value, "f.jsonl", 1, {})[1] == []


def test_prompt_and_completion_named_as_fields_are_read_as_fields():
    """--field instruction=prompt says the fields are text: their messages are not joined."""
    value = {"prompt": [{"role": "user", "content": _Q}], "completion": [{"role": "assistant", "content": _A}]}
    _, problems = normalise(value, "f.jsonl", 1, {"instruction": "prompt", "response": "completion"})
    assert ("SFT002", "field 'prompt' is an array, expected a string") in problems


def test_a_system_turn_in_the_middle_is_the_one_problem():
    """Only the late system turn: the assistant after it answers a user turn, it comes after one."""
    value = {"messages": [{"role": "user", "content": _Q}, {"role": "system", "content": "Be brief."},
                          {"role": "assistant", "content": _A}]}  # fmt: skip
    assert normalise(value, "f.jsonl", 1)[1] == [("SFT002", "turn 2 is a system turn after the conversation started")]
    first = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "assistant", "content": _A}]}
    assert normalise(first, "f.jsonl", 1)[1] == [("SFT002", "turn 2 (assistant) comes before any user turn")]


@pytest.mark.parametrize("mark", [{"weight": 0}, {"train": False}])
def test_an_assistant_turn_not_trained_on_is_context_not_response(mark):
    """OpenAI's per-message weight 0 (Axolotl's train false): a bad answer kept for the turns after it."""
    turns = [{"role": "user", "content": _Q}, {"role": "assistant", "content": "N/A", **mark}]
    value = {"messages": [*turns, {"role": "user", "content": "Please answer."}, {"role": "assistant", "content": _A}]}
    record, problems = normalise(value, "f.jsonl", 1)
    assert problems == [] and [t.trained for t in record.turns] == [True, False, True, True]
    assert record.response == _A and record.turns[1].content == "N/A"
    weighted = {"messages": [{"role": "user", "content": _Q}, {"role": "assistant", "content": _A, "weight": 1}]}
    assert [t.trained for t in normalise(weighted, "f.jsonl", 1)[0].turns] == [True, True]


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        # databricks-dolly-15k
        ({"instruction": "When did the airline start flying?", "context": "It began flying in August 2000.",
          "response": "In August 2000.", "category": "closed_qa"}, "alpaca"),
        # reading comprehension: a passage and a question about it
        ({"context": "Marie Curie was born in Warsaw.", "question": "Where was she born?", "answer": "Warsaw"},
         "question-answer"),
    ],
)  # fmt: skip
def test_a_context_field_is_the_records_input(value, shape):
    """Two questions alike over different passages are different prompts (no SFT103 or SFT110)."""
    record, problems = normalise(value, "f.jsonl", 1)
    assert problems == [] and record is not None and record.shape == shape
    assert record.input == value["context"] and record.prompt.endswith(value["context"])
    assert _normalise(value, "f.jsonl", 1, {})[0] == record


def test_a_llama_tool_result_role_is_a_tool_turn():
    value = {"messages": [{"role": "user", "content": "Weather in Oslo?"},
                          {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {
                              "name": "weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
                          {"role": "ipython", "content": "{\"celsius\": 4}"},
                          {"role": "assistant", "content": "It is 4 degrees in Oslo."}]}  # fmt: skip
    record, problems = normalise(value, "f.jsonl", 1)
    assert problems == [] and [t.role for t in record.turns] == ["user", "assistant", "tool", "assistant"]


@pytest.mark.parametrize(
    "value",
    [
        {"prompt": "The sky is", "completion": " green.", "label": False},
        {"prompt": [{"role": "user", "content": "What colour is the sky?"}],
         "completion": [{"role": "assistant", "content": "Green."}], "label": False},
    ],
)  # fmt: skip
def test_a_kto_label_says_whether_the_completion_is_desirable_not_its_class(value):
    """TRL's KTO data pairs one prompt with desirable and undesirable completions: a boolean label
    read as a class made every such prompt an SFT110 conflict and an SFT202 imbalance."""
    record, problems = normalise(value, "f.jsonl", 1)
    assert problems == [] and record is not None and record.label is None and record.desirable is False
    assert normalise({"question": "Is it raining?", "answer": "yes", "label": True}, "f.jsonl", 1)[0].label == "True"


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ([{"prompt": "Hi", "chosen": "Hello!", "rejected": "Go away."}],
         "preference data, not instruction-response pairs (keys: chosen, prompt, rejected); to lint the answers "
         "fine-tuning would learn, map them with --field instruction=prompt --field response=chosen"),
        ([{"input": {"messages": []}, "preferred_output": [], "non_preferred_output": []}], "preference data"),
        ([{"text": "Once upon a time."}, {"text": "The end.", "id": 2}], "plain text for language modelling"),
        ([{"version": "1.0", "train": [{"instruction": "Name a colour.", "output": "Red."}]}],
         "the records are inside the field 'train' (keys: train, version); lint them as a file of their own, "
         "one per line, for example: jq -c '.train[]' FILE > records.jsonl"),
        ([{"train split": [{"question": "2 + 2?", "answer": "4"}]}], """jq -c '.["train split"][]' FILE"""),
        ([{"it's": [{"question": "2 + 2?", "answer": "4"}]}], """jq -c '.["it'"'"'s"][]' FILE"""),  # pasted as is
        ([{"examples": [{"contents": [{"role": "user", "parts": [{"text": "Hi"}]}]}]}], "jq -c '.examples[]'"),
        ([{"inputs": "Translate: chat", "targets": "cat", "task_name": "t"}],
         "map them with --field instruction=inputs --field response=targets"),
    ],
)  # fmt: skip
def test_data_of_no_instruction_response_shape_is_named_for_what_it_is(values, said):
    survey = FieldSurvey({})
    for value in values:
        assert normalise(value, "f.jsonl", 1)[0] is None
        survey.see(value, unmapped=True)
    assert survey.all_unmapped() and said in survey.suggestion()


@pytest.mark.parametrize("name", ["conversation", "dialog"])
def test_a_list_of_turns_under_another_name_is_read_as_messages(name):
    """lmsys-chat-1m and WildChat keep their turns under "conversation"."""
    turns = [{"role": "user", "content": "What is 2 + 2?"}, {"role": "assistant", "content": "4"}]
    record, problems = normalise({name: turns, "model": "vicuna-13b", "language": "English"}, "f.jsonl", 1)
    assert problems == [] and [(t.role, t.content) for t in record.turns] == [(t["role"], t["content"]) for t in turns]
    assert normalise({"dialog": ["Hi.", "Hello."]}, "f.jsonl", 1)[0] is None  # utterances without roles: not turns


_ANTHROPIC = {
    "system": [{"type": "text", "text": "You are a weather assistant."}],
    "messages": [
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {"role": "assistant", "content": [
            {"type": "text", "text": "Let me look both up:"},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "Rome"}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"},
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": [{"type": "text", "text": "25C"}]}]},
        {"role": "assistant", "content": "Paris is at 18C and Rome at 25C."},
    ],
    "tools": [{"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}],
}  # fmt: skip


def test_anthropic_blocks_are_calls_and_results():
    """A tool_use block is a call, a user turn of tool_result blocks the tools' results, the
    `system` beside the messages the system prompt, `input_schema` a tool's parameters."""
    record, problems = normalise(_ANTHROPIC, "f.jsonl", 1)
    assert problems == [] and record.input == "You are a weather assistant."
    assert [t.role for t in record.turns] == ["user", "assistant", "tool", "assistant"]
    assert record.turns[1].content.startswith("Let me look both up:\n") and '"city": "Rome"' in record.turns[1].content
    assert record.turns[2].content == "18C\n25C"
    use = record.tool_use
    assert [(c.turn, c.name, c.arguments, c.id) for c in use.calls] == [
        (2, "get_weather", {"city": "Paris"}, "toolu_1"),
        (2, "get_weather", {"city": "Rome"}, "toolu_2"),
    ]
    assert [(r.turn, r.call_id) for r in use.results] == [(3, "toolu_1"), (3, "toolu_2")]
    assert use.declared == {"get_weather": {"type": "object", "properties": {"city": {"type": "string"}}}}


def test_a_system_prompt_beside_the_turns_comes_first():
    turns = [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello."}]
    value = {"system": "Be brief.", "conversations": turns}
    record, problems = normalise(value, "f.jsonl", 1)
    assert problems == [] and record.input == "Be brief."
    assert normalise({"tools": {}, **value}, "f.jsonl", 1)[0].tool_use is None  # an empty declaration declares nothing


def _llava(image: object, *questions: str) -> dict:
    answer = {"from": "gpt", "value": "A red bus."}
    turns = [turn for q in questions for turn in ({"from": "human", "value": q}, answer)]
    return {"id": "1", "image": image, "conversations": turns}


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (_llava("coco/1.jpg", "<image>\nWhat is in the picture?"), None),
        (_llava("coco/1.jpg", "What is in it?"), "field 'image' names 1 image but the text holds no <image> token"),
        ({"images": ["a.jpg", "b.jpg"], "messages": [{"role": "user", "content": "<image><image>Which is newer?"},
                                                    {"role": "assistant", "content": "The second."}]}, None),
        ({"images": ["a.jpg", "b.jpg"], "messages": [{"role": "user", "content": "<image>Which is newer?"},
                                                    {"role": "assistant", "content": "The second."}]},
         "field 'images' names 2 images but the text holds 1 <image> token"),
        ({"instruction": "<image>Describe it.", "output": "A cat.", "images": ["c.jpg"], "videos": ["v.mp4"]},
         "field 'videos' names 1 video but the text holds no <video> token"),
        ({"instruction": "What does <image> mean in SVG?", "output": "It embeds a picture."}, None),  # no media field
        # TRL's vision data places the image with a part of type "image"
        ({"images": ["a.jpg"], "messages": [
            {"role": "user", "content": [{"index": None, "text": "Who wrote it?", "type": "text"},
                                         {"index": 0, "text": None, "type": "image"}]},
            {"role": "assistant", "content": [{"index": None, "text": "Tolkien.", "type": "text"}]}]}, None),
    ],
)  # fmt: skip
def test_media_files_and_the_tokens_that_place_them_agree(value, problem):
    """LLaMA-Factory stops on a record whose images and <image> tokens differ in number; LLaVA
    trains on an image without a token as if it had none."""
    record, problems = normalise(value, "f.jsonl", 1)
    assert problems == ([("SFT002", problem)] if problem else [])
    assert (record is None) == bool(problem)


def test_gemini_contents_are_read_as_a_conversation():
    """Vertex AI's tuning format: `contents` of user/model turns made of parts, `systemInstruction`,
    function calls and responses as parts, tools as `functionDeclarations`."""
    value = {
        "systemInstruction": {"role": "system", "parts": [{"text": "You are a weather bot."}]},
        "contents": [
            {"role": "user", "parts": [{"fileData": {"fileUri": "gs://b/map.png"}}, {"text": "Weather here?"}]},
            {"role": "model", "parts": [{"functionCall": {"name": "weather", "args": {"city": "Oslo"}}}]},
            {"role": "user", "parts": [{"functionResponse": {"name": "weather", "response": {"celsius": 4}}}]},
            {"role": "model", "parts": [{"text": "It is 4 degrees in Oslo."}]},
        ],
        "tools": [{"functionDeclarations": [{"name": "weather", "parameters": {"type": "object"}}]}],
    }
    record, problems = normalise(value, "f.jsonl", 1)
    assert problems == [] and record.input == "You are a weather bot."
    assert [(t.role, t.content) for t in record.turns] == [
        ("user", "Weather here?"),
        ("assistant", '{"name": "weather", "arguments": {"city": "Oslo"}}'),
        ("tool", '{"celsius": 4}'),
        ("assistant", "It is 4 degrees in Oslo."),
    ]
    assert record.media == {1: 1} and list(record.tool_use.declared) == ["weather"]
    assert [(c.name, c.arguments) for c in record.tool_use.calls] == [("weather", {"city": "Oslo"})]


def test_a_mapped_label_keeps_the_forms_read_as_conversations():
    gemini = {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}, {"role": "model", "parts": [{"text": "Yo"}]}],
              "cat": "greeting", "tools": [{"googleSearch": {}}]}  # fmt: skip
    record, problems = normalise(gemini, "f.jsonl", 1, {"label": "cat"})
    assert problems == [] and record.label == "greeting"
    assert record.tool_use is None  # a built-in tool declares no function to check calls against
    dialog = {"dialog": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}], "cat": "x"}
    assert normalise(dialog, "f.jsonl", 1, {"label": "cat"})[1] == []


def test_a_context_that_is_no_text_is_no_input():
    """HotpotQA's `context` is an object of titled passages."""
    value = {"question": "Same nationality?", "answer": "yes", "context": {"title": ["Ed Wood"], "sentences": [[]]}}
    record, problems = normalise(value, "f.jsonl", 1)
    assert problems == [] and record.input == ""
    assert normalise({"instruction": "Q", "input": {"a": 1}, "output": "A"}, "f.jsonl", 1)[1]  # `input` must be text


def test_an_anthropic_thinking_block_is_neither_text_nor_a_file():
    value = {"messages": [{"role": "user", "content": "2 + 2?"}, {"role": "assistant", "content": [
        {"type": "thinking", "thinking": "Two and two make four.", "signature": "abc"},
        {"type": "redacted_thinking", "data": "xyz"}, {"type": "text", "text": "4"}]}]}  # fmt: skip
    record, problems = normalise(value, "f.jsonl", 1)
    assert problems == [] and record.response == "4" and record.media is None


_GLAIVE_SYSTEM = (
    "SYSTEM: You are a helpful assistant with access to the following functions. Use them if required -\n"
    '{\n    "name": "convert",\n    "parameters": {\n        "type": "object",\n        "properties": {\n'
    '            "amount": {"type": "number"}\n        }\n    }\n}\n\n{\n    "name": "rate",\n    "parameters": {}\n}\n'
)


def test_glaives_chat_string_is_read_as_a_conversation():
    """glaive-function-calling-v2: turn marks at the start of lines, <|endoftext|> ending each
    assistant turn, a call's arguments a JSON text in single quotes, the functions after the prose."""
    chat = (
        "USER: Convert 5 dollars, please.\n\n\n"
        "ASSISTANT: <functioncall> {\"name\": \"convert\", \"arguments\": '{\"amount\": 5}'} <|endoftext|>\n\n\n"
        'FUNCTION RESPONSE: {"euros": 4.6}\n\n\n'
        "ASSISTANT: That is 4.60 euros.\nUSER-facing rates vary. <|endoftext|>\n\n\n"
    )
    record, problems = normalise({"system": _GLAIVE_SYSTEM, "chat": chat}, "f.jsonl", 1)
    assert problems == [] and record.shape == "sharegpt"
    assert record.input == "You are a helpful assistant with access to the following functions. Use them if required -"
    assert [(t.role, t.content) for t in record.turns] == [
        ("user", "Convert 5 dollars, please."),
        ("assistant", '{"name": "convert", "arguments": "{\\"amount\\": 5}"}'),
        ("tool", '{"euros": 4.6}'),
        ("assistant", "That is 4.60 euros.\nUSER-facing rates vary."),
    ]
    use = record.tool_use
    assert list(use.declared) == ["convert", "rate"]
    assert [(c.name, c.arguments, c.error) for c in use.calls] == [("convert", {"amount": 5}, None)]


@pytest.mark.parametrize(
    ("system", "call", "error", "problems"),
    [
        # a call written as plain JSON is read as it is
        (_GLAIVE_SYSTEM, '{"name": "rate", "arguments": {}}', None, []),
        # arguments that are no JSON, and a call that is neither form, are SFT114's to report
        (_GLAIVE_SYSTEM, "{\"name\": \"rate\", \"arguments\": '{from: USD}'}", "arguments are not valid JSON", []),
        (_GLAIVE_SYSTEM, "rate(USD)", "the call is not valid JSON", []),
        # a declaration that is no JSON is reported, not dropped
        ("SYSTEM: Use these -\n{\n  name: rate\n}\n", '{"name": "rate", "arguments": {}}', None,
         ["field 'tools' is not valid JSON"]),
        ("SYSTEM: You are a helpful assistant, with no access to external functions.",
         '{"name": "rate", "arguments": {}}', None, []),
    ],
)  # fmt: skip
def test_glaives_calls_and_functions_that_cannot_be_read_are_kept_for_sft114(system, call, error, problems):
    chat = f"USER: Rate?\n\n\nASSISTANT: <functioncall> {call} <|endoftext|>\n\n\nFUNCTION RESPONSE: 1.1\n\n\n"
    chat += "ASSISTANT: It is 1.1. <|endoftext|>"
    record, schema = normalise({"system": system, "chat": chat}, "f.jsonl", 1)
    assert schema == []
    (made,) = record.tool_use.calls
    assert made.error is None if error is None else error in made.error
    assert [p.split(":")[0] for p in record.tool_use.problems] == problems
    if "no access" in system:
        assert record.tool_use.declared is None and record.input.endswith("no access to external functions.")


def test_a_chat_field_that_is_not_glaives_is_not_read_as_turns():
    value = {"chat": "Hello there. USER: hi", "system": "x"}
    record, problems = normalise(value, "f.jsonl", 1)
    assert record is None and problems[0][1].startswith("no instruction/response fields found")
    assert normalise({"chat": "USER: hi", "instruction": "Q", "output": "A"}, "f.jsonl", 1)[0].shape == "alpaca"


def _quoted_call(name: str, arguments: str) -> str:
    """A call as Glaive writes it: its arguments a JSON text in single quotes."""
    return f'<functioncall> {{"name": "{name}", "arguments": \'{arguments}\'}}'


_RATE = _quoted_call("rate", '{"from": "USD"}')
_CONVERT = _quoted_call("convert", '{"amount": 5}')


@pytest.mark.parametrize(
    ("turn", "calls"),
    [
        # prose before the call, two calls in one turn, prose after it, a call in capitals
        (f"Sure, let me look. {_RATE}", [("rate", {"from": "USD"})]),
        (f"{_RATE} {_CONVERT}", [("rate", {"from": "USD"}), ("convert", {"amount": 5})]),
        (f"{_RATE} Let me know.", [("rate", {"from": "USD"})]),
        ('<FUNCTIONCALL> {"name": "rate", "arguments": "{\\"from\\": \\"USD\\"}"}', [("rate", {"from": "USD"})]),
        # arguments with a quote and a brace inside their strings
        (_quoted_call("say", '{"text": "it\'}s"}'), [("say", {"text": "it'}s"})]),
    ],
)
def test_glaives_calls_are_read_wherever_the_turn_has_them(turn, calls):
    chat = f"USER: Rate?\r\rASSISTANT: {turn} <|endoftext|>\r\rFUNCTION RESPONSE: 1.1\u2028ASSISTANT: It is 1.1."
    record, problems = normalise({"system": _GLAIVE_SYSTEM, "chat": chat}, "f.jsonl", 1)
    assert problems == [] and [t.role for t in record.turns] == ["user", "assistant", "tool", "assistant"]
    assert [(c.name, c.arguments) for c in record.tool_use.calls] == calls


def test_glaives_functions_may_be_one_json_array():
    system = 'SYSTEM: Use them -\n[\n  {"name": "rate", "parameters": {}},\n'
    system += '  {"name": "convert", "parameters": {}}\n]\n'
    chat = "USER: Rate?\n\n\nASSISTANT: It is 1.1. <|endoftext|>"
    record, problems = normalise({"system": system, "chat": chat}, "f.jsonl", 1)
    assert problems == [] and record.input == "SYSTEM: Use them -".removeprefix("SYSTEM: ")
    assert list(record.tool_use.declared) == ["rate", "convert"]
    # the functions on the prose's own line: they were taken as prose, and every call as undeclared
    inline = 'SYSTEM: Use them if required - {"name": "rate", "parameters": {}} {"name": "convert", "parameters": {}}'
    record, problems = normalise({"system": inline, "chat": chat}, "f.jsonl", 1)
    assert problems == [] and record.input == "Use them if required -"
    assert list(record.tool_use.declared) == ["rate", "convert"]
    record, _ = normalise({"system": 'SYSTEM: Use: [{"name": "rate"}]', "chat": chat}, "f.jsonl", 1)
    assert record.input == "Use:" and list(record.tool_use.declared) == ["rate"]
    # braces in prose that are no declaration stay prose, at the start of a line too (they were an
    # unreadable 'tools' field: a false SFT114 error)
    for prose in (
        'SYSTEM: Greet {"name": user} warmly.',
        "SYSTEM: Fill in {name} and [name].",
        "SYSTEM: You are a travel assistant, with no access to external functions.\n[Important] Be polite.",
        "SYSTEM: Answer in this form:\n{answer}\nand nothing else.",
    ):
        record, _ = normalise({"system": prose, "chat": chat}, "f.jsonl", 1)
        assert record.input == prose.removeprefix("SYSTEM: ") and record.tool_use is None
    blank = {"system": "SYSTEM: You are helpful." + "\n" * 50_000 + "Thanks.", "chat": chat}
    assert normalise(blank, "f.jsonl", 1)[0].tool_use is None  # (a search across the blank lines took 1.7 s)
