"""Personal-data masking: the Masker, MaskingLLM, and AppContext against a real loopback
OpenAI-compatible server that records every request body (nothing personal may reach it)."""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from shopops.config import Settings
from shopops.context import AppContext
from shopops.llm.base import ChatRequest, ChatResult, DeltaCallback, LLMBackend, Message
from shopops.llm.fake import FakeLLM
from shopops.llm.logging import LoggedLLM
from shopops.llm.masking import MaskingLLM, StreamUnmasker
from shopops.llm.openai import OpenAILLM
from shopops.privacy import Masker, find_personal_data, luhn_valid, mask_text
from shopops.store.models import GenerationLog

EMAIL = "mia.chen+orders@example.com"
PHONE = "+1 (415) 555-0132"
ADDRESS = "742 Evergreen Terrace, Springfield, IL 62704"
CARD = "4111 1111 1111 1111"  # Visa's test number: Luhn-valid
ZH_PHONE = "13800138000"
ZH_ADDRESS = "广东省深圳市南山区科技园路1号2栋301室"
SUPPORT_MESSAGE = (
    f"Hi, it's Mia about order #10023. Please email me at {EMAIL} or call {PHONE}. "
    f"Send the replacement to {ADDRESS}. You can charge card {CARD} for the difference. "
    f"我的手机{ZH_PHONE}，备用地址是{ZH_ADDRESS}。"
)
SECRETS = [EMAIL, PHONE, "415", "555-0132", ADDRESS, "Evergreen", CARD, "4111111111111111", "1111 1111"]
SECRETS += [ZH_PHONE, ZH_ADDRESS, "科技园路"]


# -- Masker -----------------------------------------------------------------------------------------


def kinds(text: str) -> list[tuple[str, str]]:
    return [(kind, text[start:end]) for kind, start, end in find_personal_data(text)]


def test_mask_replaces_each_kind_and_unmask_restores_all_but_cards() -> None:
    masker = Masker()
    masked = masker.mask(SUPPORT_MESSAGE)
    for secret in SECRETS:
        assert secret not in masked
    for placeholder in ("[EMAIL_1]", "[PHONE_1]", "[PHONE_2]", "[ADDRESS_1]", "[ADDRESS_2]", "[CARD_1]"):
        assert placeholder in masked
    assert "#10023" in masked  # order numbers are not personal data
    restored = masker.unmask(masked)
    assert restored == SUPPORT_MESSAGE.replace(CARD, "[CARD ending 1111]")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail Jane.Doe@Example.co.uk now", [("email", "Jane.Doe@Example.co.uk")]),
        ("call +44 20 7946 0958", [("phone", "+44 20 7946 0958")]),
        ("call (415) 555-0132 or 415.555.0132", [("phone", "(415) 555-0132"), ("phone", "415.555.0132")]),
        (
            "UK landline 020 7946 0958, mobile 07700 900123",
            [("phone", "020 7946 0958"), ("phone", "07700 900123")],
        ),
        ("my number is 4155550132", [("phone", "4155550132")]),
        ("手机13800138000", [("phone", "13800138000")]),
        ("电话 138-0013-8000", [("phone", "138-0013-8000")]),
        ("+86 138 0013 8000", [("phone", "+86 138 0013 8000")]),
        ("ship to 221B Baker Street, London", [("address", "221B Baker Street")]),
        ("Flat 4, 12 Baker Street", [("address", "Flat 4, 12 Baker Street")]),
        (
            "1600 Amphitheatre Pkwy, Mountain View, CA 94043",
            [("address", "1600 Amphitheatre Pkwy, Mountain View, CA 94043")],
        ),
        ("I live at 5 park lane", [("address", "5 park lane")]),
        ("PO Box 1234", [("address", "PO Box 1234")]),
        ("寄到成都市武侯区人民南路四段1号", [("address", "成都市武侯区人民南路四段1号")]),
        ("收货地址改成北京市朝阳区建国路88号", [("address", "北京市朝阳区建国路88号")]),
        ("card 5555-5555-5555-4444", [("card", "5555-5555-5555-4444")]),
        ("amex 378282246310005", [("card", "378282246310005")]),
        ("4111111111111111", [("card", "4111111111111111")]),
    ],
)
def test_what_is_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order #10023",
        "order no. LL-10023",
        "order id: 3348917502",
        "订单号 12345",
        "订单号：2024051800123",
        "tracking number 1Z999AA10123456784",
        "DH263340135180 via DHL",
        "I paid $1234.00 on 2024-05-01 for 3 items at 12.50 each",
        "delivered 05/01/2024 at 10:30",
        "SKU 12345678, ISBN 978-3-16-148410-0, version 2.3.4567",
        "1,299.00 USD",
        "1234 5678 9012 3456",  # Luhn fails: not a card
        "4111 1111 1111 1112",  # Luhn fails: not a card
        "It took 3 days on the road",
        "I ordered 2 Blue Shirts",
        "call 911",
    ],
)
def test_what_is_left_alone(text: str) -> None:
    assert kinds(text) == []
    assert Masker().mask(text) == text


