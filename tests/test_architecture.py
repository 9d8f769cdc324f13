from __future__ import annotations

import pickle

import pytest

from nasforge import Architecture


def test_equal_architectures_hash_equal_and_are_immutable():
    a = Architecture("s", {"x": 1, "y": "conv"})
    b = Architecture("s", {"x": 1, "y": "conv"})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Architecture("other", {"x": 1, "y": "conv"})
    with pytest.raises(AttributeError):
        a.space = "t"  # type: ignore[misc]
    with pytest.raises(TypeError):
        a["x"] = 2  # type: ignore[index]


def test_replace_returns_new_object_and_leaves_input_alone():
    a = Architecture("s", {"x": 1, "y": "conv"})
    b = a.replace(y="pool")
    assert a["y"] == "conv" and b["y"] == "pool" and b.labels == a.labels
    with pytest.raises(KeyError, match="nope"):
        a.replace(nope=3)


def test_json_and_pickle_round_trip_keep_tuples_hashable():
    a = Architecture("s", {"depths": (1, 2), "k": 3})
    assert Architecture.from_json(a.to_json()) == a
    assert pickle.loads(pickle.dumps(a)) == a
    assert dict(a) == {"depths": (1, 2), "k": 3}


def test_bad_json_form_is_a_clear_value_error():
    with pytest.raises(ValueError, match="'space' and 'choices'"):
        Architecture.from_dict({"choices": {}})
