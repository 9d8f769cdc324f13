"""Token tasks (kind `tokens`): a seeded generator of elementary cellular automaton
sequences (Wolfram, "Statistical mechanics of cellular automata", 1983; the rule-learning
setting of Zhang et al., "Intelligence at the edge of chaos", ICLR 2025) and the user's
token `.npz` files.

An ECA example is `context` consecutive states of `width` cells (periodic boundary)
written one after another as 0/1 tokens; the earlier states show the rule at work, and
each cell of the last state is labelled with its state `steps` generations later
(`steps=1`: next state per cell; more: multi-step). Earlier positions are labelled
`IGNORE`: the encoder sees the whole sequence, so their successors would be in view. Rules named in
`held_out` never occur in training: the test split is made of them alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nasforge.errors import DataFormatError
from nasforge.tasks.base import IGNORE, Task
from nasforge.tasks.files import read_npz
from nasforge.tasks.splits import check_fractions, encode_labels, split_indices

ECA_PREFIX = "eca"
TOKENS_PREFIX = "tokens:"
ECA_DEFAULTS = {"rules": (30, 54, 90, 110), "held_out": (), "width": 16, "steps": 1,
                "context": 3, "examples": 200}  # fmt: skip


def eca_step(states: np.ndarray, rule: int) -> np.ndarray:
    """One generation of rule `rule` (0-255) on rows of 0/1 cells, periodic boundary."""
    table = (rule >> np.arange(8)) & 1
    left, right = np.roll(states, 1, axis=-1), np.roll(states, -1, axis=-1)
    return table[(left << 2) | (states << 1) | right].astype(states.dtype)


def eca_examples(
    rule: int, count: int, width: int, steps: int, context: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """`count` examples of `rule`: inputs (count, context * width) from random initial
    states; per-cell targets of the same shape for the last state, `IGNORE` before it."""
    states = [rng.integers(0, 2, size=(count, width), dtype=np.int64)]
    for _ in range(context + steps - 1):
        states.append(eca_step(states[-1], rule))
    x = np.concatenate(states[:context], axis=1)
    y = np.full_like(x, IGNORE)
    y[:, -width:] = states[context - 1 + steps]
    return x, y


def eca_task(
    rules: tuple[int, ...] = ECA_DEFAULTS["rules"],
    held_out: tuple[int, ...] = (),
    width: int = 16,
    steps: int = 1,
    context: int = 3,
    examples: int = 200,
    seed: int = 0,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
) -> Task:
    """A per-position token task of `examples` sequences per rule (see the module
    docstring); splits and initial states follow `seed`."""
    check_fractions(val_fraction, test_fraction)
    for rule in (*rules, *held_out):
        if not 0 <= rule <= 255:
            raise ValueError(f"ECA rule {rule} outside 0..255")
    if set(rules) & set(held_out) or not rules:
        raise ValueError("give at least one training rule, and no rule both trained and held out")
    if min(width, steps, context, examples) < 1:
        raise ValueError("width, steps, context and examples must be at least 1")
    rng = np.random.default_rng(seed)
    parts = [eca_examples(r, examples, width, steps, context, rng) for r in rules]
    x, y = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    rule_of = np.repeat(np.arange(len(rules)), examples)
    if held_out:
        tests = [eca_examples(r, examples, width, steps, context, rng) for r in held_out]
        x_test = np.concatenate([t[0] for t in tests])
        y_test = np.concatenate([t[1] for t in tests])
        train, val, _ = split_indices(rule_of, seed, val_fraction, None, "eca")
    else:
        train, val, test = split_indices(rule_of, seed, val_fraction, test_fraction, "eca")
        x_test, y_test = x[test], y[test]
    rule_text = "+".join(map(str, rules))
    test_text = f"held-out rules {'+'.join(map(str, held_out))}" if held_out else "seeded split"
    note = (
        f"tokens: elementary cellular automata, rules {rule_text}, {context} states x {width} "
        f"cells, target {steps} step(s) ahead per cell; {len(train)} train, {len(val)} "
        f"validation, {len(x_test)} test ({test_text})"
    )
    return Task(
        "eca", (context * width,), 2, x_train=x[train], y_train=y[train], x_val=x[val],
        y_val=y[val], x_test=x_test, y_test=y_test, class_names=("0", "1"), notes=(note,),
        kind="tokens", vocabulary=2, per_position=True, preprocessing={"inputs": {}},
    )  # fmt: skip


def parse_eca(spec: str) -> dict:
    """Settings of `eca:rules=30+110:held-out=90:width=16:steps=1:context=3:examples=200`
    (every part optional); a `ValueError` naming the bad part."""
    settings = dict(ECA_DEFAULTS)
    parts = spec.split(":")
    if parts[0] != ECA_PREFIX:
        raise ValueError(f"{spec!r} is not an eca: specification")
    for part in filter(None, parts[1:]):
        key, sep, value = part.partition("=")
        key = key.replace("-", "_")
        if not sep or key not in ECA_DEFAULTS:
            raise ValueError(
                f"bad part {part!r} in {spec!r}; accepted: rules=A+B, held-out=C+D, width=N, "
                "steps=N, context=N, examples=N"
            )
        try:
            numbers = tuple(int(v) for v in value.split("+"))
        except ValueError:
            raise ValueError(f"bad part {part!r} in {spec!r}: expected whole numbers") from None
        many = key in ("rules", "held_out")
        if not many and len(numbers) != 1:
            raise ValueError(f"bad part {part!r} in {spec!r}: one number")
        settings[key] = numbers if many else numbers[0]
    return settings


def load_tokens_npz(path: Path, seed: int = 0, val_fraction: float = 0.15,
                    test_fraction: float = 0.15) -> Task:  # fmt: skip
    """A token task from `x_train` (n, length) of ids and `y_train` (n,) class labels or
    (n, length) per-position labels, optionally `x_test`, `y_test` and `vocabulary`."""
    arrays = read_npz(path)
    x, y = arrays["x_train"], arrays["y_train"]
    x_test, y_test = arrays.get("x_test"), arrays.get("y_test")
    for name, a in (("x_train", x), ("x_test", x_test)):
        if a is not None and (a.ndim != 2 or not np.issubdtype(a.dtype, np.integer) or a.min() < 0):
            raise DataFormatError(f"{path}: {name} must be (n, length) non-negative integer ids")
    per_position = y.ndim == 2
    if per_position and y.shape != x.shape:
        raise DataFormatError(
            f"{path}: per-position y_train {y.shape} must match x_train {x.shape}"
        )
    largest = max(int(x.max()), -1 if x_test is None else int(x_test.max()))
    vocabulary = int(arrays.get("vocabulary", largest + 1))
    if per_position:
        labels = np.concatenate([y.reshape(-1), [] if y_test is None else y_test.reshape(-1)])
        names = tuple(str(c) for c in range(int(labels.max()) + 1))
        strata = np.zeros(len(y), dtype=np.int64)
    else:
        y, y_test, names = encode_labels(y, y_test, str(path))
        strata = y
    given = x_test is not None
    train, val, test = split_indices(strata, seed, val_fraction, None if given else test_fraction,
                                     str(path), stratify=not per_position)  # fmt: skip
    if not given:
        x_test, y_test = x[test], y[test]
    return Task(
        path.stem, (x.shape[1],), len(names), x_train=x[train].astype(np.int64),
        y_train=y[train].astype(np.int64), x_val=x[val].astype(np.int64),
        y_val=y[val].astype(np.int64), x_test=x_test.astype(np.int64),
        y_test=y_test.astype(np.int64), class_names=names, kind="tokens",
        vocabulary=vocabulary, per_position=per_position, preprocessing={"inputs": {}},
    )  # fmt: skip
