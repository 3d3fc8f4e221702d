"""Typed LLM output: ask for JSON matching a pydantic model, validate it, re-ask on failure.

The schema goes to the backend as a constraint (grammar-enforced by the local model) when the
backend supports it, else into the system prompt. Even a grammar cannot enforce every pydantic
rule (validators, cross-field checks), and output can be cut off at ``max_tokens``, so the reply
is always validated; a failure is shown to the model with the error and it gets another try.
Every array in the schema must declare ``maxItems``: an unbounded list lets a small model loop
until it runs out of tokens, which is the commonest cause of truncated JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from shopops.errors import InputError, StructuredOutputError
from shopops.llm.base import ChatRequest, ChatResult, LLMBackend, Message

T = TypeVar("T", bound=BaseModel)


def _walk(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def check_bounded(schema: dict[str, Any]) -> None:
    """Refuse a schema with an array lacking ``maxItems`` (give the list field ``max_length=N``)."""
    unbounded = [
        path or "/"
        for path, node in _walk(schema, "")
        if (node.get("type") == "array" or (isinstance(node.get("type"), list) and "array" in node["type"]))
        and "maxItems" not in node
        and "prefixItems" not in node
    ]
    if unbounded:
        raise InputError(
            f"the output schema has unbounded array(s) at {', '.join(unbounded)}",
            hint="bound every list field, e.g. `tags: list[str] = Field(max_length=5)`; "
            "unbounded lists let the model run on until it hits max_tokens",
        )


def schema_for(output_model: type[BaseModel]) -> dict[str, Any]:
    schema = output_model.model_json_schema()
    check_bounded(schema)
    return schema


def schema_instruction(schema: dict[str, Any]) -> str:
    return (
        "Reply with exactly one JSON object and nothing else (no prose, no code fences). "
        "It must be valid against this JSON schema:\n" + json.dumps(schema, ensure_ascii=False)
    )


def extract_json(text: str) -> str:
    """The JSON object in a reply, tolerating code fences or prose around it (prompt-only mode)."""
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.strip("`")
        stripped = stripped[stripped.find("\n") + 1 :] if "\n" in stripped else stripped
    start, end = stripped.find("{"), stripped.rfind("}")
    return stripped[start : end + 1] if 0 <= start < end else stripped


def _describe(error: ValidationError | ValueError) -> str:
    if isinstance(error, ValidationError):
        lines = [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in error.errors()[:10]]
        return "; ".join(lines)
    return str(error)


@dataclass(frozen=True)
class Generated(Generic[T]):
    """A validated output with the completion that produced it (tokens, generation-log id)."""

    output: T
    result: ChatResult
    attempts: int


def generate(
    llm: LLMBackend,
    messages: Sequence[Message],
    output_model: type[T],
    *,
    task: str,
    max_attempts: int = 3,
    max_tokens: int = 512,
    temperature: float = 0.2,
    seed: int | None = 42,
) -> T:
    """Generate an instance of ``output_model``; raise :class:`StructuredOutputError` after
    ``max_attempts`` replies that do not validate."""
    return generate_with_result(
        llm,
        messages,
        output_model,
        task=task,
        max_attempts=max_attempts,
        max_tokens=max_tokens,
        temperature=temperature,
        seed=seed,
    ).output


def generate_with_result(
    llm: LLMBackend,
    messages: Sequence[Message],
    output_model: type[T],
    *,
    task: str,
    max_attempts: int = 3,
    max_tokens: int = 512,
    temperature: float = 0.2,
    seed: int | None = 42,
) -> Generated[T]:
    """Like :func:`generate`, also returning the completion (with its generation-log id)."""
    schema = schema_for(output_model)
    conversation = list(messages)
    if not llm.supports_json_schema:
        instruction = Message("system", schema_instruction(schema))
        if conversation and conversation[0].role == "system":
            conversation[0] = Message("system", conversation[0].content + "\n\n" + instruction.content)
        else:
            conversation.insert(0, instruction)
    last_error = ""
    last_output = ""
    for attempt in range(1, max_attempts + 1):
        request = ChatRequest(
            messages=tuple(conversation),
            task=task,
            max_tokens=max_tokens,
            temperature=temperature,
            seed=None if seed is None else seed + attempt - 1,
            json_schema=schema if llm.supports_json_schema else None,
        )
        result = llm.complete(request)
        last_output = result.text
        try:
            output = output_model.model_validate_json(extract_json(result.text))
            return Generated(output=output, result=result, attempts=attempt)
        except ValidationError as exc:
            last_error = _describe(exc)
        if result.finish_reason == "length":
            last_error += f" (the reply was cut off at max_tokens={max_tokens})"
        conversation += [
            Message("assistant", result.text),
            Message(
                "user",
                f"That reply is not valid: {last_error}. Reply again with only the corrected JSON object.",
            ),
        ]
    raise StructuredOutputError(
        f"{task}: no valid {output_model.__name__} after {max_attempts} attempt(s); "
        f"last error: {last_error}; last output: {last_output[:300]!r}",
        hint="use a bigger model (--local-model qwen2.5-coder-1.5b or an OpenAI-compatible server), "
        "raise max_tokens if the output was cut off, or simplify the schema (fewer, shorter fields)",
    )
