#!/usr/bin/env python3
"""Writes Tests/Corpus/sets.yml: set-log phrasings with the exact records each must give.

Hand-written entries (the issue's table, the question corpus's set logs, edge cases) come first;
the rest are phrasings composed from templates whose meaning is fixed by the template itself
(weight x reps, sets x reps, rep lists, RPE/RIR forms, past tense, two exercises, bodyweight,
dumbbells), with the expected record written from the template's own numbers, never from
running Spotter. Deterministic (fixed seed). Run: python3 scripts/build_sets_corpus.py
"""
import json, random, pathlib

random.seed(12)
ROOT = pathlib.Path(__file__).resolve().parent.parent

BENCH = "Barbell_Bench_Press_-_Medium_Grip"
BARBELL = [("bench", BENCH), ("squat", "Barbell_Squat"), ("deadlift", "Barbell_Deadlift"),
           ("ohp", "Standing_Military_Press"), ("barbell row", "Bent_Over_Barbell_Row"), ("leg press", "Leg_Press"),
           ("rdl", "Romanian_Deadlift"), ("front squat", "Front_Barbell_Squat"), ("hip thrust", "Barbell_Hip_Thrust"),
           ("lat pulldown", "Wide-Grip_Lat_Pulldown"), ("incline bench", "Barbell_Incline_Bench_Press_-_Medium_Grip"),
           ("bench press", BENCH), ("back squat", "Barbell_Squat"), ("overhead press", "Standing_Military_Press")]
PAST = [("squatted", "Barbell_Squat"), ("benched", BENCH), ("deadlifted", "Barbell_Deadlift")]
BODY = [("pullups", "Pullups"), ("dips", "Dips_-_Triceps_Version"), ("chin ups", "Chin-Up"), ("push ups", "Pushups")]
BELLS = [("db bench", "Dumbbell_Bench_Press"), ("incline db press", "Incline_Dumbbell_Press"),
         ("dumbbell curls", "Dumbbell_Bicep_Curl"), ("hammer curls", "Hammer_Curls"), ("db shoulder press", "Dumbbell_Shoulder_Press")]
LOADS = [20, 40, 60, 62.5, 80, 100, 102.5, 120, 140, 180, 225]
RPES = [6, 7, 7.5, 8, 8.5, 9, 9.5, 10]


def num(v):
    return str(int(v)) if float(v).is_integer() else str(v)


def rec(ex, load, reps, sets=1, unit="kg", rir=None, rpe=None, failure=False, added=None, stated=True):
    r = {"exercise": ex, "load": load, "unit": unit, "sets": sets, "reps": reps}
    if added is not None: r["added_load"] = added
    if rir is not None: r["rir"] = rir
    if rpe is not None: r["rpe"] = rpe
    if failure: r["to_failure"] = True
    if not stated: r["unit_stated"] = False
    return r


def groups(ex, load, reps_list, **kw):
    out = []
    for r in reps_list:
        if out and out[-1]["reps"] == r:
            out[-1]["sets"] += 1
        else:
            out.append(rec(ex, load, r, 1, **kw))
    return out


entries = []
seen = set()


def add(text, sets=None, refused=None, ask=None, why=None):
    if text in seen: return
    seen.add(text)
    e = {"text": text}
    if sets is not None: e["sets"] = sets
    if refused is not None: e["refused"] = refused
    if ask is not None: e["ask"] = ask
    if why: e["why"] = why
    entries.append(e)


# --- The table -----------------------------------------------------------------------
add("squat 100kg x 5 @ rpe 11", refused="RPE 11", why="issue 12 table: RPE 11 does not exist")
add("incline db press 30s x 10 x 3 @8", [rec("Incline_Dumbbell_Press", 30, 10, 3, rpe=8, stated=False)],
    why="issue 12 table: 30s are the dumbbells, 3 sets of 10 at RPE 8")
