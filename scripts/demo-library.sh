#!/usr/bin/env bash
# The library underneath the daemon, on generated data: fit a market-regime HMM (utilisation,
# demand/supply) to 5,000 generated ticks with Baum-Welch from a rough starting guess, decode the
# regimes with Viterbi and compare with the truth; replay a supply shock through the market; route
# one request. (The main job, the daemon on Kafka, is scripts/demo.sh.)
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

section "dependencies"
bash scripts/install-deps.sh
section "build (Release)"
build_tree build -DCMAKE_BUILD_TYPE=Release -DHANZO_BUILD_TESTS=OFF

cli=./build/bin/hanzo-hmm
work=build/demo
mkdir -p "$work"
section "generate 5,000 ticks from config/demo/market-regimes-truth.json"
$cli generate --model config/demo/market-regimes-truth.json --n 5000 --seed 7 > "$work/sample.json"
/usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); json.dump([s["observations"]], open(sys.argv[2],"w"))' \
  "$work/sample.json" "$work/obs.json"

section "fit from config/demo/market-regimes-start.json (Baum-Welch, all cores)"
$cli fit --model config/demo/market-regimes-start.json --obs "$work/obs.json" --max-iter 200 > "$work/fitted.json"
$cli viterbi --model "$work/fitted.json" --obs "$work/obs.json" > "$work/decoded.json"

section "result"
/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
truth = json.load(open("config/demo/market-regimes-truth.json"))
sample = json.load(open(f"{work}/sample.json"))
fitted = json.load(open(f"{work}/fitted.json"))
decoded = json.load(open(f"{work}/decoded.json"))
fit = fitted["fit"]
lls = fit["log_likelihoods"]
print(f"Baum-Welch: {fit['iterations']} iterations, converged={fit['converged']}, "
      f"log-likelihood {lls[0]:.1f} -> {lls[-1]:.1f}")
print(f"{'regime':<10} {'true mean (util, d/s)':>24} {'fitted mean':>20}")
for name, tm, fm in zip(truth["states"], truth["emission"]["means"], fitted["emission"]["means"]):
    print(f"{name:<10} {tm[0]:>11.3f} {tm[1]:>11.3f}  {fm[0]:>9.3f} {fm[1]:>9.3f}")
path = decoded["paths"][0]
agree = sum(1 for a, b in zip(path, sample["states"]) if a == b)
print(f"Viterbi decoding agrees with the true regime on {agree}/{len(path)} ticks "
      f"({100.0 * agree / len(path):.1f}%)")
print("first 60 ticks, true vs decoded (s=slack b=balanced c=congested):")
print("  true    " + "".join(s[0] for s in sample["states"][:60]))
print("  decoded " + "".join(s[0] for s in path[:60]))
PY

section "MarketMaker: replay 240 one-minute ticks (congestion, then half the H100s go offline)"
$cli market replay --ticks config/demo/ticks-shock.jsonl --csv "$work/prices.csv" --svg "$work/prices.svg" \
  > "$work/snapshots.jsonl"
/usr/bin/python3 - "$work" <<'PY'
import json, sys
snaps = [json.loads(l) for l in open(f"{sys.argv[1]}/snapshots.jsonl")]
print(f"{'tick':>5} {'regime':<10} " + " ".join(f"{c['class']:>9}" for c in snaps[0]["classes"]))
for i in (0, 45, 69, 99, 149, 150, 160, 200, 239):
    s = snaps[i]
    print(f"{s['tick']:>5} {s['regime']:<10} " + " ".join(f"{c['price']:>9.3f}" for c in s["classes"]))
PY
echo "Price chart with the market regime shaded: $work/prices.svg (CSV: $work/prices.csv)"

section "MarketMaker: route one request (config/schemas/examples/request.json)"
$cli route --request config/schemas/examples/request.json --config config/hanzo-hmm.toml > "$work/decision.json"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["status"], "->", d.get("model"), "on", d.get("compute_class"), "| confidence %.2f" % d["confidence"]); print(d["reasoning"])' "$work/decision.json"
echo
echo "Files: $work/{sample,obs,fitted,decoded,snapshots,decision}.json*.  CLI help: $cli --help"
