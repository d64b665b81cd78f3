"""The three stress plans of seed 8.5 (agent swarm, database saturation, queue flood): each a YAML
plan with its goals, a behaviour module, and the post-run checks (drain, reconciliation) in the
shared modules here: `ledger` (every acknowledged write), `swarm` (agents and their keys, in
memory only), `drain` (wait for the guardrail queue), `reconcile` (writes vs API and queue)."""
