#!/usr/bin/python3
"""Scores `octet run --top-k 1 --json` results on labelled images (scripts/demo.sh).

    scripts/demo_score.py [--first N] NAME=RUN.json [NAME=RUN.json ...]

Each RUN.json is the output of `octet run MODEL IMAGE... --top-k 1 --json` on
images whose true class is in their file name (`0042_label7.png` is a 7, as in
examples/digits). Prints the true and predicted classes of the first N images
(by name; default 0), per model the correct count and accuracy, then every
image that some model got wrong. All runs must cover the same images.
Exit status 0 ok, 1 bad input (one line on stderr), 2 usage.
"""
import json
import os
import re
import sys

LABEL = re.compile(r"_label(\d+)\.[A-Za-z]+$")


def die(message, status=1):
    print(f"demo_score: error: {message}", file=sys.stderr)
    sys.exit(status)


def predictions(path):
    """{image file name: (true label, predicted class)} from one `octet run --json` output."""
    try:
        with open(path) as f:
            runs = json.load(f)["runs"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        die(f"{path}: not an `octet run --json` output ({type(e).__name__}: {e})")
    result = {}
    for i, run in enumerate(runs):
        try:
            name = os.path.basename(run["inputs"][0]["file"])
            top = run["outputs"][0].get("top_k")
            predicted = int(top[0]["class"]) if top else None
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as e:
            die(f"{path}: run {i} is not an `octet run --json` run ({type(e).__name__}: {e})")
        match = LABEL.search(name)
        if match is None:
            die(f"{path}: image {name!r} has no true label in its name (expected NAME_labelD.ext)")
        if predicted is None:
            die(f"{path}: run on {name!r} has no top_k (run octet with --top-k 1)")
        result[name] = (int(match.group(1)), predicted)
    if not result:
        die(f"{path}: no runs")
    return result


def answers_line(image, preds, models):
    answers = ", ".join(f"{name} {preds[name][image][1]}" for name, _ in models)
    return f"    {image}: true {preds[models[0][0]][image][0]} -> {answers}"


def main():
    args = sys.argv[1:]
    first = 0
    if args[:1] == ["--first"]:
        if len(args) < 2 or not args[1].isdigit():
            die("--first needs a count", 2)
        first, args = int(args[1]), args[2:]
    if not args or any("=" not in a for a in args):
        die("usage: demo_score.py [--first N] NAME=RUN.json [NAME=RUN.json ...]", 2)
    models = [a.split("=", 1) for a in args]
    preds = {name: predictions(path) for name, path in models}
    images = sorted(next(iter(preds.values())))
    for name, p in preds.items():
        if sorted(p) != images:
            die(f"{name}: ran on other images than {models[0][0]}")
    if first:
        print(f"  the first {min(first, len(images))} images:")
        for image in images[:first]:
            print(answers_line(image, preds, models))
    width = max(len(name) for name, _ in models)
    for name, p in preds.items():
        correct = sum(true == pred for true, pred in p.values())
        print(f"  {name:<{width}}  {correct:3d} / {len(p)} correct  ({100.0 * correct / len(p):.1f}%)")
    wrong = [image for image in images if any(p[image][0] != p[image][1] for p in preds.values())]
    if wrong:
        print("  wrong answers:")
        for image in wrong:
            print(answers_line(image, preds, models))


if __name__ == "__main__":
    main()
