"""FakeLLM: a deterministic, offline backend that speaks the same protocol as the real ones.

Used by tests, docs and the demo without a model. Text is derived from a hash of the request, so
the same prompt always gives the same answer. With a JSON schema it emits JSON valid against it
(pydantic's ``$defs``/``$ref``, enums, length and range bounds, required fields). ``script``
returns given texts in order first, e.g. invalid-then-valid output to exercise re-asking.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import threading
import time
from collections.abc import Iterable
from typing import Any

from shopops.llm.base import ChatRequest, ChatResult, DeltaCallback, LLMBackend

# fmt: off
WORDS = (
    "quality", "order", "customer", "product", "delivery", "stock", "review", "price", "shipping",
    "return", "fast", "great", "fabric", "size", "colour", "gift", "summer", "sale", "bundle",
    "support", "refund", "warehouse", "weekly", "trend",
)
# fmt: on


def request_seed(request: ChatRequest) -> int:
    canonical = json.dumps(
        {"m": [m.as_dict() for m in request.messages], "s": request.json_schema, "seed": request.seed},
        sort_keys=True,
        ensure_ascii=False,
    )
    return int.from_bytes(hashlib.sha256(canonical.encode()).digest()[:8], "big")


class SchemaFaker:
    """Builds a value valid against a (pydantic-style) JSON schema from a seeded RNG."""

    def __init__(self, root: dict[str, Any], rng: random.Random) -> None:
        self.root = root
        self.rng = rng

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        seen = 0
        while "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"FakeLLM supports local $ref only, got {ref!r}")
            target: Any = self.root
            for key in ref[2:].split("/"):
                target = target[key.replace("~1", "/").replace("~0", "~")]
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **extra}
            seen += 1
            if seen > 50:
                raise ValueError("FakeLLM: $ref cycle")
        return schema

    def value(self, schema: dict[str, Any] | bool, depth: int = 0) -> Any:
        if schema is True or schema == {}:
            return self.rng.choice(WORDS)
        if not isinstance(schema, dict):
            raise ValueError("FakeLLM cannot satisfy a false schema")
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self.rng.choice(schema["enum"])
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self.resolve(o) for o in schema[key]]
                non_null = [o for o in options if o.get("type") != "null"]
                return self.value(self.rng.choice(non_null or options), depth)
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                merged.update(self.resolve(part))
            return self.value(merged, depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
        return getattr(self, f"_{kind}")(schema, depth)

    def _null(self, schema: dict[str, Any], depth: int) -> None:
        return None

    def _boolean(self, schema: dict[str, Any], depth: int) -> bool:
        return self.rng.random() < 0.5

    def _string(self, schema: dict[str, Any], depth: int) -> str:
        low = int(schema.get("minLength", 1))
        high = int(schema.get("maxLength", max(low, 60)))
        month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
        text = {
            "date": f"2024-{month:02d}-{day:02d}",
            "date-time": f"2024-{month:02d}-{day:02d}T12:00:00Z",
            "email": f"{self.rng.choice(WORDS)}@example.com",
            "uri": f"https://example.com/{self.rng.choice(WORDS)}",
        }.get(schema.get("format", ""))
        if text is None:
            text = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(1, 6)))
            text = text[:high].rstrip() or text[:high]
        while len(text) < low:
            text += self.rng.choice("abcdefghijklmnopqrstuvwxyz")
        return text

    def _bounds(self, schema: dict[str, Any]) -> tuple[float, float, bool, bool]:
        """(low, high, low_exclusive, high_exclusive) with defaults around the given bound."""
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        if low is None:
            low = min(0, high - 100) if high is not None else 0
        if high is None:
            high = low + 100
        return (
            low,
            high,
            "minimum" not in schema and "exclusiveMinimum" in schema,
            ("maximum" not in schema and "exclusiveMaximum" in schema),
        )

    def _number(self, schema: dict[str, Any], depth: int) -> float:
        low, high, low_ex, high_ex = self._bounds(schema)
        value = round(self.rng.uniform(float(low), float(high)), 2)
        if (low_ex and value <= low) or (high_ex and value >= high) or not low <= value <= high:
            value = (low + high) / 2
        return value

    def _integer(self, schema: dict[str, Any], depth: int) -> int:
        low, high, low_ex, high_ex = self._bounds(schema)
        low_i = math.floor(low) + 1 if low_ex or low != math.floor(low) else int(low)
        high_i = math.ceil(high) - 1 if high_ex or high != math.ceil(high) else int(high)
        step = schema.get("multipleOf")
        if isinstance(step, int) and step > 0:
            first, last = math.ceil(low_i / step), math.floor(high_i / step)
            return self.rng.randint(first, max(first, last)) * step
        return self.rng.randint(low_i, max(low_i, high_i))

    def _array(self, schema: dict[str, Any], depth: int) -> list[Any]:
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", low + 3))
        count = self.rng.randint(low, max(low, high)) if depth < 4 else low
        items = schema.get("items", {})
        if "prefixItems" in schema:
            return [self.value(s, depth + 1) for s in schema["prefixItems"]]
        values: list[Any] = []
        attempts = 0
        while len(values) < count and attempts < count * 10 + 10:
            attempts += 1
            candidate = self.value(items, depth + 1)
            if schema.get("uniqueItems") and candidate in values:
                continue
            values.append(candidate)
        return values

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", ()))
        out: dict[str, Any] = {}
        for name, sub in properties.items():
            if name in required or (depth < 3 and self.rng.random() < 0.7):
                out[name] = self.value(sub, depth + 1)
        return out


class FakeLLM(LLMBackend):
    name = "fake"
    supports_json_schema = True
    supports_streaming = True

    def __init__(self, script: Iterable[str] = (), *, model: str = "fake-1") -> None:
        self.model = model
        self._script = list(script)
        self._lock = threading.Lock()
        self.requests: list[ChatRequest] = []  # every request seen, for assertions in tests

    def add_script(self, *texts: str) -> None:
        with self._lock:
            self._script.extend(texts)

    def _text(self, request: ChatRequest) -> str:
        with self._lock:
            self.requests.append(request)
            if self._script:
                return self._script.pop(0)
        rng = random.Random(request_seed(request))
        if request.json_schema is not None:
            return json.dumps(
                SchemaFaker(request.json_schema, rng).value(request.json_schema), ensure_ascii=False
            )
        count = max(1, min(request.max_tokens, rng.randint(8, 24)))
        return " ".join(rng.choice(WORDS) for _ in range(count)).capitalize() + "."

    def execute(self, request: ChatRequest, on_delta: DeltaCallback | None = None) -> ChatResult:
        started = time.perf_counter()
        text = self._text(request)
        if on_delta is not None:
            for fragment in fragments(text):
                on_delta(fragment)
        prompt_tokens = sum(len(m.content.split()) for m in request.messages)
        return ChatResult(
            text=text,
            model=self.model,
            prompt_tokens=prompt_tokens,
            completion_tokens=len(fragments(text)),
            finish_reason="stop",
            latency_ms=(time.perf_counter() - started) * 1000,
        )


def fragments(text: str) -> list[str]:
    """Split text into word-sized fragments (each keeps its leading space) that join back exactly."""
    pieces: list[str] = []
    current = ""
    for char in text:
        if char == " " and current.strip():
            pieces.append(current)
            current = ""
        current += char
    if current:
        pieces.append(current)
    return pieces
