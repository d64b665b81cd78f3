"""The comparison as JUnit XML: one testcase per compared metric, regressions as failures,
inconclusive metrics as skipped cases whose message is the reason (never a silent pass)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harness.compare import formatting
from harness.compare.config import rule_lines
from harness.compare.engine import Comparison
from harness.compare.rules import Verdict

SUITE_NAME = "bwperf compare"


def render_junit(comparison: Comparison) -> str:
    failures = comparison.count(Verdict.REGRESSED)
    skipped = comparison.count(Verdict.INCONCLUSIVE)
    suites = ET.Element("testsuites", name=SUITE_NAME, tests=str(len(comparison.metrics)), failures=str(failures),
                        skipped=str(skipped))
    suite = ET.SubElement(suites, "testsuite", name=SUITE_NAME, tests=str(len(comparison.metrics)),
                          failures=str(failures), errors="0", skipped=str(skipped))
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="runs", value=formatting.runs_text(comparison))
    for number, line in enumerate(rule_lines(comparison.settings, tests=len(comparison.metrics)), start=1):
        ET.SubElement(properties, "property", name=f"rule.{number}", value=line)
    for m in sorted(comparison.metrics, key=lambda m: m.key):
        scope = m.key.split("/")[0]
        case = ET.SubElement(suite, "testcase", classname=f"bwperf.compare.{scope}", name=m.key, time="0")
        detail = (
            f"{m.verdict.value}: baseline {formatting.value_text(m.baseline, m.unit)}, current "
            f"{formatting.value_text(m.current, m.unit)}, Δ {formatting.delta_text(m.delta, m.unit)} "
            f"({formatting.delta_pct_text(m.delta_pct)}), noise band {formatting.noise_text(m)}, "
            f"threshold {m.rule.threshold_pct:g} %, floor {m.rule.floor:g}"
        )
        why = formatting.detail_text(m)
        if why:
            detail += f"; {why}"
        if m.verdict is Verdict.REGRESSED:
            ET.SubElement(case, "failure", message=detail, type="regression").text = detail
        elif m.verdict is Verdict.INCONCLUSIVE:
            ET.SubElement(case, "skipped", message=f"inconclusive: {m.reason}").text = detail
        else:
            ET.SubElement(case, "system-out").text = detail
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
