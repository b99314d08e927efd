#!/usr/bin/env python3
"""Build Spotter's exercise catalogue, Rules/exercises.json.

Inputs:
  * free-exercise-db's exercises.json (public domain), Data/free-exercise-db/ or --source
  * Rules/catalogue/overrides.yml   reviewed corrections to the source's labels, and
                                    `additions:` for common exercises the source lacks
  * Rules/catalogue/aliases.yml     the names lifters actually use

Each exercise gets the facts the coaching rules read (COACHING.md section 1):
mechanic, equipment, category and a derived risk class.

Usage:
  python3 scripts/build_catalogue.py            build and write Rules/exercises.json
  python3 scripts/build_catalogue.py --check    exit 1 if the committed file is stale
  python3 scripts/build_catalogue.py --report   print counts and every override applied

Requires python3 and PyYAML. Exit status: 0 on success, 1 on any error (the
message names the file, the id and what to fix) or a stale file under --check.
"""

import argparse
import collections
import difflib
import json
import re
import sys
from pathlib import Path

try:
    import yaml
except ImportError:  # pragma: no cover - environment problem, not data
    sys.exit("build_catalogue.py needs PyYAML: pip install pyyaml")


REPO_ROOT = Path(__file__).resolve().parent.parent
# The source is kept in the repository (public domain, its licence beside it), so a plain clone builds.
DEFAULT_SOURCE = REPO_ROOT / "Data" / "free-exercise-db" / "exercises.json"
OVERRIDES_PATH = REPO_ROOT / "Rules" / "catalogue" / "overrides.yml"
ALIASES_PATH = REPO_ROOT / "Rules" / "catalogue" / "aliases.yml"
OUTPUT_PATH = REPO_ROOT / "Rules" / "exercises.json"

SOURCE_NOTE = "free-exercise-db (public domain, https://github.com/yuhonas/free-exercise-db)"
GENERATED_BY = "scripts/build_catalogue.py"
FORMAT_VERSION = 1

# ---------------------------------------------------------------------------
# Vocabulary (COACHING.md section 1)

MECHANICS = ("compound", "isolation")
EQUIPMENT = ("barbell", "dumbbell", "kettlebell", "machine", "cable", "bodyweight", "band", "other")
CATEGORIES = ("strength", "powerlifting", "olympic", "plyometric", "strongman", "stretching", "cardio")
RISKS = ("axial", "pinning", "technical", "free_compound", "machine_compound", "isolation", "non_lifting")

ALLOWED = {
    "mechanic": MECHANICS,
    "equipment": EQUIPMENT,
    "category": CATEGORIES,
    "risk": RISKS,
}

# Source value -> catalogue value. A source value missing here is an error, so
# an upstream vocabulary change cannot slip through silently.
EQUIPMENT_MAP = {
    "barbell": "barbell",
    "e-z curl bar": "barbell",  # an EZ bar is a barbell for risk purposes
    "dumbbell": "dumbbell",
    "kettlebells": "kettlebell",
    "machine": "machine",
    "cable": "cable",
    "body only": "bodyweight",
    "bands": "band",
    "medicine ball": "other",
    "exercise ball": "other",
    "foam roll": "other",
    "other": "other",
    None: "other",
}

CATEGORY_MAP = {
    "strength": "strength",
    "powerlifting": "powerlifting",
    "olympic weightlifting": "olympic",
    "plyometrics": "plyometric",
    "strongman": "strongman",
    "stretching": "stretching",
    "cardio": "cardio",
}

MECHANIC_MAP = {"compound": "compound", "isolation": "isolation", None: None}

FIELD_ORDER = ("id", "name", "aliases", "mechanic", "equipment", "category", "primary", "secondary", "risk")

# ---------------------------------------------------------------------------
# Risk derivation patterns. They run on the exercise's name and id, lowercased
# with every run of non-alphanumerics turned into one space ("Close-Grip
# Barbell Bench Press" -> "close grip barbell bench press"). Keep them plain:
# a mislabelled exercise gets an override, not a cleverer regex.

