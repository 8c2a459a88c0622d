"""townorg — China's township organisation as an immutable versioned graph.

The Python face of libtownorg.  Open or create a repository, read versions
as of a date, change them in transactions, diff, blame, trace lineage,
validate with policies (and custom rules written in Python), and take
everything to pandas, Jupyter, Graphviz, matplotlib and Excel::

    import townorg
    with townorg.Repository.open("county.townorg") as repo:
        v = repo.as_of("2024-01-01")
        town = v.by_name("渔亭镇")
        v.to_frame(under=town.id)
        with repo.transaction(branch="plan-2025", doc_number="某编〔2025〕3号") as tx:
            tx.create("341023-002-09", "center", "渔亭镇为民服务中心", parent_id=town.id, inst_quota=12)
        print(repo.diff("main", "plan-2025").to_text("zh"))

Errors raise subclasses of townorg.Error chosen by the library's error
code (NotFound, Exists, Invalid, ParseError, IntegrityError, Conflict,
Corrupt, ReadOnly, EncodingError, ...), carrying the library's message.
"""

from ._core import (  # noqa: F401
    Error, NotFound, Exists, Invalid, OutOfMemory, IOFailure, Corrupt, Conflict, ParseError, IntegrityError,
    Ambiguous, ReadOnly, Busy, EncodingError, ClosedError,
    KINDS, ORGAN_KINDS, TOWNSHIP_KINDS, INT_FIELDS, EVENT_KINDS, SEVERITIES,
    Entity, Event, Version, Repository, Transaction, Diff, Delta, FieldChange, Blame, BlameEntry, HistoryEntry,
    Lineage, Policy, RuleContext, Finding, Validation,
    library_version, make_entity, verify, builtin_rules,
)
from ._merge import Merge, MergeConflict  # noqa: F401
from ._display import Graph  # noqa: F401
from ._plot import cjk_font  # noqa: F401
from ._excel import HEADERS_ZH, read_workbook, xlsx_available  # noqa: F401
from ._frame import ZH_LABELS, schema  # noqa: F401
from . import examples, policies  # noqa: F401

__version__ = library_version()
# The licence (SPDX identifier; the texts are in LICENSE).  There is no
# setup.py or pyproject.toml: the package is installed by `make install`.
__license__ = "MulanPSL-2.0"

__all__ = [
    "Error", "NotFound", "Exists", "Invalid", "OutOfMemory", "IOFailure", "Corrupt", "Conflict", "ParseError",
    "IntegrityError", "Ambiguous", "ReadOnly", "Busy", "EncodingError", "ClosedError",
    "KINDS", "ORGAN_KINDS", "TOWNSHIP_KINDS", "INT_FIELDS", "EVENT_KINDS", "SEVERITIES",
    "Entity", "Event", "Version", "Repository", "Transaction", "Diff", "Delta", "FieldChange", "Blame",
    "BlameEntry", "HistoryEntry", "Lineage", "Policy", "RuleContext", "Finding", "Validation", "Graph",
    "Merge", "MergeConflict",
    "library_version", "make_entity", "verify", "builtin_rules", "cjk_font", "read_workbook", "xlsx_available", "HEADERS_ZH",
    "open", "memory", "ZH_LABELS", "schema", "examples", "policies",
]


def open(path, readonly=False, create=False):
    """Open a repository file (``Repository.open``)."""
    return Repository.open(path, readonly=readonly, create=create)


def memory():
    """A new in-memory repository."""
    return Repository()
