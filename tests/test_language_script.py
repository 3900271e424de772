"""SFT109's same-script pre-check: a pair written in one non-Latin script is settled without
langdetect, unless letters or words of the script's languages point to different languages;
pairs in different scripts or languages still go to langdetect and are reported."""

from __future__ import annotations

import pytest

from sftlint.checks import language_mismatch
from sftlint.checks.language_mismatch import LanguageMismatch, same_script_language
from sftlint.records import normalise

RU_Q = "Как мне выгрузить все счета за прошлый год в файл для бухгалтера?"
RU_A = "Откройте настройки, выберите раздел с данными и нажмите кнопку экспорта; ссылка придёт на почту."
UK_A = "Відкрийте налаштування, виберіть розділ з даними та натисніть кнопку експорту; посилання надійде на пошту."
ZH_Q = "我怎样才能把去年的所有发票导出成一个文件发给会计？"
ZH_A = "请打开设置，选择数据部分，然后点击导出按钮。下载链接会在几分钟内发送到您的邮箱。"
JA_A = "設定を開き、データの項目を選んでからエクスポートのボタンを押してください。"
AR_Q = "كيف يمكنني تصدير جميع فواتير العام الماضي إلى ملف للمحاسب؟"
AR_A = "افتح الإعدادات واختر قسم البيانات ثم اضغط على زر التصدير، وسيصلك رابط التنزيل خلال دقائق."
EL_Q = "Πώς μπορώ να εξαγάγω όλα τα τιμολόγια του περασμένου έτους σε ένα αρχείο για τον λογιστή;"
EL_A = "Ανοίξτε τις ρυθμίσεις, επιλέξτε την ενότητα δεδομένων και πατήστε το κουμπί εξαγωγής."
HI_Q = "मैं पिछले साल के सभी चालान अपने अकाउंटेंट के लिए एक फ़ाइल में कैसे निकालूँ?"
HI_A = "सेटिंग्स खोलें, डेटा वाला हिस्सा चुनें और निर्यात बटन दबाएँ। लिंक कुछ ही मिनटों में ईमेल पर आ जाएगा।"

SAME_SCRIPT = [(RU_Q, RU_A, "ru"), (ZH_Q, ZH_A, "zh"), (ZH_Q, JA_A, "ja"), (AR_Q, AR_A, "ar"), (EL_Q, EL_A, "el"),
               (HI_Q, HI_A, "hi")]  # fmt: skip


def _run(pairs: list[tuple[str, str]]) -> tuple[LanguageMismatch, list]:
    check = LanguageMismatch()
    records = [normalise({"instruction": q, "output": a}, "f.jsonl", i)[0] for i, (q, a) in enumerate(pairs, 1)]
    return check, [f for record in records for f in check.check_record(record)]


def test_pairs_in_one_non_latin_script_are_quiet_and_never_load_langdetect(monkeypatch):
    def no_langdetect():
        raise AssertionError("langdetect was needed")

    monkeypatch.setattr(language_mismatch, "_load_factory", no_langdetect)
    check, found = _run([(q, a) for q, a, _ in SAME_SCRIPT])
    summary = check.summary()
    assert found == []
    assert summary["langdetect_calls"] == 0 and summary["same_script"] == summary["checked"] == len(SAME_SCRIPT)
    assert set(summary["languages"]) == {language for _, _, language in SAME_SCRIPT}


@pytest.mark.parametrize(
    ("question", "answer", "asked", "answered"),
    [
        (RU_Q, UK_A, "ru", "uk"),  # one script, but "как" is Russian (or Bulgarian) and "і" Ukrainian
    ],
)
def test_pairs_in_one_script_but_different_languages_still_go_to_langdetect_and_fire(question, answer, asked, answered):
    check, found = _run([(question, answer)])
    assert len(found) == 1 and check.summary()["langdetect_calls"] == 2
    assert (found[0].data["instruction_language"], found[0].data["response_language"]) == (asked, answered)
    assert check.summary()["same_script"] == 0


@pytest.mark.parametrize(
    ("question", "answer", "asked", "answered"),
    [(RU_Q, ZH_A, "ru", "zh"), (EL_Q, RU_A, "el", "ru"), (AR_Q, HI_A, "ar", "hi")],
)
def test_pairs_in_two_non_latin_scripts_fire_by_script_without_langdetect(
    monkeypatch, question, answer, asked, answered
):
    def no_langdetect():
        raise AssertionError("langdetect was needed")

    monkeypatch.setattr(language_mismatch, "_load_factory", no_langdetect)
    check, found = _run([(question, answer)])
    assert len(found) == 1 and "script" in found[0].message
    assert (found[0].data["instruction_language"], found[0].data["response_language"]) == (asked, answered)


def test_same_script_language_names_the_language_or_steps_aside():
    assert same_script_language(RU_Q, RU_A) == "ru"
    assert same_script_language(ZH_Q, JA_A) == "ja"  # Chinese and Japanese are one group for SFT109
    assert same_script_language(RU_Q, UK_A) is None  # evidence for two languages
    assert same_script_language(RU_Q, ZH_A) is None  # two scripts
    assert same_script_language("Ceci est une réponse en français", "Das ist eine Antwort auf Deutsch") is None
    assert same_script_language(RU_Q, "How do I export my invoices?") is None
    mixed = "Откройте settings and choose the export option for your invoices"  # mostly Latin letters
    assert same_script_language(RU_Q, mixed) is None


def test_a_non_latin_dataset_through_the_cli_needs_no_langdetect(lint):
    items = [{"instruction": q, "output": a} for q, a, _ in SAME_SCRIPT] * 3
    _, out = lint(items, "--select", "SFT109", "--min-pairs", "1")
    summary = out["summaries"]["language-mismatch"]
    assert out["findings"] == []
    assert summary["langdetect_calls"] == 0 and summary["same_script"] == len(items)


EN_Q = "How do I export all of last year's invoices to one file for my accountant?"
EN_A = "Open the settings, choose the data section and press the export button; the link is sent to your email."


@pytest.mark.parametrize(
    ("question", "answer", "asked", "answered", "how"),
    [
        (ZH_Q, EN_A, "zh", "en", "(cjk script)"),  # langdetect is unsure of a short Chinese question
        (EN_Q, ZH_A, "en", "zh", "(cjk script)"),
        (EN_Q, JA_A, "en", "ja", "(cjk script)"),
        (AR_Q, EN_A, "ar", "en", "(arabic script)"),
        (EN_Q, RU_A, "en", "ru", "(cyrillic script)"),
        (EN_Q, UK_A, "en", "uk", "(cyrillic script)"),
        (EN_Q, EL_A, "en", "el", "(greek script)"),
    ],
)
def test_a_non_latin_text_against_clear_english_fires_by_its_script_without_langdetect(
    monkeypatch, question, answer, asked, answered, how
):
    def no_langdetect():
        raise AssertionError("langdetect was needed")

    monkeypatch.setattr(language_mismatch, "_load_factory", no_langdetect)
    check, found = _run([(question, answer)])
    assert len(found) == 1 and how in found[0].message
    assert (found[0].data["instruction_language"], found[0].data["response_language"]) == (asked, answered)
    assert check.summary()["by_script"] == 1 and check.summary()["langdetect_calls"] == 0


def test_a_non_latin_answer_that_was_asked_for_is_quiet():
    check, found = _run(
        [
            ("Translate this into Chinese: " + EN_Q, ZH_A),
            ("Answer in Russian, please. " + EN_Q, RU_A),
            ("Write the reply in Greek. " + EN_Q, EL_A),
        ]
    )
    assert found == [] and check.summary()["by_script"] == 3