def test_luhn() -> None:
    assert luhn_valid("4111111111111111") and luhn_valid("5555555555554444") and luhn_valid("378282246310005")
    assert not luhn_valid("1234567890123456") and not luhn_valid("4111111111111112")
    assert not luhn_valid("") and not luhn_valid("4111-1111")


def test_a_long_order_number_that_passes_luhn_is_not_a_card() -> None:
    number = "4111111111111111"  # Luhn-valid, but introduced as an order number
    assert Masker().mask(f"order number {number}") == f"order number {number}"
    assert Masker().mask(f"card {number}") == "card [CARD_1]"


def test_same_value_same_placeholder_within_one_masker() -> None:
    masker = Masker()
    first = masker.mask(f"{EMAIL} / 415-555-0132 / {CARD}")
    second = masker.mask(f"again: {EMAIL.upper()} / (415) 555-0132 / 4111-1111-1111-1111, other@example.com")
    assert first == "[EMAIL_1] / [PHONE_1] / [CARD_1]"
    assert second == "again: [EMAIL_1] / [PHONE_1] / [CARD_1], [EMAIL_2]"
    assert masker.unmask("[EMAIL_1]") == EMAIL  # the first spelling seen
    assert Masker().mask("other@example.com") == "[EMAIL_1]"  # numbering is per Masker


def test_unmask_tolerates_what_models_do_to_placeholders() -> None:
    masker = Masker()
    masker.mask(f"{EMAIL} {PHONE} {ADDRESS} {CARD}")
    for written in (
        "[EMAIL_1]",
        "[email_1]",
        "[ Email_1 ]",
        "[EMAIL 1]",
        "[EMAIL-1]",
        "【EMAIL_1】",
        "EMAIL_1",
    ):
        assert masker.unmask(f"write to {written}.") == f"write to {EMAIL}."
    assert masker.unmask("call [phone_1], ship to [Address_1]") == f"call {PHONE}, ship to {ADDRESS}"
    assert (
        masker.unmask("unknown [EMAIL_7] and email_1 and XEMAIL_1")
        == "unknown [EMAIL_7] and email_1 and XEMAIL_1"
    )
    assert masker.unmask("你的邮箱是EMAIL_1。") == f"你的邮箱是{EMAIL}。"


def test_cards_are_never_restored() -> None:
    masker = Masker()
    assert masker.mask(f"card {CARD}") == "card [CARD_1]"
    assert (
        masker.unmask("We charged [CARD_1] and [card_1].")
        == "We charged [CARD ending 1111] and [CARD ending 1111]."
    )
    assert masker.placeholders["[CARD_1]"] == CARD  # only in memory, for this call


def test_mask_is_idempotent() -> None:
    masker = Masker()
    once = masker.mask(SUPPORT_MESSAGE)
    assert masker.mask(once) == once
    assert Masker().mask(once) == once
    assert mask_text(once) == once
    assert masker.unmask(masker.mask(once)) == masker.unmask(once)


def test_placeholders_a_customer_typed_are_never_confused_with_real_data() -> None:
    masker = Masker()
    masked = masker.mask(f"my old address was [EMAIL_1] lol, the real one is {EMAIL}")
    assert masked == "my old address was [EMAIL_1] lol, the real one is [EMAIL_2]"
    assert masker.unmask("[EMAIL_1] vs [EMAIL_2]") == f"[EMAIL_1] vs {EMAIL}"


def test_find_personal_data_spans_are_ordered_and_disjoint() -> None:
    found = find_personal_data(SUPPORT_MESSAGE)
    assert [kind for kind, _s, _e in found] == ["email", "phone", "address", "card", "phone", "address"]
    ends = [0]
    for _kind, start, end in found:
        assert start >= ends[-1] and end > start
        ends.append(end)


# -- streaming unmask -------------------------------------------------------------------------------

STREAM_TEXT = (
    "Hi! I'll email [EMAIL_1] and call [phone_1]; the parcel goes to [ ADDRESS_1 ] "
    "and we won't charge [CARD_1]. 已发往【ADDRESS_2】, EMAIL_1 confirmed. [not a placeholder] [EMAIL_"
)