add("ohp 60 x 5, 5, 4", groups("Standing_Military_Press", 60, [5, 5, 4], stated=False), why="issue 12 table: three sets")
add("deadlift 180kg x 3 @9", [rec("Barbell_Deadlift", 180, 3, rpe=9)], why="issue 12 table: the RPE is kept")
add("bench 100 x 5 @8", [rec(BENCH, 100, 5, rpe=8, stated=False)], why="issue 12 table: the RPE is kept")
add("bench 80kg 10,8,6", groups(BENCH, 80, [10, 8, 6]), why="issue 12 table: a rep list")
add("squats 315 for 3", [rec("Barbell_Squat", 315, 3, stated=False)],
    why="issue 12 table: a bare load; the chat confirms it against the lifter's best")
add("squatted 140kg for 5 at rpe 8", [rec("Barbell_Squat", 140, 5, rpe=8)], why="past tense (issue 12 and 13)")
add("squat 140kg 3x5, then leg press 200 3x10",
    [rec("Barbell_Squat", 140, 5, 3), rec("Leg_Press", 200, 10, 3, stated=False)], why="two entries")
# --- Impossible or ambiguous -----------------------------------------------------------------
add("squat 100kg x 5 @ rir -1", refused="RIR -1")
add("bench -20kg x 5", refused="negative load")
add("squat 1e400kg x 5", refused="scientific notation")
add("deadlift 5e3kg x 1", refused="scientific notation")
add("leg press 1,500kg x 10", refused="1,500")
add("squat 100kg for a billion reps", refused="over 1000 reps")
add("squat 3 plates x 5", ask="plates")
add("bench two plates for 3", ask="plates")
add("bench 3x8-10 60kg", ask="how many")
add("squat 100kg x 5 rpe 7-8", ask="how many")
add("curls 20kg x 8 x 10000", refused="over 1000 reps")
add("bench 100kg x 0", refused="0 reps")
add("squat 2500kg x 1", refused="over 2000 kg")
add("bench 100kg x 5 @ rpe 0", refused="RPE 0")
add("squat 100kg x 5 @ 12", refused="RPE 12")
add("bench 100kg 5.5 reps", refused="whole number")
# --- The question corpus's set logs, with their records ----------------------------------------
add("bench 100kg x 8 @ RIR 1", [rec(BENCH, 100, 8, rir=1)])
add("squat 140 5x5 rpe 8", [rec("Barbell_Squat", 140, 5, 5, rpe=8, stated=False)])
add("curls 20 lb 12 reps to failure", [rec("Barbell_Curl", 20, 12, unit="lb", failure=True)])
add("3x10 lat pulldown 60kg", [rec("Wide-Grip_Lat_Pulldown", 60, 10, 3)])
add("did deadlifts 180kg for 3", [rec("Barbell_Deadlift", 180, 3)])
add("ohp 60kg x 5 @8", [rec("Standing_Military_Press", 60, 5, rpe=8)])
add("leg press 200kg 4x12", [rec("Leg_Press", 200, 12, 4)])
add("rdl 100 x 8 rir 2", [rec("Romanian_Deadlift", 100, 8, rir=2, stated=False)])
add("hammer curls 15kg 3x12", [rec("Hammer_Curls", 15, 12, 3)])
add("lateral raises 10 lbs x 15 to failure", [rec("Side_Lateral_Raise", 10, 15, unit="lb", failure=True)])
add("Incline bench 80kg x 6 @ RIR 2", [rec("Barbell_Incline_Bench_Press_-_Medium_Grip", 80, 6, rir=2)])
add("just did 225 for 5 on bench", [rec(BENCH, 225, 5, stated=False)])
add("hit 315x3 on squat @9", [rec("Barbell_Squat", 315, 3, rpe=9, stated=False)])
add("hip thrusts 140kg x 10 rpe 8.5", [rec("Barbell_Hip_Thrust", 140, 10, rpe=8.5)])
add("front squat 100kg 3x5 @7", [rec("Front_Barbell_Squat", 100, 5, 3, rpe=7)])
add("chin ups 5 sets of 8", [rec("Chin-Up", None, 8, 5, stated=False)])
add("dips +20kg x 8 @ rir 2", [rec("Dips_-_Triceps_Version", None, 8, added=20, rir=2)])
add("Squat: 120kg x 8, RIR 2", [rec("Barbell_Squat", 120, 8, rir=2)])
add("bench 225lbs x 5 @ rpe 9", [rec(BENCH, 225, 5, unit="lb", rpe=9)])
add("hack squat 3x10 120kg", [rec("Hack_Squat", 120, 10, 3)])
add("sumo deadlift 160kg for 5 reps @8", None)  # exercise id checked by the question corpus
entries.pop()
seen.discard("sumo deadlift 160kg for 5 reps @8")
add("push ups 3x20", [rec("Pushups", None, 20, 3, stated=False)])
add("BENCH 100KG X 8", [rec(BENCH, 100, 8)])
add("Bench press, 4 sets of 8 at 80kg", [rec(BENCH, 80, 8, 4)])
add("ham curls 40kg 12 reps @ 0 rir", None); entries.pop(); seen.discard("ham curls 40kg 12 reps @ 0 rir")
add("pullups x 12", [rec("Pullups", None, 12, stated=False)], why="bodyweight")
add("pullups bodyweight x 10", [rec("Pullups", None, 10, stated=False)])
add("pullups +10 kg x 6", [rec("Pullups", None, 6, added=10)], why="weighted pull-ups")
add("squat 140kg x 5 x 3", [rec("Barbell_Squat", 140, 5, 3)], why="load x reps x sets")
add("bench 60kg 10/8/6", groups(BENCH, 60, [10, 8, 6]))
add("bench 100kg x 5, 105kg x 3, 110kg x 1",
    [rec(BENCH, 100, 5), rec(BENCH, 105, 3), rec(BENCH, 110, 1)], why="ascending sets")
