#!/usr/bin/env bash
# Runs GradBench's own evals, through its intermediary, against this project's
# GradBench tool (the workspace member tools/gradbench-tool) and against
# GradBench's hand-written C++ tool `manual`, one tool after the other on the
# same inputs; then prints the validation counts of each and the ratio table
# (median `evaluate` time per message, tool ÷ manual, per input and the
# geometric mean per eval function).
#
# Nothing of GradBench is in this repository: point GRADBENCH at a checkout
# prepared as ../shared/GRADBENCH.md says (the `manual` tool built, the
# `gradbench` CLI built with `cargo build --release --package=gradbench`).
#
#   GRADBENCH=/path/to/gradbench PYTHON=/path/to/venv/bin/python tools/gradbench.sh
#
# Environment:
#   GRADBENCH     the GradBench checkout (required)
#   PYTHON        a Python with numpy, pydantic, dataclasses-json, scipy (default python3)
#   EVALS         the evals to run (default: all twelve; particle and saddle
#                 have no `manual`, so no ratio, only our tool's validation)
#   TOOLS         which tools to run: "autodiff manual" (default), or one of them
#   MIN_SECONDS   each eval's --min-seconds (default 1, GradBench's default;
#                 0 for a quick validation run)
#   ODE_MIN_SECONDS  ode's --min-seconds (default 0.01): manual's ode takes
#                 ~0.1 µs at these sizes, and a second of runs is millions of
#                 timings that take the intermediary a minute per message
#   LOGDIR        where the logs go (default /tmp/gradbench-logs; they are large)
#   NATIVE        1 (default): build our tool with RUSTFLAGS="-C target-cpu=native",
#                 as `manual` is built with -march=native; 0: without
#   CARGO_TARGET_DIR  honoured by the build of our tool
#   TOOL          a command for our tool instead of building it (e.g. a copy
#                 of the binary, so that rebuilding during a run changes nothing)
#   SUMMARY_ONLY  1: do not run anything, summarise the logs in LOGDIR
#
# Inputs are GradBench's defaults, except:
#   ode   -n 2 3 4 5 -s 1 10 100: with the default sizes (n ≥ 1000 > 4s) the
#         gradient is all zeros for both tools and the check is vacuous. At
#         n = 5, s = 1 manual's reference is the gradient of the exact solution
#         (closed form), not of the 1-step Runge–Kutta program our tool
#         differentiates, so that input is expected to differ.
#   ht    both variants; the complicated one with --max 11, because GradBench's
#         repository stores hand12 of the complicated data in Git LFS only.
#   lstm  needs evals/lstm/data/lstm_full.txt, stored in Git LFS only too; see
#         PERFORMANCE.md ("GradBench") for the stand-in used here.
set -euo pipefail

: "${GRADBENCH:?set GRADBENCH to a GradBench checkout}"
PYTHON=${PYTHON:-python3}
EVALS=${EVALS:-"hello lse llsq gmm ba ht-simple ht-complicated lstm ode det kmeans particle saddle"}
TOOLS=${TOOLS:-"autodiff manual"}
MIN_SECONDS=${MIN_SECONDS:-1}
ODE_MIN_SECONDS=${ODE_MIN_SECONDS:-0.01}
LOGDIR=${LOGDIR:-/tmp/gradbench-logs}
NATIVE=${NATIVE:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GRADBENCH=$(cd "$GRADBENCH" && pwd)
mkdir -p "$LOGDIR"

# manual's flags (GRADBENCH.md); common.mk adds -march=native. cpp.py rebuilds
# at `define` with these in the environment.
export CXXFLAGS=${CXXFLAGS:-"-std=c++17 -O3 -Wall -I../../cpp -I/usr/include/nlohmann"}
export PYTHONPATH="$GRADBENCH/python/gradbench${PYTHONPATH:+:$PYTHONPATH}"

eval_args() {
  case "$1" in
    ode) echo "-n 2 3 4 5 -s 1 10 100" ;;
    ht-simple) echo "--variant simple" ;;
    ht-complicated) echo "--variant complicated --max 11" ;;
    *) echo "" ;;
  esac
}
eval_dir() { echo "${1%%-*}"; }

