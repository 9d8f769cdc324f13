"""Tables as they come: turn a DataFrame's columns into network inputs.

Fitted on the training rows only, and described as plain JSON (`to_dict` / `from_dict`)
so a run directory can apply the same steps to new rows without pickle:

- numeric columns: missing cells take the training median, with a `<col>_missing`
  indicator column when the training rows had any;
- text / categorical / boolean columns: one-hot for at most `max_onehot` levels (missing
  cells get their own `<col>_missing` column), else an ordinal code by training
  frequency (most frequent 0) with median imputation and an indicator;
- constant columns (one value in the training rows) are dropped, and so are ID-like
  columns (text, every training value different);
- every resulting column is standardised with training mean and standard deviation
  (computed in float32, as for arrays).

A category not seen in training counts as missing; `transform` reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nasforge.errors import DataFormatError

MAX_ONEHOT = 10
ID_MIN_ROWS = 10  # fewer training rows than this: all-unique text is not taken as an ID


def is_text(series: pd.Series) -> bool:
    """Whether a column holds text, categories or booleans rather than numbers."""
    return not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def as_text(series: pd.Series) -> pd.Series:
    """Non-missing values as strings (booleans `True` / `False`), missing ones as NA."""
    return series.astype(object).where(series.notna()).map(lambda v: v if pd.isna(v) else str(v))


def numeric_values(series: pd.Series, column: str, source: str) -> np.ndarray:
    """The column as float64 with NaN for missing cells; a DataFormatError naming the
    first row whose cell is not a number (rows counted from 1 after the header)."""
    if not is_text(series):
        return series.to_numpy(np.float64, na_value=np.nan)
    numbers = pd.to_numeric(series, errors="coerce")
    bad = series.notna() & numbers.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(
            f"{source}: column {column!r} is numeric but row {row + 1} holds "
            f"{series.iloc[row]!r}; clean the cell or leave it empty"
        )
    return numbers.to_numpy(np.float64, na_value=np.nan)


@dataclass
class TablePreprocessor:
    """Column steps fitted on training rows; `columns_` holds one JSON-able step per kept
    input column, `dropped_` the columns left out and why."""

    max_onehot: int = MAX_ONEHOT
    columns_: list[dict] = field(default_factory=list)
    dropped_: dict[str, list[str]] = field(default_factory=dict)
    mean_: list[float] = field(default_factory=list)
    std_: list[float] = field(default_factory=list)

    def fit(self, frame: pd.DataFrame, source: str = "table") -> TablePreprocessor:
        """Learn every step from the training rows `frame` (features only)."""
        self.columns_, self.dropped_ = [], {"constant": [], "id_like": []}
        for name in frame.columns:
            step = self._fit_column(frame[name], str(name), source)
            if isinstance(step, str):
                self.dropped_[step].append(str(name))
            else:
                self.columns_.append(step)
        if not self.columns_:
            raise DataFormatError(
                f"{source}: no usable feature column (constant: "
                f"{', '.join(self.dropped_['constant']) or 'none'}; ID-like: "
                f"{', '.join(self.dropped_['id_like']) or 'none'})"
            )
        encoded, _ = self._encode(frame, source)
        self.mean_ = encoded.mean(axis=0).tolist()
        std = encoded.std(axis=0)
        std[std == 0] = 1.0
        self.std_ = std.tolist()
        return self

    def _fit_column(self, series: pd.Series, name: str, source: str) -> dict | str:
        present = series.dropna()
        if present.nunique() <= 1:
            return "constant"
        missing = bool(series.isna().any())
        if not is_text(series):
            values = series.to_numpy(np.float64, na_value=np.nan)
            return {"name": name, "kind": "numeric", "fill": float(np.nanmedian(values)),
                    "indicator": missing}  # fmt: skip
        text = as_text(present)
        if len(text) >= ID_MIN_ROWS and text.nunique() == len(text):
            return "id_like"
        counts = text.value_counts(sort=False)
        levels = sorted(counts.index, key=lambda v: (-counts[v], v))
        if len(levels) <= self.max_onehot:
            return {"name": name, "kind": "onehot", "levels": sorted(levels),
                    "indicator": missing}  # fmt: skip
        codes = as_text(series).map({v: i for i, v in enumerate(levels)})
        return {"name": name, "kind": "ordinal", "levels": levels,
                "fill": float(np.nanmedian(codes.to_numpy(np.float64, na_value=np.nan))),
                "indicator": missing}  # fmt: skip

    @property
    def features_(self) -> list[str]:
        """Names of the input columns, in order."""
        names = []
        for step in self.columns_:
            if step["kind"] == "onehot":
                names += [f"{step['name']}={level}" for level in step["levels"]]
            else:
                names.append(step["name"])
            if step["indicator"]:
                names.append(f"{step['name']}_missing")
        return names

    def _encode(self, frame: pd.DataFrame, source: str) -> tuple[np.ndarray, list[str]]:
        """Encoded float32 columns (not yet standardised) and notes on what was imputed."""
        parts, notes = [], []
        for step in self.columns_:
            name = step["name"]
            if name in frame.columns:
                series = frame[name]
            else:
                series = pd.Series([np.nan] * len(frame), index=frame.index, dtype=object)
                notes.append(f"column {name!r} is missing: treated as empty in every row")
            missing = series.isna().to_numpy()
            if step["kind"] == "numeric":
                values = numeric_values(series, name, source)
                values = np.where(np.isnan(values), step["fill"], values)[:, None]
            else:
                text = as_text(series)
                known = text.isin(step["levels"]).to_numpy()
                unseen = ~missing & ~known
                if unseen.any():
                    examples = ", ".join(sorted(set(text[unseen]))[:3])
                    notes.append(
                        f"column {name!r}: {int(unseen.sum())} row(s) with categories not seen "
                        f"in training ({examples}), treated as missing"
                    )
                missing = missing | unseen
                if step["kind"] == "onehot":
                    values = text.to_numpy()[:, None] == np.array(step["levels"])[None, :]
                    values = values.astype(np.float64)
                else:
                    codes = text.map({v: i for i, v in enumerate(step["levels"])})
                    codes = codes.to_numpy(np.float64, na_value=np.nan)
                    values = np.where(np.isnan(codes), step["fill"], codes)[:, None]
            parts.append(values)
            if step["indicator"]:
                parts.append(missing.astype(np.float64)[:, None])
        return np.concatenate(parts, axis=1).astype(np.float32), notes

    def transform(self, frame: pd.DataFrame, source: str = "table") -> tuple[np.ndarray, list[str]]:
        """Standardised float32 inputs for `frame`'s rows, and notes on missing columns and
        unseen categories (extra columns are ignored)."""
        encoded, notes = self._encode(frame, source)
        mean = np.asarray(self.mean_, dtype=np.float32)
        std = np.asarray(self.std_, dtype=np.float32)
        return ((encoded - mean) / std).astype(np.float32), notes

    def summary(self, rows: int) -> str:
        """One line: what the columns became."""
        kinds = [s["kind"] for s in self.columns_]
        text = kinds.count("onehot") + kinds.count("ordinal")
        parts = [
            f"{rows} training rows, {len(self.columns_)} columns used -> "
            f"{len(self.features_)} inputs: {kinds.count('numeric')} numeric, {text} text "
            f"({kinds.count('onehot')} one-hot, {kinds.count('ordinal')} ordinal)",
            f"{sum(s['indicator'] for s in self.columns_)} missing-value indicators",
        ]
        for why, label in (("constant", "constant"), ("id_like", "ID-like")):
            if self.dropped_.get(why):
                parts.append(f"dropped {label}: {', '.join(self.dropped_[why])}")
        return "; ".join(parts)

    def to_dict(self) -> dict:
        return {"max_onehot": self.max_onehot, "columns": self.columns_,
                "dropped": self.dropped_, "mean": self.mean_, "std": self.std_}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict) -> TablePreprocessor:
        return cls(data["max_onehot"], data["columns"], data["dropped"], data["mean"], data["std"])