def stream_masker() -> Masker:
    masker = Masker()
    masker.mask(f"{EMAIL} {PHONE} {ADDRESS} {CARD} {ZH_ADDRESS}")
    return masker


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(min_value=1, max_value=len(STREAM_TEXT) - 1), max_size=40))
def test_stream_unmasking_joins_to_the_unmasked_text_for_any_fragmentation(cuts: set[int]) -> None:
    masker = stream_masker()
    bounds = [0, *sorted(cuts), len(STREAM_TEXT)]
    shown: list[str] = []
    stream = StreamUnmasker(masker, shown.append)
    for start, end in itertools.pairwise(bounds):
        stream.feed(STREAM_TEXT[start:end])
    stream.flush()
    assert "".join(shown) == masker.unmask(STREAM_TEXT)
    assert all(re.search(r"[\[【]\s*(?:EMAIL|PHONE|ADDRESS|CARD)_\d", piece) is None for piece in shown)


def test_stream_holds_back_at_most_a_short_tail() -> None:
    shown: list[str] = []
    stream = StreamUnmasker(stream_masker(), shown.append)
    stream.feed("Your order ships today. We will email [EMA")
    assert shown == ["Your order ships today. We will email "]
    stream.feed("IL_1] soon")
    assert shown[-1] == f"{EMAIL} "
    stream.flush()
    assert "".join(shown) == f"Your order ships today. We will email {EMAIL} soon"


# -- MaskingLLM -------------------------------------------------------------------------------------


class Recorder(LLMBackend):
    """Records what it was sent; replies with a fixed text, streamed in 3-character pieces."""

    name = "recorder"
    model = "recorder-1"
    supports_json_schema = True
    supports_streaming = True
    flavour = "vanilla"

    def __init__(self, reply: str = "Noted [EMAIL_1], [PHONE_1], [ADDRESS_1], [CARD_1].") -> None:
        self.reply = reply
        self.requests: list[ChatRequest] = []
        self.closed = False

    def execute(self, request: ChatRequest, on_delta: DeltaCallback | None = None) -> ChatResult:
        self.requests.append(request)
        if on_delta is not None:
            for index in range(0, len(self.reply), 3):
                on_delta(self.reply[index : index + 3])
        return ChatResult(text=self.reply, model=self.model, generation_id=7)

    def close(self) -> None:
        self.closed = True


SCHEMA = {"type": "object", "properties": {"reply": {"type": "string"}}}


def support_request() -> ChatRequest:
    return ChatRequest(
        messages=(
            Message("system", f"You answer for the shop. Escalations go to {EMAIL}."),
            Message("user", SUPPORT_MESSAGE),
        ),
        task="support.draft",
        max_tokens=300,
        json_schema=SCHEMA,
    )


def test_masking_llm_masks_contents_only_and_restores_the_reply() -> None:
    inner = Recorder()
    llm = MaskingLLM(inner)
    request = support_request()
    result = llm.complete(request)
    [sent] = inner.requests
    assert [m.role for m in sent.messages] == ["system", "user"]
    assert (sent.task, sent.max_tokens, sent.json_schema, sent.temperature) == (
        "support.draft",
        300,
        SCHEMA,
        0.2,
    )
    assert sent.messages[0].content == "You answer for the shop. Escalations go to [EMAIL_1]."
    for secret in SECRETS:
        assert all(secret not in message.content for message in sent.messages)
    assert "#10023" in sent.messages[1].content
    assert result.text == f"Noted {EMAIL}, {PHONE}, {ADDRESS}, [CARD ending 1111]."
    assert result.generation_id == 7 and result.model == "recorder-1"
    assert request.messages[1].content == SUPPORT_MESSAGE  # the caller's request is untouched


def test_masking_llm_uses_a_fresh_masker_per_call() -> None:
    inner = Recorder(reply="[EMAIL_1]")
    llm = MaskingLLM(inner)
    first = llm.complete(ChatRequest(messages=(Message("user", "a@example.com"),)))
    second = llm.complete(ChatRequest(messages=(Message("user", "b@example.com"),)))
    assert [r.messages[0].content for r in inner.requests] == ["[EMAIL_1]", "[EMAIL_1]"]
    assert (first.text, second.text) == ("a@example.com", "b@example.com")


def test_masking_llm_streams_unmasked_fragments() -> None:
    llm = MaskingLLM(Recorder())
    pieces = list(llm.stream(support_request()))
    assert "".join(pieces) == f"Noted {EMAIL}, {PHONE}, {ADDRESS}, [CARD ending 1111]."
    assert len(pieces) > 3
    collected: list[str] = []
    result = llm.execute(support_request(), collected.append)
    assert "".join(collected) == result.text


