#!/bin/bash
# buildcost.sh REPO OPS...: (issue 16, PERFORMANCE.md) build time of a scratch crate holding one generated fn, with and without #[grad]
REPO=$1; shift
DIR=$(dirname "$(readlink -f "$0")")
mkdir -p /tmp/bc/src && cd /tmp/bc
printf '[package]\nname = "ct"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\nchainrule = { path = "%s" }\n\n[workspace]\n' "$REPO" > Cargo.toml
export CARGO_TARGET_DIR=/tmp/bc-target CARGO_INCREMENTAL=0
for ops in "$@"; do for prof in dev release; do for g in 0 1; do
  python3 "$DIR/gen2.py" $ops $g > src/lib.rs
  flag=""; [ $prof = release ] && flag=--release
  cargo build -q $flag 2>/dev/null; cargo clean -q -p ct $flag
  best=999
  for rep in 1 2; do
    cargo clean -q -p ct $flag
    s=$(date +%s.%N); cargo build -q $flag 2>/tmp/bc_err.txt; rc=$?; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc); best=$(echo "if ($t < $best) $t else $best" | bc)
  done
  echo "ops=$ops profile=$prof grad=$g rc=$rc time=$best $(grep -o 'overflowed its stack' /tmp/bc_err.txt | head -1)"
done; done; done