SMITH = re.compile(r"\bsmith\b")
TRAP_BAR = re.compile(r"\b(trap|hex) bar\b")

# Barbell (incl. EZ-bar) presses where a failed rep traps the lifter or puts
# the bar over the face or head.
PINNING_PATTERNS = [
    # bench press in every barbell variant: flat, incline, decline, close or
    # wide grip, guillotine, powerlifting, with bands/chains, reverse band ...
    re.compile(r"\bbench press(es)?\b"),
    # bench-press partials and relatives named without "bench"
    re.compile(r"\b(floor|board|pin|neck|jm) press(es)?\b"),
    re.compile(r"\bez bar press(es)?\b"),
    # overhead pressing: military, shoulder, overhead, push press, behind the neck, Bradford
    re.compile(r"\b(military|shoulder|overhead|push) press(es)?\b"),
    re.compile(r"\bpress(es)? behind (the )?neck\b"),
    re.compile(r"\b(bradford|rocky) press(es)?\b"),
    # lying barbell / EZ-bar triceps extensions
    re.compile(r"\bskull ?crushers?\b"),
    re.compile(r"\b(lying|incline|decline)\b.*\btriceps? (press|extension)s?\b"),
]

# Barbell or trap-bar lifts that load the spine while form breaks down.
AXIAL_PATTERNS = [
    re.compile(r"\bsquats?\b"),  # back, front, box, overhead, hack, split, zercher ...
    re.compile(r"\bdead ?lifts?\b"),  # conventional, sumo, romanian, stiff-leg, deficit ...
    re.compile(r"\brack pulls?\b"),
    re.compile(r"\bgood mornings?\b"),
    re.compile(r"\blunges?\b"),
]


def pattern_text(entry):
    """Name and id in the form the risk patterns read."""
    raw = "%s | %s" % (entry["name"], entry["id"])
    return re.sub(r"[^a-z0-9|]+", " ", raw.lower())


def matches(patterns, text):
    return any(p.search(part) for part in text.split("|") for p in patterns)


def derive_risk(entry):
    """COACHING.md section 1, in the order the brief fixes. Returns (risk, rule)."""
    category = entry["category"]
    equipment = entry["equipment"]
    mechanic = entry["mechanic"]
    text = pattern_text(entry)

    if category in ("stretching", "cardio"):
        return "non_lifting", "a: stretching/cardio"
    if category in ("olympic", "plyometric", "strongman"):
        return "technical", "b: olympic/plyometric/strongman"

    smith = bool(SMITH.search(text))
    barbell = equipment == "barbell" and not smith
    if barbell and matches(PINNING_PATTERNS, text):
        return "pinning", "c: barbell press"
    if (barbell or (TRAP_BAR.search(text) and not smith)) and matches(AXIAL_PATTERNS, text):
        return "axial", "d: barbell/trap-bar squat, hinge or lunge"
    if mechanic == "isolation":
        return "isolation", "e: isolation"
    if mechanic == "compound" and equipment in ("machine", "cable"):
        return "machine_compound", "f: compound on machine/cable"
    if mechanic == "compound":
        return "free_compound", "g: other compound"
    return None, "no mechanic"


# ---------------------------------------------------------------------------
# Errors and YAML loading


class BuildError(Exception):
    """Collects every problem found so one run reports them all."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


def rel(path):
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML keeps the last one silently)."""