def test_masking_llm_delegates_capabilities_and_attributes() -> None:
    inner = Recorder()
    llm = MaskingLLM(inner)
    assert (llm.name, llm.model, llm.supports_json_schema, llm.supports_streaming) == (
        "recorder",
        "recorder-1",
        True,
        True,
    )
    assert llm.flavour == "vanilla" and llm.requests is inner.requests
    inner.supports_json_schema = False
    assert not llm.supports_json_schema
    llm.close()
    assert inner.closed


# -- end to end: AppContext against a recording OpenAI-compatible server ---------------------------


class RecordingServer:
    """A loopback OpenAI-compatible chat server: records each request body, answers with a reply
    that uses the placeholders (re-cased and spaced like models do), streamed when asked."""

    REPLY = (
        "Hi Mia, we will email [email_1] and call [PHONE_1]. The replacement goes to [ ADDRESS_1 ] "
        "(备用地址 [ADDRESS_2]). We never need [CARD_1]. Order #10023 is on its way."
    )

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                server.bodies.append(body)
                request = json.loads(body)
                if request.get("stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    reply = server.REPLY
                    for index in range(0, len(reply), 4):
                        chunk = {
                            "choices": [
                                {"delta": {"content": reply[index : index + 4]}, "finish_reason": None}
                            ]
                        }
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.write(b"data: [DONE]\n\n")
                    return
                payload = json.dumps(
                    {
                        "model": "loopback-1",
                        "choices": [
                            {
                                "message": {"role": "assistant", "content": server.REPLY},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 50, "completion_tokens": 30},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def sent_texts(self) -> list[str]:
        """Each request body as text, JSON escapes resolved (httpx sends non-ASCII as \\uXXXX)."""
        return [json.dumps(json.loads(body), ensure_ascii=False) for body in self.bodies]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def llm_server() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.close()


def remote_context(tmp_path: Path, url: str, **overrides: Any) -> AppContext:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'shopops.db'}",
        llm_backend="openai",
        openai_base_url=url,
        openai_max_retries=0,
        embed_backend="hash",
        **overrides,
    )
    return AppContext(settings)


EXPECTED_REPLY = (
    f"Hi Mia, we will email {EMAIL} and call {PHONE}. The replacement goes to {ADDRESS} "
    f"(备用地址 {ZH_ADDRESS}). We never need [CARD ending 1111]. Order #10023 is on its way."
)


def test_nothing_personal_reaches_the_remote_server(tmp_path: Path, llm_server: RecordingServer) -> None:
    ctx = remote_context(tmp_path, llm_server.url)
    try:
        llm = ctx.llm
        assert isinstance(llm, LoggedLLM) and isinstance(llm.backend, MaskingLLM)
        assert isinstance(llm.backend.backend, OpenAILLM) and llm.name == "openai"
        result = llm.complete(support_request())
        streamed = list(llm.stream(support_request()))
        assert len(llm_server.bodies) == 2
        for sent in llm_server.sent_texts():
            for secret in SECRETS:
                assert secret not in sent, secret
            for placeholder in (
                "[EMAIL_1]",
                "[PHONE_1]",
                "[PHONE_2]",
                "[ADDRESS_1]",
                "[ADDRESS_2]",
                "[CARD_1]",
            ):
                assert placeholder in sent
            assert "#10023" in sent
        assert result.text == EXPECTED_REPLY
        assert "".join(streamed) == EXPECTED_REPLY
        assert CARD not in result.text and "4111111111111111" not in "".join(streamed)
        # the local log records what the caller asked and got back (card reduced to its last digits)
        with ctx.db.session() as session:
            rows = list(session.scalars(select(GenerationLog).order_by(GenerationLog.id)))
        assert [row.output for row in rows] == [EXPECTED_REPLY, EXPECTED_REPLY]
        assert result.generation_id == rows[0].id and rows[0].backend == "openai"
    finally:
        ctx.close()


def test_masking_can_be_turned_off(tmp_path: Path, llm_server: RecordingServer) -> None:
    ctx = remote_context(tmp_path, llm_server.url, mask_personal_data=False)
    try:
        assert isinstance(ctx.llm, LoggedLLM) and isinstance(ctx.llm.backend, OpenAILLM)
        ctx.llm.complete(support_request())
        [sent] = llm_server.sent_texts()
        assert EMAIL in sent and CARD in sent and ZH_ADDRESS in sent
    finally:
        ctx.close()


def test_local_backends_are_not_masked(tmp_path: Path) -> None:
    ctx = AppContext(
        Settings(
            data_dir=tmp_path / "data",
            database_url=f"sqlite:///{tmp_path / 'shopops.db'}",
            llm_backend="fake",
            embed_backend="hash",
            mask_personal_data=True,
        )
    )
    try:
        assert isinstance(ctx.llm, LoggedLLM) and isinstance(ctx.llm.backend, FakeLLM)
    finally:
        ctx.close()
