"""Agent policy manuals in JSON (the ABCD guidelines shape) -> one Markdown knowledge document.

The shape::

    {"<flow>": {"description": "...",
                "subflows": {"<subflow>": {"instructions": ["...", ...],          # optional
                                           "actions": [{"type": "...", "button": "...",
                                                        "text": "...", "subtext": ["...", ...]}]}}}}

becomes ``# <flow>`` with the description as a paragraph, then per subflow ``## <subflow>`` with
the first instruction (usually "the customer wants X; start by ..."), the actions as a bulleted list
(sub-texts as nested bullets), and the remaining instructions (usually how to wrap up) after the
list. A button the text does not mention by name (``[Update Order]``) leads its bullet, so the step
still says which tool it uses; placeholders such as ``"x"`` and the ``"N/A"`` button are dropped.
"""

from __future__ import annotations

from typing import Any

from shopops.errors import RowError

NO_BUTTON = {"", "n/a", "na", "none"}


def is_policy_manual(data: Any) -> bool:
    """Whether ``data`` has the policy-manual shape: flows, each an object with ``subflows``."""
    return (
        isinstance(data, dict)
        and bool(data)
        and all(isinstance(flow, dict) and isinstance(flow.get("subflows"), dict) for flow in data.values())
    )


def _clean(value: Any) -> str:
    """One line of text, or "" for a non-string or a placeholder (a single character)."""
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split())
    return text if len(text) > 1 else ""


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _action_lines(action: dict[str, Any]) -> list[str]:
    text = _clean(action.get("text"))
    button = _clean(action.get("button"))
    raw = action.get("subtext")
    raw = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    subtexts = [s for s in (_clean(s) for s in raw) if s]
    mentioned = f"[{button}]".casefold() in " ".join([text, *subtexts]).casefold()
    lead = text
    if button.casefold() not in NO_BUTTON and not mentioned:
        lead = f"{button}: {text}" if text else button
    if not lead and not subtexts:
        return []
    lines = [f"- {lead}" if lead else "-"]
    lines.extend(f"  - {s}" for s in subtexts)
    return lines


def _subflow_markdown(name: str, subflow: dict[str, Any], number: int, errors: list[RowError]) -> str:
    where = f"subflows.{name}"
    instructions = subflow.get("instructions", [])
    actions = subflow.get("actions", [])
    if not isinstance(instructions, list):
        errors.append(RowError(number, f"{where}.instructions", "must be a list of strings"))
        instructions = []
    if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
        errors.append(RowError(number, f"{where}.actions", "must be a list of objects"))
        actions = []
    paragraphs = [p for p in (_clean(i) for i in instructions) if p]
    steps = [line for action in actions for line in _action_lines(action)]
    blocks = [f"## {' '.join(name.split())}"]
    blocks.extend(paragraphs[:1])
    if steps:
        blocks.append("\n".join(steps))
    blocks.extend(paragraphs[1:])
    return "\n\n".join(blocks) if len(blocks) > 1 else ""


def policy_manual_markdown(data: dict[str, Any]) -> tuple[str, list[RowError]]:
    """The manual as Markdown, and the errors that reject it (a row is a flow, counted from 1)."""
    blocks: list[str] = []
    errors: list[RowError] = []
    for number, (flow, body) in enumerate(data.items(), start=1):
        name = " ".join(str(flow).split())
        if not name:
            errors.append(RowError(number, "(flow)", "a flow needs a name"))
            continue
        flow_blocks = [f"# {name}"]
        description = _clean(body.get("description"))
        if description:
            flow_blocks.append(_sentence(description.rstrip(".")) + ".")
        for subflow_name, subflow in body["subflows"].items():
            if not isinstance(subflow, dict):
                errors.append(RowError(number, f"subflows.{subflow_name}", "must be an object"))
                continue
            section = _subflow_markdown(str(subflow_name), subflow, number, errors)
            if section:
                flow_blocks.append(section)
        blocks.append("\n\n".join(flow_blocks))
    return "\n\n".join(blocks), errors