if [ "${SUMMARY_ONLY:-0}" != 1 ]; then
  if [ -n "${TOOL:-}" ]; then
    TOOL_BIN=$TOOL
  else
    if [ "$NATIVE" = 1 ]; then
      export RUSTFLAGS="${RUSTFLAGS:-} -C target-cpu=native"
    fi
    echo "building our tool: cargo build --release -p gradbench-tool (RUSTFLAGS=${RUSTFLAGS:-})" >&2
    (cd "$ROOT" && cargo build --release -p gradbench-tool >&2)
    TOOL_BIN=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
      "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/gradbench-tool
  fi
  GB="$GRADBENCH/target/release/gradbench"
  [ -x "$GB" ] || { echo "build the intermediary first: (cd $GRADBENCH && cargo build --release --package=gradbench)" >&2; exit 1; }
  echo "building manual: CXXFLAGS=\"$CXXFLAGS\" make -C tools/manual (adds -march=native)" >&2
  make -s -C "$GRADBENCH/tools/manual" >&2

  cd "$GRADBENCH"   # the validators read data and call tools/manual by relative path
  for e in $EVALS; do
    d=$(eval_dir "$e")
    ms=$MIN_SECONDS
    [ "$d" = ode ] && ms=$ODE_MIN_SECONDS
    cmd="$PYTHON python/gradbench/gradbench/evals/$d/run.py $(eval_args "$e") --min-seconds $ms"
    for t in $TOOLS; do
      case "$t" in
        autodiff) tool="$TOOL_BIN" ;;
        manual)
          grep -qx "$d" tools/manual/evals.txt || continue
          tool="$PYTHON python/gradbench/gradbench/cpp.py manual" ;;
      esac
      echo "== $e / $t: $cmd" >&2
      # A tool that fails an eval makes the intermediary exit non-zero; the
      # summary reports it.
      "$GB" run --eval "$cmd" --tool "$tool" -o "$LOGDIR/$e.$t.jsonl" > "$LOGDIR/$e.$t.txt" 2>&1 || true
      tail -n 1 "$LOGDIR/$e.$t.txt" >&2
    done
  done
fi

"$PYTHON" - "$LOGDIR" $EVALS <<'PY'
import json, math, statistics, sys
from pathlib import Path

logdir, evals = Path(sys.argv[1]), sys.argv[2:]

def read(path):
    """Per evaluate message: (function, description, median ns, valid, error)."""
    if not path.exists():
        return None
    msgs, resp, valid, defined = {}, {}, {}, None
    for line in path.open():
        rec = json.loads(line)
        if "message" in rec:
            m = rec["message"]
            if m.get("kind") == "evaluate":
                msgs[m["id"]] = (m["function"], m.get("description") or "")
            elif m.get("kind") == "analysis":
                valid[m["of"]] = (m.get("valid"), m.get("error"))
        elif "response" in rec:
            r = rec["response"]
            resp[r.get("id")] = r
            if "success" in r and r.get("id") not in msgs and defined is None:
                defined = r
    rows = []
    for i, (fn, desc) in msgs.items():
        r = resp.get(i, {})
        ts = [t["nanoseconds"] for t in r.get("timings", []) if t["name"] == "evaluate"]
        v, err = valid.get(i, (None, r.get("error")))
        rows.append((fn, desc, statistics.median(ts) if ts else None, v, err))
    return defined, rows

print("\nValidation (GradBench's analysis messages: valid / evaluated)")
print("| eval | tool | inputs | valid | invalid or failed |")
print("|---|---|---:|---:|---|")
ratios = {}
for e in evals:
    for tool in ("autodiff", "manual"):
        got = read(logdir / f"{e}.{tool}.jsonl")
        if got is None:
            continue
        defined, rows = got
        if defined is not None and not defined.get("success", True):
            print(f"| {e} | {tool} | 0 | 0 | define: {defined.get('error')} |")
            continue
        ok = sum(1 for r in rows if r[3] is True)
        bad = [f"{fn} {desc}" for fn, desc, _, v, _ in rows if v is not True]
        print(f"| {e} | {tool} | {len(rows)} | {ok} | {', '.join(bad) or '—'} |")
    a, m = read(logdir / f"{e}.autodiff.jsonl"), read(logdir / f"{e}.manual.jsonl")
    if a and m:
        mt = {(fn, d): t for fn, d, t, _, _ in m[1]}
        for fn, d, t, _, _ in a[1]:
            if t and mt.get((fn, d)):
                ratios.setdefault((e, fn), []).append((d, t / mt[(fn, d)], t, mt[(fn, d)]))

print("\nRatio: median `evaluate` time of our tool ÷ manual's, per input")
print("| eval | function | inputs | min | max | geometric mean |")
print("|---|---|---:|---:|---:|---:|")
for (e, fn), rs in ratios.items():
    xs = [r for _, r, _, _ in rs]
    gm = math.exp(sum(map(math.log, xs)) / len(xs))
    print(f"| {e} | {fn} | {len(xs)} | {min(xs):.2f} | {max(xs):.2f} | {gm:.2f} |")
print("\nPer input (our median ns, manual's median ns, ratio)")
for (e, fn), rs in ratios.items():
    print(f"{e} {fn}: " + "; ".join(f"{d} {a:.0f}/{m:.0f}={r:.2f}" for d, r, a, m in rs))
PY
