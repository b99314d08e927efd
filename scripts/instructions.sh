#!/usr/bin/env bash
# Counts instructions (valgrind's callgrind), which unlike wall time do not move with a busy host:
#   scripts/instructions.sh BINARY
# prints instructions per message for understanding + advice (from `bench` at 1 and 4 rounds,
# snapshots off so both runs load alike) and for one `ask --json` beside a bare `--help`.
# Needs valgrind (apt-get install valgrind); figures only, nothing passes or fails on them.
set -euo pipefail
binary="${1:?usage: scripts/instructions.sh BINARY (a release build of spotter)}"
command -v valgrind > /dev/null || { echo "instructions.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Valgrind cannot read the Swift toolchain's DWARF 5; the symbol table is enough for counting.
objcopy --strip-debug "$binary" "$work/spotter"
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 > /dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
one=$(SPOTTER_SNAPSHOT=off count "$work/spotter" bench --rounds 1)
four=$(SPOTTER_SNAPSHOT=off count "$work/spotter" bench --rounds 4)
messages=$(grep -c '^- text:' Tests/Corpus/questions.yml || true)
[ "$messages" -gt 0 ] || messages=$("$work/spotter" bench --rounds 1 | sed -n 's/.*: \([0-9]*\) messages.*/\1/p')
echo "understanding+advice: $(( (four - one) / (3 * messages) )) instructions per message ($messages messages)"
count "$work/spotter" ask --json "warm up" > /dev/null   # writes this binary's snapshot
ask=$(count "$work/spotter" ask --json "should I go to failure on squats?")
help=$(count "$work/spotter" --help)
python3 -c "import sys; a, h = int(sys.argv[1]), int(sys.argv[2]); print(f'ask --json: {a:,} instructions, --help: {h:,} ({a / h:.2f}x)')" "$ask" "$help"
