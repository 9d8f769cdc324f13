"""Strategies built by name with keyword settings, from Python values or command-line text.

`create_strategy("bananas", {"initial": "5"})` converts each text value by the setting's
annotation in the constructor (or the type of its default): `int`, `float`, `bool`
(true/false, yes/no, on/off, 1/0), `str`, `None` (none, null), tuples and sequences of
those (comma-separated: `fidelities=12,200`, `hidden=64,64`) and, for a setting that
takes a strategy (two-stage's `then`), a registered strategy name. Values that are not
text are checked against simple annotations and passed as given. An unknown setting or
a bad value is a one-line `ValueError` naming the strategy and its accepted settings.

In one flat mapping (`--strategy-option KEY=VALUE`, repeatable), `NAME.KEY` scopes a
setting to the strategy `NAME` (as `nasforge bench`, which runs several, needs); a plain
`KEY` goes to every strategy run that has that setting, and must fit at least one.
The setting `task` is not an option: the search passes its own task to the strategies
that take one (those that build networks for zero-cost proxies).
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nasforge.registry import STRATEGIES
from nasforge.strategies.base import Strategy
from nasforge.tasks import Task

CONTEXT = ("task",)  # filled in by the search, never an option
_NONE = ("none", "null")
_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")
_SEQUENCES = ("tuple[", "Sequence[", "list[")


def parse_options(texts: Iterable[str], what: str = "strategy") -> dict[str, str]:
    """`KEY=VALUE` texts (as given to `--strategy-option`, or `--space-option` with
    `what="space"`) as a mapping; a later text overrides an earlier one with the same key."""
    options: dict[str, str] = {}
    for text in texts:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            example = "initial=5 (or NAME.KEY=VALUE for one strategy of several)"
            raise ValueError(
                f"bad {what} option {text!r}: expected KEY=VALUE, e.g. "
                + (example if what == "strategy" else "channels=8")
            )
        options[key.strip()] = value.strip()
    return options


def strategy_settings(name: str) -> dict[str, inspect.Parameter]:
    """The keyword settings of the strategy registered as `name`, by setting name (without
    the context settings the search fills in)."""
    signature = inspect.signature(STRATEGIES.get(name))
    return {
        key: parameter
        for key, parameter in signature.parameters.items()
        if key not in CONTEXT
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    }


def describe_settings(name: str) -> str:
    """`initial (int, default 10), ...`: the settings of strategy `name`, for messages."""
    parts = []
    for key, parameter in strategy_settings(name).items():
        kind = _shown(parameter)
        default = "" if parameter.default is parameter.empty else f", default {parameter.default!r}"
        parts.append(f"{key} ({kind}{default})" if kind else key)
    return ", ".join(parts) or "none"


def split_options(names: Sequence[str], options: Mapping[str, Any] | None) -> dict[str, dict]:
    """The settings meant for each strategy of `names`, from one flat mapping of plain
    `KEY`s and `NAME.KEY`s (see the module doc); `ValueError` for a setting no strategy
    of `names` has, or a `NAME.` that is not among them."""
    per: dict[str, dict] = {name: {} for name in names}
    for key, value in (options or {}).items():
        prefix, dot, setting = key.rpartition(".")
        if dot:
            if prefix not in per:
                raise ValueError(
                    f"strategy option {key!r} is for strategy {prefix!r}, which is not run "
                    f"here; strategies: {', '.join(names)}"
                )
            _known(prefix, setting)
            per[prefix][setting] = value
            continue
        holders = [name for name in names if setting in strategy_settings(name)]
        if not holders:
            if len(names) == 1:
                _known(names[0], setting)
            raise ValueError(
                f"none of the strategies {', '.join(names)} has a setting {setting!r}; "
                + "; ".join(f"{name}: {describe_settings(name)}" for name in names)
            )
        for name in holders:
            per[name].setdefault(setting, value)
    return per


def create_strategy(
    name: str, options: Mapping[str, Any] | None = None, task: Task | str | None = None
) -> Strategy:
    """The strategy registered as `name`, built with `options` (text converted by the
    constructor's annotations; `NAME.KEY` keys allowed); `task` goes to strategies with a
    `task` setting. A `ValueError` naming the strategy and its settings on a bad option."""
    constructor = STRATEGIES.get(name)  # ValueError listing the known strategies
    settings = strategy_settings(name)
    given = split_options([name], options)[name]
    kwargs = {key: convert(name, key, settings[key], value) for key, value in given.items()}
    if task is not None and "task" in inspect.signature(constructor).parameters:
        kwargs["task"] = task
    return constructor(**kwargs)


def convert(name: str, key: str, parameter: inspect.Parameter, value: Any) -> Any:
    """`value` for setting `key` of strategy `name`: text converted by the annotation,
    anything else checked against simple annotations and returned as given."""
    kinds = _kinds(parameter)
    if not isinstance(value, str):
        if not _fits(value, kinds):
            raise _bad(name, key, parameter, repr(value))
        return value
    text = value.strip()
    if "None" in kinds and text.lower() in _NONE:
        return None
    for kind in kinds:
        try:
            return _from_text(kind, text)
        except (TypeError, ValueError):
            continue
    raise _bad(name, key, parameter, repr(value))


def _known(name: str, setting: str) -> None:
    if setting not in strategy_settings(name):
        if setting in CONTEXT:
            raise ValueError(
                f"strategy {name!r}: {setting!r} is not an option, the search passes its own"
            )
        raise ValueError(
            f"strategy {name!r} has no setting {setting!r}; accepted: {describe_settings(name)}"
        )


def _bad(name: str, key: str, parameter: inspect.Parameter, shown: str) -> ValueError:
    """The error for a value of setting `key` that does not fit its annotation."""
    kind = _shown(parameter) or "a value like its default"
    if not any(k in _TEXT_KINDS or _is_sequence(k) or k == "Strategy" for k in _kinds(parameter)):
        return ValueError(
            f"strategy {name!r}: setting {key!r} takes {kind}, which cannot be given as "
            f"text; set it from Python. Accepted settings: {describe_settings(name)}"
        )
    return ValueError(
        f"strategy {name!r}: bad value {shown} for {key!r} ({kind}); accepted settings: "
        f"{describe_settings(name)}"
    )


def _shown(parameter: inspect.Parameter) -> str:
    """The annotation as messages show it, without brackets: `int | None`, `ints, comma-
    separated`."""
    kinds = [
        f"{k[k.index('[') + 1 :].split(',')[0].rstrip(']').strip()}s, comma-separated"
        if _is_sequence(k)
        else k
        for k in _kinds(parameter)
    ]
    return " | ".join(kinds) if _annotation(parameter) else ""


def _annotation(parameter: inspect.Parameter) -> str:
    annotation = parameter.annotation
    if annotation is parameter.empty:
        if parameter.default is parameter.empty or parameter.default is None:
            return ""
        return type(parameter.default).__name__
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _kinds(parameter: inspect.Parameter) -> list[str]:
    """The alternatives of the annotation (`"int | None"` -> `["int", "None"]`), the
    default's type without one, `["str"]` when neither says anything."""
    text = _annotation(parameter)
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char == "[") - (char == "]")
        if char == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    kinds = [p.removeprefix("typing.") for p in parts if p]
    if parameter.default is None and "None" not in kinds:
        kinds.append("None")
    return kinds or ["str"]


