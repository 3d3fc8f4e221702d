"""The last-resort repair: sentences with ungrounded claims are removed after regeneration fails."""

from __future__ import annotations

import json

from shopops.copy.repair import remove_ungrounded, sentences
from shopops.copy.service import generate_copy
from shopops.copy.types import CopyKind, CopyRequest, Flag, ProductFacts, VoiceProfile
from shopops.llm.fake import FakeLLM

CABLE = ProductFacts(id="7", title="Speaker Wire, 10 m, 16 AWG", category="Audio Cables", price=499.0)
DESCRIPTION = CopyRequest(product="speaker-wire", kind=CopyKind.DESCRIPTION)
INVENTS_PLASTIC = json.dumps(
    {
        "paragraphs": [
            "This speaker wire runs 10 m between your amplifier and speakers. "
            "It is made of durable plastic for years of use.",
            "A simple way to connect a home audio setup.",
        ]
    }
)


def test_sentences_split_latin_and_cjk() -> None:
    assert sentences("One. Two! Three?") == ["One.", "Two!", "Three?"]
    assert sentences("It is 1.5 m long. Made of oak.") == ["It is 1.5 m long.", "Made of oak."]
    assert sentences("容量500毫升。不锈钢材质！") == ["容量500毫升。", "不锈钢材质！"]


def test_only_sentences_with_grounding_flags_are_removed() -> None:
    fields = {"paragraphs": ["It is 10 m long. It is made of plastic.", "Made of plastic."], "x": "plastic"}
    unsupported = Flag(kind="unsupported", message="not in the record", claim="plastic", field="material")
    repaired, removed = remove_ungrounded(fields, [unsupported])
    assert repaired["paragraphs"] == ["It is 10 m long."]  # an emptied paragraph disappears
    assert removed == ["It is made of plastic.", "Made of plastic."]
    assert repaired["x"] == "plastic"  # not a prose field: left for the reviewer
    banned = Flag(kind="compliance", message="banned", claim="plastic", rule="custom.plastic")
    assert remove_ungrounded(fields, [banned]) == (fields, [])


def test_a_sentence_echoing_a_prompt_label_is_removed() -> None:
    fields = {"paragraphs": ["Acrylic colours, 10 shades of 15ml.", "Price: 200 INR, List Price: 230 INR"]}
    echo = Flag(kind="prompt_echo", message="The copy repeats prompt text.", claim="List Price:")
    repaired, removed = remove_ungrounded(fields, [echo])
    assert repaired == {"paragraphs": ["Acrylic colours, 10 shades of 15ml."]}
    assert removed == ["Price: 200 INR, List Price: 230 INR"]


def test_copy_that_keeps_inventing_is_trimmed_and_no_longer_blocks() -> None:
    llm = FakeLLM([INVENTS_PLASTIC] * 3)  # the first answer and both regenerations invent plastic
    (result,) = generate_copy(llm, CABLE, DESCRIPTION, voice=VoiceProfile(), max_regenerations=2)
    assert len(llm.requests) == 3 and result.checks.regenerations == 2
    assert "plastic" not in result.text.lower() and "10 m" in result.text
    assert result.checks.removed == ["It is made of durable plastic for years of use."]
    assert not result.checks.blocking
    assert "plastic" not in result.html
