"""Spaces declare the encodings they have (`space.encodings`), and the graph forms live in
`nasforge.spaces`: building a space never loads the predictors."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nasforge.spaces
from nasforge.predictors import PREDICTORS
from nasforge.predictors.encodings import choose_encoding
from nasforge.registry import SPACES

KNOWN = ("onehot", "ordinal", "adjacency", "path", "graph")


@pytest.mark.parametrize("name", SPACES.names())
def test_declared_encodings_work_and_the_others_are_refused(name):
    space = SPACES.create(name)
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(10)]
    assert "onehot" in space.encodings, "every space needs the one-hot fallback"
    for kind in KNOWN:
        if kind == "graph":
            if kind in space.encodings:
                shapes = {tuple(part.shape for part in space.graph(a)) for a in archs}
                assert len(shapes) == 1
            else:
                with pytest.raises(NotImplementedError, match="no graph form"):
                    space.graph(archs[0])
        elif kind in space.encodings:
            vectors = [space.encode(a, kind) for a in archs]
            assert len({v.shape for v in vectors}) == 1 and np.isfinite(vectors).all()
            assert len({v.tobytes() for v in vectors}) > 5, f"{kind} tells architectures apart"
        else:
            with pytest.raises(ValueError, match=f"unknown encoding '{kind}'"):
                space.encode(archs[0], kind)


@pytest.mark.parametrize("name", SPACES.names())
def test_every_predictor_fits_on_every_space_that_supports_it(name):
    space = SPACES.create(name)
    rng = np.random.default_rng(1)
    archs = list(dict.fromkeys(space.sample(rng) for _ in range(12)))
    y = np.linspace(0.0, 1.0, len(archs))
    for predictor in PREDICTORS.names():
        model = PREDICTORS.create(predictor, space=space, seed=0)
        if predictor == "gin" and "graph" not in space.encodings:
            with pytest.raises(ValueError, match="needs a space with a graph form"):
                model.fit(archs, y)
            continue
        if predictor == "zc" and name != "nb201":  # CIFAR-shaped by default; needs the task
            continue
        predicted = model.fit(archs, y).predict(archs[:3])
        assert predicted.shape == (3,) and np.isfinite(predicted).all(), predictor


def test_encoding_choice_follows_the_preference_and_names_what_is_missing():
    nb201, mlp = SPACES.create("nb201"), SPACES.create("mlp")
    assert choose_encoding(nb201, ("path", "onehot"), "bananas") == "path"
    assert choose_encoding(mlp, ("path", "adjacency", "onehot"), "bananas") == "onehot"
    with pytest.raises(ValueError, match=r"bananas needs one of the encodings path; .* onehot"):
        choose_encoding(mlp, ("path",), "bananas")


def test_spaces_never_import_the_predictors():
    root = Path(nasforge.spaces.__file__).parent
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            for module in modules:
                assert not module.startswith("nasforge.predictors"), f"{path.name}: {module}"
    code = (
        "import sys, numpy as np; from nasforge.registry import SPACES; s = SPACES.create('nb201');"
        "a = s.sample(np.random.default_rng(0)); s.graph(a); s.encode(a, 'path');"
        "print(any(m.startswith('nasforge.predictors') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False"]
