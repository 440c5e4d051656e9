#!/usr/bin/env bash
# perf.sh measures the budgets of issue 13 (docs/performance.md, "Large
# programs"): calmcheck lint --format text|json|sarif|github on generated programs
# of 10,000 and 100,000 rules in several shapes, lint on the built-in
# library and version with an empty TMPDIR, and (with --seeds) run --seeds
# 1..100000 on the replicated disorderly cart.
#
# Each command runs RUNS times (default 3); the table gives the minimum
# wall time, the minimum CPU time (user + sys), the maximum peak RSS
# (/usr/bin/time's maximum resident set size) and the output's size. Run
# it on a quiet machine: on a busy one the wall times say little, the CPU
# times more.
#
# Usage: scripts/perf.sh [--runs N] [--shapes "wide dense standard"]
#        [--sizes "10000 100000"] [--formats "text json sarif github"] [--seeds]
#        [--work DIR] [--bin CALMCHECK]
# --bin measures a calmcheck built elsewhere (for before and after
# comparisons) instead of building the working tree's; --work keeps the
# generated programs in DIR between runs.
# From the repository's root. Needs Go and GNU time (/usr/bin/time).
set -euo pipefail

runs=3
shapes="wide dense"
sizes="10000 100000"
formats="text json sarif github"
seeds=no
work=""
bin=""
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) runs=$2; shift 2 ;;
	--shapes) shapes=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--formats) formats=$2; shift 2 ;;
	--seeds) seeds=yes; shift ;;
	--work) work=$2; shift 2 ;;
	--bin) bin=$2; shift 2 ;;
	*) echo "perf.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -x /usr/bin/time ] || { echo "perf.sh: needs GNU time at /usr/bin/time" >&2; exit 2; }
root=$(pwd)
[ -f "$root/go.mod" ] || { echo "perf.sh: run it from the repository's root" >&2; exit 2; }
if [ -z "$work" ]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
if [ -z "$bin" ]; then
	bin="$work/calmcheck"
	go build -o "$bin" ./cmd/calmcheck
	what="calmcheck $(git -C "$root" rev-parse --short HEAD)"
else
	bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
	what="$bin"
fi

# measure LABEL OUTFILE CMD...: runs CMD $runs times (stdout to OUTFILE),
# prints one table row.
measure() {
	local label=$1 out=$2
	shift 2
	local best_wall="" best_cpu="" max_rss=0 status=0
	for _ in $(seq "$runs"); do
		if ! /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > "$out" 2> "$work/stderr"; then
			status=$?
		fi
		read -r wall user sys rss < <(tail -n 1 "$work/time")
		cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
		if [ -z "$best_wall" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then best_wall=$wall; fi
		if [ -z "$best_cpu" ] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN { exit !(a < b) }'; then best_cpu=$cpu; fi
		[ "$rss" -gt "$max_rss" ] && max_rss=$rss
	done
	local bytes
	bytes=$(wc -c < "$out")
	printf "| %s | %s s | %s s | %d MB | %s |\n" "$label" "$best_wall" "$best_cpu" $((max_rss / 1024)) \
		"$(awk -v b="$bytes" 'BEGIN { if (b >= 1e6) printf "%.1f MB", b / 1e6; else printf "%.1f kB", b / 1e3 }')"
	[ "$status" -le 1 ] || echo "perf.sh: $label exited with $status: $(head -c 300 "$work/stderr")" >&2
}

echo "$what, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each"
echo
echo "| what | wall (min) | CPU user+sys (min) | peak RSS (max) | output |"
echo "| --- | --- | --- | --- | --- |"
for shape in $shapes; do
	for n in $sizes; do
		dir="$work/$shape$n"
		if [ ! -f "$dir/calmcheck.yaml" ]; then
			go test ./monotonic -run TestWriteGenerated -gen-dir "$dir" -gen-rules "$n" -gen-shape "$shape" > /dev/null
		fi
		for f in $formats; do
			(cd "$dir" && measure "lint --format $f, $shape, $n rules" "$work/out" "$bin" lint --fail-on never --format "$f")
		done
	done
done
empty=$(mktemp -d)
measure "version, empty TMPDIR" "$work/out" env TMPDIR="$empty" "$bin" version
(cd "$empty" && measure "lint (built-in library), empty TMPDIR" "$work/out" env TMPDIR="$empty" "$bin" lint --fail-on never)
leftover=$(ls -A "$empty" | grep -v '^out$' || true)
[ -z "$leftover" ] || echo "perf.sh: TMPDIR not empty after lint and version: $leftover" >&2
rm -rf "$empty"
if [ "$seeds" = yes ]; then
	runs=1 measure "run replicated-disorderly-cart --seeds 1..100000" "$work/out" "$bin" run replicated-disorderly-cart --seeds 1..100000
fi