add("squat 180kg single @9", [rec("Barbell_Squat", 180, 1, rpe=9)])
add("deadlift 200kg triple @ 8.5", [rec("Barbell_Deadlift", 200, 3, rpe=8.5)])
add("squat 100kg for five reps", [rec("Barbell_Squat", 100, 5)])
add("bench 100kg x 5 @ rir 2", [rec(BENCH, 100, 5, rir=2)])
add("bench 100kg x 5 2 in reserve", [rec(BENCH, 100, 5, rir=2)])
add("bench 100kg x 5 @ 8 rpe", [rec(BENCH, 100, 5, rpe=8)])
add("bench 100 kilos x 5", [rec(BENCH, 100, 5)])
add("bench 100kg 3 sets of 5 then curls 20kg 3x12",
    [rec(BENCH, 100, 5, 3), rec("Barbell_Curl", 20, 12, 3)])
add("squat 140kg 5x5 and bench 100kg 5x5", [rec("Barbell_Squat", 140, 5, 5), rec(BENCH, 100, 5, 5)])
add("tricep pushdowns 25kg x 15, 3 sets", None); entries.pop(); seen.discard("tricep pushdowns 25kg x 15, 3 sets")
add("curls 20kg x 12 x 3 to failure", [rec("Barbell_Curl", 20, 12, 3, failure=True)])
add("ohp 60,5 kg x 5", [rec("Standing_Military_Press", 60.5, 5)], why="decimal comma")
add("rpe 8 squat 140kg x 5", [rec("Barbell_Squat", 140, 5, rpe=8)])

# --- Composed from templates -----------------------------------------------------------------
def pick(xs): return random.choice(xs)

templates = []
def t(fn): templates.append(fn); return fn

@t
def load_reps():
    name, ex = pick(BARBELL); w = pick(LOADS); r = random.randint(1, 12)
    return f"{name} {num(w)}kg x {r}", [rec(ex, w, r)]
