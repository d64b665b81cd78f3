"""The emulated model's answers: deterministic verdicts, and the malformed ones faults ask for.

A given text always gets the same verdict: obvious keywords decide first (spam and threats are
rejected, unverifiable claims flagged); anything else is decided by a hash of the text, mostly
approve, as real submissions mostly are.
"""

from __future__ import annotations

import hashlib
import json
import random
import re

APPROVE_PERCENT = 85
FLAG_PERCENT = 10           # the rest (5 %) is rejected

_REJECT = re.compile(
    r"\b(spam|scam|buy now|click here|casino|viagra|giveaway|airdrop|hate|kill|weapons?|bomb|"
    r"harass\w*|porn\w*|fraud\w*)\b", re.IGNORECASE)
_FLAG = re.compile(r"\b(unverified|rumou?rs?|conspiracy|allegedly|anonymous source)\b", re.IGNORECASE)

_MALFORMED_ANSWERS = (
    "I think this content is fine and should be approved.",
    '{"verdict": "approve", "reason": "plausible description of a real',
    '{"verdict": "maybe", "reason": "hard to say"}',
    '```json\n{"decision": "approve"}\n```',
    "Verdict: APPROVE. Reason: looks like a genuine problem.",
    '{"verdict": "approve"}',
)


def decide(text: str) -> tuple[str, str]:
    """(verdict, reason) for a text: approve, reject or flag."""
    match = _REJECT.search(text)
    if match:
        return "reject", f"contains disallowed content ({match.group(0).lower()})"
    match = _FLAG.search(text)
    if match:
        return "flag", f"makes an unverifiable claim ({match.group(0).lower()}); needs a human"
    bucket = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") % 100
    if bucket < APPROVE_PERCENT:
        return "approve", "plausible, good-faith description of a real problem"
    if bucket < APPROVE_PERCENT + FLAG_PERCENT:
        return "flag", "not enough detail to verify; a moderator should decide"
    return "reject", "does not describe a real-world problem"


def verdict_answer(text: str) -> str:
    verdict, reason = decide(text)
    return json.dumps({"verdict": verdict, "reason": reason})


def malformed_answer(rng: random.Random) -> str:
    """One of several ways a model answer goes wrong: prose, truncated JSON, unknown verdict,
    wrong keys, missing reason."""
    return rng.choice(_MALFORMED_ANSWERS)
