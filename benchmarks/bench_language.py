#!/usr/bin/env python3
"""SFT109 (language mismatch) on data that is not in the Latin script.

Builds a corpus of support questions and answers in Russian, Ukrainian, Chinese, Japanese,
Korean, Arabic, Persian, Greek, Hebrew and Hindi (each record in one language, sentences
drawn at random so that nearly every text is distinct), with 2% of the records given an answer
in another language: same script (Russian question, Ukrainian answer) and different script
(Chinese question, English answer; Greek question, Russian answer). It runs the check on every
record in-process and prints its seconds, langdetect calls and findings, next to a baseline
measured in the same run: langdetect on both texts of every record, which is what the check
cost on such data before pairs in one non-Latin script were settled by their script.

    .venv/bin/python benchmarks/bench_language.py [--records 20000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from sample_generator import CORPORA

from sftlint.checks.language_mismatch import LanguageMismatch, _load_factory
from sftlint.records import normalise

# Per language: question sentences, then answer sentences. "{n}" becomes an order number.
SENTENCES: dict[str, tuple[list[str], list[str]]] = {
    "ru": (
        [
            "Как мне выгрузить все счета за прошлый год в файл для бухгалтера?",
            "Почему банковская выписка перестала загружаться в мой аккаунт?",
            "Я не могу войти в систему после смены телефона, что делать?",
            "Можно ли выставить счёт клиенту в другой валюте?",
            "Заказ номер {n} до сих пор не пришёл, хотя прошла неделя.",
            "Подскажите, пожалуйста, как пригласить коллегу в нашу команду?",
        ],
        [
            "Откройте настройки, выберите раздел с данными и нажмите кнопку экспорта.",
            "Ссылка на файл придёт на вашу почту через несколько минут.",
            "Обычно это происходит, когда истекает разрешение, выданное банком.",
            "Мы проверили заказ {n}: он передан в службу доставки и будет у вас завтра.",
            "Если проблема повторится, напишите нам, и мы обязательно поможем.",
            "Для этого достаточно зайти в раздел команды и отправить приглашение.",
            "Все ваши данные сохранятся, даже если вы смените тарифный план.",
            "Резервные коды, которые вы получили при настройке, помогут войти без телефона.",
        ],
    ),
    "uk": (
        [
            "Як мені вивантажити всі рахунки за минулий рік у файл для бухгалтера?",
            "Чому банківська виписка перестала завантажуватися в мій обліковий запис?",
            "Я не можу увійти в систему після зміни телефону, що робити?",
            "Чи можна виставити рахунок клієнту в іншій валюті?",
            "Замовлення номер {n} досі не прийшло, хоча минув тиждень.",
        ],
        [
            "Відкрийте налаштування, виберіть розділ з даними та натисніть кнопку експорту.",
            "Посилання на файл надійде на вашу пошту за кілька хвилин.",
            "Зазвичай це трапляється, коли закінчується дозвіл, який надав банк.",
            "Ми перевірили замовлення {n}: його передано до служби доставки, і завтра воно буде у вас.",
            "Якщо проблема повториться, напишіть нам, і ми обов'язково допоможемо.",
            "Усі ваші дані збережуться, навіть якщо ви зміните тарифний план.",
        ],
    ),
    "zh": (
        [
            "我怎样才能把去年的所有发票导出成一个文件发给会计？",
            "为什么银行流水不再同步到我的账户了？",
            "换了手机以后我无法登录，应该怎么办？",
            "订单{n}已经一个星期了还没有收到。",
            "请问怎样邀请同事加入我们的团队？",
        ],
        [
            "请打开设置，选择数据部分，然后点击导出按钮。",
            "下载链接会在几分钟内发送到您的邮箱。",
            "这通常是因为银行授权已经过期，需要重新连接。",
            "我们查询了订单{n}，它已经交给快递公司，明天就能送到。",
            "如果问题再次出现，请随时联系我们的客服团队。",
            "您只需进入团队页面并发送邀请即可。",
            "即使您更换套餐，所有数据也会完整保留。",
        ],
    ),
    "ja": (
        [
            "昨年の請求書をすべて会計士向けのファイルに書き出すにはどうすればいいですか？",
            "銀行の明細がアカウントに同期されなくなったのはなぜですか？",
            "携帯電話を変えてからログインできません。どうすればいいでしょうか？",
            "注文番号{n}がまだ届いていません。",
        ],
        [
            "設定を開き、データの項目を選んでからエクスポートのボタンを押してください。",
            "数分以内にダウンロード用のリンクをメールでお送りします。",
            "多くの場合、銀行の認証の有効期限が切れていることが原因です。",
            "注文{n}を確認したところ、配送業者に引き渡されており、明日お届けの予定です。",
            "問題が続く場合は、いつでもサポートまでご連絡ください。",
        ],
    ),
    "ko": (
        [
            "작년 청구서를 모두 회계사에게 보낼 파일로 내보내려면 어떻게 해야 하나요?",
            "은행 거래 내역이 왜 더 이상 계정에 동기화되지 않나요?",
            "휴대폰을 바꾼 뒤로 로그인할 수 없어요. 어떻게 해야 하나요?",
            "주문 번호 {n}이 아직 도착하지 않았습니다.",
        ],
        [
            "설정을 열고 데이터 항목을 선택한 다음 내보내기 버튼을 누르세요.",
            "몇 분 안에 다운로드 링크가 이메일로 전송됩니다.",
            "대부분 은행 인증이 만료되어서 생기는 문제입니다.",
            "주문 {n}을 확인해 보니 택배사에 전달되었으며 내일 도착할 예정입니다.",
            "문제가 계속되면 언제든지 고객 지원팀에 문의해 주세요.",
        ],
    ),
    "ar": (
        [
            "كيف يمكنني تصدير جميع فواتير العام الماضي إلى ملف للمحاسب؟",
            "لماذا توقف كشف الحساب البنكي عن المزامنة مع حسابي؟",
            "لا أستطيع تسجيل الدخول بعد تغيير هاتفي، ماذا أفعل؟",
            "الطلب رقم {n} لم يصل بعد رغم مرور أسبوع.",
        ],
        [
            "افتح الإعدادات واختر قسم البيانات ثم اضغط على زر التصدير.",
            "سيصلك رابط التنزيل على بريدك الإلكتروني خلال دقائق.",
            "يحدث هذا عادة عندما تنتهي صلاحية الإذن الذي منحه البنك.",
            "لقد راجعنا الطلب {n}، وقد تم تسليمه إلى شركة الشحن وسيصلك غدا.",
            "إذا تكررت المشكلة، يرجى التواصل معنا وسنساعدك بكل سرور.",
        ],
    ),
    "fa": (
        [
            "چطور می‌توانم همه فاکتورهای سال گذشته را برای حسابدار در یک فایل خروجی بگیرم؟",
            "چرا صورت‌حساب بانکی دیگر با حساب من همگام نمی‌شود؟",
            "بعد از عوض کردن گوشی نمی‌توانم وارد شوم، چه کار کنم؟",
        ],
        [
            "تنظیمات را باز کنید، بخش داده‌ها را انتخاب کنید و روی دکمه خروجی بزنید.",
            "لینک دانلود تا چند دقیقه دیگر به ایمیل شما فرستاده می‌شود.",
            "معمولا این مشکل وقتی پیش می‌آید که مجوز بانک منقضی شده باشد.",
            "اگر مشکل دوباره پیش آمد، با ما تماس بگیرید تا کمکتان کنیم.",
        ],
    ),
    "el": (
        [
            "Πώς μπορώ να εξαγάγω όλα τα τιμολόγια του περασμένου έτους σε ένα αρχείο για τον λογιστή;",
            "Γιατί η τραπεζική κίνηση σταμάτησε να συγχρονίζεται με τον λογαριασμό μου;",
            "Η παραγγελία με αριθμό {n} δεν έχει φτάσει ακόμη, αν και πέρασε μια εβδομάδα.",
        ],
        [
            "Ανοίξτε τις ρυθμίσεις, επιλέξτε την ενότητα δεδομένων και πατήστε το κουμπί εξαγωγής.",
            "Ο σύνδεσμος λήψης θα σταλεί στο ηλεκτρονικό σας ταχυδρομείο σε λίγα λεπτά.",
            "Αυτό συμβαίνει συνήθως όταν λήξει η εξουσιοδότηση που έδωσε η τράπεζα.",
            "Αν το πρόβλημα επανεμφανιστεί, γράψτε μας και θα σας βοηθήσουμε.",
        ],
    ),
    "he": (
        [
            "איך אני מייצא את כל החשבוניות של השנה שעברה לקובץ עבור רואה החשבון?",
            "למה דף החשבון של הבנק הפסיק להסתנכרן עם החשבון שלי?",
            "הזמנה מספר {n} עדיין לא הגיעה למרות שעבר שבוע.",
        ],
        [
            "פתחו את ההגדרות, בחרו באזור הנתונים ולחצו על כפתור הייצוא.",
            "קישור להורדה יישלח לתיבת הדואר שלכם בתוך כמה דקות.",
            "בדרך כלל זה קורה כשפג תוקף ההרשאה שהבנק נתן.",
            "אם הבעיה חוזרת, כתבו לנו ונשמח לעזור.",
        ],
    ),
    "hi": (
        [
            "मैं पिछले साल के सभी चालान अपने अकाउंटेंट के लिए एक फ़ाइल में कैसे निकालूँ?",
            "मेरे खाते में बैंक विवरण का सिंक होना क्यों बंद हो गया है?",
            "फ़ोन बदलने के बाद मैं लॉग इन नहीं कर पा रहा हूँ, क्या करूँ?",
            "ऑर्डर संख्या {n} एक हफ़्ते बाद भी नहीं पहुँचा है।",
        ],
        [
            "सेटिंग्स खोलें, डेटा वाला हिस्सा चुनें और निर्यात बटन दबाएँ।",
            "डाउनलोड का लिंक कुछ ही मिनटों में आपके ईमेल पर भेज दिया जाएगा।",
            "ऐसा आमतौर पर तब होता है जब बैंक की दी हुई अनुमति की अवधि समाप्त हो जाती है।",
            "अगर समस्या फिर से आए, तो हमें लिखें और हम ज़रूर मदद करेंगे।",
        ],
    ),
}
ENGLISH_ANSWER = (
    "Open Settings, choose the data section and press the export button; the download link "
    "arrives by email within a few minutes."
)
# Planted mismatches: (question language, answer language); "en" is the English answer above.
MISMATCHES = [("ru", "uk"), ("zh", "en"), ("el", "ru"), ("ar", "en"), ("ja", "ru")]


def _text(rng: random.Random, sentences: list[str], count: int) -> str:
    picked = rng.sample(sentences, min(count, len(sentences)))
    return " ".join(s.replace("{n}", str(rng.randrange(10_000, 99_999))) for s in picked)


def build(path: Path, records: int, seed: int) -> dict[int, tuple[str, str]]:
    """Write the corpus; returns the lines given an answer in another language, with the two languages."""
    rng = random.Random(seed)
    languages = list(SENTENCES)
    planted = {}
    lines = []
    for number in range(1, records + 1):
        if rng.random() < 0.02:
            asked, answered = rng.choice(MISMATCHES)
            planted[number] = (asked, answered)
        else:
            asked = answered = rng.choice(languages)
        question = _text(rng, SENTENCES[asked][0], rng.choice((1, 2)))
        answer = ENGLISH_ANSWER if answered == "en" else _text(rng, SENTENCES[answered][1], rng.choice((2, 3)))
        lines.append(json.dumps({"instruction": question, "output": answer}, ensure_ascii=False) + "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(lines), encoding="utf-8")
    tmp.replace(path)
    return planted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    path = CORPORA / f"bench_language_nonlatin_{args.records}_s{args.seed}.jsonl"
    planted = build(path, args.records, args.seed)
    records = [normalise(json.loads(line), path.name, i)[0] for i, line in enumerate(path.open(), start=1)]
    print(f"{path} ({len(records):,} records, {len(planted)} answers in another language)")

    factory = _load_factory()  # langdetect's profiles load once, outside both timings
    check = LanguageMismatch()
    start = time.process_time()
    found = [f for record in records for f in check.check_record(record)]
    seconds = time.process_time() - start
    summary = check.summary()
    flagged = {f.line for f in found}
    hits = len(flagged & set(planted))
    print(
        f"SFT109: {seconds:.2f} s CPU, {summary['langdetect_calls']:,} langdetect calls, "
        f"{summary['same_script']:,} pairs settled by their script, {summary['skipped']:,} skipped; "
        f"{len(flagged)} records flagged, {hits} of {len(planted)} planted"
    )
    print(f"precision {hits / max(len(flagged), 1):.3f}, recall {hits / max(len(planted), 1):.3f}; recall by pair:")
    for pair in MISMATCHES:
        lines = [line for line, planted_pair in planted.items() if planted_pair == pair]
        caught = sum(line in flagged for line in lines)
        print(f"  {pair[0]} question, {pair[1]} answer: {caught} of {len(lines)}")

    start = time.process_time()
    for record in records:
        for text in (record.instruction, record.response):
            detector = factory.create()
            detector.append(text[:200])
            detector.get_probabilities()
    baseline = time.process_time() - start
    print(f"baseline, langdetect on both texts of every record: {baseline:.2f} s CPU, {2 * len(records):,} calls")
    print(f"ratio check / baseline: {seconds / baseline:.3f}")


if __name__ == "__main__":
    main()