_TEXT_KINDS = {"int": int, "float": float, "str": str, "bool": bool}


def _is_sequence(kind: str) -> bool:
    return kind.startswith(_SEQUENCES) and kind.endswith("]")


def _from_text(kind: str, text: str) -> Any:
    if kind == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(text)
    if kind in ("int", "float", "str"):
        return _TEXT_KINDS[kind](text)
    if kind == "Strategy":
        return create_strategy(text)
    if _is_sequence(kind):
        inner = kind[kind.index("[") + 1 : -1].split(",")[0].strip()
        if inner not in ("int", "float", "str"):
            raise TypeError(kind)
        items = [item.strip() for item in text.strip("()[]").split(",") if item.strip()]
        if not items:
            raise ValueError(text)
        return tuple(_from_text(inner, item) for item in items)
    raise TypeError(kind)


def _fits(value: Any, kinds: list[str]) -> bool:
    """Whether a non-text value suits an annotation of simple types (always true for
    annotations this module does not check)."""
    if value is None:
        return "None" in kinds
    simple = [k for k in kinds if k in _TEXT_KINDS]
    if len(simple) < len([k for k in kinds if k != "None"]):
        return True  # an object type (an Evaluator, a Strategy, a sequence): as given
    for kind in simple:
        if kind == "bool" and isinstance(value, bool):
            return True
        if kind == "int" and isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return True
        if kind == "float" and isinstance(value, numbers.Real) and not isinstance(value, bool):
            return True
        if kind == "str" and isinstance(value, str):
            return True
    return False