@t
def load_reps_rpe():
    name, ex = pick(BARBELL); w = pick(LOADS); r = random.randint(1, 10); e = pick(RPES)
    form = pick(["@{e}", "@ {e}", "rpe {e}", "@ rpe {e}", "at rpe {e}", "RPE{e}"]).format(e=num(e))
    return f"{name} {num(w)} kg x {r} {form}", [rec(ex, w, r, rpe=e)]
@t
def load_reps_rir():
    name, ex = pick(BARBELL); w = pick([100, 135, 185, 225, 275, 315]); r = random.randint(1, 10); q = random.randint(0, 4)
    form = pick(["@ rir {q}", "rir {q}", "{q} rir", "@ {q} rir", "{q} in the tank"]).format(q=q)
    return f"{name} {w}lbs x {r} {form}", [rec(ex, w, r, unit="lb", rir=q)]
@t
def sets_reps():
    name, ex = pick(BARBELL); w = pick(LOADS); s = random.randint(2, 6); r = random.randint(1, 12)
    return pick([f"{name} {num(w)}kg {s}x{r}", f"{s}x{r} {name} {num(w)}kg", f"{name} {s}x{r} @ {num(w)}kg",
                 f"{name} {s} sets of {r} at {num(w)}kg", f"{name} {num(w)}kg {s} x {r}"]), [rec(ex, w, r, s)]
@t
def bare_load():
    name, ex = pick(BARBELL); w = pick([40, 60, 80, 100, 120, 140]); s = random.randint(2, 5); r = random.randint(3, 10)
    return f"{name} {w} {s}x{r}", [rec(ex, w, r, s, stated=False)]
@t
def for_reps():
    name, ex = pick(BARBELL); w = pick(LOADS); r = random.randint(1, 12)
    return pick([f"{name} {num(w)}kg for {r}", f"{name} {num(w)}kg for {r} reps", f"did {name} {num(w)}kg for {r}",
                 f"{name} {num(w)}kg {r} reps"]), [rec(ex, w, r)]
@t
def past():
    name, ex = pick(PAST); w = pick(LOADS); r = random.randint(1, 10); e = pick(RPES)
    return f"{name} {num(w)}kg for {r} at rpe {num(e)}", [rec(ex, w, r, rpe=e)]
@t
def rep_list():
    name, ex = pick(BARBELL); w = pick(LOADS); reps = sorted([random.randint(3, 12) for _ in range(random.randint(2, 4))], reverse=True)
    sep = pick([", ", "/", ","])
    return f"{name} {num(w)}kg x {sep.join(map(str, reps))}", groups(ex, w, reps)
@t
def rep_list_rpe():
    name, ex = pick(BARBELL); w = pick([60, 80, 100]); reps = [5, 5, random.randint(3, 5)]; e = pick([7, 8, 9])
    return f"{name} {w} x {', '.join(map(str, reps))} @{e}", groups(ex, w, reps, rpe=e, stated=False)
@t
def failure():
    name, ex = pick(BARBELL); w = pick(LOADS); r = random.randint(5, 15)
    return f"{name} {num(w)}kg x {r} {pick(['to failure', 'amrap', 'till failure'])}", [rec(ex, w, r, failure=True)]
@t
def two_exercises():
    (n1, e1), (n2, e2) = random.sample(BARBELL[:11], 2)
    w1, w2 = pick(LOADS), pick(LOADS); s1, r1, s2, r2 = random.randint(2, 5), random.randint(3, 10), random.randint(2, 5), random.randint(3, 12)
    sep = pick([", then", " then", ", and then", "; "])
    return f"{n1} {num(w1)}kg {s1}x{r1}{sep} {n2} {num(w2)}kg {s2}x{r2}", [rec(e1, w1, r1, s1), rec(e2, w2, r2, s2)]
@t
def bodyweight():
    name, ex = pick(BODY); r = random.randint(5, 25); s = random.randint(2, 5)
    return pick([(f"{name} x {r}", [rec(ex, None, r, stated=False)]), (f"{name} {s}x{r}", [rec(ex, None, r, s, stated=False)]),
                 (f"{name} {s} sets of {r}", [rec(ex, None, r, s, stated=False)])])
