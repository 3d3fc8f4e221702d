"""The support development set, built at run time from the public data in ../shared/data/support.

Nothing of the data is copied into the package: this builds, in a folder of the caller's choosing
(a temporary one in the benchmarks),

(a) ``kb/``: a knowledge base of two documents, ``store_faq.json`` (about 75% of the 79 entries of
    ``ecommerce_faq.json``, chosen with a seed) and the ABCD policy manual ``abcd_guidelines.json``
    as the file itself (the importer converts it; left out if this checkout's importer rejects it);
(b) ``questions.jsonl`` (answered from ``kb/``): *answerable* questions are KB entries' questions
    written the way customers write them (lower case, "hi, ", "hello! ", "please tell me ...",
    a trailing "thanks"), with the entry's answer as the reference; *unanswerable* ones are the
    held-out entries' questions (their answers are not in the KB) and out-of-scope client turns of
    real shopping dialogues (``mgshopdial.json``: book plots, phone specs, product picks);
(c) ``context_questions.jsonl``: each line carries its own ``context``, one FAQ answer: the
    question is that entry's own (answerable) or an unrelated entry's (unanswerable).

The FAQ repeats itself (a dozen "can I order a product listed as 'sold out' / 'on hold' / ..."
entries share one answer), so entries are grouped first (answers or questions sharing most content
words, plus four pairs read as the same question) and whole groups are held out; only groups of at
most :data:`MAX_HELD_GROUP` entries are held out, so a held-out question never has a twin in the KB.

    .venv/bin/python bench/support_data.py OUT_DIR [--seed 7]
    .venv/bin/shopops eval support OUT_DIR/questions.jsonl --kb OUT_DIR/kb

Sizes (defaults): 30 answerable + ~20 held-out + 10 out-of-scope questions, 20 context questions.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_SUPPORT = ROOT.parent / "shared" / "data" / "support"
FAQ_FILE = "ecommerce_faq.json"
MANUAL_FILE = "abcd_guidelines.json"
DIALOGUE_FILE = "mgshopdial.json"
KB_FAQ_NAME = "store_faq.json"

ANSWER_SIMILAR = 0.35  # Jaccard of the answers' content words: the same answer, reworded
QUESTION_SIMILAR = 0.5  # Jaccard of the questions' content words
# Entries the word overlap misses but that ask the same thing (read by hand).
SAME_QUESTION = ((6, 33), (7, 42), (32, 60), (3, 25))
MAX_HELD_GROUP = 3

# Client turns of mgshopdial.json (dialogue id, utterance id) that ask about specific products or
# titles: nothing an FAQ answers, each understandable without the rest of its dialogue.
OUT_OF_SCOPE_TURNS: tuple[tuple[str, int], ...] = (
    ("Books:45:109:145", 13),  # What is A Novel by Lucy Foley about?
    ("Books:46:109:132", 2),  # Hi! can you suggest the best book by Stephen King?
    ("Books:49:102:101", 16),  # Is Michael Connelly an experienced writer?
    ("Books:69:72", 9),  # How many pages is the Big Book of Horror?
    ("Cellphones&Accessories:45:129:127", 12),  # Does Galaxy s20 have jack plugger for earphones?
    ("Cellphones&Accessories:46:129:130", 1),  # Hi, I want to buy an Iphone. What is the latest model ...
    ("Cellphones&Accessories:46:137:139", 25),  # is the Google Pixel 6a below 600$?
    ("Cellphones&Accessories:49:129:127", 8),  # Do you have any tripode with adaptable height ? ...
    ("Officeproducts:45:69:77", 6),  # ... dry or wet erase board, can you tell me the pros and cons ...
    ("SportsandOutdoors:48:103:101", 15),  # ... difference between a beginner and a professional racquet?
    ("SportsandOutdoors:49:109:130", 2),  # ... package price for ice skates, helmets and protection gear?
    ("SportsandOutdoors:49:41:40", 7),  # Which brand has the highest ratings given by the customers?
)

GREETINGS = ("hi, ", "hello! ", "hey, ", "good morning, ", "hi there, ")
THANKS = (" thanks", " thanks!", " thank you", " thx")


@dataclass(frozen=True)
class DevSet:
    """Where the built set lies and what it holds."""

    root: Path
    kb_dir: Path
    questions: Path  # answered from kb_dir
    context_questions: Path  # each line brings its own context
    manual_included: bool
    counts: dict[str, int] = field(default_factory=dict)


def load_faq(shared: Path = SHARED_SUPPORT) -> list[dict[str, str]]:
    data = json.loads((shared / FAQ_FILE).read_text(encoding="utf-8"))
    entries = data["questions"] if isinstance(data, dict) else data
    return [{"question": " ".join(e["question"].split()), "answer": e["answer"].strip()} for e in entries]


def faq_groups(entries: Sequence[dict[str, str]]) -> list[list[int]]:
    """Entries that say the same thing, as groups of indices (union-find over word overlap)."""
    from shopops.support.tokens import content_tokens

    answers = [content_tokens(e["answer"]) for e in entries]
    questions = [content_tokens(e["question"]) for e in entries]
    parent = list(range(len(entries)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def jaccard(a: set[str], b: set[str]) -> float:
        return len(a & b) / len(a | b) if a | b else 0.0

    for i in range(len(entries)):
        for j in range(i + 1, len(entries)):
            if (
                jaccard(answers[i], answers[j]) >= ANSWER_SIMILAR
                or jaccard(questions[i], questions[j]) >= QUESTION_SIMILAR
            ):
                parent[find(i)] = find(j)
    for i, j in SAME_QUESTION:
        if max(i, j) < len(entries):
            parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(entries)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())


def split_faq(
    entries: Sequence[dict[str, str]], *, seed: int, kb_share: float = 0.75
) -> tuple[list[int], list[int]]:
    """(KB indices, held-out indices): whole small groups are held out, in seeded order, until
    about ``1 - kb_share`` of the entries are."""
    rng = random.Random(seed)
    groups = faq_groups(entries)
    small = [g for g in groups if len(g) <= MAX_HELD_GROUP]
    rng.shuffle(small)
    wanted = round(len(entries) * (1 - kb_share))
    held: list[int] = []
    for group in small:
        if len(held) >= wanted:
            break
        if len(held) + len(group) <= wanted + 1:
            held.extend(group)
    held_set = set(held)
    return [i for i in range(len(entries)) if i not in held_set], sorted(held)


def customer_wording(question: str, rng: random.Random) -> str:
    """The question as a customer might type it: at least one of lower case, a greeting, "please
    tell me ...", a trailing "thanks"."""
    while True:
        lower, greet, please, thanks = (rng.random() < p for p in (0.5, 0.5, 0.35, 0.4))
        if lower or greet or please or thanks:
            break
    text = question
    if please:
        text = "please tell me " + text[0].lower() + text[1:]
    if lower:
        text = text.lower()
    if greet:
        greeting = rng.choice(GREETINGS)
        text = greeting + (text if lower or please else text[0].lower() + text[1:])
    if thanks:
        text = text + rng.choice(THANKS)
    return text


