"""The trial database of a search on Optuna's storage (`Study`, `load_study`) and the
read-only overview behind `nasforge show` (`nasforge.study.overview`)."""

from nasforge.study.core import Study, load_study
from nasforge.study.records import INTERRUPTED, ORPHANED, StoredTrial, space_choices
from nasforge.study.storage import MEMORY, STUDY_FILE, StudyError, storage_url

__all__ = [
    "INTERRUPTED",
    "MEMORY",
    "ORPHANED",
    "STUDY_FILE",
    "StoredTrial",
    "Study",
    "StudyError",
    "load_study",
    "space_choices",
    "storage_url",
]
