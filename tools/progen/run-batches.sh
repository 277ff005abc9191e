#!/usr/bin/env bash
# Runs batches of random #[grad] programs through the macro, each batch a seed of
# its own, and prints per batch and in total: programs, points, mismatches (of the
# reverse companion, and of the forward companion checked at the same points), and
# how many programs exercise each construct of the README's support table.
#
#   tools/progen/run-batches.sh                     # 10 batches of 1,000 programs, seeds 1001..1010
#   tools/progen/run-batches.sh --batches 2 --size 500 --seed0 2000 --exclude row-args
#   tools/progen/run-batches.sh --no-forward field-row-args   # as the CI files (see their header)
#
# A program that does not compile (the macro rejects it, panics, or emits code rustc
# rejects) would stop its whole batch: it is left out (progen --skip) and the batch
# compiled again; the batch's line names it and the distinct errors are listed.
#
# Options: --batches N (default 10), --size N (programs per batch, default 1000),
# --seed0 S (batch b has seed S + b, default 1000), --tables (print every batch's
# construct table, not only the total's); anything else (`--exclude NAME` …) is
# passed on to progen.
#
# Nothing in the repository changes: each batch is generated into a scratch crate
# under target/progen-batches/ (its own Cargo.toml with an empty [workspace], the
# workspace's Cargo.lock, a copy of tests/random_programs/*.rs, the driver) and compiled
# there, in target/progen-batches/target, so that it does not take the lock of the
# workspace's target directory. The logs stay in target/progen-batches/.
#
# A batch of 1,000 programs is one test file of about 80,000 lines: rustc takes
# about 1 min and 2-3 GiB on two cores (1,500 programs with every construct took
# 108 s and 3 GiB); 10 batches take about 11 min, the first one a minute more for
# the dependencies.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
batches=10
size=1000
seed0=1000
tables=0
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --batches) batches=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --seed0) seed0=$2; shift 2 ;;
        --tables) tables=1; shift ;;
        *) extra+=("$1"); shift ;;
    esac
done

