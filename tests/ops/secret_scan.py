"""A small secret scanner for the repository's tracked files (used by test_secrets.py).

It looks for credentials that must never be committed: private keys, AWS keys, Anthropic keys,
GitHub tokens, this platform's agent API keys (`bw_<env>_<token>`), passwords inside URLs, and
long high-entropy values assigned to names containing SECRET, PASSWORD, TOKEN, KEY or PEPPER.

Obvious placeholders are allowed (values containing `test`, `example`, `change-me`, a run like
`0123456789`, `${`, ...).
A deliberate fake on one line can be allowed with the comment `secret-scan: allow`.
"""

from __future__ import annotations

import math
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("AWS secret access key", re.compile(r"(?i)aws_?secret_?access_?key\W{1,4}([A-Za-z0-9/+=]{40})\b")),
    ("Anthropic API key", re.compile(r"\bsk-ant-[A-Za-z0-9_\-]{20,}")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("BetterWorld API key", re.compile(r"\bbw_[a-z]+_[A-Za-z0-9_\-]{32,}")),
    ("password in a URL", re.compile(r"\b[a-z][a-z0-9+.\-]*://[^\s:/@'\"]+:([^\s@/'\"]{6,})@")),
)
SECRET_ASSIGNMENT = re.compile(
    r"(?i)\b([\w.\-]*(?:secret|password|passwd|token|api_?key|pepper|private_?key)[\w.\-]*)['\"]?"
    r"\s*(?::=|=|:)\s*['\"]?([A-Za-z0-9/+=_.~\-]{16,})")
PLACEHOLDER_MARKERS = ("test", "example", "placeholder", "change-me", "changeme", "change_me", "dummy",
                       "fake", "dev-only", "not-a-secret", "xxxx", "redacted", "emulator-key", "0123456789",
                       "${", "{{", "<", "*")
ALLOW_PRAGMA = "secret-scan: allow"
MIN_ENTROPY_BITS = 3.5
MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    kind: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}"


def entropy_bits_per_char(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return any(marker in lowered for marker in PLACEHOLDER_MARKERS)


def scan_text(text: str, path: str) -> list[Finding]:
    findings: list[Finding] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if ALLOW_PRAGMA in line:
            continue
        specific = [Finding(path, number, kind) for kind, pattern in RULES for match in pattern.finditer(line)
                    if not is_placeholder(match.group(match.lastindex or 0))]
        findings += specific
        if specific:
            continue  # one line, one report: the specific rule says more than the generic one
        for match in SECRET_ASSIGNMENT.finditer(line):
            name, value = match.group(1), match.group(2)
            if is_placeholder(value) or len(value) < 20 or entropy_bits_per_char(value) < MIN_ENTROPY_BITS:
                continue
            if re.fullmatch(r"[\w.]+(?:\.[\w]+)+|[A-Z_][A-Z0-9_]*", value):  # a reference, not a value
                continue
            findings.append(Finding(path, number, f"high-entropy value assigned to {name}"))
    return findings


def tracked_files(repo: Path) -> list[str]:
    output = subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True, check=True).stdout
    return [name for name in output.decode().split("\0") if name]


def scan_repository(repo: Path) -> list[Finding]:
    findings: list[Finding] = []
    for name in tracked_files(repo):
        path = repo / name
        try:
            if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if b"\0" in data[:8192]:
            continue  # binary
        findings += scan_text(data.decode("utf-8", errors="replace"), name)
    return findings
