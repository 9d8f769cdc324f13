"""The genotype text of DARTS (Liu et al., ICLR 2019), also NAS-Bench-301's (Siems et al.,
"NAS-Bench-301 and the case for surrogate benchmarks for neural architecture search",
2020): `Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5],
reduce=[...], reduce_concat=[2, 3, 4, 5])`, each cell eight `(operation, input)` pairs,
two per intermediate node in order. Read with Python's parser, never evaluated.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from nasforge.spaces.darts_network import NODES

CELLS = ("normal", "reduce")
CONCAT = list(NODES)
FIELDS = ("normal", "normal_concat", "reduce", "reduce_concat")
Pairs = tuple[tuple[str, int], ...]


def format_genotype(cells: dict[str, Pairs]) -> str:
    """The genotype text of `{"normal": pairs, "reduce": pairs}`, exactly as the DARTS code
    prints its `Genotype` namedtuple with list fields."""
    parts = []
    for cell in CELLS:
        pairs = ", ".join(f"({op!r}, {source})" for op, source in cells[cell])
        parts.append(f"{cell}=[{pairs}], {cell}_concat={CONCAT}")
    return f"Genotype({', '.join(parts)})"


def parse_genotype(text: str, operations: Sequence[str]) -> dict[str, Pairs]:
    """`{"normal": pairs, "reduce": pairs}` from genotype text (keyword or positional
    fields, either quote style, `range(2, 6)` for a concat); a ValueError naming the bad
    token otherwise."""
    text = text.strip()
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as error:
        raise ValueError(
            f"malformed genotype {text!r}: {error.msg} at column {error.offset}; expected "
            "Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5], "
            "reduce=[...], reduce_concat=[2, 3, 4, 5])"
        ) from None
    if not (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name)
            and tree.func.id == "Genotype"):  # fmt: skip
        raise ValueError(
            f"malformed genotype {_segment(text, tree)!r}: expected Genotype(normal=[...], "
            "normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[2, 3, 4, 5])"
        )
    fields = _fields(text, tree)
    cells = {}
    for cell in CELLS:
        cells[cell] = _pairs(text, fields[cell], cell, operations)
        concat = _integers(text, fields[f"{cell}_concat"])
        if concat != CONCAT:
            raise ValueError(
                f"{cell}_concat {_segment(text, fields[cell + '_concat'])!r} is not "
                f"{CONCAT}: this space concatenates all four intermediate nodes"
            )
    return cells


def _segment(text: str, node: ast.AST) -> str:
    return ast.get_source_segment(text, node) or ast.dump(node)


def _fields(text: str, call: ast.Call) -> dict[str, ast.expr]:
    if len(call.args) > len(FIELDS):
        raise ValueError(f"a genotype has {len(FIELDS)} fields, got {len(call.args)} in {text!r}")
    fields = dict(zip(FIELDS, call.args))
    for keyword in call.keywords:
        if keyword.arg not in FIELDS:
            raise ValueError(
                f"unknown genotype field {keyword.arg!r}; accepted: {', '.join(FIELDS)}"
            )
        if keyword.arg in fields:
            raise ValueError(f"genotype field {keyword.arg!r} given twice in {text!r}")
        fields[keyword.arg] = keyword.value
    missing = [name for name in FIELDS if name not in fields]
    if missing:
        raise ValueError(f"genotype {text!r} lacks the field(s) {', '.join(missing)}")
    return fields


def _integers(text: str, node: ast.expr) -> list[int]:
    """A concat: a list or tuple of whole numbers, or `range(a, b)`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
        bounds = [_integer(text, arg) for arg in node.args]
        if 1 <= len(bounds) <= 2 and not node.keywords:
            return list(range(*bounds))
    if isinstance(node, ast.List | ast.Tuple):
        return [_integer(text, item) for item in node.elts]
    raise ValueError(f"bad concat {_segment(text, node)!r}: expected [2, 3, 4, 5]")


def _integer(text: str, node: ast.expr) -> int:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    raise ValueError(f"bad token {_segment(text, node)!r}: expected a whole number")


def _pairs(text: str, node: ast.expr, cell: str, operations: Sequence[str]) -> Pairs:
    """Eight (operation, input) pairs, two distinct inputs per node, inputs earlier nodes."""
    if not isinstance(node, ast.List | ast.Tuple):
        raise ValueError(f"bad {cell} cell {_segment(text, node)!r}: expected a list of pairs")
    items = list(node.elts)
    if items and all(isinstance(i, ast.List) for i in items):  # one list per node
        items = [pair for group in items for pair in group.elts]  # type: ignore[attr-defined]
    if len(items) != 2 * len(NODES):
        raise ValueError(
            f"the {cell} cell needs {2 * len(NODES)} (operation, input) pairs, two per "
            f"node, got {len(items)} in {_segment(text, node)!r}"
        )
    pairs = []
    for k, item in enumerate(items):
        token = _segment(text, item)
        node_id = NODES[k // 2]
        if not (isinstance(item, ast.Tuple) and len(item.elts) == 2):
            raise ValueError(f"bad token {token!r} in the {cell} cell: expected ('op', input)")
        op_node, source_node = item.elts
        if not (isinstance(op_node, ast.Constant) and isinstance(op_node.value, str)):
            raise ValueError(f"bad token {token!r} in the {cell} cell: the operation is a string")
        op = op_node.value
        if op not in operations:
            raise ValueError(
                f"unknown operation {op!r} in {token} ({cell} cell); accepted: "
                f"{', '.join(operations)}"
            )
        if not (isinstance(source_node, ast.Constant) and type(source_node.value) is int
                and 0 <= source_node.value < node_id):  # fmt: skip
            raise ValueError(
                f"bad input in {token} ({cell} cell, node {node_id}): node {node_id} reads "
                f"states 0..{node_id - 1}"
            )
        pairs.append((op, source_node.value))
        if k % 2 == 1 and pairs[-1][1] == pairs[-2][1]:
            raise ValueError(
                f"node {node_id} of the {cell} cell reads state {pairs[-1][1]} twice "
                f"({_segment(text, items[k - 1])}, {token}); its two inputs must differ"
            )
    return tuple(pairs)
