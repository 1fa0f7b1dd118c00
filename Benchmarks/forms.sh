#!/usr/bin/env bash
# Form validation throughput: the birth-registration declaration (a 30-field instance, its `examples`
# entry) validated in a loop by our validator (release build, `lgsp form check --repeat`) and by Python's
# jsonschema (Draft202012Validator with its format checker, compiled once, `is_valid` in a loop) in the
# same run, each in its own process on one core. Both sides validate the same schema and instance; ours
# once as plain JSON Schema (x- keywords ignored, like jsonschema) and once with the platform's own
# offline checks (personal ids, dates bounded by today). Catalog lookups are not in either loop.
#
# usage: Benchmarks/forms.sh [validations=200000] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-200000}
rounds=${2:-3}
swift build -c release --product lgsp >/dev/null 2>&1
lgsp=$(swift build -c release --show-bin-path)/lgsp
venv=${LGSP_BENCH_VENV:-.venv-bench}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "jsonschema==4.26.0"
form=seed-data/forms/to-khai-dang-ky-khai-sinh.json
python_count=$(( count / 20 ))

echo "lgsp $(git rev-parse --short HEAD) release, Python $("$venv/bin/python" -c 'import sys; print(sys.version.split()[0])') jsonschema 4.26.0, $(nproc) cores, $rounds rounds"
for _ in $(seq "$rounds"); do
  "$lgsp" form check --plain --schema "$form" --repeat "$count" | sed 's/^/lgsp-plain /'
  "$lgsp" form check --schema "$form" --repeat "$count" | sed 's/^/lgsp-platform /'
  "$venv/bin/python" - "$form" "$python_count" <<'PY' | sed 's/^/jsonschema /'
import json, sys, time
from jsonschema import Draft202012Validator
form = json.load(open(sys.argv[1], encoding="utf-8"))
schema = form["schema"]
instance = schema["examples"][0]
validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
assert validator.is_valid(instance)
count = int(sys.argv[2])
start = time.perf_counter()
valid = sum(1 for _ in range(count) if validator.is_valid(instance))
seconds = time.perf_counter() - start
print(json.dumps({"validations": count, "valid": valid, "seconds": seconds, "perSecond": int(count / seconds)}))
PY
done > /tmp/lgsp-forms-bench.$$
python3 - /tmp/lgsp-forms-bench.$$ <<'PY'
import json, statistics, sys
rates = {}
for line in open(sys.argv[1]):
    name, payload = line.split(" ", 1)
    result = json.loads(payload)
    assert result["valid"] == result["validations"], line
    rates.setdefault(name, []).append(result["perSecond"])
python = statistics.median(rates["jsonschema"])
print(f"\n{'':52}{'validations/s':>15}{'vs jsonschema':>15}")
for name, label in [("jsonschema", "Python jsonschema (Draft202012Validator)"), ("lgsp-plain", "lgsp, plain JSON Schema"),
                    ("lgsp-platform", "lgsp, with x-identifier and x-max-date")]:
    rate = statistics.median(rates[name])
    print(f"{label:52}{rate:15,.0f}{'' if name == 'jsonschema' else f'{rate / python:14.1f}×':>15}")
print(f"\ntarget: ≥ 10× Python jsonschema")
PY
rm -f /tmp/lgsp-forms-bench.$$