def _construct_mapping(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                "duplicate key %r (first at line %d); merge the two entries" % (key, seen[key] + 1),
                key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.load(f, Loader=StrictLoader)
    except FileNotFoundError:
        raise BuildError(["%s: file not found" % rel(path)])
    except yaml.YAMLError as e:
        raise BuildError(["%s: invalid YAML: %s" % (rel(path), e)])


def normalize_alias(text):
    """How aliases are compared: lowercase, '-' and '/' as spaces, whitespace collapsed."""
    return " ".join(text.lower().replace("-", " ").replace("/", " ").split())


# ---------------------------------------------------------------------------
# Source


def load_source(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise BuildError(["%s: source file not found; pass --source PATH to free-exercise-db's exercises.json" % path])
    except json.JSONDecodeError as e:
        raise BuildError(["%s: invalid JSON: %s" % (path, e)])
    if not isinstance(data, list):
        raise BuildError(["%s: expected a JSON array of exercises" % path])

    problems = []
    entries = {}
    for i, raw in enumerate(data):
        eid = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(eid, str) or not eid:
            problems.append("%s: entry #%d has no string id" % (path, i))
            continue
        if eid in entries:
            problems.append("%s: id %s appears twice" % (path, eid))
            continue
        where = "%s: id %s" % (path, eid)
        if raw.get("equipment") not in EQUIPMENT_MAP:
            problems.append("%s: unknown equipment %r; add it to EQUIPMENT_MAP in %s"
                            % (where, raw.get("equipment"), GENERATED_BY))
            continue
        if raw.get("category") not in CATEGORY_MAP:
            problems.append("%s: unknown category %r; add it to CATEGORY_MAP in %s"
                            % (where, raw.get("category"), GENERATED_BY))
            continue
        if raw.get("mechanic") not in MECHANIC_MAP:
            problems.append("%s: unknown mechanic %r; add it to MECHANIC_MAP in %s"
                            % (where, raw.get("mechanic"), GENERATED_BY))
            continue
        entries[eid] = {
            "id": eid,
            "name": raw.get("name") or eid,
            "aliases": [],
            "mechanic": MECHANIC_MAP[raw.get("mechanic")],
            "equipment": EQUIPMENT_MAP[raw.get("equipment")],
            "category": CATEGORY_MAP[raw.get("category")],
            "primary": list(raw.get("primaryMuscles") or []),
            "secondary": list(raw.get("secondaryMuscles") or []),
            "risk": None,
        }
    if problems:
        raise BuildError(problems)
    return entries


# ---------------------------------------------------------------------------
# Overrides


def load_overrides(path, entries):
    doc = load_yaml(path)
    name = rel(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("overrides"), list):
        raise BuildError(["%s: expected a top-level 'overrides:' list" % name])

    problems = []
    overrides = []
    seen = {}
    for i, item in enumerate(doc["overrides"]):
        where = "%s: overrides[%d]" % (name, i)
        if not isinstance(item, dict):
            problems.append("%s: each override must be a mapping with id, set and reason" % where)
            continue
        eid = item.get("id")
        if isinstance(eid, str):
            where = "%s: override for %s" % (name, eid)
        extra = set(item) - {"id", "set", "reason"}
        if extra:
            problems.append("%s: unknown key(s) %s; only id, set and reason are allowed"
                            % (where, ", ".join(sorted(map(str, extra)))))
        if not isinstance(eid, str) or not eid:
            problems.append("%s: missing id" % where)
            continue
        if eid not in entries:
            close = difflib.get_close_matches(eid, entries.keys(), n=1)
            hint = " (did you mean %s?)" % close[0] if close else ""
            problems.append("%s: id %s is not in the source; fix the id or delete the entry%s" % (where, eid, hint))
            continue
        if eid in seen:
            problems.append("%s: id %s already has an override (entry %d); merge them into one" % (where, eid, seen[eid]))
            continue
        seen[eid] = i
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            problems.append("%s: missing reason; say in one line why the source label is wrong" % where)
        changes = item.get("set")
        if not isinstance(changes, dict) or not changes:
            problems.append("%s: 'set' must be a non-empty mapping of mechanic/equipment/category/risk" % where)
            continue
        ok = True
        for field, value in changes.items():
            if field not in ALLOWED:
                problems.append("%s: cannot set %r; only %s can be overridden"
                                % (where, field, ", ".join(ALLOWED)))
                ok = False
            elif value not in ALLOWED[field]:
                problems.append("%s: %s: %r is not allowed; use one of %s"
                                % (where, field, value, ", ".join(ALLOWED[field])))
                ok = False
        if ok:
            overrides.append({"id": eid, "set": dict(changes), "reason": (reason or "").strip()})
    if problems:
        raise BuildError(problems)
    return overrides


# ---------------------------------------------------------------------------
# Additions: common gym exercises free-exercise-db lacks (issue 13's review)

ADDITION_KEYS = {"id", "name", "mechanic", "equipment", "category", "primary", "secondary", "reason"}


def load_additions(path, entries):
    """Adds the `additions:` of overrides.yml to `entries`; each needs every field and a reason."""
    doc = load_yaml(path)
    name = rel(path)
    items = doc.get("additions", []) if isinstance(doc, dict) else []
    if not isinstance(items, list):
        raise BuildError(["%s: 'additions' must be a list" % name])
    problems = []
    for i, item in enumerate(items):
        where = "%s: additions[%d]" % (name, i)
        if not isinstance(item, dict):
            problems.append("%s: each addition must be a mapping with %s" % (where, ", ".join(sorted(ADDITION_KEYS))))
            continue
        eid = item.get("id")
        if isinstance(eid, str):
            where = "%s: addition %s" % (name, eid)
        missing = ADDITION_KEYS - set(item) - {"secondary"}
        extra = set(item) - ADDITION_KEYS
        if missing:
            problems.append("%s: missing %s" % (where, ", ".join(sorted(missing))))
            continue
        if extra:
            problems.append("%s: unknown key(s) %s" % (where, ", ".join(sorted(map(str, extra)))))
            continue
        if eid in entries:
            problems.append("%s: id %s is already in the source; use an override instead" % (where, eid))
            continue
        bad = [f for f in ("mechanic", "equipment", "category") if item[f] not in ALLOWED[f]]
        if bad:
            problems.append("%s: %s not allowed; use the catalogue's vocabulary" % (where, ", ".join(bad)))
            continue
        if not isinstance(item["reason"], str) or not item["reason"].strip():
            problems.append("%s: missing reason; say why the exercise is added" % where)
            continue
        entries[eid] = {
            "id": eid, "name": item["name"], "aliases": [], "mechanic": item["mechanic"],
            "equipment": item["equipment"], "category": item["category"],
            "primary": list(item["primary"]), "secondary": list(item.get("secondary") or []), "risk": None,
        }
    if problems:
        raise BuildError(problems)


# ---------------------------------------------------------------------------
# Aliases


def load_aliases(path, entries):
    doc = load_yaml(path)
    name = rel(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("aliases"), dict):
        raise BuildError(["%s: expected a top-level 'aliases:' mapping of id -> [alias, ...]" % name])

    # An alias must not equal the name (or id) of a different exercise: the
    # lookup would be ambiguous.
    names = {}
    for eid, e in entries.items():
        for text in (e["name"], eid.replace("_", " ")):
            names.setdefault(normalize_alias(text), set()).add(eid)

    problems = []
    result = {}
    owner = {}  # normalized alias -> (id, alias as written)
    for eid, values in doc["aliases"].items():
        where = "%s: aliases for %s" % (name, eid)
        if eid not in entries:
            close = difflib.get_close_matches(str(eid), entries.keys(), n=1)
            hint = " (did you mean %s?)" % close[0] if close else ""
            problems.append("%s: id %s is not in the source; fix the id or delete the line%s" % (where, eid, hint))
            continue
        if not isinstance(values, list) or not values:
            problems.append("%s: expected a non-empty list, e.g. %s: [alias one, alias two]" % (where, eid))
            continue
        out = []
        for value in values:
            if not isinstance(value, str) or not value.strip():
                problems.append("%s: alias %r is not a string; quote it in the YAML" % (where, value))
                continue
            alias = " ".join(value.lower().split())
            key = normalize_alias(alias)
            if key in owner and owner[key][0] != eid:
                problems.append("%s: alias %r is also given to %s (as %r); keep it on one id only"
                                % (where, alias, owner[key][0], owner[key][1]))
                continue
            clash = names.get(key, set()) - {eid}
            if clash:
                problems.append("%s: alias %r is the name of another exercise (%s); drop it or point it there"
                                % (where, alias, ", ".join(sorted(clash))))
                continue
            owner.setdefault(key, (eid, alias))
            if alias not in out:
                out.append(alias)
        result[eid] = out
    if problems:
        raise BuildError(problems)
    return result


# ---------------------------------------------------------------------------
# Build


def build(source_path):
    problems = []
    entries = load_source(source_path)
    overrides, aliases = [], {}
    try:
        load_additions(OVERRIDES_PATH, entries)
    except BuildError as e:
        problems.extend(e.problems)
    try:
        overrides = load_overrides(OVERRIDES_PATH, entries)
    except BuildError as e:
        problems.extend(e.problems)
    try:
        aliases = load_aliases(ALIASES_PATH, entries)
    except BuildError as e:
        problems.extend(e.problems)
    if problems:
        raise BuildError(problems)

    applied = []  # for --report
    risk_overrides = {}
    for ov in overrides:
        e = entries[ov["id"]]
        before = {f: e[f] for f in ov["set"] if f != "risk"}
        for field, value in ov["set"].items():
            if field == "risk":
                risk_overrides[ov["id"]] = value
            else:
                e[field] = value
        applied.append({"id": ov["id"], "set": ov["set"], "before": before, "reason": ov["reason"]})

    for eid, e in entries.items():
        e["aliases"] = aliases.get(eid, [])
        derived, rule = derive_risk(e)
        e["_derived"] = derived
        e["_rule"] = rule
        if eid in risk_overrides:
            e["risk"] = risk_overrides[eid]
            e["_rule"] = "override"
        else:
            e["risk"] = derived

    name = rel(OVERRIDES_PATH)
    for a in applied:
        e = entries[a["id"]]
        no_effect = [f for f, v in a["before"].items() if v == a["set"][f]]
        if "risk" in a["set"] and e["_derived"] == a["set"]["risk"]:
            no_effect.append("risk")
        for f in no_effect:
            problems.append("%s: override for %s: %s is already %r without it; remove %s from 'set'"
                            " (or the whole entry)" % (name, a["id"], f, a["set"][f], f))
    for eid, e in sorted(entries.items()):
        if e["risk"] is None or (e["risk"] != "non_lifting" and e["mechanic"] is None):
            problems.append("%s: %s (%s, category %s) is a lifting entry with a null mechanic;"
                            " add an override setting mechanic: compound or isolation"
                            % (name, eid, e["name"], e["category"]))
    if problems:
        raise BuildError(problems)
    return entries, applied


def source_risks(source_path):
    """Risk each overridden entry would have had with no overrides (for --report)."""
    raw = load_source(source_path)
    out = {}
    for eid, e in raw.items():
        out[eid] = derive_risk(e)[0]
    return out


def render(entries):
    lines = []
    for eid in sorted(entries):
        e = entries[eid]
        lines.append(json.dumps({f: e[f] for f in FIELD_ORDER}, ensure_ascii=False, sort_keys=False))
    head = "{\n  %s,\n  %s,\n  %s,\n  \"exercises\": [\n" % (
        json.dumps("version") + ": " + json.dumps(FORMAT_VERSION),
        json.dumps("source") + ": " + json.dumps(SOURCE_NOTE, ensure_ascii=False),
        json.dumps("generated_by") + ": " + json.dumps(GENERATED_BY),
    )
    body = ",\n".join("    " + line for line in lines)
    return head + body + "\n  ]\n}\n"


# ---------------------------------------------------------------------------
# Report


def report(entries, applied, source_path):
    out = []
    total = len(entries)
    out.append("Catalogue: %d exercises, %d with aliases, %d alias strings"
               % (total, sum(1 for e in entries.values() if e["aliases"]),
                  sum(len(e["aliases"]) for e in entries.values())))

    def counts(title, field, order):
        c = collections.Counter(e[field] for e in entries.values())
        out.append("")
        out.append("Per %s:" % title)
        for k in order:
            out.append("  %-18s %4d" % (k, c.get(k, 0)))
        for k in sorted(set(c) - set(order), key=str):
            out.append("  %-18s %4d" % (k, c[k]))

    counts("risk class", "risk", RISKS)
    counts("equipment", "equipment", EQUIPMENT)
    counts("category", "category", CATEGORIES)

    before = source_risks(source_path)
    out.append("")
    out.append("Overrides applied (%d, from %s):" % (len(applied), rel(OVERRIDES_PATH)))
    for a in applied:
        e = entries[a["id"]]
        parts = ["%s %s -> %s" % (f, a["before"][f], v) for f, v in a["set"].items() if f != "risk"]
        if "risk" in a["set"]:
            parts.append("risk set to %s" % a["set"]["risk"])
        risk_note = ("risk %s -> %s" % (before[a["id"]], e["risk"])
                     if before[a["id"]] != e["risk"] else "risk %s (unchanged)" % e["risk"])
        out.append("  %s: %s; %s" % (a["id"], ", ".join(parts), risk_note))
        out.append("      why: %s" % a["reason"])

    for risk in ("pinning", "axial"):
        ids = sorted(eid for eid, e in entries.items() if e["risk"] == risk)
        out.append("")
        out.append("%s (%d): %s" % (risk, len(ids), ", ".join(ids)))
    return "\n".join(out)


# ---------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=str(DEFAULT_SOURCE),
                        help="free-exercise-db exercises.json (default: %(default)s)")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if %s differs from a fresh build" % rel(OUTPUT_PATH))
    parser.add_argument("--report", action="store_true",
                        help="do not write; print counts per risk/equipment/category and the overrides applied")
    args = parser.parse_args(argv)

    try:
        entries, applied = build(args.source)
    except BuildError as e:
        print("build_catalogue: %d problem(s):" % len(e.problems), file=sys.stderr)
        for p in e.problems:
            print("  " + p, file=sys.stderr)
        return 1

    text = render(entries)

    if args.report:
        print(report(entries, applied, args.source))

    if args.check:
        try:
            committed = OUTPUT_PATH.read_text(encoding="utf-8")
        except FileNotFoundError:
            print("build_catalogue --check: %s does not exist; run python3 %s and commit it"
                  % (rel(OUTPUT_PATH), GENERATED_BY), file=sys.stderr)
            return 1
        if committed != text:
            diff = list(difflib.unified_diff(committed.splitlines(), text.splitlines(),
                                             "committed " + rel(OUTPUT_PATH), "fresh build", lineterm="", n=0))
            print("build_catalogue --check: %s is stale (it differs from a fresh build of the source,"
                  " overrides.yml and aliases.yml).\nRun python3 %s and commit the result.\n"
                  "First differences:" % (rel(OUTPUT_PATH), GENERATED_BY), file=sys.stderr)
            for line in diff[:40]:
                print("  " + line, file=sys.stderr)
            if len(diff) > 40:
                print("  ... (%d more diff lines)" % (len(diff) - 40), file=sys.stderr)
            return 1
        print("build_catalogue --check: %s is up to date (%d exercises)" % (rel(OUTPUT_PATH), len(entries)))
        return 0

    if args.report:
        return 0

    OUTPUT_PATH.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT_PATH.write_text(text, encoding="utf-8")
    print("build_catalogue: wrote %s (%d exercises, %d overrides applied)"
          % (rel(OUTPUT_PATH), len(entries), len(applied)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