def out_of_scope_turns(shared: Path = SHARED_SUPPORT) -> list[tuple[str, str]]:
    """(``dialogue:utterance`` id, text) of the pinned client turns found in the dialogue file."""
    dialogues = json.loads((shared / DIALOGUE_FILE).read_text(encoding="utf-8"))
    by_id = {
        (d["id"], u["utterance_id"]): u
        for d in dialogues
        for u in d.get("utterances", [])
        if u.get("participant") == "Client"
    }
    found = []
    for dialogue, utterance in OUT_OF_SCOPE_TURNS:
        turn = by_id.get((dialogue, utterance))
        if turn is not None and turn.get("utterance", "").strip():
            found.append((f"{dialogue}#{utterance}", " ".join(turn["utterance"].split())))
    return found


def manual_accepted(path: Path) -> bool:
    """Whether this checkout's knowledge importer reads the policy manual."""
    from shopops.errors import ShopopsError
    from shopops.ingest.knowledge import read_document

    try:
        return read_document(path, path.parent).ok
    except ShopopsError:
        return False


def _line(
    item_id: str, question: str, answerable: bool, answers: list[str], source: str, **extra: Any
) -> dict:
    return {
        "id": item_id,
        "question": question,
        "answerable": answerable,
        "answers": answers,
        "source": source,  # ignored by the evaluation; for breakdowns
        **extra,
    }