@t
def weighted():
    name, ex = pick(BODY[:3]); a = pick([5, 10, 15, 20, 25]); r = random.randint(3, 10)
    return f"{name} +{a}kg x {r}", [rec(ex, None, r, added=a)]
@t
def bells():
    name, ex = pick(BELLS); w = pick([12, 16, 20, 24, 30, 32]); r = random.randint(6, 15); s = random.randint(2, 4)
    return f"{name} {w}s x {r} x {s}", [rec(ex, w, r, s, stated=False)]
@t
def bells_kg():
    name, ex = pick(BELLS); w = pick([12, 16, 20, 24, 30]); r = random.randint(6, 15); e = pick([7, 8, 9])
    return f"{name} {w}kg x {r} @{e}", [rec(ex, w, r, rpe=e)]
@t
def load_reps_sets():
    name, ex = pick(BARBELL); w = pick(LOADS); r = random.randint(3, 12); s = random.randint(2, 5)
    return f"{name} {num(w)}kg x {r} x {s}", [rec(ex, w, r, s)]
@t
def refuse_rpe():
    name, ex = pick(BARBELL); w = pick(LOADS); e = random.randint(11, 20)
    return f"{name} {num(w)}kg x 5 @ rpe {e}", f"RPE {e}"
@t
def refuse_rir():
    name, ex = pick(BARBELL); q = random.randint(1, 3)
    return f"{name} 100kg x 5 rir -{q}", f"RIR -{q}"
@t
def refuse_sci():
    name, ex = pick(BARBELL); a, b = random.randint(1, 9), random.randint(2, 400)
    return f"{name} {a}e{b}kg x 5", "scientific notation"
@t
def refuse_comma():
    name, ex = pick(BARBELL); a, b = random.randint(1, 3), random.randint(100, 999)
    return f"{name} {a},{b}kg x 5", f"{a},{b}"
@t
def ask_plates():
    name, ex = pick(BARBELL[:4]); p = random.randint(1, 5)
    return f"{name} {p} plates x {random.randint(1, 8)}", "plates"

made = 0
while len(entries) < 330 and made < 5000:
    made += 1
    fn = pick(templates)
    text, expected = fn()
    if text in seen: continue
    if fn.__name__.startswith("refuse"):
        add(text, refused=expected)
    elif fn.__name__.startswith("ask"):
        add(text, ask=expected)
    else:
        add(text, expected)

lines = ["# Set-log phrasings and the exact records each must give (issue 12). Written by",
         "# scripts/build_sets_corpus.py: hand-written entries first (the issue's table among them),",
         "# then phrasings composed from templates whose meaning the template fixes.",
         "#   sets:    the records, one per group of equal sets in the order performed. Fields:",
         "#            exercise, load (null: bodyweight), unit (kg | lb; kg for a bare number, which",
         "#            the chat replaces by the lifter's unit), sets, reps; when said: added_load, rir,",
         "#            rpe, to_failure; unit_stated: false for a bare number.",
         "#   refused: the message is refused (nothing stored); the reason contains this text.",
         "#   ask:     the message is asked about (intent clarify, nothing stored); the question contains this.",
         ""]
for e in entries:
    lines.append(f"- text: {json.dumps(e['text'])}")
    if "why" in e: lines.append(f"  why: {json.dumps(e['why'])}")
    if "refused" in e: lines.append(f"  refused: {json.dumps(e['refused'])}")
    if "ask" in e: lines.append(f"  ask: {json.dumps(e['ask'])}")
    if "sets" in e:
        lines.append("  sets:")
        for r in e["sets"]:
            lines.append("    - {" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in r.items()) + "}")
(ROOT / "Tests/Corpus/sets.yml").write_text("\n".join(lines) + "\n")
print(len(entries), "entries")
