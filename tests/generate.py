#!/usr/bin/env python3
"""Synthetic instruction-tuning data for the sample files in sample_data/, the tests and the benchmarks.

The records are customer-support questions and replies for *Tallybook*, a
fictional invoicing and bookkeeping app for small businesses. Everything is
built from this module's own templates, so the output is deterministic for a
given seed and needs nothing beyond the standard library.

Public API::

    clean_records(n, seed=0, shape="alpaca") -> list[dict]
    iter_clean_records(n, seed=0, shape="alpaca") -> Iterator[dict]
    classification_records(n, seed=0) -> list[dict]
    plant_defects(records, rate, seed, kinds=None) -> (lines: list[bytes], manifest: list[dict])
    build_sample_files() -> dict[str, bytes]      # file name -> exact bytes
    record_text(rec), shingles(text), jaccard(a, b), similar_pairs(sets, threshold)

Run ``python tests/generate.py`` to regenerate the committed sample files
(sample_data/) byte for byte.

Template syntax: ``[a|b|]`` picks one alternative (alternatives may be empty
and may nest), ``{slot}`` inserts a per-record value such as a customer name,
plan or invoice number.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

SHAPES = ("alpaca", "chat", "sharegpt", "prompt", "qa")

# kind -> rule code (see docs/checks.md)
DEFECT_KINDS = {
    "invalid-json": "SFT001",
    "schema": "SFT002",
    "encoding": "SFT003",
    "empty-response": "SFT101",
    "empty-instruction": "SFT102",
    "exact-duplicate": "SFT103",
    "near-duplicate": "SFT104",
    "length-outlier": "SFT105",
    "off-task": "SFT106",
    "echo-or-degenerate": "SFT107",
    "refusal-boilerplate": "SFT108",
    "language-mismatch": "SFT109",
    "label-inconsistency": "SFT110",
    "template-leakage": "SFT111",
}

PLACEHOLDERS = ("", "   ", "N/A", "<noinput>", "...", "TODO", "none")

# --------------------------------------------------------------------------
# Template engine
# --------------------------------------------------------------------------
# A compiled template is a tuple of nodes: str (literal), list (alternatives,
# each a compiled sequence or a plain str) or a 1-tuple (slot name).

_WORD = re.compile(r"[a-z0-9]+")
_TOKEN = re.compile(r"\[|\]|\||\{[a-z0-9_]+\}|[^\[\]|{]+|\{")


def _compile(text: str):
    tokens = _TOKEN.findall(text)
    pos = 0

    def seq():
        nonlocal pos
        nodes: list = []
        while pos < len(tokens):
            tok = tokens[pos]
            if tok in ("]", "|"):
                break
            pos += 1
            if tok == "[":
                alts = [seq()]
                while pos < len(tokens) and tokens[pos] == "|":
                    pos += 1
                    alts.append(seq())
                if pos >= len(tokens) or tokens[pos] != "]":
                    raise ValueError(f"unclosed '[' in template: {text!r}")
                pos += 1
                nodes.append(alts)
            elif tok.startswith("{"):
                if tok == "{" or tok[1:-1] not in _SLOT_NAMES:
                    raise ValueError(f"unknown slot {tok!r} in template: {text!r}")
                nodes.append((tok[1:-1],))
            else:
                if nodes and type(nodes[-1]) is str:
                    nodes[-1] += tok
                else:
                    nodes.append(tok)
        if all(type(node) is str for node in nodes):
            return "".join(nodes)
        return tuple(nodes)

    out = seq()
    if pos != len(tokens):
        raise ValueError(f"unbalanced template: {text!r}")
    return out


def _render(node, ctx, r) -> str:
    if type(node) is str:
        return node
    out = []
    for part in node:
        t = type(part)
        if t is str:
            out.append(part)
        elif t is list:
            pick = part[int(r() * len(part))]
            out.append(pick if type(pick) is str else _render(pick, ctx, r))
        else:
            out.append(ctx[part[0]])
    return "".join(out)


def _lines(block: str) -> list:
    """Compile a block of templates, one per non-empty line."""
    return [_compile(line.strip()) for line in block.strip().splitlines() if line.strip()]


def _pick(seq, r):
    return seq[int(r() * len(seq))]


# --------------------------------------------------------------------------
# Slot values
# --------------------------------------------------------------------------

_FIRST_NAMES = """
Aaliyah Abdul Ada Adaeze Aiko Alejandro Alma Amara Anders Andrea Anika Arjun Astrid
Aurelio Ayesha Bao Beatriz Bilal Birgit Brennan Bronwyn Callum Camila Carmen Chidi
Chloe Connor Dalia Dario Deepa Desmond Dmitri Eamon Efua Elif Elena Emeka Esther
Fatima Felix Fiona Gareth Giulia Grace Hamid Hana Harriet Hugo Ines Ingrid Isaac
Ivana Jamal Janek Jasmine Javier Joanna Jonas Kai Kalani Karim Keiko Kofi Lars Leila
Lena Liam Lucia Magnus Malik Mara Marcus Mateo Maya Mehmet Mirela Nadia Naveen Nia
Nikolai Noor Olga Omar Oscar Pablo Paloma Priya Quentin Rafael Rania Rashid Rosa
Ruth Saanvi Samir Sana Sean Selin Siobhan Soren Tamar Tariq Teodora Theo Tomas
Uma Valentina Vikram Wanjiru Xavier Yara Yusuf Zainab Zeynep Zoltan
""".split()

_BIZ_ADJ = """
Amber Bluefin Brightwater Cedar Copper Crescent Driftwood Emerald Fernhill Foxglove
Golden Granite Harbor Hazel Highland Indigo Ironbark Juniper Kestrel Lakeside Larch
Linden Maple Meadow Millstone Northwind Oakridge Orchard Pebble Pinecrest Quarry
Redwood Riverside Saffron Silverline Stonebridge Sunrise Thistle Tidewater Willow
""".split()
_BIZ_NOUN = """
Bakery Plumbing Design Studio Landscaping Print Shop Consulting Dental Joinery Cafe
Bikes Coffee Roasters Electrical Events Florist Gallery Garage Tutoring Yoga Catering
Architects Removals Pottery Translation Photography Cleaning Veterinary Bookbinding
""".split()
_BIZ_SUFFIX = ["Ltd", "LLC", "Co.", "& Sons", "Collective", "GmbH", "Partners", "Inc.", "", ""]

_BUSINESSES = [
    "small bakery", "two-person design studio", "plumbing company", "landscaping business",
    "freelance translation practice", "dental clinic", "bike repair shop", "catering company",
    "yoga studio", "photography business", "cleaning company", "small architecture firm",
    "coffee roastery", "tutoring agency", "events company", "print shop", "vet practice",
    "one-person consultancy", "joinery workshop", "flower shop", "removals firm",
    "pottery studio", "marketing agency", "small accounting practice", "web development shop",
]

_COUNTRIES = [
    ("the US", "$", "USD"), ("Canada", "$", "CAD"), ("the UK", "£", "GBP"),
    ("Ireland", "€", "EUR"), ("Germany", "€", "EUR"), ("France", "€", "EUR"),
    ("Spain", "€", "EUR"), ("the Netherlands", "€", "EUR"), ("Australia", "$", "AUD"),
    ("New Zealand", "$", "NZD"), ("South Africa", "R", "ZAR"), ("Kenya", "KSh ", "KES"),
    ("Nigeria", "NGN ", "NGN"), ("India", "INR ", "INR"), ("Singapore", "$", "SGD"),
    ("Sweden", "SEK ", "SEK"), ("Denmark", "DKK ", "DKK"), ("Mexico", "MXN ", "MXN"),
    ("Poland", "PLN ", "PLN"), ("Portugal", "€", "EUR"), ("Japan", "JPY ", "JPY"),
]
_OTHER_CURRENCIES = ["USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "SEK", "NZD", "SGD"]
_PLANS = ["Solo", "Team", "Business", "Enterprise"]
_BROWSERS = [
    "Chrome {v}", "Firefox {v}", "Safari 17", "Safari 16", "Edge {v}", "Brave", "Opera",
]
_OSES = ["Windows 11", "Windows 10", "macOS Sonoma", "macOS Ventura", "ChromeOS", "Ubuntu 22.04"]
_PHONES = [
    "iPhone 15", "iPhone 13 mini", "iPhone 12", "iPad Air", "Pixel 8", "Pixel 6a",
    "Galaxy S23", "Galaxy A54", "OnePlus 11", "Moto G Power", "Xiaomi Redmi Note 12",
]
_BANKS = [
    "Northgate Bank", "Harbor Credit Union", "Meridian Savings", "Capstone Federal",
    "Bluewater Bank", "Kingsway Building Society", "Prairie Trust", "Sterling & Vale",
    "First Lantern Bank", "Oakmont Cooperative Bank", "Summit Community Bank",
    "Redfern Mutual", "Atlas Business Bank", "Coastline Bank",
]
_INTEGRATIONS = [
    "Shopify", "Stripe", "PayPal", "Zapier", "Slack", "Google Sheets", "WooCommerce",
    "Square", "HubSpot", "Gusto", "Dropbox", "Microsoft Teams", "Etsy",
]
_IDPS = ["Okta", "Microsoft Entra ID", "Google Workspace", "OneLogin", "JumpCloud", "Auth0"]
_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_FORMATS = ["CSV", "Excel", "PDF"]
_ROLES = ["Admin", "Accountant", "Sales", "Viewer", "Payroll"]
_REPORTS = [
    "profit and loss", "balance sheet", "aged receivables", "cash flow", "sales by client",
    "tax summary", "expense breakdown", "general ledger",
]
_CATEGORIES = [
    "travel", "office supplies", "software", "meals", "fuel", "equipment", "rent",
    "marketing", "training", "postage", "insurance", "utilities",
]
_PREFIXES = ["INV", "TB", "SALES", "INV", "INV", "AC", "WEB", "INV"]


def _money(r, symbol="$") -> str:
    whole = int(r() * r() * 9000) + 12
    cents = int(r() * 100)
    return f"{symbol}{whole:,}.{cents:02d}"


def _company(r) -> str:
    parts = [_pick(_BIZ_ADJ, r), _pick(_BIZ_NOUN, r), _pick(_BIZ_SUFFIX, r)]
    return " ".join(p for p in parts if p)


def _date(r) -> str:
    return f"{_pick(_MONTHS, r)} {1 + int(r() * 28)}"


def _version(r) -> str:
    return f"{4 + int(r() * 3)}.{int(r() * 20)}.{int(r() * 10)}"


_SLOTS = {
    "name": lambda r: _pick(_FIRST_NAMES, r),
    "name2": lambda r: _pick(_FIRST_NAMES, r),
    "company": _company,
    "client": _company,
    "biz": lambda r: _pick(_BUSINESSES, r),
    "plan": lambda r: _pick(_PLANS, r),
    "users": lambda r: str(2 + int(r() * r() * 45)),
    "seats": lambda r: str(3 + int(r() * 25)),
    "n": lambda r: str(2 + int(r() * 11)),
    "count": lambda r: f"{20 + int(r() * r() * 4000):,}",
    "pct": lambda r: _pick(["5", "7", "8.25", "10", "12.5", "13", "15", "19", "20", "21", "23", "25"], r),
    "browser": lambda r: _pick(_BROWSERS, r).replace("{v}", str(110 + int(r() * 15))),
    "os": lambda r: _pick(_OSES, r),
    "phone": lambda r: _pick(_PHONES, r),
    "bank": lambda r: _pick(_BANKS, r),
    "integration": lambda r: _pick(_INTEGRATIONS, r),
    "idp": lambda r: _pick(_IDPS, r),
    "date": _date,
    "date2": _date,
    "month": lambda r: _pick(_MONTHS, r),
    "weekday": lambda r: _pick(_WEEKDAYS, r),
    "day": lambda r: str(1 + int(r() * 28)),
    "year": lambda r: str(2021 + int(r() * 5)),
    "days": lambda r: _pick(["3", "5", "7", "10", "14", "21", "30"], r),
    "hour": lambda r: f"{7 + int(r() * 12)}:{_pick(['00', '15', '30', '45'], r)}",
    "fmt": lambda r: _pick(_FORMATS, r),
    "role": lambda r: _pick(_ROLES, r),
    "report": lambda r: _pick(_REPORTS, r),
    "category": lambda r: _pick(_CATEGORIES, r),
    "cur2": lambda r: _pick(_OTHER_CURRENCIES, r),
    "ver": _version,
    "key4": lambda r: "".join(_pick("abcdefghjkmnpqrstuvwxyz23456789", r) for _ in range(4)),
    "invoice": lambda r: f"{_pick(_PREFIXES, r)}-{int(r() * 9000) + 1000}",
    "invoice2": lambda r: f"{_pick(_PREFIXES, r)}-{int(r() * 9000) + 1000}",
    "ticket": lambda r: f"#{int(r() * 900000) + 100000}",
    "limit": lambda r: _pick(["120", "120", "600"], r),
}


_SLOT_NAMES = frozenset(_SLOTS) | {
    "amount", "amount2", "sym", "country", "cur", "code", "msg", "why", "act", "feature",
}


class _Ctx(dict):
    """Per-record slot values, drawn lazily and then kept for the whole record."""

    __slots__ = ("r",)

    def __init__(self, r):
        super().__init__()
        self.r = r

    def __missing__(self, key):
        if key in ("amount", "amount2"):
            value = _money(self.r, self["sym"])
        elif key in ("sym", "country", "cur"):
            country, sym, cur = _pick(_COUNTRIES, self.r)
            self.update(country=country, sym=sym, cur=cur)
            return self[key]
        else:
            value = _SLOTS[key](self.r)
        self[key] = value
        return value


# --------------------------------------------------------------------------
# Topics: what customers ask about, and the pieces replies are built from
# --------------------------------------------------------------------------
# family: topics in the same family are related; an off-task swap always
# crosses families. err lines are "CODE :: message shown :: what it means".

_TOPIC_TEXT = {
    "export": dict(
        family="data",
        kw="export exports exporting csv excel download spreadsheet zip",
        act="""
            export [all of |]our invoices to {fmt}
            download a [CSV|spreadsheet] of [our|my] invoices
            export [last year's|the {year}] invoices for [my|our] accountant
            get [a full|an] export of [our|my] [client list|invoice history]
        """,
        q="""
            How do I export [all|my] invoices [from {year} |]to {fmt}?
            [Is there a way to|Can I] download every invoice [we sent|I issued] in {year} as [one file|a single {fmt} file]?
            My accountant [wants|needs] [a copy of|] all our {year} invoices in {fmt}. [How do I get that out of Tallybook?|Where do I export them?]
            [The|Our] CSV export [only includes|stops at] {count} rows [but we have more invoices|and some invoices are missing]. Why?
            Can I schedule [a monthly|an automatic] export of invoices [to our accountant|by email]?
            [When I|If I] export invoices to {fmt}, [which columns are included|are line items and tax included]?
            [How|Where] can I export [our|my] client list [along with|and] [their|the] outstanding balances?
        """,
        err="""
            EXP-204 :: Export failed: the selected range contains more than 50,000 rows. :: the date range you picked is too large for a single file, so the export has to be split
            EXP-310 :: Export link expired. :: the download link was older than seven days, which is how long we keep export files
            EXP-115 :: Your export is still being prepared. :: the file was not ready yet when the page tried to download it
        """,
        lead="""
            [Exports|Invoice exports] live under Settings > Data > Export, and you can pick any date range [you like|you need].
            You can export [invoices|your invoice history] to CSV, Excel or PDF from Settings > Data > Export[, and the file is emailed to you when it is ready|].
            [Good news: a full|A full] invoice export is [only|just] a few clicks away[, and it includes every invoice status|].
            Tallybook [builds|prepares] exports in the background, so [larger|bigger] files can take a few minutes [to arrive|before the download link appears].
        """,
        say="""
            [The|Your] CSV export [has|includes] one row per invoice [line|line item], with [the client name|client], [date|issue date], tax and total columns.
            If you [choose|pick] PDF, [Tallybook bundles|we bundle] the invoices into a single ZIP file [rather than one huge document|with one PDF per invoice].
            Exports [are capped at|top out at] 50,000 rows per file, so for [a very busy year|{count} or more invoices] [split the range by quarter|run one export per quarter].
            The download link [in the email|we send] [stays valid for|works for] seven days[, after which you can simply run the export again|].
            [For your accountant|If your accountant needs it], the Excel [format|export] keeps [the|your] tax amounts in separate columns[, which makes reconciling them easier|].
            Scheduled exports [are available on|come with] the Team plan and above[, and can go out weekly or monthly|]. You [set them up|add them] under Settings > Data > Scheduled exports.
            [Draft invoices|Drafts] are left out of exports by default; tick Include drafts [if you want them too|before you start the export].
            Exported [amounts|totals] use [your|the account's] base currency unless you tick Show original currency[ in the export options|].
            Client list exports include [contact details,|email addresses,] payment terms and the [current|outstanding] balance for each client.
            [If a column is missing|If you need extra fields], [open|use] Customize columns on the export screen [to add custom fields or notes|and tick the fields you need].
            [Large|Big] exports are [prepared|built] in the background; you can close the page and the [link|file] will [still arrive by email|arrive in your inbox anyway].
        """,
        steps="""
            [Go to|Open] Settings > Data > Export[ in the left-hand menu|].
            [Choose|Pick] Invoices as the [data type|record type][ you want to export|].
            [Set|Select] the date range[, for example {month} 1 to {month} {day}|, such as the whole of {year}|].
            [Pick|Choose] {fmt} [as the file format|from the Format list].
            [Tick|Check] any extra options such as Include drafts or Show original currency[ if you need them|].
            Click Export[ and wait for the confirmation|]; [we'll|Tallybook will] email [you|the account owner] a download link [when the file is ready|within a few minutes].
            [Open|Click] the link [in the email|we send you] to download the [file|export][ to your computer|].
        """,
    ),
    "import": dict(
        family="data",
        kw="import importing upload migrate migration spreadsheet template mapping",
        act="""
            import our clients from a spreadsheet
            move [our|my] data over from [another app|our old accounting software]
            upload [a CSV of|] [old|historical] invoices
            import [our|my] product list
        """,
        q="""
            [How do I|Can I] import [my|our] client list from a [spreadsheet|CSV file]?
            We're [switching|moving] to Tallybook from [another app|our old system]. [Can we bring|How do we bring] [our|the] [old|past] invoices [with us|across]?
            [My|Our] CSV import [keeps failing|gets stuck] at row {n}. What's [wrong with it|going on]?
            Is there a [template|sample file] [I can use for importing|for importing] [products|items and prices]?
            [I imported|We imported] {count} clients [but some are duplicated|and now there are duplicates]. How do I [fix|undo] that?
            [What|Which] date format does the [invoice|client] import [expect|accept]?
        """,
        err="""
            IMP-402 :: Row {n}: the value in column 'Email' is not a valid email address. :: one of the rows in your file has an email address the importer could not read
            IMP-118 :: The file could not be read. Make sure it is saved as CSV (UTF-8). :: the file was saved in a format or encoding the importer does not understand
            IMP-233 :: Column 'Invoice date' contains dates in an unexpected format. :: the dates in the file do not match the format selected on the mapping screen
        """,
        lead="""
            The importer lives under Settings > Data > Import and [accepts|takes] CSV and Excel files.
            [You can|It's possible to] import clients, products and [past|historical] invoices from a spreadsheet[ in a few steps|].
            [Moving|Switching] over from another [tool|app] is [usually|normally] [straightforward|quick] with the [CSV|spreadsheet] importer.
        """,
        say="""
            [Each|Every] import screen [offers|has] a sample template you can download[, which shows the exact columns we expect|].
            [The|Our] importer [lets you|asks you to] map [each column|your columns] to a Tallybook field[, so the headings do not need to match exactly|].
            Save the file as CSV (UTF-8) [if it contains|when you have] accented characters[ or currency symbols|], otherwise [some rows|names] may come through garbled.
            [Dates|Date columns] can be [day-first or month-first|in DD/MM/YYYY or MM/DD/YYYY]; [choose|select] the right one on the mapping screen.
            [If a row fails|When some rows fail], the rest of the file [still imports|is still imported] and [you get|we show] a [report|list] of the rows [that need fixing|to correct].
            [Duplicate|Repeated] clients are [matched|detected] by email address, so [re-running|repeating] an import [updates|refreshes] existing clients instead of adding [new ones|copies].
            [You can undo an import|Every import can be rolled back] within 24 hours from Settings > Data > Import history.
            Historical invoices [come in|are imported] as [paid or unpaid|closed records], and [no emails are sent to your clients|clients are not emailed during the import].
            For files [bigger than|over] 10,000 rows, [split|break] them into [smaller|several] files of [up to|at most] 10,000 rows each.
        """,
        steps="""
            [Open|Go to] Settings > Data > Import.
            [Choose|Select] [what you are importing|the record type]: clients, products or invoices.
            [Download|Grab] the sample template [and compare it with your file|to check your columns].
            Upload your [CSV|spreadsheet] file[ from your computer|].
            [Map|Match] each column to a Tallybook field and [pick|confirm] the date format.
            [Review|Check] the preview of the first {n} rows, then click Import.
            [Check|Look at] the import report [for any rows that were skipped|and fix any rows it lists].
        """,
    ),
    "bank_feeds": dict(
        family="banking",
        kw="bank feed feeds connection connect sync syncing transactions reconnect",
        act="""
            connect [our|my] [account at {bank}|{bank} account]
            sync [our|my] bank transactions
            reconnect [the|our] bank feed
            see [yesterday's|the latest] transactions from {bank}
        """,
        q="""
            [How do I|Can I] connect [my|our] {bank} [business |]account to Tallybook?
            [Our|My] bank feed from {bank} [stopped syncing|hasn't updated] since {date}. [What happened?|How do I fix it?]
            Why are some transactions [from {bank} |][missing|not showing up] in [the|my] bank feed?
            [The|My] bank feed [imported|pulled in] the same transactions twice. [How do I remove|Can I delete] the duplicates?
            How often does Tallybook [sync|refresh] [bank feeds|transactions from the bank]?
            [Can I|Is it possible to] connect more than one bank account[, for example a savings account at {bank}|]?
            [My bank|{bank}] isn't [listed|in the list] when I try to add a bank feed. [What can I do?|Are there other options?]
        """,
        err="""
            BNK-401 :: Your connection to {bank} has expired. Reconnect to resume syncing. :: the bank's authorisation has run out, which most banks require every 90 days
            BNK-503 :: {bank} is temporarily unavailable. :: the bank's own service did not respond when we tried to fetch transactions
            BNK-422 :: Multi-factor authentication is required by your bank. :: your bank wants you to approve the connection again with its own security check
        """,
        lead="""
            Bank feeds [pull|bring] transactions from {bank} into Tallybook [automatically|every few hours] once the [account is connected|connection is set up].
            [Most|Nearly all] bank feed problems [come down to|are caused by] an expired [connection|authorisation], and [reconnecting|a reconnect] [fixes|solves] them in a minute.
            [You can|It's easy to] connect [accounts|an account] from {bank} under Banking > Connections.
        """,
        say="""
            [Banks|Most banks] [ask|require] you to [re-approve|renew] the connection every 90 days, and [the feed|syncing] [pauses|stops] until you do.
            [Feeds|Bank feeds] [sync|refresh] [roughly|about] every six hours, and you can [force|trigger] a refresh [with|from] the Sync now button[ on the Banking page|].
            [Transactions|New transactions] [usually|normally] [appear|show up] one business day after they clear at {bank}[; pending card payments are not imported|].
            [When you reconnect|After reconnecting], Tallybook [fetches|backfills] [up to|the last] 90 days of transactions[ and skips the ones it already has|].
            Seeing the same transaction twice [usually|often] means the account was connected [twice|two times][; remove the older connection and the duplicates go with it|].
            You can connect [as many bank accounts as you like|several bank accounts], including savings accounts and credit cards[, on every plan|].
            [If your bank is not listed|For banks we do not support yet], you can [import|upload] a statement [file|export] in CSV, OFX or QIF format instead.
            Tallybook never [sees|stores] your [online banking|bank] password; the connection [uses|goes through] a read-only [token|authorisation] from the bank.
            [Deleting|Removing] a bank connection [keeps|does not delete] the transactions [that were already imported|you have already reconciled].
        """,
        steps="""
            [Go to|Open] Banking > Connections[ in Tallybook|].
            [Click|Select] Add bank account[ and search for {bank}|].
            [Sign in|Log in] to {bank} [in the window that opens|on the bank's own page] and approve [the|read-only] access.
            [Choose|Pick] [which accounts|the accounts] you want to [connect|sync][, such as your current account and business card|].
            [Pick|Set] a start date for the [feed|import][, for example {month} 1|].
            [Wait|Give it] a few minutes [for the first sync|while the first transactions come in], then [check|open] the Banking page.
        """,
    ),
    "reconciliation": dict(
        family="banking",
        kw="reconcile reconciliation reconciling match matching unmatched statement balance",
        act="""
            reconcile [our|my] {bank} account
            match [a|this] payment to [an invoice|invoice {invoice}]
            [fix|correct] a reconciled transaction
            close [the books|the month] for {month}
        """,
        q="""
            How do I reconcile [my|our] bank account [for {month}|each month] in Tallybook?
            A [payment|deposit] of {amount} [isn't matching|won't match] invoice {invoice}. [How do I match it?|What am I doing wrong?]
            [My|Our] reconciled balance [is off by|doesn't match the bank statement by] {amount}. [Where do I start looking?|How do I find the difference?]
            I [matched|reconciled] a transaction to the wrong invoice. [Can I undo it?|How do I fix that?]
            [Can|How can] one bank payment be matched to several invoices[ from the same client|]?
            Why does Tallybook [suggest|show] matches [for|on] some transactions [but not others|and not for others]?
        """,
        err="""
            REC-309 :: The selected invoices total {amount}, which does not equal the transaction amount. :: the invoices you picked add up to a different amount than the bank payment
            REC-112 :: This period is locked. :: the month has been locked after reconciliation, so changes need an Admin to unlock it first
        """,
        lead="""
            [Reconciliation|Reconciling] [happens|takes place] on Banking > Reconcile, where [each|every] bank transaction [is shown|sits] next to [suggested|possible] matches.
            [Matching|Reconciling] payments [is|should be] [quick|straightforward] once the bank feed is [up to date|current].
            [Reconciliation|Reconciling] [makes sure|confirms] that what Tallybook [records|shows] [agrees|matches] with what actually [happened in|went through] your bank account.
        """,
        say="""
            Tallybook [suggests|proposes] a match when [the amount and client|the amount and reference] [line up|agree] with an [open|unpaid] invoice.
            [To match|For] one payment [to|against] several invoices, click Find and match and tick [each|every] invoice the payment covers.
            [If|When] the amounts differ[ slightly|] because of bank fees, [add|record] the difference as a bank fee [adjustment|line] [in the same screen|before you confirm].
            To undo a match, [open|find] the transaction [under|in] Reconciled and click Unreconcile[; the invoice goes back to unpaid|].
            [A difference|A gap] between [the|your] statement and Tallybook [usually|often] [comes from|means] a transaction that was [entered by hand|added manually] and also imported from the feed.
            [Compare|Check] the closing balance [date by date|one week at a time] to [narrow down|find] [where the difference starts|the day it appears].
            [Once a month is reconciled|After reconciling], an Admin can lock the period [so nobody changes it by accident|to protect the figures].
            Transfers between [your own|two of your] accounts should be [matched as|marked as] transfers so they [do not|don't] [show up|appear] as income or expenses.
        """,
        steps="""
            [Open|Go to] Banking > Reconcile and [choose|pick] the {bank} account.
            [Work through|Go through] the [unreconciled|unmatched] transactions [from the top|one by one].
            [Accept|Confirm] the suggested match [when it is right|if it looks correct], or click Find and match[ to search for the invoice|].
            [Add|Record] [any|the] bank fees or small differences as an adjustment.
            [Compare|Check] the closing balance [with|against] your {month} bank statement.
            [Lock|Optionally lock] the period [when everything matches|once the balances agree].
        """,
    ),
    "invoice_design": dict(
        family="invoicing",
        kw="invoice template logo design layout footer branding customize numbering",
        act="""
            add [our|my] logo to [our|my] invoices
            change the invoice [template|layout]
            [change|reset] [our|the] invoice numbering
            add [bank details|payment instructions] to the invoice footer
        """,
        q="""
            How do I [add|upload] [our|my] logo [to|on] [invoices|the invoice template]?
            [Can I|Is it possible to] change the [colour|font|layout] of [our|my] invoices[ to match our branding|]?
            [Our|My] invoice numbers [jumped|skipped] from {invoice} to {invoice2}. [Why?|What happened?]
            [How do I|Can I] [start|restart] invoice numbering at a [different|new] number [for {year}|this year]?
            Where [do I|can I] add [our|my] bank details [so they show|to show] on every invoice?
            [Can I|How do I] have [two|different] invoice templates [for|depending on] [different|the] clients?
        """,
        err="""
            INV-413 :: Logo file is too large. Maximum size is 2 MB. :: the image you uploaded is bigger than the 2 MB limit for logos
            INV-409 :: Invoice number {invoice} is already in use. :: another invoice already has that number, and numbers have to be unique
        """,
        lead="""
            [Everything about|The look of] your invoices is [set|controlled] [in|under] Settings > Invoice templates.
            [You can|It's easy to] [brand|customize] invoices with [your|a] logo, colours and [your own|custom] footer text.
            [Invoice numbers|Numbering] and [templates|layouts] are [both|] [managed|configured] [per account|in Settings > Invoice templates].
        """,
        say="""
            Logos [can be|should be] PNG or JPG [up to|under] 2 MB[; a wide image around 600 pixels across looks best|].
            [The|Each] template [editor|designer] [lets you|allows you to] [pick|choose] [fonts,|] [an accent colour|colours] and where the logo [sits|appears].
            [Invoice numbers|Numbers] [only|] [skip|jump] when [an invoice is deleted|a draft is deleted after being numbered], because [numbers|used numbers] are never [reused|recycled].
            To [restart|reset] numbering, [set|change] Next invoice number [under|in] Settings > Invoice templates > Numbering[; it must be higher than any number already used in that series|].
            [Bank details|Payment instructions] [go|belong] in the Footer field[, and they then appear on every invoice and reminder|], so [clients|customers] always know how to pay.
            [On the Team plan and above|With Team or higher], you can [keep|create] several templates and [choose|set] a default template per client.
            [Changes|Edits] to a template [only|] [apply|affect] new invoices and [drafts|draft invoices]; invoices [already sent|you have sent] keep [their original|the old] layout.
            [You can preview|Use Preview to check] [the|a] template with [a real invoice|one of your invoices] before saving[ it|].
        """,
        steps="""
            [Go to|Open] Settings > Invoice templates.
            [Select|Choose] the template you want to [edit|change][, or click New template|].
            Upload your logo [and position it|and choose where it appears][ on the page|].
            [Pick|Set] [your|the] accent colour and font.
            [Add|Type] [your|the] bank details or payment instructions [in|into] the Footer field.
            [Click Preview|Preview the result] to check [the layout|how it looks][ with invoice {invoice}|].
            [Save|Click Save] and[, if you like,| optionally] make it the default template.
        """,
    ),
    "recurring": dict(
        family="invoicing",
        kw="recurring repeat repeating schedule monthly subscription retainer automatically",
        act="""
            set up a recurring invoice for {client}
            [stop|pause] a recurring invoice
            change the amount on a recurring invoice
            bill [a client|{client}] [every month|monthly] automatically
        """,
        q="""
            How do I set up a [monthly|recurring] invoice for [a client|{client}] [on a retainer|that pays every month]?
            [Can|Will] [a|my] recurring invoice [send|be sent] automatically, or [do I have to|must I] approve it each time?
            [My|Our] recurring invoice for {client} [didn't go out|wasn't sent] on {date}. [Why not?|What went wrong?]
            [How do I|Can I] [pause|stop] a recurring invoice [for a couple of months|while the client is on holiday]?
            [If I change|Changing] the price on a recurring invoice, [does it|will it] [affect|change] invoices [already sent|that went out already]?
            Can a recurring invoice [charge|take payment from] the client's card automatically?
        """,
        err="""
            REC-221 :: Recurring profile paused: the client has no email address. :: the schedule was paused because there was nowhere to send the invoice
            REC-240 :: Automatic charge failed for this recurring invoice. :: the saved card on file was declined when the invoice was due
        """,
        lead="""
            Recurring invoices [live|are managed] under Invoices > Recurring, [where|and] [each|every] schedule [has|keeps] its own [settings|start date and frequency].
            [A recurring invoice|Recurring billing] [creates|generates] a new invoice [on a schedule|every period] [from the same template|with the same line items].
            [Retainers|Monthly retainers] [work well|are a good fit] with recurring invoices, because [Tallybook|the schedule] [does|handles] the [sending|work] for you.
        """,
        say="""
            [Each|A] [schedule|recurring profile] can [either|] send invoices automatically or [create them as drafts|save them as drafts] for you to [review|approve] first.
            [Invoices|Recurring invoices] are [created|generated] at 06:00 in [your account's|the account] time zone on [the|their] scheduled [day|date].
            [If the client has|With] a saved card, [tick|turn on] Charge automatically and [the|each] invoice is [paid|settled] [on the due date|as soon as it is issued].
            Pausing a schedule [skips|holds back] [the next invoices|invoices] until you resume it[; nothing is sent in the meantime|].
            [Editing|Changing] [the|a] schedule [only|] affects [future|upcoming] invoices; invoices already [issued|sent] keep [their|the] [original|old] amounts.
            A schedule pauses itself when the client has no email address, so [check|make sure] [the|that] client record has one.
            [You can|It's possible to] set an end date or a number of [repeats|cycles][, for example {n} invoices,| ]after which the schedule stops on its own.
            [Monthly|Recurring] invoice descriptions can include a month placeholder, which [Tallybook|we] [replace|fill in] with the billing [period|month].
        """,
        steps="""
            [Go to|Open] Invoices > Recurring and click New schedule.
            [Choose|Select] {client} [as the client|from the client list].
            Add the line items and [amounts|prices] [for each period|that repeat].
            [Set|Pick] [the frequency|how often it repeats] and the start date[, for example {date}|].
            [Choose|Decide] whether [invoices|each invoice] [is sent automatically|goes out automatically] or [saved|is saved] as a draft.
            [Optionally|If you want], turn on Charge automatically [for a client with a saved card|so the card on file is charged].
            [Save|Click Save] the schedule[; the first invoice appears on the start date|].
        """,
    ),
    "reminders": dict(
        family="invoicing",
        kw="reminder reminders overdue late chase chasing unpaid due fee",
        act="""
            send [automatic|payment] reminders for overdue invoices
            [turn off|stop] reminders for [one client|{client}]
            add a late fee to overdue invoices
            chase [an|the] unpaid invoice {invoice}
        """,
        q="""
            [Can|Does] Tallybook send [automatic|payment] reminders [when|if] an invoice is overdue?
            How do I [stop|turn off] reminders for {client}[? They pay by bank transfer on fixed dates.| only?]
            [Is there|Can I add] a late fee [for|on] invoices [paid|that are] more than {days} days late?
            [A client|{client}] [says|told us] they never got [the|any] reminder for invoice {invoice}. [How can I check?|Was it sent?]
            [Can I|How do I] change the wording of [the|our] reminder emails?
            [How many|What] reminders [does Tallybook send|go out] [before|after] the due date?
        """,
        err="""
            RMD-300 :: Reminders are paused for this client. :: someone turned reminders off on that client's record
            RMD-118 :: Reminder not sent: invoice {invoice} has no due date. :: reminders are counted from the due date, and this invoice does not have one
        """,
        lead="""
            [Payment reminders|Reminders] are [set up|configured] [once|] [under|in] Settings > Reminders and then [run|go out] [on their own|automatically].
            [Chasing|Following up on] overdue invoices [can be|is] [automated|handled automatically] with [reminders|reminder rules] in Tallybook.
            [Tallybook|We] [can|will] [chase|nudge] late payers for you with [up to|as many as] five reminder emails per invoice.
        """,
        say="""
            [Each|A] reminder rule [says|sets] how many days before or after the due date [it goes out|the email is sent][, for example {days} days after|].
            [You can|It's possible to] turn reminders off for [a single|one] client [from|on] [their|the] client record[, under Reminders|].
            [Late fees|A late fee] can be a fixed amount or a percentage[ of the balance|], and [it is|they are] added as a [new|separate] line [the day|when] the invoice becomes overdue.
            [Every|Each] reminder [that goes out|sent] is [logged|recorded] in the invoice's Activity tab[ with the time and the address it went to|].
            [Reminder|The reminder] emails use [your own|the] wording [from|set in] Settings > Reminders > Templates[, and you can add placeholders such as the amount due|].
            Reminders [stop|are cancelled] [automatically|on their own] as soon as [the|an] invoice is [marked as paid|paid in full][ or its balance reaches zero|].
            Invoices without a due date never [trigger|get] reminders, so [check|make sure] your default payment terms are [set|filled in].
        """,
        steps="""
            [Go to|Open] Settings > Reminders.
            [Turn on|Enable] Automatic reminders.
            [Add|Create] [a rule|reminder rules] for [each|every] [step|stage][, such as {days} days after the due date|].
            [Edit|Adjust] the email [wording|text] for [each|every] reminder if [you like|needed].
            [Optionally|If you want,] [set|add] a late fee [as a fixed amount or a percentage|for invoices paid late].
            [Save|Click Save]; reminders [apply|now apply] to [all|every] open invoice [with a due date|that is overdue].
        """,
    ),
    "online_payments": dict(
        family="payments",
        kw="pay online card payment payments stripe paypal payout processor checkout gateway",
        act="""
            let clients pay invoices by card
            connect [Stripe|PayPal] for online payments
            [see|find out] when a card payment will [reach|be paid out to] our bank
            refund a card payment from a client
        """,
        q="""
            [How can|Can] [my|our] clients pay [an invoice|invoices] [online|by card] [straight from|from] the email?
            [How do I|Can I] connect [Stripe|PayPal|Square] [so clients can pay|to take] [card payments|payments online]?
            [A client|{client}] paid invoice {invoice} by card [on {date}|last week] [but|and] [we haven't received the money|the payout hasn't arrived]. [When will it come?|Where is it?]
            [Does Tallybook charge|Do you add] [a fee|any fees] [on|for] online [card|] payments?
            How do I refund [a card payment|{amount}] [to a client|that a client paid online]?
            Why is the Pay now button [missing|not showing] [on|from] [our|my] invoices?
        """,
        err="""
            PAY-402 :: Card declined by the issuer. :: the client's bank refused the charge, which we cannot override from our side
            PAY-310 :: Payment provider not connected. :: online payments were switched on but the payment provider connection is missing or was removed
        """,
        lead="""
            Online payments [work|run] through [a payment provider|Stripe, PayPal or Square], which you connect [once|] [under|in] Settings > Payments.
            [When|Once] a payment provider is connected, [every|each] invoice [shows|gets] a Pay now button [in the email and on the invoice page|that clients can use].
            [Card|Online] payments go [straight|directly] to [your|the] [payment provider|provider account] and are then paid out to your bank [on its schedule|by the provider].
        """,
        say="""
            We [do not|don't] add [a fee|fees] [of our own|on top]; [you only pay|the only fees are] [the|your] payment provider's [processing|card] fees.
            Payouts [usually|normally] [reach|arrive in] your bank [two to three|a few] business days after the [client pays|payment], depending on the provider.
            [A paid invoice|An invoice paid online] is marked as paid [automatically|straight away], and [the|a] [payment|receipt] is [recorded|added] [with|including] the processing fee.
            The Pay now button [only|] [appears|shows] when [online payments are switched on|a provider is connected] and the invoice currency is supported by [that|the] provider.
            A refund is [issued|made] from the payment [itself|record] [inside|in] Tallybook, and [the|your] provider [returns|sends] the money to the client's card.
            [You can|It's possible to] [let clients|allow clients to] save a card [for future invoices|on file], which [is handy|helps] [with|for] recurring billing.
            [Declined|Failed] card payments [are|get] [logged|recorded] on the invoice[, and the client sees a message asking them to try another card|].
        """,
        steps="""
            [Go to|Open] Settings > Payments.
            [Click|Choose] Connect next to [Stripe, PayPal or Square|the provider you want to use].
            [Sign in to|Log in to] [the provider|your provider account] and approve the connection[ to Tallybook|].
            [Pick|Choose] [which|the] payment methods [to offer|you want to offer][, such as cards and bank debits|].
            [Turn on|Enable] Show Pay now button on invoices.
            [Send|Email] a test invoice to yourself [and check|to check] [the button works|the payment page].
        """,
    ),
    "users_roles": dict(
        family="access",
        kw="user users invite team role roles permission permissions access member seat",
        act="""
            invite [our|my] accountant [to|into] Tallybook
            [give|change] a team member's permissions
            remove [a|an old] user from [our|the] account
            [limit|restrict] what [staff|our sales team] can see
        """,
        q="""
            How do I invite [my|our] accountant [to|into] [our|my] Tallybook account?
            [What's the difference between the {role} role and the Admin role|What exactly can someone with the {role} role do]?
            [Can I|Is it possible to] [stop|prevent] [a|our] sales [user|team] from seeing [bank transactions|the bank balance]?
            [Someone|A colleague] left the company. How do I remove [their|her|his] access [without losing their invoices|safely]?
            [How many users can we add|Can we add more users] on the {plan} plan?
            [An invite|The invitation] I sent to {name} [never arrived|expired]. [Can I resend it?|What now?]
        """,
        err="""
            USR-403 :: You don't have permission to view this page. :: the user's role does not include access to that part of the account
            USR-429 :: Your plan's user limit has been reached. :: every seat on the current plan is already taken
        """,
        lead="""
            Team members are [managed|invited and managed] [under|from] Settings > Team, and [each|every] person [gets|is given] a role.
            [Roles|Each role] [decide|decides] what a [person|team member] can [see and change|view and edit] in [your|the] account.
            [You can|It's possible to] invite [your|an] accountant [as|with] the Accountant role[; it does not use one of your paid seats|].
        """,
        say="""
            The Admin role [can do|has access to] everything, including billing and [removing|deleting] users, so [keep it for|give it only to] [people you trust|owners and partners].
            The Accountant role can [see|view] all [books|bookkeeping] and reports but cannot [change|touch] the subscription[ or invite other users|].
            The Sales role [can|is able to] create invoices and [clients|estimates] but [cannot|can't] see bank transactions or reports.
            Viewers [can|may] [look at|read] everything [they are given access to|in the account] but [cannot|can't] [edit|change] anything.
            [Removing|Deactivating] a user [keeps|does not delete] [everything|all the invoices and notes] they created[; their name stays on the activity history|].
            [Invitations|Invites] expire after seven days; [you can click|click] Resend invite [next to|beside] [the|their] name [to send a fresh link|on the Team page].
            The {plan} plan [includes|comes with] {seats} [user seats|seats], and [extra|additional] seats can be added [under|from] Settings > Subscription.
            [Each|Every] person [should|needs to] [have|use] [their own login|a separate login], which [keeps|makes] the activity log [accurate|meaningful].
        """,
        steps="""
            [Go to|Open] Settings > Team.
            [Click|Select] Invite user.
            [Type|Enter] [the person's|their] email address[, for example {name}'s work email|].
            [Choose|Pick] a role such as {role}[ from the list|].
            [Send|Click Send] the invitation; [it stays valid|the link works] for seven days.
            [Once they accept|When they accept], [check|confirm] [their|the] [access|role] on the Team page.
        """,
    ),
    "sso": dict(
        family="access",
        kw="sso single sign-on saml okta identity provider idp scim directory",
        act="""
            set up single sign-on with {idp}
            [turn on|enforce] SSO for [everyone|all users]
            [sync|provision] users from {idp}
            [fix|troubleshoot] a SAML login error
        """,
        q="""
            [Does|Can] Tallybook support [single sign-on|SSO] with {idp}?
            [How do I|What do I need to] set up SAML [single sign-on|SSO] [between|for] {idp} and Tallybook?
            [After|Since] we [turned on|enabled] SSO, [some|a few] users [can't log in|get an error] [with|through] {idp}. [Why?|What should we check?]
            [Can we|Is it possible to] [force|require] [everyone|all staff] to [sign in|log in] through SSO[ and turn off passwords|]?
            Do you support SCIM [provisioning|user provisioning] [from|with] {idp}?
            [Which|What] plan [do we need|is required] for SSO? We're [on|currently on] {plan}.
        """,
        err="""
            SSO-401 :: SAML response signature could not be verified. :: the certificate in Tallybook does not match the one your identity provider signs with
            SSO-404 :: No Tallybook user matches this email address. :: the person signed in at the identity provider, but there is no Tallybook user with that email
        """,
        lead="""
            [Single sign-on|SSO] [through|with] SAML [is available|comes] [on|with] the Business and Enterprise plans and [works|is tested] with {idp}[ and other SAML providers|].
            [SSO|Single sign-on] is [configured|set up] [under|in] Settings > Security > Single sign-on, [and|where] you [paste|enter] details from {idp}.
            [Setting up|Connecting] SAML [SSO|single sign-on] [usually|normally] takes [about|around] fifteen minutes [if you have admin access to {idp}|with an admin for {idp} on hand].
        """,
        say="""
            [You will need|You'll need] [the|your] identity provider's [SSO URL|sign-in URL], [entity ID|issuer] and [signing|X.509] certificate[ from {idp}|].
            [Users|People] [sign in|log in] with the same email address [in both|that they have in {idp} and Tallybook], so [check|make sure] [those addresses|the emails] [match|are identical].
            [Once you are sure it works|After testing], you can turn on Require SSO[, which disables password logins for everyone except the account owner|].
            [The account owner|Owners] [keep|can always use] a password [login|sign-in] [as a fallback|in case the identity provider is down].
            SCIM provisioning [is included|comes] [with|on] Enterprise[ plans|] and [creates|adds] and [removes|deactivates] users [automatically|when they change] in {idp}.
            [When|If] [the|your] [signing|] certificate [is rotated|changes] in {idp}, [upload|paste] the new one [in Tallybook|under Single sign-on] [too|before the old one expires].
            [Test|Try] [the|your] setup [in|with] a private browser window [so you do not lock yourself out|before you enforce it].
        """,
        steps="""
            [In|Open] {idp}, [create|add] a new SAML application for Tallybook.
            Copy the [ACS URL|reply URL] and entity ID [shown under|from] Tallybook's Settings > Security > Single sign-on into {idp}.
            [Copy|Take] the SSO URL, [issuer|entity ID] and certificate from {idp} [back into|and paste them into] Tallybook.
            [Assign|Give] [the|your] users [access to|] the [Tallybook|new] app in {idp}.
            [Click|Use] Test connection [and sign in|to sign in] [with a non-admin user|as a test user].
            [Turn on|Enable] Require SSO [once|when] [the test works|everyone can sign in].
        """,
    ),
    "login_2fa": dict(
        family="access",
        kw="login log sign password reset two-factor 2fa authenticator locked code verification",
        act="""
            reset [my|our] password
            [set up|turn on] two-factor authentication
            [get back into|recover] [my|our] account [without my phone|after losing my phone]
            change the email address I log in with
        """,
        q="""
            I [forgot|can't remember] my password and the reset email [isn't arriving|never comes]. [What can I do?|Help?]
            How do I [turn on|set up] two-factor authentication [for my login|on my account]?
            [I lost|My old] phone [with the authenticator app|is gone] and [now I can't|I can't] log in. [How do I get back in?|What now?]
            [Can I|How do I] change the email address I [use to log in|sign in with]?
            Why does Tallybook keep [logging me out|asking me to sign in again] [in|on] {browser}?
            [My account|The account] [got|is] locked after [too many|several] [login attempts|wrong passwords]. [How long|How long does it stay locked]?
        """,
        err="""
            AUTH-423 :: Too many sign-in attempts. Try again in 15 minutes. :: the account was locked for a short time after several wrong passwords
            AUTH-401 :: The verification code is incorrect or has expired. :: the six-digit code was not accepted, usually because the phone clock is out of sync
        """,
        lead="""
            [Sign-in|Login] [settings|options] [live|are] [under|in] Profile > Security, [including|along with] [two-factor authentication|2FA] and [your|the] login email.
            [Getting|Being] locked out is [stressful|frustrating], but [there is|we have] a [safe|clear] way back in[ for every case|].
            [Password|Login] [problems|issues] can [almost always|usually] be [sorted out|solved] [in a few minutes|quickly].
        """,
        say="""
            [Reset|Password reset] emails come from no-reply@tallybook.app[; check your spam folder and add that address to your contacts|].
            [Reset|Password reset] links [are valid|stay valid] for 60 minutes and [only|] work once[, so always use the newest email|].
            [Two-factor authentication|2FA] [works|can be used] with any authenticator app[ such as the one built into your phone|], and [we|Tallybook] [recommend|suggests] it for every user.
            [When you turn on|When you set up] 2FA you get ten backup codes[; keep them somewhere safe, because each one lets you in once|].
            [Without your phone or a backup code|If you have neither your phone nor a backup code], [our support team|we] can [reset|remove] 2FA after [verifying|checking] [your identity|that you own the account].
            [Codes|Verification codes] [fail|are rejected] [when|if] [the|your] phone's clock is [wrong|out of sync]; [set it|turn on] automatic time on the phone and try again.
            [After|Following] five wrong [passwords|attempts], [the|an] account [is|stays] locked for 15 minutes[ and then unlocks by itself|].
            Changing your login email [needs|requires] [your|the] current password, and [we|Tallybook] [send|sends] a confirmation [link|email] to the new address.
            [Sessions|Logins] [last|stay active] for 14 days unless your browser clears cookies when it closes, which is [a common|the usual] reason for [being|getting] logged out [in {browser}|].
        """,
        steps="""
            [Open|Go to] Profile > Security.
            [Click|Select] Turn on two-factor authentication.
            [Scan|Use your phone to scan] the QR code with [your|an] authenticator app.
            [Type|Enter] the six-digit code [the app shows|from the app] to confirm[ it works|].
            [Download|Save] [your|the] backup codes [and store them somewhere safe|in a password manager].
            [Sign out|Log out] and back in [to check|to make sure] [everything works|2FA is working].
        """,
    ),
    "api": dict(
        family="developer",
        kw="api key keys token endpoint developer webhook webhooks rate limit request requests",
        act="""
            create an API key
            [call|use] the invoices API [from our own system|from a script]
            [set up|receive] webhooks [for|when] [invoice payments|invoices are paid]
            [rotate|revoke] an API key
        """,
        q="""
            [Where|How] do I [create|generate] an API key [for|to use with] [our|my] [own app|internal system]?
            [We're|I'm] getting [rate limited|HTTP 429 errors] [when|while] [calling|using] the invoices [API|endpoint]. [What's the limit?|How do we avoid it?]
            [Can I|How do I] get a webhook [when|whenever] an invoice [is paid|gets paid]?
            [One of our|An] API [keys|key] [was leaked|ended up] in a [public repository|log file]. [What should we do?|How do I revoke it?]
            [Can|Does] the API [let me|] create [clients|invoices] and send them[ by email|]?
            [Is there|Do you have] a [test|sandbox] [environment|account] for [the API|API development]?
        """,
        err="""
            API-429 :: Too many requests. Retry after 30 seconds. :: your integration went over the limit of {limit} requests per minute for one key
            API-401 :: Invalid or revoked API key. :: the key sent with the request does not exist any more, or it was revoked
        """,
        lead="""
            API keys are [created|managed] [under|in] Settings > Developer > API keys, and [each|every] key [can be|is] [limited|scoped] to [what it needs|specific permissions].
            [The|Our] REST API [covers|gives access to] invoices, clients, payments and expenses, [with|and there is] [reference documentation|full documentation] at developer.tallybook.app.
            [Integrating|Connecting your own system] [with|to] Tallybook [goes through|uses] [the|our] REST API and [optional|] webhooks.
        """,
        say="""
            [Each|Every] API key [is allowed|can make] {limit} requests per minute[; over that you get HTTP 429 with a Retry-After header|].
            [Use|Send] [the|your] key in the Authorization header as a bearer token, [never|not] in the URL.
            [For|When doing] bulk work, [use|call] the batch endpoints, which [accept|take] up to 100 [invoices|records] per request and [count as|use up] one [call|request].
            Webhooks [are|can be] [set up|added] under Settings > Developer > Webhooks[ and fire on events such as invoice.paid and client.created|].
            [Every|Each] webhook [request|delivery] [is|comes] signed, so [check|verify] the signature [with|using] [your|the] signing secret before [trusting|processing] it.
            If a key leaks, revoke it [straight away|immediately] [under|from] API keys[; requests using it fail from that moment|] and [create|make] a new one.
            [A|Every] sandbox account [is free|comes free of charge] and [has|uses] [its own|separate] keys, so [tests|test calls] [never|do not] touch [your|real] data.
            [Keys|API keys] [show|are shown] [only|just] once [when|after] [they are created|you create them], so [store|save] [them|the key] in [a secrets manager|your secret store] right away.
        """,
        steps="""
            [Go to|Open] Settings > Developer > API keys.
            Click Create key and [give it|enter] a name[ such as {company} sync|].
            [Choose|Pick] [the scopes|which permissions] the key [needs|should have], for example invoices:read.
            [Copy|Save] the key [right away|immediately][; it is only shown once|].
            [Send|Use] [it|the key] [in|as] the Authorization header[ of each request|].
            [Test|Try] a [simple|first] request [against|with] the sandbox [before|and then] [switching to|move to] your live account.
        """,
    ),
    "integrations": dict(
        family="developer",
        kw="integration integrations connect app apps marketplace sync zapier shopify slack",
        act="""
            connect {integration} to Tallybook
            [sync|bring in] [orders|sales] from {integration}
            [disconnect|remove] the {integration} integration
            [get|send] [invoice|payment] notifications [to|in] {integration}
        """,
        q="""
            [Can|Does] Tallybook [connect|integrate] with {integration}?
            How do I [connect|link] {integration} [so that|and have] [new orders|sales] [create|turn into] invoices [automatically|in Tallybook]?
            [Our|The] {integration} [integration|sync] [stopped working|hasn't synced] since {date}. [Why?|What should I check?]
            [If I|When I] disconnect {integration}, [do|will] the invoices it created [get deleted|disappear]?
            [Is there|Can I get] a [Slack|team] notification [when|whenever] a client pays?
            [Which|What] integrations [are included|come] [on|with] the {plan} plan?
        """,
        err="""
            INT-401 :: The {integration} connection needs to be re-authorised. :: the other app revoked or expired the permission it gave Tallybook
            INT-409 :: Sync skipped {n} orders that already exist. :: those orders had already been imported, so they were not created twice
        """,
        lead="""
            Integrations [are|can be] [found|connected] [under|in] Settings > Apps, [and|where] {integration} [is|appears] [in the list|among the available apps].
            [Tallybook|We] [connect|integrate] with {integration} [directly|out of the box], and [with|to] [hundreds of|many] other [tools|apps] through Zapier.
            [Connecting|Linking] {integration} [takes|needs] [only|just] [a minute|a few clicks] [from|in] Settings > Apps.
        """,
        say="""
            [Once|After] {integration} is connected, [new|incoming] [orders|sales] [are|get] [turned into|recorded as] [paid|] invoices [every|about every] 15 minutes.
            [Each|Every] [order|sale] [is|gets] [synced|imported] [only|just] once[, so re-running a sync never creates duplicates|].
            [Disconnecting|Removing] an integration [stops|ends] [new syncs|future syncing] but [keeps|does not touch] [everything|the invoices] it [already created|has already created].
            [If a sync stops|When syncing stops], [the usual cause|the most common reason] is [an expired|a revoked] [permission|authorisation] in {integration}[; click Reconnect under Settings > Apps|].
            [For|If you want] Slack [alerts|notifications], [add|connect] the Slack app and [pick|choose] [a|the] channel and the events [to post|you care about][, such as invoice paid|].
            [Direct|Built-in] integrations [are|come] [included|free] [on every plan|with all plans]; [Zapier|Zapier itself] [may|can] [need|have] [its own|a separate] subscription.
            [Each|Every] integration [keeps|has] [a|its own] sync log [under|in] Settings > Apps[, which shows what was imported and any errors|].
        """,
        steps="""
            [Go to|Open] Settings > Apps.
            [Find|Search for] {integration} and click Connect.
            [Sign in to|Log in to] {integration} and [approve|allow] access for Tallybook.
            [Choose|Pick] [what to sync|which data to sync] and [how|where] [it should be recorded|to record it][, such as the sales account|].
            [Set|Pick] a start date [for the first sync|for historical data].
            [Check|Look at] the sync log [after|once] [the first run|15 minutes] to [confirm|make sure] [everything came through|orders are arriving].
        """,
    ),
    "plan_billing": dict(
        family="billing",
        kw="plan plans upgrade downgrade subscription price pricing seats annual monthly trial",
        act="""
            upgrade [from {plan}|our plan]
            switch to annual billing
            downgrade [to a smaller plan|our subscription]
            add more [user|] seats [to our plan|]
        """,
        q="""
            [How do I|Can I] upgrade from [the {plan} plan|{plan}] [to a bigger plan|to Business]?
            [What happens|Will we lose anything] if we downgrade [from {plan}|to a smaller plan]?
            [Is there|Do you offer] a discount [for|if we switch to] annual billing?
            [If I|When I] upgrade in the middle of the month, [am I charged|do I pay] [the full price|for the whole month]?
            [Can we|How do we] add {n} more [user seats|seats] without changing [plans|our plan]?
            [Our|My] free trial ends on {date}. [What happens to our data if we don't pick a plan?|Do we lose our invoices?]
        """,
        err="""
            SUB-409 :: This plan allows {seats} users. Remove users before downgrading. :: the smaller plan has fewer seats than the number of active users on the account
            SUB-402 :: We could not charge your card for the plan change. :: the card on file was declined when we tried to take the prorated amount
        """,
        lead="""
            [Plan changes|Upgrades and downgrades] [are made|happen] [under|in] Settings > Subscription and [take effect|apply] [right away|immediately].
            [Changing|Switching] plans [is|can be done] [at any time|whenever you like], and [you only pay|we only charge] the difference for the [rest of the|remaining] billing period.
            [You can|It's possible to] [move|switch] between Solo, Team, Business and Enterprise [from|under] Settings > Subscription[ without contacting us|].
        """,
        say="""
            [When|If] you upgrade [mid-cycle|in the middle of a billing period], [we charge|you pay] a prorated amount for the days left[ and the next invoice is at the new price|].
            A downgrade keeps all your data; features [the smaller plan does not include|not on the new plan] are [simply|just] hidden until you upgrade again.
            Annual billing [costs the same as|is priced at] ten months of monthly billing[, so you get two months free|, which works out at two free months a year].
            [Extra|Additional] seats [can be added|are available] [one at a time|individually] on Team and Business[, and are billed pro rata|].
            [When|If] [a|your] trial ends without a plan, the account [becomes|turns] read-only [for 90 days|]; [nothing is deleted|no data is deleted] and you can pick a plan [any time|whenever you are ready].
            [Before downgrading|To downgrade] to a plan with fewer seats, [deactivate|remove] users until [you are|the account is] within [the new|its] limit.
            Every [plan change|change] [is|gets] [listed|recorded] in [the|your] billing history[ with the prorated amounts|].
        """,
        steps="""
            [Go to|Open] Settings > Subscription.
            Click Change plan.
            [Choose|Select] the new plan[ and monthly or annual billing|].
            [Review|Check] the prorated amount [shown|on the summary] before [confirming|you confirm].
            [Confirm|Click Confirm][; the change applies straight away|].
            [Look at|Open] Billing history [to see|for] the [receipt|new charge].
        """,
    ),
    "subscription_charges": dict(
        family="billing",
        kw="charge charged receipt refund card declined payment method vat number billing history",
        act="""
            [get|download] a receipt for [our|the] Tallybook subscription
            [update|change] the card we pay Tallybook with
            [ask for|get] a refund [for|on] [our|the] subscription
            add [our|a] VAT number to [our|the] Tallybook receipts
        """,
        q="""
            [We were|I was] charged twice for [our|my] Tallybook subscription [in {month}|this month]. [Can you refund one?|What happened?]
            [Where can I|How do I] [download|find] [receipts|invoices] for [our|my] Tallybook subscription?
            [How do I|Can I] [update|change] the card [Tallybook charges|used for our subscription]?
            [Our|My] card [was declined|failed] [for the renewal|when the subscription renewed]. [Will the account be suspended?|What happens now?]
            [How do I|Can I] add [our|a] VAT number [to|so it shows on] [our|the] subscription receipts?
            [Can I get|Is there] a refund [if I cancel|for the unused part of] [an annual|our yearly] plan?
        """,
        err="""
            BIL-402 :: Your last payment of {amount} failed. :: the card on file was declined when the subscription renewed
            BIL-410 :: Payment method expired. :: the card saved for the subscription has passed its expiry date
        """,
        lead="""
            [Subscription|Billing] [details|settings] [live|are] [under|in] Settings > Subscription > Billing, [including|with] [receipts|every receipt] and [the|your] payment method.
            [Questions about|Charges on] [your|the] Tallybook subscription [are|can be] [handled|sorted out] [from|in] the billing section [in most cases|without waiting for us].
            [Every|Each] charge [for|on] [your|the] subscription [comes with|has] a receipt [under|in] Billing history.
        """,
        say="""
            [A charge that looks doubled|Two charges close together] [is often|is usually] a card [authorisation|pre-authorisation] [and a charge|plus the real payment]; the [authorisation|hold] [drops off|disappears] within a few days.
            [If you really were|When a customer is] charged twice, [we refund|we return] the [extra|duplicate] charge [in full|to the same card][, and it shows up in five to ten business days|].
            [Receipts|All receipts] [can be downloaded|are available] as PDF [from|in] Billing history[, and you can have them emailed to your bookkeeper too|].
            To change [the|your] card, [click|use] Update payment method[; the new card is used from the next charge|].
            [After a failed payment|When a renewal payment fails], we [retry|try again] [three times over|on and off for] seven days and [email|notify] the account owner [each time|before each attempt].
            [The account|Your account] [stays|remains] fully [usable|working] [while|during the time] we retry[; it only becomes read-only if every attempt fails|].
            [Your|A] VAT number [added|entered] [under|in] Billing details [appears|is shown] on every [future|new] receipt[, and EU customers are charged without VAT where reverse charge applies|].
            [Annual|Yearly] plans [can be|are] refunded [pro rata|for unused months] [within|if you cancel in] the first 30 days[; after that the plan runs to the end of the year|].
        """,
        steps="""
            [Go to|Open] Settings > Subscription > Billing.
            [Find|Look for] the charge [from {date}|in question] in Billing history.
            [Click|Select] [the charge|it] to [open|see] [the|its] receipt[ and the card it was taken from|].
            [Use|Click] Update payment method [if the card needs changing|to add a new card].
            [Add|Fill in] [your|the] VAT number [under|in] Billing details[ if you need it on receipts|].
            [Reply|Get back to us] with the receipt number[ if a charge still looks wrong|] and [we'll|we will] [check|look at] it.
        """,
    ),
    "mobile": dict(
        family="mobile",
        kw="mobile app iphone android ios phone tablet offline push notifications scan",
        act="""
            [send|create] invoices from [my|the] phone
            [use|log in to] the mobile app [on|with] [my|a] {phone}
            [get|turn on] push notifications [for payments|when clients pay]
            work offline [in|with] the [mobile|phone] app
        """,
        q="""
            [Is there|Do you have] a mobile app [for|on] [iPhone|Android|iPhone and Android]?
            [The|Your] app [keeps crashing|crashes] on [my|our] {phone} [when I open an invoice|after the latest update]. [Any ideas?|What can I do?]
            [Can I|Is it possible to] create and send invoices from [my|the] phone [while|when] [I'm|we're] [on site|out on a job]?
            [Does|Will] the mobile app work [offline|without signal]?
            Push notifications [on my {phone} |]don't arrive when [a client pays|clients pay]. [How do I turn them on?|What's wrong?]
            Why does [the|my] mobile app show different [numbers|totals] [than|from] the web app?
        """,
        err="""
            MOB-500 :: Something went wrong. Pull down to refresh. :: the app could not load data from our servers, often because of a weak connection
            MOB-426 :: Please update Tallybook to continue. :: the installed app version is too old to talk to the current servers
        """,
        lead="""
            [The|Our] Tallybook app [is|is available] [free|at no extra cost] [on|for] iPhone, iPad and Android[ with every plan|].
            [The|Our] mobile app [covers|handles] [the jobs|the everyday tasks] [you do|people do] [away from a desk|on the go]: invoices, expenses, payments and [clients|client details].
            [Crashes|Problems] [on|with] the mobile app can [usually|often] be fixed by [updating|an update] [or|and] a fresh sign-in.
        """,
        say="""
            [You can|It is possible to] create, [edit|change] and send invoices [from|in] the app, and can even [take|collect] a signature [on screen|from the client].
            [The app|It] [works offline|keeps working without signal]: [invoices|anything you create] [are|is] [saved|kept] on the phone and [synced|sent] [when you are back online|once the connection returns].
            [Make sure|Check that] [you are on|you have] [the|] [latest|newest] version, {ver} or [later|newer], [from|in] the App Store or Google Play.
            [If it still crashes|When the crashes continue], [sign out|log out], [delete|uninstall] the app and install it again[; your data is stored in your account, not on the phone|].
            Push notifications [need to be|must be] [allowed|switched on] [both|] in [the|your] phone's settings and [under|in] Profile > Notifications in the app.
            [Totals|Figures] [may|can] [differ|look different] [for a few minutes|briefly] [while|until] the app [syncs|finishes syncing]; pull down on [the|any] list to [refresh|sync now].
            [The app|It] [supports|needs] iOS 16 or Android 10 and later[; older phones can still use Tallybook in the mobile browser|].
        """,
        steps="""
            [Install|Download] Tallybook from the App Store or Google Play[ on your {phone}|].
            [Sign in|Log in] with the same email [and password|] [you use|as] on the web.
            [Allow|Accept] notifications [when|if] the app [asks|prompts you].
            [Tap|Press] the plus button and [choose|pick] New invoice.
            [Pick|Select] [the|a] client, add [items|line items] and [check|review] the total.
            [Tap|Press] Send[; the invoice is emailed and appears on the web app too|].
        """,
    ),
    "tax": dict(
        family="tax",
        kw="tax taxes vat gst sales rate rates exempt inclusive reverse charge",
        act="""
            add a {pct}% tax rate
            [make|mark] [a client|{client}] [tax exempt|exempt from tax]
            [show|use] [prices|amounts] including tax
            [handle|set up] reverse charge VAT
        """,
        q="""
            How do I add a {pct}% [sales tax|VAT|GST] rate [to|in] Tallybook?
            [Can I|How do I] [mark|set] [a client|{client}] as tax exempt?
            [My|Our] prices already include [VAT|tax]. [How do I|Can I] [show|enter] them [that way|like that] on invoices?
            [How|Where] do I [set up|handle] reverse charge [VAT|] for [clients|a client] in [another|a different] EU country?
            [Can an|Is it possible for an] invoice [to have|] two different tax rates [on|for] different lines?
            [Where can I|How do I] see how much tax [we collected|I owe] [for|in] [the last quarter|{month}]?
        """,
        err="""
            TAX-422 :: Tax rate {pct}% is in use and cannot be deleted. :: that rate is used on existing invoices, so it can be archived but not removed
            TAX-400 :: A tax ID is required for reverse charge. :: reverse charge invoices must show the client's VAT number
        """,
        lead="""
            Tax rates [are|can be] [set up|created] [under|in] Settings > Taxes, and [each|every] invoice line [can|may] [use|have] [its own|a different] rate.
            Tallybook [handles|supports] [VAT, GST and sales tax|sales tax, VAT and GST], [including|with] [inclusive pricing|tax-inclusive prices] and reverse charge.
            [Setting up|Adding] [tax|a tax rate] [once|correctly] [means|makes sure] [every|each] invoice [calculates|works out] the tax [for you|automatically].
        """,
        say="""
            [You can|It is possible to] [add|create] as many rates as [you need|needed], [for example|such as] {pct}% [for standard items|as your standard rate] and [a reduced rate|zero] for [others|exempt items].
            Marking a client as tax exempt removes tax from [their|that client's] [new|future] invoices[ and prints the exemption reason you enter|].
            [Turn on|Switch on] Prices include tax [under|in] Settings > Taxes [so|and] [the amounts you type|line amounts] [are treated|count] as [gross|tax-inclusive][ and the tax is worked out backwards|].
            [For|With] reverse charge, [tick|choose] Reverse charge on the [client|client's record] and [enter|add] their VAT number[; invoices then show the required wording|].
            [Rates|Tax rates] [used|that appear] on [existing|past] invoices [can be|can only be] archived, not deleted, [so old invoices stay|which keeps old invoices] [correct|accurate].
            The tax summary report [under|in] Reports [shows|lists] [tax|the tax] collected and [paid|on expenses] [for|by] [any|each] period[, ready for your return|].
            We [work out|calculate] the tax [for you|automatically], but [your|an] accountant [should|can] [confirm|check] which rates apply [to|in] {country}.
        """,
        steps="""
            [Go to|Open] Settings > Taxes.
            Click Add tax rate.
            [Enter|Type] [a name|the name] [and|such as Standard VAT and] the rate, [for example|here] {pct}%.
            [Choose|Decide] whether [the rate|it] [is|should be] the default for new [invoice lines|invoices].
            [Save|Click Save] the rate.
            [Open|Create] a [test|draft] invoice [and check|to check] the tax [amount|total] [is right|looks right].
        """,
    ),
    "multi_currency": dict(
        family="currency",
        kw="currency currencies exchange rate foreign conversion convert base usd eur gbp",
        act="""
            invoice a client in {cur2}
            change [our|the] base currency
            [set|override] the exchange rate on an invoice
            [record|handle] a payment received in {cur2}
        """,
        q="""
            [Can I|How do I] invoice [a client|{client}] in {cur2} [when|if] [our|my] base currency is {cur}?
            [How do I|Can I] change [our|the account's] base currency[ from {cur}|]?
            Which exchange rate does Tallybook use [for|on] [foreign currency|{cur2}] invoices?
            [A client|{client}] paid [a {cur2} invoice|invoice {invoice}] [but|and] the amount [in {cur}|we received] is [different|a bit lower]. [How do I record that?|Why?]
            [Can I|Is it possible to] [set|type in] [my own|the] exchange rate [on|for] [one|an] invoice?
            Does [multi-currency|foreign currency invoicing] [cost extra|need a particular plan]?
        """,
        err="""
            CUR-409 :: Base currency cannot be changed after transactions exist. :: the account already has invoices or payments recorded in the current base currency
            CUR-404 :: No exchange rate available for {cur2} on {date}. :: our rate provider had no rate for that currency on that date
        """,
        lead="""
            [Every|Each] client can [have|be given] [their own|a default] currency, [and|while] [your|the] reports [stay|are kept] in [your|the] base currency.
            Multi-currency [invoicing|support] [is included|comes] [on|with] the Team plan and above[, with daily exchange rates|].
            Foreign currency invoicing [works|is set up] [per client|on each client record], [so|and] Tallybook [converts|translates] [amounts|totals] [for|in] your reports.
        """,
        say="""
            [Exchange rates|Rates] [are|get] [updated|refreshed] daily [from|using] [a central bank|the European Central Bank] [reference|feed], and [each|an] invoice [uses|keeps] the rate [on|from] its issue date.
            [You can|It's possible to] [override|change] the rate on [any|a single] invoice [by clicking|through] [the|] rate [next to|beside] the total[ before you send it|].
            [When|If] [a|the] payment [arrives|comes in] [as a different amount|with a different value] in {cur}, [Tallybook|we] [record|book] the difference as an exchange gain or loss[ automatically|].
            [The|Your] base currency can only be changed [before any invoices exist|while there are no transactions][; after that, starting a new company file is the way|].
            [Bank|Bank feed] accounts can be in a foreign currency too, [which|and this] [helps|makes] [matching|reconciling] {cur2} payments [easier|simpler].
            Reports [show|convert] [everything|all amounts] in [your|the] base currency[ at the rate used on each transaction|].
        """,
        steps="""
            [Open|Go to] Settings > Currencies and [turn on|enable] multi-currency.
            [Add|Choose] {cur2} [from|to] the list of [currencies|active currencies].
            [Open|Edit] [the client|{client}'s record] and [set|pick] {cur2} as [their|the] [currency|default currency].
            [Create|Start] a new invoice [for|to] that client; it [uses|is in] {cur2} [automatically|by default].
            [Check|Review] the exchange rate [next to|beside] the total[ and change it if you agreed a different one|].
            [Send|Save] the invoice[ as usual|].
        """,
    ),
    "reports": dict(
        family="reports",
        kw="report reports profit loss balance sheet ledger cash flow aged receivables dashboard",
        act="""
            run a {report} report
            [share|send] the {report} report with [our|my] accountant
            [compare|see] [this year|{year}] [against|with] last year
            [schedule|email] [a|the] monthly {report} report
        """,
        q="""
            How do I run a {report} report [for {year}|for the last quarter]?
            Why does [my|our] {report} report show a different total [than|from] the dashboard?
            [Can I|How do I] [compare|put] [this year|{year}] [with|next to] the previous year [in|on] the same report?
            [Is there a way to|Can I] [email|send] the {report} report to [my|our] accountant [every month|automatically]?
            [What's|What is] the difference between cash and accrual [basis|] [in|on] [the|your] reports?
            [Can I|How do I] [filter|break down] [reports|the {report} report] by [client|project|category]?
        """,
        err="""
            RPT-408 :: Report took too long to generate. Try a shorter date range. :: the report covered so much data that it timed out
            RPT-400 :: The start date must be before the end date. :: the date range on the report was back to front
        """,
        lead="""
            Every report [lives|sits] [in|on] the Reports tab, [and|where] [each|every] report [can be|is] [filtered|adjusted] by date, client and category.
            [The|Our] {report} report [is|comes] [built in|included on every plan] and [updates|refreshes] [as soon as|whenever] [you record|there is] a [transaction|change].
            Reports [in|across] Tallybook [run|are available] [on|for] [any|whichever] date range you [choose|pick], [from|including] a single day [to|up to] several years.
        """,
        say="""
            The dashboard [uses|shows] [cash basis|cash accounting] [by default|unless you change it], while reports [follow|use] the basis [set|chosen] [under|in] Settings > Accounting, which [explains|accounts for] [most|many] differences.
            [On|With] [a|the] cash basis, income [counts|is counted] when [you are paid|the money arrives]; [on|with] accrual, [it counts|it is counted] when [you issue the invoice|the invoice is issued].
            [Tick|Choose] Compare with previous period [to add|and you get] [columns|a column] [for last year|for the same period last year] [side by side|next to the current one].
            [You can|It is possible to] save [a|any] report with [its|the] filters as a favourite, so [it is|you have it] [one click|a click] away next time.
            [Scheduled|Automatic] report emails go out on the first of [each|every] month to [any|whichever] [address|addresses] you [enter|list][, including your accountant|].
            [Every|Each] report [can be|is] [exported|downloaded] [to|as] PDF, Excel or CSV [from|using] the [Export|Download] button[ at the top|].
            [Long|Large] [date ranges|ranges] [on|for] [busy|large] accounts [can take|may take] [a while|longer]; [run|split] [them|the report] [a year|one year] at a time[ if it times out|].
        """,
        steps="""
            [Open|Go to] the Reports tab.
            [Choose|Click] [{report}|the {report} report] [from|in] the list.
            [Set|Pick] the date range[, for example {month} {year}|].
            [Add|Apply] [any|the] filters you need[ such as client or category|].
            [Tick|Choose] Compare with previous period [if you want|for] a comparison.
            [Export|Download] [it|the report] [as|to] PDF or Excel, or click Schedule [to email it monthly|for a monthly email].
        """,
    ),
    "expenses": dict(
        family="expenses",
        kw="expense expenses receipt receipts scan scanning mileage bill bills supplier category",
        act="""
            [record|log] an expense [with|and attach] a receipt
            [scan|upload] receipts [with|from] [my|the] phone
            [forward|email] receipts [to|into] Tallybook
            [track|claim] mileage [for|on] [client visits|work trips]
        """,
        q="""
            How do I [record|add] [an expense|a bill] and attach the receipt?
            [Can I|Is there a way to] [forward|email] receipts [to|into] Tallybook [instead of|rather than] [uploading them|typing them in]?
            [The|Your] receipt [scanner|scanning] [read|picked up] the wrong [amount|total] [on|from] [a|my] {category} receipt. [How do I fix it?|Can I correct it?]
            [How do I|Can I] [track|log] mileage [for|when] [driving to clients|client visits]?
            [Can I|How do I] [re-bill|pass on] an expense to [a client|{client}] [on their next invoice|as part of an invoice]?
            [Can|Should] [our|my] [staff|team members] [submit|add] [their own|] expenses [for approval|to be approved]?
        """,
        err="""
            EXP-415 :: Unsupported file type. Receipts must be PDF, JPG, PNG or HEIC. :: the file attached to the expense is in a format we cannot read
            EXP-413 :: Receipt is larger than 10 MB. :: the photo or PDF is over the 10 MB limit for receipts
        """,
        lead="""
            Expenses [are|get] [recorded|added] [on|from] the Expenses tab, and [every|each] expense [can|may] [carry|have] [one or more|a] receipt [attached|attachments].
            Receipts can [come in|arrive] [three|several] ways: uploaded, [photographed|scanned] [in|with] the app, or [forwarded|sent] by email.
            [Keeping|Recording] [every|each] expense [with|alongside] its receipt [in Tallybook|] [saves|spares you] [a lot of|] [time|work] at tax time.
        """,
        say="""
            [Every|Each] account [has|gets] [its own|a] receipt address[, shown under Expenses > Settings,| ]and [anything|any receipt] [you forward|sent] there [becomes|turns into] a draft expense.
            [The|Our] scanner [reads|picks up] the [supplier|vendor], date, total and tax [from|off] [the|each] receipt, [and|but] [you can|it is easy to] [edit|correct] [any|each] field before [saving|you save].
            [If|When] [the|a] scanner [reads|gets] [a total|an amount] wrong, [correct|change] it [on|in] the [expense|draft]; [the original|the image of the] receipt [stays|is kept] attached[ either way|].
            Mileage [is|can be] [recorded|logged] as [a|its own] expense type with [a|the] distance and [a|your] rate per [mile|kilometre][, and Tallybook works out the amount|].
            [Tick|Mark] Billable and [choose|pick] [a|the] client, and the expense [appears|shows up] [as a line|] [when you next invoice them|on the client's next invoice].
            [On|With] [the|] Team [plan|] and above, [staff|team members] can [submit|add] [their own|] expenses [and an Admin approves|while an Admin approves] [them|each one] [before they count|before they are booked].
            [Each|Every] expense [gets|has] a category such as {category}[, which feeds straight into the expense breakdown report|].
        """,
        steps="""
            [Open|Go to] the Expenses tab and click New expense.
            [Upload|Drag in] the receipt[ or take a photo of it in the app|].
            [Check|Confirm] the [supplier|vendor], date and amount [that were read|the scanner filled in].
            [Choose|Pick] a category[ such as {category}|].
            [Tick|Mark] Billable [if you want to|to] [re-bill|charge] [it|the cost] to a client.
            [Save|Click Save] the expense.
        """,
    ),
    "email_delivery": dict(
        family="email",
        kw="email emails delivery delivered bounce bounced spam inbox sent sender domain",
        act="""
            [send|get] invoice emails [from|through] our own domain
            find out [why|if] an invoice email [bounced|was delivered]
            [stop|keep] invoice emails [going to|from landing in] spam
            change the sender name on invoice emails
        """,
        q="""
            [A client|{client}] says they never [got|received] invoice {invoice}. [Was it sent?|How can I check?]
            [Our|My] invoice emails [keep|] [landing|end up] in [clients'|our clients'] spam [folders|folder]. [What can we do?|How do we stop that?]
            Can [invoices be sent|we send invoices] from [our own|our company's] email address [instead of|rather than] Tallybook's?
            [How do I|Can I] change the sender name [that clients see|on invoice emails]?
            [An|One] invoice email [bounced|came back]. [How do I|Where can I] [see why|find the reason]?
            [Can I|Is there a way to] [CC|copy] [myself|our office address] [on|into] every invoice email?
        """,
        err="""
            EML-550 :: Delivery failed: mailbox unavailable. :: the receiving mail server rejected the message because the address does not exist or is full
            EML-421 :: Message deferred by the recipient's server. :: the client's mail server asked us to try again later, which we do automatically
        """,
        lead="""
            [Every|Each] invoice email [is|gets] [tracked|logged], and [its|the] delivery status [shows|appears] [in|on] the invoice's Activity tab.
            [Email delivery|Delivery] [settings|options] [are|live] [under|in] Settings > Email, [including|with] [the|your] sender name and [custom|your own] domain.
            [Missing|Lost] invoice emails can [almost always|usually] be traced through the invoice's Activity tab.
        """,
        say="""
            The Activity tab [shows|lists] [when|the moment] [the|an] email was [sent|handed over], [delivered|accepted] and [opened|first opened], [plus|along with] [any|the] bounce reason.
            [A|The] bounce [usually|most often] [means|comes from] a [typo|mistake] in [the|a] client's email address, so [check|look at] the address on [their|the] client record[ first|].
            To send from [your own|a custom] domain, add [the|two] DNS records [shown|listed] [under|in] Settings > Email > Domain, which [also helps keep|keeps] [emails|messages] [out of|away from] spam.
            [The|Your] sender name [is|can be] [changed|edited] [in|under] Settings > Email[; the reply-to address can be your own inbox|].
            [Tick|Turn on] Send me a copy [in|under] Settings > Email to [get|receive] [a copy|a BCC] of [every|each] invoice [email|you send].
            [If|When] [the|a] client's [server|mail server] [defers|delays] [a|the] message, [we|Tallybook] [retry|tries again] for up to 24 hours before [marking|reporting] it as failed.
            [You can|It's easy to] resend [any|an] invoice [from|with] the Resend button, [or|and] [share|copy] [its|the] public link [directly|by other means].
        """,
        steps="""
            [Open|Go to] the invoice[ {invoice}|] and [select|click] the Activity tab.
            [Check|Look at] [the|its] [delivery|email] status[ and any bounce reason|].
            [Correct|Fix] the client's email address [if it is wrong|if there is a typo].
            [Click|Use] Resend [to send the invoice again|].
            [Set up|Add] [a custom|your own] sending domain [under|in] Settings > Email > Domain [to improve delivery|for better delivery].
        """,
    ),
    "account_closure": dict(
        family="privacy",
        kw="close delete cancel account data deletion gdpr privacy retention cancel",
        act="""
            close [our|my] Tallybook account
            [delete|erase] [all|our] data [from|in] Tallybook
            [get|download] a copy of [all|our] data before [cancelling|closing]
            [remove|delete] a client's personal data
        """,
        q="""
            How do I [close|cancel] [our|my] Tallybook account[ for good|]?
            [If we cancel|After we close the account], how long do you keep [our|the] data?
            [Can I|How do I] [get|download] [everything|all our data] before [closing the account|we cancel]?
            [A client|{client}] asked us to delete [their|all their] personal data. [How do we do that|Can we do that] [in Tallybook|without breaking our records]?
            [Can we|Is it possible to] [pause|freeze] [the|our] account [instead of|rather than] [closing|cancelling] it?
            Where is [our|my] [data|account data] [stored|kept], and is [Tallybook|it] GDPR compliant?
        """,
        err="""
            ACC-409 :: Only the account owner can close this account. :: closing an account is limited to the owner, not other Admins
            ACC-402 :: Please settle the outstanding balance of {amount} before closing. :: there is an unpaid subscription charge on the account
        """,
        lead="""
            [Closing|Cancelling] [an|the] account [is|can be] [done|handled] [by the account owner|by the owner] [under|in] Settings > Account > Close account.
            [Before|Ahead of] [closing|cancelling], [it is worth|we recommend] [downloading|taking] [a full|an] export [so you keep|to keep] [your|the] records.
            [Your|The] data [belongs to|is owned by] you, and [you can|we let you] [take|export] [it|a copy] [with you|out] [at any time|whenever you want].
        """,
        say="""
            [After|Once] [an account|the account] is closed, [we keep|the data is kept] [the data|it] for 30 days [in case you change your mind|so it can be restored], then [delete|erase] it [permanently|for good].
            [A full|The full] [backup|export] [under|in] Settings > Data > Full backup [contains|includes] all invoices, clients, expenses and attachments [as|in] [a ZIP file|one ZIP file].
            To remove a client's personal data, [use|choose] Anonymise [on|from] [the|their] client record[; the invoices stay for your tax records but names and contact details are erased|].
            [Instead of|Rather than] closing, [you can|it's possible to] [switch|move] to [the|a] [read-only|Dormant] [option|plan] [for a small fee|at a lower price][ and keep access to your records|].
            [Data|Your data] is [stored|hosted] in [the EU|data centres in the EU] for [EU|European] [customers|accounts], [and|while] other accounts [are hosted|live] in [the US|US data centres].
            [Our|The] data processing agreement [is|can be] [signed|accepted] [online|in a click] [under|from] Settings > Account > Legal[ if you need it for GDPR|].
            Only the account owner [can|is able to] close the account[; other Admins see the option greyed out|].
        """,
        steps="""
            [Download|Take] a full backup [from|under] Settings > Data > Full backup.
            [Cancel|Stop] [any|your] recurring invoices [and disconnect your bank feeds|].
            [Go to|Open] Settings > Account > Close account.
            [Choose|Pick] a reason [and add any feedback|from the list].
            [Confirm|Type your password to confirm] [the closure|that you want to close the account].
            [Keep|Watch for] the confirmation email[; it explains how to restore the account within 30 days|].
        """,
    ),
}


# --------------------------------------------------------------------------
# Pieces shared by all topics
# --------------------------------------------------------------------------

_Q_PREFIX = _lines("""
    Hi.
    Hello!
    Hi there.
    Quick question:
    Hello, hope you can help.
    Hi team.
    Good morning.
""")
_Q_CONTEXT = _lines("""
    We're a {biz} in {country}[ on the {plan} plan|].
    I run a {biz} [in|based in] {country}.
    [We have|There are] {users} people [using Tallybook|on our account] at {company}.
    [I'm|We're] [fairly new to Tallybook|new to Tallybook|long-time Tallybook users][ and mostly use it for invoicing|].
    I do the books for {company}[, a {biz}|].
    [We're|I'm] on the {plan} plan[, if that matters|].
""")
_Q_SUFFIX = _lines("""
    Thanks!
    Thanks in advance.
    Any help [appreciated|is appreciated].
    Cheers, {name}
    [This is|It's] [a bit urgent|fairly urgent] for us.
    Thank you, {name}.
    [Many|] thanks[ for your help|].
""")
_QI_ERROR = _lines("""
    I keep getting the error below when I try to {act}. What does it mean[ and how do I fix it|]?
    [Every time|Whenever] I try to {act}, Tallybook shows this [message|error]. [Can you help?|What should I do?]
    [Our|My] [bookkeeper|office manager|accountant] [sees|gets] [this|the error below] when trying to {act}. [Is something wrong with our account?|How do we fix it?]
    What does this error mean? It [appeared|popped up] [when|while] I was trying to {act}.
    [Trying|I was trying] to {act} [this morning|today|yesterday] and got [this|the following] error. [Any idea why?|Is it on your side or ours?]
""")
_QI_CONTEXT = _lines("""
    [Here are|These are] our account details. [Can you tell me|Could you explain] how to {act}?
    Given the [setup|account] below, what's the best way to {act}?
    [Our|My] account details are below. We want to {act}. [Where do we start?|What do we need to do?]
    [See the details below.|Details below.] How [would we|do we] {act}?
""")
_INPUT_ERROR = _lines("""
    {code}: {msg}
    Error {code}: {msg}
    {msg} (code {code})
    {msg}[ Error code: {code}.| Reference: {code}.]
    [Error|Message]: {msg}\\nCode: {code}\\nBrowser: {browser}
    {code} - {msg}\\nTime: {date}, {hour}
""")
_INPUT_CONTEXT = _lines("""
    Company: {company}\\nPlan: {plan}\\nUsers: {users}\\nCountry: {country}
    Account: {company}\\nPlan: {plan}\\nBase currency: {cur}
    Business: {biz}\\nLocation: {country}\\nPlan: {plan}
    Plan: {plan}\\nUsers: {users}\\nBrowser: {browser} on {os}
    Company: {company} ({biz})\\nSubscription: {plan}, billed [monthly|annually]
""")
_GREET = _lines("""
    Hi {name},
    Hello {name},
    Hi {name}, thanks for getting in touch.
    Thanks for [reaching out|writing in|your message], {name}.
    Hi {name}, [good question|happy to help with this].
    Hi there, thanks for the [question|message].
    Hello, and thanks for [contacting|writing to] Tallybook support.
    Thanks for the [details|detail], {name}[, that helps|].
""")
_CLOSE = _lines("""
    Let me know if [anything is unclear|you run into anything else|you need a hand with the next step], and we'll [pick it up from there|take a closer look].
    If [that doesn't solve it|the problem comes back], reply to this [message|ticket] with [a screenshot|the exact time it happened] and we'll [dig in|investigate].
    [Hope|I hope] that [helps|sorts it out]! [Just reply here|Write back] if [you have|there are] [more questions|any other questions].
    [Happy invoicing|Best wishes],\\nThe Tallybook [support|customer support] team
    [Feel free to|Do] [reply|get back to us] [if you get stuck|if anything looks different on your screen].
    [Give that a try|Try that] and let us know how it goes[, {name}|].
    If you'd like, [we can|one of us can] [walk you through it|go through it with you] on a short call[; just reply with a time that suits you|].
""")
_ERROR_LEAD = _lines("""
    The {code} error [means|tells us that] {why}.
    That [message|error] ({code}) [means|shows up when] {why}.
    [Thanks for including the error.|Thanks for sending the exact message.] {code} [means|appears when] {why}.
    [Good news:|The good news is that] {code} is [easy to fix|usually quick to sort out]: it [means|appears when] {why}.
""")
_CONTEXT_LEAD = _lines("""
    [Thanks for including|I appreciate] [the account details|your account details][, {name}|].
    I've [looked at|checked] the details you sent for {company}[, and nothing looks wrong on our side|].
    [With|Given] the setup you describe, [this is|it's] [straightforward|quick to do].
""")
_STEPS_INTRO = _lines("""
    Here's [how to do it|the process|what to do]:
    [It only takes|This takes] [a few|a couple of] minutes:
    [Follow|Work through] these steps:
    [The quickest|The easiest|The simplest] way is [this|as follows]:
    [Here are the steps|Step by step]:
""")
_PERSONAL = _lines("""
    I've added a note to [ticket|case] {ticket} so [whoever picks this up next|anyone on our team] has the [context|full picture].
    [I can see|Our records show] {company} [has been with us since|joined Tallybook in] {month} {year}[, so thank you for sticking with us|].
    [If you need|Should you need] us to look at a specific record, [send|reply with] the invoice number, for example {invoice}, and [the date|roughly when] it happened.
    [For reference|Just so you know], your request is logged as {ticket}[ in case you need to follow up|].
    [I've|We've] [flagged|passed] this to {name2} on our [product|billing|technical] team[, who can double-check it|] [if anything looks off|should you need more help].
    [Our support team|We] [answer|reply] [every day|on weekdays] from 08:00 to 20:00[ your local time|], so [write back|reply] [any time|whenever it suits you].
""")
_STEP_LINKS = ("Then ", "Next, ", "After that, ", "Now ", "Once that's done, ")
_STEPS_TIP = _lines("""
    [Tip|A tip|One tip]:
    [Good to know|Worth knowing]:
    [Note|Please note]:
""")
_SYSTEM = _lines("""
    You are Tallybook's customer support assistant. Answer [clearly and accurately|accurately and briefly][, and point to the right screen in the app|].
    You are a [friendly|helpful] support agent for Tallybook, an invoicing and bookkeeping app for small businesses.
    You help Tallybook customers with invoicing, banking, billing and account questions. [Be concise.|Keep answers practical.]
    Act as a Tallybook support specialist. [Give step-by-step instructions when they help.|Use numbered steps for procedures.]
""")
_FOLLOWUP = _lines("""
    Thanks, that worked. [One more thing:|Also,|A related question:]
    [Great|Perfect], thank you. [And|Another question:]
    That helps. [Follow-up:|While I have you:]
    Thanks! [Next question:|One more:]
""")
_FOLLOWUP_GREETLESS = _lines("""
    [You're welcome|Happy to help], {name}.
    [Sure|Of course].
    [No problem|Glad that worked].
""")


_STOP = frozenset("""
    a an and any are as at be but by can do does for from get has have how i if in is it its
    me my not of on or our so that the their them then there this to up us we what when where
    which who why will with you your yours can't don't it's i'm we're is there way tallybook
""".split())


def _content_words(text: str) -> frozenset:
    words = _WORD.findall(re.sub(r"\{[a-z0-9_]+\}", " ", text.lower()))
    return frozenset(w for w in words if w not in _STOP and len(w) > 2)


def _compile_topic(key: str, raw: dict) -> dict:
    errs = []
    for line in raw["err"].strip().splitlines():
        code, msg, why = (part.strip() for part in line.split("::"))
        errs.append((code, _compile(msg), _compile(why)))
    return dict(
        key=key,
        family=raw["family"],
        kw=tuple(raw["kw"].split()),
        act=_lines(raw["act"]),
        q=_lines(raw["q"]),
        err=errs,
        lead=_lines(raw["lead"]),
        say=_lines(raw["say"]),
        say_words=[_content_words(line) for line in raw["say"].strip().splitlines() if line.strip()],
        steps=_lines(raw["steps"]),
    )


_TOPICS = {key: _compile_topic(key, raw) for key, raw in _TOPIC_TEXT.items()}
_TOPIC_KEYS = tuple(_TOPICS)


# --------------------------------------------------------------------------
# Clean records
# --------------------------------------------------------------------------


class _Record(dict):
    """A plain dict that also remembers which topic it was generated from."""

    __slots__ = ("topic",)


def _tidy(text: str) -> str:
    while "  " in text:
        text = text.replace("  ", " ")
    return text.replace(" ,", ",").replace(" .", ".").replace(" ?", "?").strip()


def _question(t, ctx, r) -> tuple[str, str | None]:
    """A customer question on topic t, plus an optional input field."""
    x = r()
    if x < 0.18:
        code, msg, why = _pick(t["err"], r)
        ctx["code"] = code
        ctx["msg"] = _render(msg, ctx, r)
        ctx["why"] = _render(why, ctx, r)
        ctx["act"] = _render(_pick(t["act"], r), ctx, r)
        q = _render(_pick(_QI_ERROR, r), ctx, r)
        inp = _render(_pick(_INPUT_ERROR, r), ctx, r).replace("\\n", "\n")
        ctx["mode"] = "error"
    elif x < 0.30:
        ctx["act"] = _render(_pick(t["act"], r), ctx, r)
        q = _render(_pick(_QI_CONTEXT, r), ctx, r)
        inp = _render(_pick(_INPUT_CONTEXT, r), ctx, r).replace("\\n", "\n")
        ctx["mode"] = "context"
    else:
        q = _render(_pick(t["q"], r), ctx, r)
        inp = None
        ctx["mode"] = "plain"
    parts = []
    if r() < 0.25:
        parts.append(_render(_pick(_Q_PREFIX, r), ctx, r))
    if r() < 0.3:
        parts.append(_render(_pick(_Q_CONTEXT, r), ctx, r))
    parts.append(q)
    if r() < 0.25:
        parts.append(_render(_pick(_Q_SUFFIX, r), ctx, r))
    ctx["question_words"] = _content_words(q if inp is None else q + " " + inp)
    return _tidy(" ".join(parts)), inp


def _sample(seq, k, r):
    """k distinct items of seq, in random order (cheap partial shuffle)."""
    pool = list(seq)
    k = min(k, len(pool))
    for i in range(k):
        j = i + int(r() * (len(pool) - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def _ordered_sample(seq, k, r):
    """k distinct items of seq, keeping their original order."""
    idx = sorted(_sample(range(len(seq)), k, r))
    return [seq[i] for i in idx]


def _says(t, k, ctx, r) -> list:
    """k say-templates of topic t, the one closest to the customer's question first."""
    picked = _sample(range(len(t["say"])), k, r)
    question = ctx.get("question_words")
    if question:
        words = t["say_words"]
        related = [i for i in range(len(words)) if words[i] & question]
        if related:
            if r() < 0.5:
                best = max(related, key=lambda i: (len(words[i] & question), r()))
            else:
                best = _pick(related, r)
            picked = [best] + [i for i in picked if i != best][: k - 1]
    return [t["say"][i] for i in picked]


def _answer(t, ctx, r, style: str | None = None) -> str:
    """A support reply on topic t; style is short, prose or steps."""
    if style is None:
        x = r()
        style = "short" if x < 0.14 else ("prose" if x < 0.66 else "steps")
    mode = ctx.get("mode", "plain")
    rs = lambda tpl: _tidy(_render(tpl, ctx, r))  # noqa: E731
    paras: list[str] = []
    if style == "short":
        body = []
        if r() < 0.35:
            body.append(rs(_pick(_GREET, r)))
        if mode == "error":
            body.append(rs(_pick(_ERROR_LEAD, r)))
        else:
            body.append(rs(_pick(t["lead"], r)))
        says = [rs(s) for s in _says(t, 2, ctx, r)]
        if r() < 0.5:
            says.reverse()
        body.extend(says)
        if r() < 0.5:
            body.insert(1 + int(r() * (len(body) - 1)), rs(_pick(_PERSONAL, r)))
        return " ".join(body)
    if r() < (0.55 if style == "prose" else 0.4):
        paras.append(rs(_pick(_GREET, r)))
    opening = []
    if mode == "error":
        opening.append(rs(_pick(_ERROR_LEAD, r)))
    elif mode == "context":
        opening.append(rs(_pick(_CONTEXT_LEAD, r)))
    if style == "prose":
        if mode == "plain" or r() < 0.5:
            opening.append(rs(_pick(t["lead"], r)))
        says = [rs(s) for s in _says(t, 2 + int(r() * 4), ctx, r)]
        if r() < 0.3:
            says.insert(int(r() * (len(says) + 1)), rs(_pick(_PERSONAL, r)))
        if r() < 0.5 and len(says) > 3:
            cut = 1 + int(r() * (len(says) - 1))
            paras.append(" ".join(opening + says[:cut]))
            paras.append(" ".join(says[cut:]))
        else:
            paras.append(" ".join(opening + says))
    else:
        if r() < 0.5:
            opening.append(rs(_pick(t["lead"], r)))
        opening.append(rs(_pick(_STEPS_INTRO, r)))
        paras.append(" ".join(opening))
        steps = _ordered_sample(t["steps"], 4 + int(r() * (len(t["steps"]) - 3)), r)
        lines = []
        for i, step in enumerate(steps, 1):
            text = rs(step)
            if i > 1 and r() < 0.3:
                link = _pick(_STEP_LINKS, r)
                if lines and lines[-1].split(" ", 1)[1].startswith(link):
                    link = "Then " if link != "Then " else "Next, "
                text = link + text[0].lower() + text[1:]
            lines.append(f"{i}. {text}")
        paras.append("\n".join(lines))
        if r() < 0.55 or len(opening) < 2:
            tips = _says(t, 1 + int(r() * 2), ctx, r)
            paras.append(rs(_pick(_STEPS_TIP, r)) + " " + " ".join(rs(s) for s in tips))
    if r() < 0.55:
        paras.append(rs(_pick(_CLOSE, r)).replace("\\n", "\n"))
    return "\n\n".join(paras)


def _pair(topic: str, r, style: str | None = None) -> tuple[str, str | None, str]:
    t = _TOPICS[topic]
    ctx = _Ctx(r)
    q, inp = _question(t, ctx, r)
    return q, inp, _answer(t, ctx, r, style)


def _turns(topic: str, r, max_turns: int) -> list[tuple[str, str]]:
    """One or more (user, assistant) exchanges on one topic."""
    t = _TOPICS[topic]
    ctx = _Ctx(r)
    q, inp = _question(t, ctx, r)
    if inp is not None:
        q = f"{q}\n\n{inp}"
    turns = [(q, _answer(t, ctx, r))]
    n_more = 0
    if max_turns > 1 and r() < 0.35:
        n_more = 1 + int(r() * (max_turns - 1))
    used = set()
    for _ in range(n_more):
        ctx["mode"] = "plain"
        follow = _pick(t["q"], r)
        if id(follow) in used:
            continue
        used.add(id(follow))
        uq = _tidy(_render(_pick(_FOLLOWUP, r), ctx, r) + " " + _render(follow, ctx, r))
        style = "short" if r() < 0.5 else "prose"
        ans = _answer(t, ctx, r, style)
        if r() < 0.4:
            ans = _tidy(_render(_pick(_FOLLOWUP_GREETLESS, r), ctx, r)) + " " + ans
        turns.append((uq, ans))
    return turns


def _shape_record(topic: str, r, shape: str) -> _Record:
    if shape in ("alpaca", "prompt", "qa"):
        q, inp, a = _pair(topic, r)
        if shape == "alpaca":
            rec = _Record(instruction=q)
            if inp is not None:
                rec["input"] = inp
            rec["output"] = a
        elif shape == "prompt":
            rec = _Record(prompt=q if inp is None else f"{q}\n\n{inp}", completion=a)
        else:
            rec = _Record(question=q if inp is None else f"{q}\n\n{inp}", answer=a)
    elif shape == "chat":
        messages = []
        if r() < 0.4:
            messages.append({"role": "system", "content": _tidy(_render(_pick(_SYSTEM, r), {}, r))})
        for user, assistant in _turns(topic, r, 3):
            messages.append({"role": "user", "content": user})
            messages.append({"role": "assistant", "content": assistant})
        rec = _Record(messages=messages)
    else:  # sharegpt
        conv = []
        for user, assistant in _turns(topic, r, 3):
            conv.append({"from": "human", "value": user})
            conv.append({"from": "gpt", "value": assistant})
        rec = _Record(conversations=conv)
    rec.topic = topic
    return rec


def iter_clean_records(n: int, seed: int = 0, shape: str = "alpaca") -> Iterator[dict]:
    """Yield n clean support records of the given shape, deterministically for seed."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; expected one of {', '.join(SHAPES)}")
    r = random.Random(seed).random
    for _ in range(n):
        yield _shape_record(_pick(_TOPIC_KEYS, r), r, shape)


def clean_records(n: int, seed: int = 0, shape: str = "alpaca") -> list[dict]:
    """n clean support records (dicts) of the given shape; see SHAPES."""
    return list(iter_clean_records(n, seed, shape))


# --------------------------------------------------------------------------
# Similarity: word 5-gram shingles and an exact similarity join
# --------------------------------------------------------------------------

def record_text(rec) -> str:
    """All of a record's text (instruction, input, response or every turn), joined."""
    if "messages" in rec or "conversations" in rec:
        turns = rec.get("messages") or rec.get("conversations") or []
        return "\n".join(
            str(m.get("content", m.get("value", ""))) for m in turns if isinstance(m, dict)
        )
    keys = ("instruction", "prompt", "question", "input", "output", "completion", "answer")
    return "\n".join(str(rec[k]) for k in keys if k in rec and rec[k] is not None)


def shingles(text: str, k: int = 5) -> frozenset:
    """Word k-gram shingles of text, lowercased with punctuation stripped."""
    words = _WORD.findall(text.lower())
    if len(words) < k:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + k]) for i in range(len(words) - k + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a and not b:
        return 1.0
    if len(a) > len(b):
        a, b = b, a
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def similar_pairs(sets: list, threshold: float) -> list[tuple[int, int, float]]:
    """Every pair (i, j, J) with i < j and Jaccard(sets[i], sets[j]) >= threshold.

    Exact: a prefix-filtering similarity join (two sets with Jaccard >= t must
    share a token among their rarest |s| - ceil(t*|s|) + 1 tokens), followed by
    an exact Jaccard computation for every candidate pair.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0.0, 1.0]")
    freq: dict = {}
    for s in sets:
        for tok in s:
            freq[tok] = freq.get(tok, 0) + 1
    # Rank tokens rarest first, so that each sorted id list starts with its prefix.
    rank = {tok: i for i, tok in enumerate(sorted(freq, key=lambda tok: (freq[tok], tok)))}
    ids = [sorted(rank[tok] for tok in s) for s in sets]
    id_sets = [frozenset(x) for x in ids]
    index: dict = {}
    out = []
    for j, ordered in enumerate(ids):
        size = len(ordered)
        if not size:
            continue
        prefix = size - int(-(-threshold * size // 1)) + 1
        cands = set()
        for tok in ordered[:prefix]:
            bucket = index.get(tok)
            if bucket is None:
                index[tok] = [j]
            else:
                cands.update(bucket)
                bucket.append(j)
        mine = id_sets[j]
        for i in sorted(cands):
            other = id_sets[i]
            n_other = len(other)
            if (size if size < n_other else n_other) < threshold * (n_other if size < n_other else size):
                continue  # length filter
            inter = len(other & mine) if n_other < size else len(mine & other)
            score = inter / (n_other + size - inter)
            if score >= threshold:
                out.append((i, j, score))
    return out


# --------------------------------------------------------------------------
# Classification tickets
# --------------------------------------------------------------------------

CLASSIFY_INSTRUCTION = (
    "Classify this support ticket into one of: billing, bug, feature-request, account, how-to."
)
LABELS = ("billing", "bug", "feature-request", "account", "how-to")
_LABEL_WEIGHTS = (0.27, 0.24, 0.14, 0.15, 0.20)

_TICKET_BODY = {
    "billing": _lines("""
        [We were|I was] charged {amount} [twice|two times] for [our|the] {plan} subscription [on {date}|this month].
        [Our|My] card was [charged|billed] {amount} [but|even though] we downgraded to {plan} [last month|on {date}].
        [Can you|Could you] send [a|an updated] receipt for [our|the] {month} subscription [with our VAT number on it|made out to {company}]?
        I [cancelled|canceled] [our|the] annual plan after {n} days. [Am I entitled to|Can I get] a refund?
        Why did [our|the] subscription price go up from {amount} to {amount2}[ on the last charge|]?
        [The|Our] renewal [failed|didn't go through] and now there's an [overdue|unpaid] balance of {amount} on [our|the] account.
        [Please|Can you] switch [us|our account] to annual billing and [tell me|let me know] what the [prorated|extra] charge will be?
        We [are being|were] billed for {seats} seats but only {n} people [use|log in to] Tallybook.
        Is there a [nonprofit|charity|startup] discount on the {plan} plan?
        [I need to|How can we] change the card [on file|used for our subscription] [before|ahead of] the renewal on {date}.
        [There's|I see] a charge of {amount} from Tallybook on {date} that I don't recognise.
    """),
    "bug": _lines("""
        [When I|If I] click Export on the {report} report, [nothing happens|the page just spins] in {browser}.
        [The|Your] mobile app crashes [every time|whenever] I open invoice {invoice} on my {phone}.
        Invoice {invoice} shows a total of {amount} but the line items add up to {amount2}.
        [Our|The] {bank} bank feed [imported|shows] [every|each] transaction [from {date} |]twice.
        [The|Our] PDF [of|for] invoice {invoice} [cuts off|is missing] the last line item [when I download it|in the download].
        [Reminder|Payment reminder] emails [went out|were sent] to {client} even though invoice {invoice} [is marked paid|was paid on {date}].
        Since the update to version {ver}, the app logs me out [every few minutes|after every screen].
        The date picker on [new invoices|the expense form] [jumps|resets] to [January 1|the wrong month] in {browser}.
        [I get|There's] a blank white page [when I open|on] Settings > Taxes [since this morning|after logging in].
        Tax on invoice {invoice} is calculated at {pct}% even though the client is [marked|set up as] tax exempt.
        The receipt scanner [reads|has been reading] every total ten times too high [since {date}|this week].
        [The|Our] {integration} sync [creates|created] [duplicate|double] invoices for [every|each] order [since {date}|today].
    """),
    "feature-request": _lines("""
        It would be [great|really useful] if recurring invoices could [skip|pause for] [a month|holiday periods] automatically.
        [Please|Could you] add a dark mode to the web app[? My eyes would thank you.|.]
        [We'd love|I'd love] to be able to split one invoice [into|across] several [payment instalments|due dates].
        [Any plans to|Will you ever] support [{integration}|an integration with {integration}] [for|to sync] [timesheets|stock levels]?
        Could [the|your] mobile app [get|have] a home screen widget showing [overdue invoices|today's payments]?
        [Please consider|I'd like to suggest] an option to [set|choose] a different reminder schedule for each client.
        It would help [a lot|us] if the {report} report could be [grouped|split] by [project|sales rep|location].
        [Can you|Please] add custom fields on [expenses|clients] [so we can track|for] [job numbers|purchase orders].
        We'd [really |]like an option to [approve|review] invoices [before they are sent|by a second person] [when|if] the total is above {amount}.
        Feature idea: [let clients|allow clients to] download all their past invoices from one page.
        [It would be nice|Would be nice] to [bulk edit|edit several] [invoices|expenses] at once[, for example to change the category|].
    """),
    "account": _lines("""
        [Please|Can you] [change|transfer] the account owner from {name} to {name2}[; {name} has left the company|].
        I [lost|got a new] phone and can't [get past|complete] two-factor [login|authentication] [any more|now].
        [I want to|Please] close [our|my] Tallybook account and delete [all|our] data.
        [I need to|Please] change the [login|sign-in] email [on my account|for my user] [to my new address at {company}|because we changed domains].
        Our account is locked after [too many|several] [password attempts|failed logins] and {name} [needs access|needs to invoice] today.
        [Can you|Please] merge our two Tallybook accounts[; we accidentally signed up twice|] for {company}.
        [We|I] never got the [verification|confirmation] email [after signing up|for my new account].
        [Please|Can you] [remove|deactivate] {name}'s [user|access] on our account; they [left|no longer work here].
        Please rename our account to {company}[; we changed our trading name|].
        [I'm|We're] not getting [password reset|login] emails at all[, and I'm locked out|].
    """),
    "how-to": _lines("""
        How do I [add|set up] a {pct}% tax rate for invoices?
        [What's|What is] the [best|easiest] way to [import|bring in] [our|my] client list from a spreadsheet?
        How [can I|do I] [send|schedule] recurring invoices to {client} every month?
        [Where do I|How do I] [find|change] the footer text on [my|our] invoices?
        How do I [record|log] a partial payment of {amount} against invoice {invoice}?
        [Can you explain how to|How do I] reconcile [our|my] {bank} account?
        How do I [invite|add] [my|our] accountant [as a user|to our account]?
        [What are the steps to|How do I] [connect|link] {integration} [to|with] Tallybook?
        How do I [export|download] [all|our] {year} invoices [as|to] {fmt}?
        How [can|do] I [mark|set] {client} as tax exempt?
        Is there a way to [attach|add] receipts to expenses from [my|the] phone?
        How do I [add|upload] our logo [to|on] invoices?
    """),
}
_TICKET_EXTRA = {
    "billing": _lines("""
        Our account is [under|registered to] {company}.
        [Reference|Receipt] number {ticket}.
        We're on the {plan} plan[ with {users} users|].
        [The charge|It] shows on our [card|bank] statement as TALLYBOOK {key4}.
        [Please sort this out|Please look into this] before our books close on {date2}.
        We pay in {cur} from {country}.
    """),
    "bug": _lines("""
        [I'm on|Using] {browser} on {os}.
        [Ticket|Case] {ticket} [was about the same thing|looked similar] [and was closed|but it's back].
        It's [blocking|holding up] {count} invoices [this month|for us].
        [It started|This started] on {date}[, around {hour}|].
        I've already [cleared my cache|logged out and back in] and [it still happens|nothing changed].
        [It happens|This happens] for {users} of our users[, not just me|].
    """),
    "feature-request": _lines("""
        [This would save us|It would save me] [hours|a lot of time] [every month|each week].
        We're a {biz} on the {plan} plan.
        [Lots of|Several] [people|businesses] in our [trade|industry] would use this.
        Right now we [keep a spreadsheet on the side|do this by hand] for {count} invoices a year.
        [Happy|Glad] to test it [early|in a beta] if that helps.
    """),
    "account": _lines("""
        [This is|It's] [urgent|quite urgent]; [we need to|I need to] invoice [this week|today].
        [I'm|We're] the [owners|owner] of {company}.
        [Happy|Glad] to verify [my identity|ownership] [however you need|in any way].
        [The account|Our account] was opened [around|in] {month} {year} under {name}'s email.
        We have {users} users on the {plan} plan.
    """),
    "how-to": _lines("""
        [I couldn't find it|I couldn't find anything about it] in the help [centre|center].
        We're [new to|just getting started with] Tallybook.
        We're a {biz} in {country}.
        [Our|My] [accountant|bookkeeper], {name2}, [asked|wants to know] [too|as well].
        We [moved|switched] to Tallybook in {month} and [are|we're] still [learning|finding our way around].
    """),
}
_TICKET_OPEN = _lines("""
    Hi.
    Hello!
    Hi there.
    Good morning.
    Hello, Tallybook team.
""")
_TICKET_CLOSE = _lines("""
    Thanks!
    Thanks, {name}
    Regards, {name}
    Cheers.
    Thank you.
    Best, {name} at {company}
""")


def _ticket(label: str, r) -> str:
    ctx = _Ctx(r)
    parts = []
    if r() < 0.45:
        parts.append(_render(_pick(_TICKET_OPEN, r), ctx, r))
    parts.append(_render(_pick(_TICKET_BODY[label], r), ctx, r))
    for extra in _sample(_TICKET_EXTRA[label], 1 + int(r() * 2), r):
        if r() < 0.8:
            parts.append(_render(extra, ctx, r))
    if r() < 0.5:
        parts.append(_render(_pick(_TICKET_CLOSE, r), ctx, r))
    return _tidy(" ".join(parts))


def classification_records(n: int, seed: int = 0) -> list[dict]:
    """n labelled support tickets: {instruction, input, output, label}, all distinct."""
    rng = random.Random(seed)
    r = rng.random
    cum = list(accumulate(_LABEL_WEIGHTS))
    total = cum[-1]
    seen = set()
    index: dict = {}  # shingle -> ids of accepted tickets, to keep tickets apart
    sizes: list = []
    out = []
    tries = 0
    while len(out) < n:
        x = r() * total
        label = next(lab for lab, c in zip(LABELS, cum, strict=True) if x < c)
        text = _ticket(label, r)
        key = " ".join(_WORD.findall(text.lower()))
        if key in seen:
            continue
        sh = shingles(text)
        overlap: dict = {}
        for tok in sh:
            for i in index.get(tok, ()):
                overlap[i] = overlap.get(i, 0) + 1
        tries += 1
        if tries < 50 * (n + 1) and any(
            c / (sizes[i] + len(sh) - c) >= 0.4 for i, c in overlap.items()
        ):
            continue
        for tok in sh:
            index.setdefault(tok, []).append(len(sizes))
        sizes.append(len(sh))
        seen.add(key)
        rec = _Record(instruction=CLASSIFY_INSTRUCTION, input=text, output=label, label=label)
        rec.topic = "ticket:" + label
        out.append(rec)
    return out


# --------------------------------------------------------------------------
# Defect material
# --------------------------------------------------------------------------

_TOPIC_TITLES = {
    "export": "Exporting your data", "import": "Importing data", "bank_feeds": "Bank feeds",
    "reconciliation": "Reconciliation", "invoice_design": "Invoice templates and numbering",
    "recurring": "Recurring invoices", "reminders": "Payment reminders",
    "online_payments": "Online payments", "users_roles": "Users and roles",
    "sso": "Single sign-on", "login_2fa": "Signing in and two-factor authentication",
    "api": "The API", "integrations": "Integrations", "plan_billing": "Plans",
    "subscription_charges": "Your Tallybook subscription", "mobile": "The mobile app",
    "tax": "Taxes", "multi_currency": "Foreign currencies", "reports": "Reports",
    "expenses": "Expenses and receipts", "email_delivery": "Invoice emails",
    "account_closure": "Closing an account and your data",
}

# Replies in another language, each on the same topic as the English question it
# gets attached to (so the only thing wrong with the pair is the language).
_FOREIGN = {
    "export": [
        ("es", "Hola, para exportar sus facturas vaya a Configuración > Datos > Exportar, elija el rango de fechas y el formato (CSV, Excel o PDF) y pulse Exportar. Le enviaremos por correo un enlace de descarga en pocos minutos; el enlace es válido durante siete días."),
        ("fr", "Bonjour, pour exporter vos factures, ouvrez Paramètres > Données > Exporter, choisissez la période et le format (CSV, Excel ou PDF), puis cliquez sur Exporter. Vous recevrez un lien de téléchargement par e-mail dans quelques minutes ; il reste valable sept jours."),
        ("de", "Hallo, um Ihre Rechnungen zu exportieren, öffnen Sie Einstellungen > Daten > Export, wählen Sie den Zeitraum und das Format (CSV, Excel oder PDF) und klicken Sie auf Exportieren. Den Download-Link schicken wir Ihnen in wenigen Minuten per E-Mail; er ist sieben Tage lang gültig."),
    ],
    "bank_feeds": [
        ("es", "Gracias por escribirnos. Cuando la conexión bancaria deja de sincronizar, lo más habitual es que la autorización del banco haya caducado. Entre en Banca > Conexiones, pulse Reconectar junto a su cuenta y vuelva a iniciar sesión en su banco. Los movimientos pendientes se importarán automáticamente."),
        ("fr", "Merci pour votre message. Si votre flux bancaire ne se synchronise plus, c'est généralement parce que l'autorisation accordée par la banque a expiré. Allez dans Banque > Connexions, cliquez sur Reconnecter et identifiez-vous à nouveau auprès de votre banque ; les opérations manquantes seront importées automatiquement."),
        ("de", "Vielen Dank für Ihre Nachricht. Wenn die Bankverbindung nicht mehr synchronisiert, ist meistens die Freigabe Ihrer Bank abgelaufen. Öffnen Sie Banking > Verbindungen, klicken Sie auf Neu verbinden und melden Sie sich erneut bei Ihrer Bank an. Fehlende Umsätze werden danach automatisch nachgeladen."),
    ],
    "users_roles": [
        ("es", "Hola. Para invitar a su contable, abra Configuración > Equipo, haga clic en Invitar usuario, escriba su dirección de correo y elija el rol Contable. La invitación caduca a los siete días, pero puede reenviarla desde la misma pantalla si hace falta."),
        ("fr", "Bonjour, pour inviter votre expert-comptable, ouvrez Paramètres > Équipe, cliquez sur Inviter un utilisateur, saisissez son adresse e-mail et choisissez le rôle Comptable. L'invitation expire au bout de sept jours, mais vous pouvez la renvoyer depuis le même écran."),
        ("de", "Hallo, um Ihre Steuerberaterin einzuladen, öffnen Sie Einstellungen > Team, klicken Sie auf Benutzer einladen, geben Sie ihre E-Mail-Adresse ein und wählen Sie die Rolle Buchhaltung. Die Einladung ist sieben Tage gültig und kann auf derselben Seite erneut gesendet werden."),
    ],
    "plan_billing": [
        ("es", "Puede cambiar de plan en cualquier momento desde Configuración > Suscripción. Si mejora su plan a mitad de mes, solo le cobraremos la parte proporcional de los días restantes, y si lo reduce conservará todos sus datos."),
        ("fr", "Vous pouvez changer de formule à tout moment depuis Paramètres > Abonnement. En cas de passage à une formule supérieure en cours de mois, nous ne facturons que la différence au prorata des jours restants, et vos données sont entièrement conservées si vous passez à une formule inférieure."),
        ("de", "Sie können Ihren Tarif jederzeit unter Einstellungen > Abonnement ändern. Bei einem Upgrade mitten im Monat berechnen wir nur den anteiligen Betrag für die verbleibenden Tage, und bei einem Downgrade bleiben alle Ihre Daten erhalten."),
    ],
    "login_2fa": [
        ("es", "Si ha perdido el teléfono con la aplicación de autenticación, puede entrar con uno de los códigos de respaldo que descargó al activar la verificación en dos pasos. Si no los tiene, nuestro equipo de soporte puede desactivarla después de comprobar su identidad."),
        ("fr", "Si vous avez perdu le téléphone sur lequel se trouve votre application d'authentification, connectez-vous avec l'un des codes de secours fournis lors de l'activation de la double authentification. Sans ces codes, notre équipe d'assistance peut la désactiver après avoir vérifié votre identité."),
        ("de", "Wenn Sie das Telefon mit Ihrer Authenticator-App verloren haben, melden Sie sich mit einem der Backup-Codes an, die Sie bei der Einrichtung der Zwei-Faktor-Authentifizierung erhalten haben. Ohne diese Codes kann unser Support-Team die Zwei-Faktor-Authentifizierung nach einer Identitätsprüfung zurücksetzen."),
    ],
    "recurring": [
        ("es", "Para crear una factura recurrente, vaya a Facturas > Recurrentes y pulse Nueva programación. Elija el cliente, añada las líneas, indique la frecuencia y la fecha de inicio, y decida si las facturas se envían automáticamente o se guardan como borrador."),
        ("fr", "Pour créer une facture récurrente, allez dans Factures > Récurrentes et cliquez sur Nouvelle planification. Choisissez le client, ajoutez les lignes, indiquez la fréquence et la date de début, puis décidez si les factures partent automatiquement ou sont enregistrées comme brouillons."),
        ("de", "Um eine wiederkehrende Rechnung anzulegen, gehen Sie zu Rechnungen > Wiederkehrend und klicken Sie auf Neuer Zeitplan. Wählen Sie den Kunden, fügen Sie die Positionen hinzu, legen Sie Intervall und Startdatum fest und entscheiden Sie, ob die Rechnungen automatisch versendet oder als Entwurf gespeichert werden."),
    ],
}

_REFUSALS = _lines("""
    As an AI language model, I [cannot|am unable to] [access|log in to] your Tallybook account[, so I can't check this for you|]. [Please contact the support team.|I recommend reaching out to Tallybook support directly.]
    I'm sorry, but I cannot help with that.
    I'm sorry, but I can't assist with that request.
    As an AI language model, I don't have access to real-time information about your [bank feed|subscription|invoices|account].
    I don't have personal opinions, but [many users|some businesses] find [Tallybook|the app] [useful|helpful] for [this kind of thing|small businesses].
    I apologize, but as an AI I am not able to [provide|give] [financial|accounting] advice. Please consult a qualified professional.
    Unfortunately, I cannot [fulfil|complete] this request as it [goes against|falls outside] my [guidelines|capabilities].
    As a large language model, I do not have the ability to [view|change] your account settings.
    I'm just an AI and cannot make changes to your account. Is there anything else I can help you with?
    Sorry, I can't help with that. As an AI language model, my knowledge is limited and I cannot [browse|see] your account.
    I'm sorry, but as an AI developed to be helpful and harmless, I [can't|cannot] [answer|respond to] this question.
""")
_LONG_REQUEST = _lines("""
    Write a complete [onboarding|getting-started] guide to Tallybook for [our new bookkeeper|a new team member|our office manager], covering every feature from setup to year-end.
    [Can you|Please] [give me|write] an overview of everything Tallybook can do, [section by section|feature by feature][, for our staff handbook|].
""")
_DETAIL_REQUEST = _lines("""
    Can you explain step by step, in detail, how to {act}? Please [include every screen I need to visit|don't skip any steps].
    [Please|I need you to] walk me through, in as much detail as possible, how to {act}. [List every step.|Number the steps.]
""")
_ONE_WORD = ("Settings.", "Yes.", "Sure.", "Easy.", "Done.", "Click.")
_SYNONYMS = {
    "click": "press", "choose": "select", "select": "choose", "pick": "select",
    "check": "verify", "usually": "normally", "normally": "usually", "every": "each",
    "each": "every", "client": "customer", "clients": "customers", "quick": "fast",
    "open": "launch", "shows": "displays", "appears": "shows", "later": "afterwards",
    "invoice": "bill", "invoices": "bills", "need": "want", "add": "enter",
    "straight": "right", "automatically": "instantly", "message": "email",
}
_LEAK_VARIANTS = ("endoftext", "response-header", "inst", "im_start", "eos")
_RELABEL = {
    "billing": ("account", "how-to"), "bug": ("how-to", "feature-request"),
    "feature-request": ("bug", "how-to"), "account": ("billing", "how-to"),
    "how-to": ("bug", "account"),
}
_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+")

_PAIR_KINDS = tuple(k for k in DEFECT_KINDS if k != "label-inconsistency")


# --------------------------------------------------------------------------
# Record access, independent of shape
# --------------------------------------------------------------------------


def _shape_of(rec: dict) -> str:
    if "messages" in rec:
        return "chat"
    if "conversations" in rec:
        return "sharegpt"
    if "prompt" in rec:
        return "prompt"
    if "question" in rec:
        return "qa"
    return "alpaca"


_PAIR_KEYS = {"alpaca": ("instruction", "output"), "prompt": ("prompt", "completion"), "qa": ("question", "answer")}


def _turn_list(rec):
    shape = _shape_of(rec)
    if shape == "chat":
        return rec["messages"], "role", "content", "user", "assistant"
    return rec["conversations"], "from", "value", "human", "gpt"


def _resp_key(rec) -> str:
    return _PAIR_KEYS[_shape_of(rec)][1]


def _get_instr(rec) -> str:
    shape = _shape_of(rec)
    if shape in ("chat", "sharegpt"):
        turns, rk, ck, user, _ = _turn_list(rec)
        return next(m[ck] for m in turns if m[rk] == user)
    return rec[_PAIR_KEYS[shape][0]]


def _set_instr(rec, value) -> None:
    shape = _shape_of(rec)
    if shape in ("chat", "sharegpt"):
        turns, rk, ck, user, _ = _turn_list(rec)
        next(m for m in turns if m[rk] == user)[ck] = value
    else:
        rec[_PAIR_KEYS[shape][0]] = value


def _get_resp(rec):
    shape = _shape_of(rec)
    if shape in ("chat", "sharegpt"):
        turns, rk, ck, _, bot = _turn_list(rec)
        return [m for m in turns if m[rk] == bot][-1][ck]
    return rec.get(_resp_key(rec))


def _set_resp(rec, value) -> None:
    shape = _shape_of(rec)
    if shape in ("chat", "sharegpt"):
        turns, rk, ck, _, bot = _turn_list(rec)
        [m for m in turns if m[rk] == bot][-1][ck] = value
    else:
        rec[_resp_key(rec)] = value


def _single_turn(rec) -> bool:
    if _shape_of(rec) not in ("chat", "sharegpt"):
        return True
    turns, rk, _, user, bot = _turn_list(rec)
    return sum(m[rk] == user for m in turns) == 1 and sum(m[rk] == bot for m in turns) == 1


def _guess_topic(rec) -> str | None:
    text = record_text(rec).lower()
    words = set(_WORD.findall(text))
    best, best_score = None, 0
    for key, t in _TOPICS.items():
        score = sum(1 for kw in t["kw"] if kw in words)
        if score > best_score:
            best, best_score = key, score
    return best


def _family(topic) -> str | None:
    t = _TOPICS.get(topic)
    return t["family"] if t else topic


def _dump(rec) -> bytes:
    return json.dumps(rec, ensure_ascii=False).encode("utf-8")


def _words(text) -> int:
    return len(text.split()) if isinstance(text, str) else 0


# --------------------------------------------------------------------------
# Defect planting
# --------------------------------------------------------------------------


@dataclass(eq=False)
class _Entry:
    rec: dict
    topic: str
    raw: bytes | None = None
    kind: str | None = None
    variant: str | None = None
    partner: _Entry | None = None
    locked: bool = False  # a partner of a planted defect, or part of a block
    deleted: bool = False
    after: list = field(default_factory=list)  # entries inserted right after this one


class _Planter:
    """State of one plant_defects() call."""

    def __init__(self, records, seed):
        self.rng = random.Random(seed)
        self.r = self.rng.random
        self.entries = [_Entry(json.loads(json.dumps(rec)), rec.topic) for rec in records]
        lengths = sorted(_words(_get_resp(e.rec)) for e in self.entries)
        self.median_words = max(lengths[len(lengths) // 2], 10)
        self.offsets: dict = {}
        self.foreign_used: set = set()
        self.block_done = False

    # -- helpers -----------------------------------------------------------

    def variant(self, kind, variants, i):
        if kind not in self.offsets:
            self.offsets[kind] = int(self.r() * len(variants))
        return variants[(self.offsets[kind] + i) % len(variants)]

    def free(self, pred=None) -> int:
        """Index of a random untouched entry satisfying pred."""

        def ok(e):
            return (
                e.kind is None and not e.locked and not e.deleted and _single_turn(e.rec)
                and (pred is None or pred(e))
            )

        n = len(self.entries)
        for _ in range(300):
            i = int(self.r() * n)
            if ok(self.entries[i]):
                return i
        cands = [i for i, e in enumerate(self.entries) if ok(e)]
        if not cands:
            raise ValueError("not enough clean records left to plant the requested defects")
        return self.rng.choice(cands)

    def mark(self, e, kind, variant, partner=None):
        e.kind, e.variant, e.partner = kind, variant, partner
        if partner is not None:
            partner.locked = True

    def insert_after(self, orig_index, new):
        """Place new at a random position after entries[orig_index]."""
        n = len(self.entries)
        for _ in range(300):
            j = orig_index + int(self.r() * (n - orig_index))
            anchor = self.entries[j]
            if not anchor.locked or j == orig_index:
                if not (anchor.kind == "off-task" and anchor.variant == "shifted-block"):
                    anchor.after.append(new)
                    return
        self.entries[orig_index].after.append(new)

    def copy_of(self, e) -> _Entry:
        return _Entry(json.loads(json.dumps(e.rec)), e.topic)

    def other_topic(self, topic) -> str:
        fam = _family(topic)
        choices = [k for k in _TOPIC_KEYS if _TOPICS[k]["family"] != fam]
        return _pick(choices, self.r)

    # -- planters ------------------------------------------------------------

    def invalid_json(self, i):
        v = self.variant("invalid-json", ("truncated", "trailing-comma", "single-quotes"), i)
        e = self.entries[self.free()]
        if v == "truncated":
            data = _dump(e.rec)
            cut = int(len(data) * (0.35 + 0.5 * self.r()))
            while data[cut] & 0xC0 == 0x80:
                cut -= 1
            e.raw = data[:cut]
        elif v == "trailing-comma":
            e.raw = _dump(e.rec)[:-1] + b",}"
        else:
            e.raw = repr(e.rec).encode("utf-8")
        self.mark(e, "invalid-json", v)

    def schema(self, i, shape):
        if shape in ("chat", "sharegpt"):
            variants = ("no-assistant", "unknown-role", "string-line", "number-response")
        else:
            variants = ("missing-response", "array-line", "string-line", "number-response")
        v = self.variant("schema", variants, i)
        e = self.entries[self.free()]
        rec = e.rec
        if v == "missing-response":
            del rec[_resp_key(rec)]
        elif v == "array-line":
            e.raw = json.dumps([_get_instr(rec), _get_resp(rec)], ensure_ascii=False).encode("utf-8")
        elif v == "string-line":
            e.raw = json.dumps(_get_instr(rec), ensure_ascii=False).encode("utf-8")
        elif v == "number-response":
            _set_resp(rec, _pick((0, 1, 42, 3.5, 120, 2024), self.r))
        elif v == "no-assistant":
            turns, rk, _, _, bot = _turn_list(rec)
            turns[:] = [m for m in turns if m[rk] != bot]
        else:  # unknown-role
            turns, rk, _, _, bot = _turn_list(rec)
            [m for m in turns if m[rk] == bot][-1][rk] = "robot"
        self.mark(e, "schema", v)

    def encoding(self, i):
        v = self.variant("encoding", ("invalid-utf8", "control-char", "mojibake"), i)
        has_apostrophe = lambda e: "'" in str(_get_resp(e.rec))  # noqa: E731
        e = self.entries[self.free(has_apostrophe if v != "control-char" else None)]
        resp = _get_resp(e.rec)
        if v == "invalid-utf8":
            # A curly apostrophe saved as Windows-1252 (byte 0x92) inside UTF-8 text.
            _set_resp(e.rec, resp.replace("'", "\u2019", 1))
            e.raw = _dump(e.rec).replace("\u2019".encode("utf-8"), b"\x92")
        elif v == "control-char":
            spaces = [m.start() for m in re.finditer(" ", resp)]
            pos = spaces[len(spaces) // 2] if spaces else len(resp)
            _set_resp(e.rec, resp[:pos] + _pick(("\u0007", "\u0001", "\u001b"), self.r) + resp[pos:])
        else:
            # UTF-8 curly apostrophes decoded as Windows-1252: "don’t" -> "donâ€™t".
            _set_resp(e.rec, resp.replace("'", "\u2019".encode("utf-8").decode("cp1252")))
        self.mark(e, "encoding", v)

    def empty_response(self, i):
        v = self.variant("empty-response", PLACEHOLDERS, i)
        e = self.entries[self.free()]
        _set_resp(e.rec, v)
        self.mark(e, "empty-response", repr(v))

    def empty_instruction(self, i):
        v = self.variant("empty-instruction", ("", "  "), i)
        e = self.entries[self.free(lambda e: "input" not in e.rec)]
        _set_instr(e.rec, v)
        self.mark(e, "empty-instruction", repr(v))

    def exact_duplicate(self, i):
        v = self.variant("exact-duplicate", ("verbatim", "case", "whitespace"), i)
        k = self.free()
        orig = self.entries[k]
        dup = self.copy_of(orig)
        if v == "case":
            _set_instr(dup.rec, _get_instr(dup.rec).lower())
        elif v == "whitespace":
            _set_instr(dup.rec, "  " + _get_instr(dup.rec) + " ")
            resp = _get_resp(dup.rec)
            if isinstance(resp, str):
                _set_resp(dup.rec, resp.replace(". ", ".  ", 2) + "\n")
        self.mark(dup, "exact-duplicate", v, orig)
        self.insert_after(k, dup)

    def near_duplicate(self, i):
        v = self.variant("near-duplicate", ("words-changed", "sentence-trimmed"), i)
        long_enough = lambda e: len(record_text(e.rec).split()) >= 110  # noqa: E731
        for _ in range(200):
            k = self.free(long_enough)
            orig = self.entries[k]
            dup = self.copy_of(orig)
            resp = _get_resp(dup.rec)
            if v == "words-changed":
                new = self._change_words(resp, 1 + int(self.r() * 3))
            else:
                new = self._trim_sentence(resp)
            if new is None:
                continue
            _set_resp(dup.rec, new)
            score = jaccard(shingles(record_text(orig.rec)), shingles(record_text(dup.rec)))
            if 0.85 <= score < 1.0:
                self.mark(dup, "near-duplicate", v, orig)
                self.insert_after(k, dup)
                return
        raise ValueError("could not build a near-duplicate; records are too short")

    def _change_words(self, text, n):
        spots = [m for m in re.finditer(r"\b[a-z]+\b", text) if m.group() in _SYNONYMS]
        if len(spots) < n:
            return None
        chosen = sorted(self.rng.sample(spots, n), key=lambda m: m.start(), reverse=True)
        for m in chosen:
            text = text[: m.start()] + _SYNONYMS[m.group()] + text[m.end() :]
        return text

    def _trim_sentence(self, text):
        ends = [m.end() for m in re.finditer(r"[.!?:](?=\s)", text)]
        if len(ends) < 4:
            return None
        return text[: ends[-1]].rstrip()

    def length_outlier(self, i):
        v = self.variant("length-outlier", ("very-long", "one-word"), i)
        k = self.free()
        e = self.entries[k]
        rec = e.rec
        rec.pop("input", None)
        ctx = _Ctx(self.r)
        if v == "very-long":
            _set_instr(rec, _tidy(_render(_pick(_LONG_REQUEST, self.r), ctx, self.r)))
            target = self.median_words * (18 + 12 * self.r())
            sections, words = [], 0
            order = _sample(_TOPIC_KEYS, len(_TOPIC_KEYS), self.r)
            while words < target:
                for key in order:
                    t = _TOPICS[key]
                    c = _Ctx(self.r)
                    body = [_tidy(_render(_pick(t["lead"], self.r), c, self.r))]
                    body += [_tidy(_render(s, c, self.r)) for s in _sample(t["say"], 4, self.r)]
                    section = _TOPIC_TITLES[key] + "\n\n" + " ".join(body)
                    sections.append(section)
                    words += len(section.split())
                    if words >= target:
                        break
            _set_resp(rec, "\n\n".join(sections))
        else:
            ctx["act"] = _render(_pick(_TOPICS[e.topic]["act"], self.r), ctx, self.r)
            _set_instr(rec, _tidy(_render(_pick(_DETAIL_REQUEST, self.r), ctx, self.r)))
            _set_resp(rec, _pick(_ONE_WORD, self.r))
        self.mark(e, "length-outlier", v)

    def off_task(self, i, count):
        if count >= 2 and not self.block_done and self._shifted_block():
            self.block_done = True
            return
        e = self.entries[self.free()]
        donor = self.other_topic(e.topic)
        ctx = _Ctx(self.r)
        ctx["mode"] = "plain"
        _set_resp(e.rec, _answer(_TOPICS[donor], ctx, self.r, "prose"))
        self.mark(e, "off-task", "swapped:" + donor)

    def _shifted_block(self) -> bool:
        """Five consecutive records whose responses each belong to the next record."""
        ents = self.entries
        starts = list(range(len(ents) - 6))
        self.rng.shuffle(starts)
        for s in starts:
            block = ents[s : s + 6]
            if any(
                b.kind or b.locked or b.deleted or b.after
                or not _single_turn(b.rec) for b in block
            ):
                continue
            if s > 0 and ents[s - 1].after:
                continue
            if any(_family(block[k].topic) == _family(block[k + 1].topic) for k in range(5)):
                continue
            responses = [_get_resp(b.rec) for b in block]
            for k in range(5):
                _set_resp(block[k].rec, responses[k + 1])
                self.mark(block[k], "off-task", "shifted-block", block[k + 1] if k < 4 else None)
            for b in block:
                b.locked = True
            block[5].deleted = True  # its response moved up; the record itself is lost
            return True
        return False

    def echo_or_degenerate(self, i):
        v = self.variant("echo-or-degenerate", ("verbatim", "near-verbatim", "loop", "continuation"), i)
        if v in ("loop", "continuation"):
            # prose replies (no numbered steps) with a few full sentences in the middle
            def pred(e):
                resp = _get_resp(e.rec)
                inner = _SENT_SPLIT.split(resp)[1:-1]
                return "\n1. " not in resp and sum(len(s.split()) >= 8 for s in inner) >= 2
        else:
            pred = lambda e: "input" not in e.rec  # noqa: E731
        e = self.entries[self.free(pred)]
        instr, resp = _get_instr(e.rec), _get_resp(e.rec)
        if v == "verbatim":
            new = instr
        elif v == "near-verbatim":
            new = instr.rstrip("?!. ") + "."
            new = new[0].lower() + new[1:] if self.r() < 0.5 else new
        elif v == "loop":
            sentences = [s.strip() for s in _SENT_SPLIT.split(resp)[1:-1] if len(s.split()) >= 8]
            s = _pick(sentences, self.r).split("\n")[-1]
            new = " ".join([s] * (8 + int(self.r() * 5)))
        else:
            sentences = _SENT_SPLIT.split(resp)
            short = " ".join(sentences[:2]).strip()
            other = self.other_topic(e.topic)
            q, inp, a = _pair(other, self.r, "short")
            first = max(_SENT_SPLIT.split(a)[:3], key=len)
            new = f"{short}\n\nInput: {q}\nOutput: {first}"
        _set_resp(e.rec, new)
        self.mark(e, "echo-or-degenerate", v)

    def refusal_boilerplate(self, i):
        e = self.entries[self.free()]
        n = (self.offsets.setdefault("refusal", int(self.r() * len(_REFUSALS))) + i) % len(_REFUSALS)
        _set_resp(e.rec, _tidy(_render(_REFUSALS[n], {}, self.r)))
        self.mark(e, "refusal-boilerplate", f"template-{n + 1}")

    def language_mismatch(self, i):
        def pred(e):
            return any((e.topic, n) not in self.foreign_used for n in range(len(_FOREIGN.get(e.topic, ()))))

        e = self.entries[self.free(pred)]
        options = [n for n in range(len(_FOREIGN[e.topic])) if (e.topic, n) not in self.foreign_used]
        n = _pick(options, self.r)
        self.foreign_used.add((e.topic, n))
        lang, text = _FOREIGN[e.topic][n]
        _set_resp(e.rec, text)
        self.mark(e, "language-mismatch", lang)

    def template_leakage(self, i):
        v = self.variant("template-leakage", _LEAK_VARIANTS, i)
        e = self.entries[self.free()]
        resp = _get_resp(e.rec)
        if v == "endoftext":
            new = resp + "<|endoftext|>"
        elif v == "response-header":
            new = "### Response:\n" + resp
        elif v == "inst":
            q, _, _ = _pair(e.topic, self.r)
            new = resp + " [INST] " + q + " [/INST]"
        elif v == "im_start":
            new = "<|im_start|>assistant\n" + resp + "<|im_end|>"
        else:
            new = resp + "</s>"
        _set_resp(e.rec, new)
        self.mark(e, "template-leakage", v)

    def label_inconsistency(self, i):
        k = self.free(lambda e: e.rec.get("label") in _RELABEL)
        orig = self.entries[k]
        dup = self.copy_of(orig)
        new = _pick(_RELABEL[orig.rec["label"]], self.r)
        dup.rec["output"] = new
        dup.rec["label"] = new
        self.mark(dup, "label-inconsistency", f"{orig.rec['label']}->{new}", orig)
        self.insert_after(k, dup)


def plant_defects(
    records: list[dict], rate: float, seed: int, kinds: list[str] | None = None
) -> tuple[list[bytes], list[dict]]:
    """Plant known defects into a copy of records.

    Returns the physical lines of the resulting JSONL file (bytes, no newline)
    and a manifest: one dict per defective line, sorted by line, with
    ``line`` (1-based), ``code`` (SFTxxx), ``kind``, ``variant`` (how it was
    planted) and ``partner`` (line of the related record, or None). About
    ``rate * len(records)`` defects are planted, spread evenly over ``kinds``
    (default: label-inconsistency for labelled tickets, every other kind for the other shapes;
    at least one each).
    """
    if not records:
        raise ValueError("records must not be empty")
    if not 0.0 <= rate <= 1.0:
        raise ValueError("rate must be in [0.0, 1.0]")
    labelled = "label" in records[0]
    applicable = ("label-inconsistency",) if labelled else _PAIR_KINDS
    if kinds is None:
        kinds = list(applicable)
    for kind in kinds:
        if kind not in DEFECT_KINDS:
            raise ValueError(f"unknown defect kind {kind!r}; expected one of {', '.join(DEFECT_KINDS)}")
        if kind not in applicable:
            raise ValueError(f"defect kind {kind!r} does not apply to these records")
    p = _Planter(records, seed)
    shape = _shape_of(records[0])
    total = max(len(kinds), round(rate * len(records)))
    counts = {kind: total // len(kinds) for kind in kinds}
    for kind in p.rng.sample(kinds, total % len(kinds)):
        counts[kind] += 1
    jobs = [(kind, i) for kind in kinds for i in range(counts[kind])]
    p.rng.shuffle(jobs)
    for kind, i in jobs:
        if kind == "schema":
            p.schema(i, shape)
        elif kind == "off-task":
            p.off_task(i, counts[kind])
        else:
            getattr(p, kind.replace("-", "_"))(i)

    ordered: list = []

    def place(entry):
        if not entry.deleted:
            ordered.append(entry)
        for extra in entry.after:
            place(extra)

    for entry in p.entries:
        place(entry)
    line_of = {id(entry): n for n, entry in enumerate(ordered, 1)}
    lines = [entry.raw if entry.raw is not None else _dump(entry.rec) for entry in ordered]
    manifest = [
        {
            "line": n,
            "code": DEFECT_KINDS[entry.kind],
            "kind": entry.kind,
            "variant": entry.variant,
            "partner": line_of.get(id(entry.partner)) if entry.partner is not None else None,
        }
        for n, entry in enumerate(ordered, 1)
        if entry.kind is not None
    ]
    return lines, manifest


# --------------------------------------------------------------------------
# The committed sample files
# --------------------------------------------------------------------------

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"


def _jsonl(lines: Iterable[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def _manifest_bytes(manifest: list[dict]) -> bytes:
    rows = ",\n".join("  " + json.dumps(m, ensure_ascii=False) for m in manifest)
    return ("[\n" + rows + "\n]\n").encode("utf-8")


def build_sample_files() -> dict[str, bytes]:
    """The exact bytes of every committed sample file, keyed by file name."""
    files: dict[str, bytes] = {}
    files["support_go.jsonl"] = _jsonl(_dump(r) for r in clean_records(450, seed=101))
    lines, manifest = plant_defects(clean_records(355, seed=202), rate=0.09, seed=202)
    files["support_nogo.jsonl"] = _jsonl(lines)
    files["support_nogo.defects.json"] = _manifest_bytes(manifest)
    files["chat.jsonl"] = _jsonl(_dump(r) for r in clean_records(60, seed=303, shape="chat"))
    lines, manifest = plant_defects(
        classification_records(394, seed=404), rate=0.016, seed=404, kinds=["label-inconsistency"]
    )
    files["tickets.jsonl"] = _jsonl(lines)
    files["tickets.defects.json"] = _manifest_bytes(manifest)
    return files


def main() -> None:
    argparse.ArgumentParser(description="Regenerate sftlint's sample data (sample_data/), byte for byte.").parse_args()
    for name, data in build_sample_files().items():
        path = SAMPLE_DATA / name
        path.write_bytes(data)
        print(f"wrote {path} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
