#!/usr/bin/env python3
"""Checks a SARIF 2.1.0 log against the structure the specification requires of it (the
properties our reporter must emit, with their types) and prints one line per problem.
Usage: check_sarif.py FILE.sarif; exit status 0 when valid."""
import json
import sys

problems = []


def need(obj, key, kind, where):
    if not isinstance(obj, dict) or key not in obj:
        problems.append(f"{where}: missing required property '{key}'")
        return None
    if not isinstance(obj[key], kind):
        problems.append(f"{where}.{key}: expected {kind.__name__}, got {type(obj[key]).__name__}")
        return None
    return obj[key]


with open(sys.argv[1], encoding="utf-8") as f:
    log = json.load(f)
if need(log, "version", str, "log") not in (None, "2.1.0"):
    problems.append("log.version must be \"2.1.0\"")
runs = need(log, "runs", list, "log") or []
if not runs:
    problems.append("log.runs is empty")
for r, run in enumerate(runs):
    where = f"runs[{r}]"
    driver = need(need(run, "tool", dict, where) or {}, "driver", dict, where + ".tool") or {}
    need(driver, "name", str, where + ".tool.driver")
    rules = driver.get("rules", [])
    ids = [rule.get("id") for rule in rules]
    for i, rule in enumerate(rules):
        need(rule, "id", str, f"{where}.tool.driver.rules[{i}]")
    for i, result in enumerate(need(run, "results", list, where) or []):
        w = f"{where}.results[{i}]"
        text = need(need(result, "message", dict, w) or {}, "text", str, w + ".message")
        if text == "":
            problems.append(w + ".message.text is empty")
        if result.get("level") not in ("none", "note", "warning", "error"):
            problems.append(f"{w}.level: {result.get('level')!r} is not a SARIF level")
        rule_id = need(result, "ruleId", str, w)
        if "ruleIndex" in result:
            idx = result["ruleIndex"]
            if not isinstance(idx, int) or not 0 <= idx < len(rules) or ids[idx] != rule_id:
                problems.append(f"{w}.ruleIndex {idx} does not point at rule {rule_id}")
        for j, loc in enumerate(need(result, "locations", list, w) or []):
            pl = need(loc, "physicalLocation", dict, f"{w}.locations[{j}]") or {}
            art = need(pl, "artifactLocation", dict, f"{w}.locations[{j}].physicalLocation") or {}
            need(art, "uri", str, f"{w}.locations[{j}].physicalLocation.artifactLocation")
            region = need(pl, "region", dict, f"{w}.locations[{j}].physicalLocation") or {}
            for key in ("startLine", "startColumn"):
                v = need(region, key, int, f"{w}.locations[{j}].physicalLocation.region")
                if v is not None and v < 1:
                    problems.append(f"{w} region.{key} must be >= 1")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
