#!/usr/bin/env python3
"""Differential test: our JSON Schema validator (`lgsp form check --plain`) and Python's jsonschema
(Draft202012Validator with its format checker) must agree, valid or invalid, on every instance generated
from the seed forms: each form's example, mutated one to three times (fields removed, wrong types, empty
and over-long strings, malformed and real dates, extra fields, other enum values, numbers out of range,
duplicated or emptied arrays, random Vietnamese and non-BMP text).

Where the two define a format differently the generator stays on common ground: jsonschema's `email`
check is only "contains @", ours is RFC 5321, so e-mail fields get either a valid address or text
without "@". Platform keywords (x-catalog, x-identifier, x-max-date…) are left out on both sides.

usage: forms_differential.py LGSP_BINARY [INSTANCES_PER_FORM=200]   (run from the repository root or anywhere)
"""
import copy, glob, json, os, random, subprocess, sys, tempfile

from jsonschema import Draft202012Validator

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
binary = os.path.abspath(sys.argv[1])
per_form = int(sys.argv[2]) if len(sys.argv) > 2 else 200
rng = random.Random(20261129)

TEXTS = ["", "a", "Đắk Lắk", "Buôn Ma Thuột", "H'Hen Niê", "x" * 401, "😀 Ê Đê", "0912345678", "+84912345678", "12345",
         "2026-02-30", "2024-02-29", "2025-01-15", "1990-13-01", "abc@", "khong-phai-thu", "a.b@daklak.gov.vn", " ", "Ngọc\u0301"]
NUMBERS = [0, 1, -1, 1899, 1900, 2000, 2100, 2101, 10, 11, 3.5, 1e20]


def paths(value, prefix=()):
    """Every location in the instance: (path, value)."""
    yield prefix, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, prefix + (index,))


def get_parent(instance, path):
    target = instance
    for step in path[:-1]:
        target = target[step]
    return target


def is_email_field(path):
    return bool(path) and isinstance(path[-1], str) and path[-1].lower() == "email"


def mutate(instance):
    locations = [p for p, _ in paths(instance) if p]
    path = rng.choice(locations)
    parent = get_parent(instance, path)
    key = path[-1]
    current = parent[key]
    kind = rng.randrange(10)
    if kind == 0 and isinstance(parent, dict):
        del parent[key]
    elif kind == 1:
        parent[key] = rng.choice([None, True, 7, "7", [], {}, 2.5])
    elif kind == 2 and isinstance(parent, dict):
        parent["truongLa" + str(rng.randrange(3))] = rng.choice(["x", 1, None])
    elif kind == 3 and isinstance(current, list):
        parent[key] = rng.choice([[], current + current[:1], current + [1], [""]])
    elif kind == 4 and isinstance(current, (int, float)) and not isinstance(current, bool):
        parent[key] = rng.choice(NUMBERS)
    elif kind == 5 and isinstance(current, bool):
        parent[key] = not current
    elif isinstance(current, str):
        if is_email_field(path):
            parent[key] = rng.choice(["a.b@daklak.gov.vn", "nguyen.van.a@example.vn", "khong co a cong", ""])
        else:
            choice = rng.choice(TEXTS + ["random"])
            if choice == "random":
                alphabet = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹ0123456789 -/.'😀𝔸"
                choice = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
            parent[key] = choice
    else:
        parent[key] = rng.choice(TEXTS[:4] + [1, None])


def run():
    total_agree = 0
    total = 0
    for path in sorted(glob.glob(os.path.join(root, "seed-data/forms/*.json"))):
        form = json.load(open(path, encoding="utf-8"))
        schema = form["schema"]
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        base = schema["examples"][0]
        instances = [copy.deepcopy(base)]
        while len(instances) < per_form:
            instance = copy.deepcopy(base)
            for _ in range(rng.choice([1, 1, 2, 3])):
                mutate(instance)
            instances.append(instance)
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as handle:
            for instance in instances:
                handle.write(json.dumps(instance, ensure_ascii=False) + "\n")
            lines_file = handle.name
        out = subprocess.run([binary, "form", "check", "--plain", "--schema", path, "--instances", lines_file, "--errors"],
                             capture_output=True, text=True, check=True).stdout.splitlines()
        os.unlink(lines_file)
        assert len(out) == len(instances), (len(out), len(instances))
        disagreements = []
        valid = 0
        for instance, line in zip(instances, out):
            ours = line == "valid"
            theirs = validator.is_valid(instance)
            valid += theirs
            if ours != theirs:
                disagreements.append((instance, line, [e.message for e in validator.iter_errors(instance)]))
        total += len(instances)
        total_agree += len(instances) - len(disagreements)
        print(f"  {form['key']}: {len(instances)} instances ({valid} valid, {len(instances) - valid} invalid), "
              f"agree on {len(instances) - len(disagreements)}")
        for instance, line, theirs in disagreements[:5]:
            print(f"    DISAGREE: ours={line!r} jsonschema={theirs!r}\n      {json.dumps(instance, ensure_ascii=False)}")
    print(f"{'OK' if total_agree == total else 'FAIL'}: lgsp and jsonschema agree on {total_agree}/{total} instances")
    return total_agree == total


sys.exit(0 if run() else 1)