# PROGEN_SCRATCH: the scratch directory (default target/progen-batches), so that two
# runs at once do not share one; CARGO_TARGET_DIR: where progen is built.
work=${PROGEN_SCRATCH:-$root/target/progen-batches}
crate=$work/crate
mkdir -p "$crate/tests/random_programs"
# the facade's package (its library is `autodiff`)
pkg=$(sed -n '/^\[package\]/,/^\[/s/^name = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)
cat > "$crate/Cargo.toml" <<EOF
[package]
name = "progen-batch"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dev-dependencies]
autodiff = { package = "$pkg", path = "$root" }
num-dual = "0.15"
EOF
cp "$root/Cargo.lock" "$crate/Cargo.lock"
rm -f "$work"/batch-*.log "$work"/batch-*.compile-*.txt
cp "$root"/tests/random_programs/*.rs "$crate/tests/random_programs/"

(cd "$root" && cargo build --quiet -p progen)
progen=${CARGO_TARGET_DIR:-$root/target}/debug/progen

# The programs of the generated file with a compile error in the log (each error's
# line, mapped to the program whose section holds it), as "N,M,…".
not_compiling() {
    local file=$1 log=$2
    grep -oE -- '--> tests/random_programs\.rs:[0-9]+' "$log" | sed -E 's/.*:([0-9]+)$/\1/' | sort -n -u |
        awk -v file="$file" '
            BEGIN { while ((getline l < file) > 0) { n++; if (l ~ /^\/\/ -+ p[0-9]+$/) { sub(/.* p/, "", l); at[n] = l } } }
            { for (i = $1; i > 0; i--) if (i in at) { print at[i]; break } }' |
        sort -n -u | paste -sd, -
}

total_programs=0
total_skipped=0
total_points=0
total_mismatches=0
total_failing=0
total_fwd_programs=0
total_fwd_points=0
total_fwd_mismatches=0
total_so_programs=0
total_so_points=0
total_so_mismatches=0
failed_compiles=0
t_all=$(date +%s)
for b in $(seq 1 "$batches"); do
    seed=$((seed0 + b))
    log=$work/batch-$b.log
    t0=$(date +%s)
    # programs that do not compile are left out (--skip) and the batch compiled again
    skip=""
    for attempt in 1 2 3 4 5; do
        "$progen" --seed "$seed" --count "$size" ${extra[@]+"${extra[@]}"} ${skip:+--skip "$skip"} \
            > "$crate/tests/random_programs.rs"
        status=0
        (cd "$crate" && CARGO_TARGET_DIR=$work/target nice -n 10 cargo test --quiet --offline \
            --test random_programs -- --nocapture) > "$log" 2>&1 || status=$?
        grep -q '^random programs:' "$log" && break
        more=$(not_compiling "$crate/tests/random_programs.rs" "$log")
        [ -z "$more" ] && break
        cp "$log" "$work/batch-$b.compile-$attempt.txt"
        skip=${skip:+$skip,}$more
    done
    t1=$(date +%s)
    nskip=0
    if [ -n "$skip" ]; then
        nskip=$(tr ',' '\n' <<< "$skip" | wc -l)
        echo "batch $b (seed $seed): $nskip programs do not compile, left out: p${skip//,/, p} (errors in $work/batch-$b.compile-*.txt)"
        grep -h -E '^error(\[E[0-9]+\])?: |= help: message: ' "$work"/batch-$b.compile-*.txt |
            grep -v -E 'could not compile|cannot find function' | sed -E 's/^ *//' | cut -c1-110 |
            sort | uniq -c | sort -rn | head -8 | sed 's/^/    /'
    fi
    line=$(grep -m1 '^random programs:' "$log" || true)
    if [ -z "$line" ]; then
        failed_compiles=$((failed_compiles + 1))
        echo "batch $b (seed $seed, $size programs): did not run (exit $status, $((t1 - t0)) s); see $log"
        grep -m5 -E '^error' "$log" | sed 's/^/    /' || true
        continue
    fi
    # "random programs: 1000 programs, 3995 points, 0 mismatches (…)"
    read -r programs points mismatches < <(sed -E \
        's/^random programs: ([0-9]+) programs, ([0-9]+) points, ([0-9]+) mismatches.*/\1 \2 \3/' <<< "$line")
    # "forward mode: 1000 programs, 3995 points, 0 mismatches (…)"
    fline=$(grep -m1 '^forward mode:' "$log" || true)
    read -r fprograms fpoints fmismatches < <(sed -E \
        's/^forward mode: ([0-9]+) programs, ([0-9]+) points, ([0-9]+) mismatches.*/\1 \2 \3/' <<< "${fline:-forward mode: 0 programs, 0 points, 0 mismatches}")
    # "second order: 120 programs, 240 points, 0 mismatches (…)"
    sline=$(grep -m1 '^second order:' "$log" || true)
    read -r sprograms spoints smismatches < <(sed -E \
        's/^second order: ([0-9]+) programs, ([0-9]+) points, ([0-9]+) mismatches.*/\1 \2 \3/' <<< "${sline:-second order: 0 programs, 0 points, 0 mismatches}")
    failing=$(grep -m1 '^random programs with a mismatch:' "$log" | sed -E 's/.*: ([0-9]+).*/\1/' || echo 0)
    zero=$(grep -c -P '^construct\t.*\t0$' "$log" || true)
    echo "batch $b (seed $seed): $programs programs, $points points, $mismatches mismatches (forward mode: $fprograms programs, $fpoints points, $fmismatches mismatches; second order: $sprograms programs, $spoints points, $smismatches mismatches) in ${failing:-0} programs, $zero constructs of the table in no program ($((t1 - t0)) s)"
    if [ "$tables" = 1 ]; then
        grep -P '^construct\t' "$log" | cut -f2- | sed 's/^/    /'
    fi
    total_programs=$((total_programs + programs))
    total_points=$((total_points + points))
    total_mismatches=$((total_mismatches + mismatches))
    total_fwd_programs=$((total_fwd_programs + fprograms))
    total_fwd_points=$((total_fwd_points + fpoints))
    total_fwd_mismatches=$((total_fwd_mismatches + fmismatches))
    total_so_programs=$((total_so_programs + sprograms))
    total_so_points=$((total_so_points + spoints))
    total_so_mismatches=$((total_so_mismatches + smismatches))
    total_failing=$((total_failing + ${failing:-0}))
    total_skipped=$((total_skipped + nskip))
done
t_end=$(date +%s)

echo
echo "total: $total_programs programs, $total_points points, $total_mismatches mismatches (forward mode: $total_fwd_programs programs, $total_fwd_points points, $total_fwd_mismatches mismatches; second order: $total_so_programs programs, $total_so_points points, $total_so_mismatches mismatches) in $total_failing programs, $total_skipped programs left out because they do not compile, $failed_compiles batches that did not run ($(( (t_end - t_all) / 60 )) min)"
echo "programs exercising each construct of the README's support table (row, programs, construct):"
cat "$work"/batch-*.log 2>/dev/null | grep -P '^construct\t' | awk -F'\t' '
    { key = $2 "\t" $3; if (!(key in n)) { order[++k] = key; n[key] = 0 } n[key] += $4 }
    END {
        zero = 0
        for (i = 1; i <= k; i++) {
            split(order[i], f, "\t")
            printf "    %-20s %7d  %s%s\n", f[1], n[order[i]], f[2], (n[order[i]] == 0 ? "   <- none" : "")
            if (n[order[i]] == 0) zero++
        }
        printf "%d constructs of %d in no program\n", zero, k
    }'
if [ "$total_failing" -gt 0 ] || [ "$failed_compiles" -gt 0 ] || [ "$total_skipped" -gt 0 ]; then
    [ "$total_failing" -gt 0 ] && echo "mismatching programs by construct (mismatching / all with it), summed over the batches:"
    cat "$work"/batch-*.log | grep -P '^(failing-)?construct\t' | awk -F'\t' '
        $1 == "construct" { all[$2 " / " $3] += $4; next }
        { key = $2 " / " $3; if (!(key in n)) order[++k] = key; n[key] += $4 }
        END { for (i = 1; i <= k; i++) printf "    %-66s %5d / %d\n", order[i], n[order[i]], all[order[i]] }'
    exit 1
fi