def _write(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


def build_dev_set(
    out_dir: Path,
    *,
    seed: int = 7,
    shared: Path = SHARED_SUPPORT,
    answerable: int = 30,
    out_of_scope: int = 10,
    context_items: int = 20,
    kb_share: float = 0.75,
    include_manual: bool = True,
) -> DevSet:
    """Write the KB folder and both question files under ``out_dir``; lines are in seeded order,
    so the first N of a file are a mix of every kind."""
    rng = random.Random(seed)
    entries = load_faq(shared)
    kb_ids, held_ids = split_faq(entries, seed=seed, kb_share=kb_share)
    kb_dir = out_dir / "kb"
    if kb_dir.exists():
        shutil.rmtree(kb_dir)
    kb_dir.mkdir(parents=True)
    (kb_dir / KB_FAQ_NAME).write_text(
        json.dumps({"questions": [entries[i] for i in kb_ids]}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    manual = shared / MANUAL_FILE
    manual_included = include_manual and manual.is_file() and manual_accepted(manual)
    if manual_included:
        shutil.copyfile(manual, kb_dir / MANUAL_FILE)

    rows: list[dict[str, Any]] = []
    for i in sorted(rng.sample(kb_ids, min(answerable, len(kb_ids)))):
        question = customer_wording(entries[i]["question"], rng)
        rows.append(_line(f"faq-{i}", question, True, [entries[i]["answer"]], "faq_in_kb"))
    for i in held_ids:
        rows.append(_line(f"held-{i}", entries[i]["question"], False, [], "faq_held_out"))
    turns = out_of_scope_turns(shared)
    for turn_id, text in turns[:out_of_scope]:
        rows.append(_line(f"oos-{turn_id}", text, False, [], "out_of_scope", turn=turn_id))
    rng.shuffle(rows)
    questions = out_dir / "questions.jsonl"
    _write(questions, rows)

    context_rows = context_set(entries, rng, context_items)
    context_questions = out_dir / "context_questions.jsonl"
    _write(context_questions, context_rows)
    counts = {
        "faq_entries": len(entries),
        "kb_entries": len(kb_ids),
        "held_out_entries": len(held_ids),
        "answerable": sum(r["answerable"] for r in rows),
        "unanswerable_held_out": sum(r["source"] == "faq_held_out" for r in rows),
        "unanswerable_out_of_scope": sum(r["source"] == "out_of_scope" for r in rows),
        "context_answerable": sum(r["answerable"] for r in context_rows),
        "context_unanswerable": sum(not r["answerable"] for r in context_rows),
    }
    return DevSet(out_dir, kb_dir, questions, context_questions, manual_included, counts)


def context_set(entries: Sequence[dict[str, str]], rng: random.Random, size: int) -> list[dict[str, Any]]:
    """Half answerable (an entry's answer as context, its question), half unanswerable (an entry's
    answer, the question of an entry of another group: words such as "product" or "order" may
    still be shared, as with a real off-topic question)."""
    group_of = {i: n for n, group in enumerate(faq_groups(entries)) for i in group}
    order = list(range(len(entries)))
    rng.shuffle(order)
    half = size // 2
    rows: list[dict[str, Any]] = []
    for i in order[: size - half]:
        rows.append(
            _line(
                f"ctx-{i}",
                entries[i]["question"],
                True,
                [entries[i]["answer"]],
                "context_own",
                context=entries[i]["answer"],
            )
        )
    for i in order[size - half : size]:
        j = rng.choice([j for j in order if group_of[j] != group_of[i]])
        rows.append(
            _line(
                f"ctx-{i}-q{j}",
                entries[j]["question"],
                False,
                [],
                "context_unrelated",
                context=entries[i]["answer"],
            )
        )
    rng.shuffle(rows)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shared", type=Path, default=SHARED_SUPPORT, help="../shared/data/support")
    parser.add_argument("--no-manual", action="store_true", help="leave the ABCD policy manual out of the KB")
    args = parser.parse_args()
    if not (args.shared / FAQ_FILE).is_file():
        parser.error(f"{args.shared / FAQ_FILE} does not exist: the set is built from ../shared/data")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    dev = build_dev_set(args.out_dir, seed=args.seed, shared=args.shared, include_manual=not args.no_manual)
    print(json.dumps({"kb": str(dev.kb_dir), "questions": str(dev.questions),
                      "context_questions": str(dev.context_questions),
                      "manual_included": dev.manual_included, **dev.counts}, indent=1))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
