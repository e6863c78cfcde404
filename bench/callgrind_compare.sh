#!/usr/bin/env bash
# Figure 6, two builds: instruction counts of bench/callgrind.sh for two git revisions, and the
# ratio B / A per measurement. Each revision is exported (git archive, nothing in the repository
# changes), built into a private server copy of its own and measured on a throwaway cluster of its
# own; the workload and the lint script are this checkout's, so both builds run the same input.
# Instruction counts do not depend on the machine's load, so the two runs can be compared.
#
# Usage: bash bench/callgrind_compare.sh REV_A REV_B     (e.g. main HEAD; "worktree" = this
#                                                          checkout with uncommitted changes)
#        ITERATIONS=N changes the iterations per measurement (default 10)
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MG_REPO_ROOT"

[ $# -eq 2 ] || mg_die "usage: bench/callgrind_compare.sh REV_A REV_B (git revisions, or \"worktree\")"
mg_tmpdir work

export_tree() { # rev dir: the revision's files in dir (git archive), or this checkout's
    mkdir -p "$2"
    if [ "$1" = worktree ]; then
        # Tracked and untracked files as they are now, without build products.
        git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$2" 2>/dev/null || true
    else
        git rev-parse --verify --quiet "$1^{commit}" >/dev/null || mg_die "no such revision: $1"
        git archive "$1" | tar -x -C "$2"
    fi
}

for side in A B; do
    rev=$([ $side = A ] && echo "$1" || echo "$2")
    mg_heading "build $side: $rev"
    export_tree "$rev" "$work/src-$side"
    bash "$BENCH_DIR/callgrind.sh" --source "$work/src-$side" --out "$work/out-$side" \
        >"$work/log-$side.txt" 2>&1 || { tail -n 30 "$work/log-$side.txt"; mg_die "measuring $rev failed"; }
    echo "  $(wc -l <"$work/out-$side/totals.txt") measurements"
done

mg_heading "result: instructions per iteration, B / A"
printf 'A = %s (%s), B = %s (%s)\n\n' "$1" "$(git rev-parse --short "$1" 2>/dev/null || echo "$1")" \
    "$2" "$(git rev-parse --short "$2" 2>/dev/null || echo "$2")"
printf '| measurement | A | B | B / A |\n|---|---|---|---|\n'
awk 'FNR == NR { a[$1] = $2; next }
     { printf "| %s | %s | %s | %s |\n", $1, ($1 in a ? a[$1] : "-"), $2, ($1 in a && a[$1] > 0 ? sprintf("%.3f", $2 / a[$1]) : "-") }' \
    "$work/out-A/totals.txt" "$work/out-B/totals.txt"
printf '\n%s\n' "$(bench_machine)"
