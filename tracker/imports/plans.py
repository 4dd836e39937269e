"""What an import would do, row by row: the plan the preview shows and the confirmation writes."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Change:
    column: str
    old: object  # None for a new record
    new: object

    def __str__(self):
        new = self.new if self.new not in ("", None) else "(empty)"
        if self.old is None:
            return f"{self.column}: {new}"
        old = self.old if self.old != "" else "(empty)"
        return f"{self.column}: {old} → {new}"


@dataclass
class RowPlan:
    number: int
    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    writes: list = field(default_factory=list)  # records to create or save, parents first
    children: list = field(default_factory=list)  # new child rows, created in bulk after every row's writes
    created: bool = False
    bad_columns: set = field(default_factory=set)
    label: str = ""  # which record the row is about, for the preview

    @property
    def action(self):
        if self.errors:
            return "error"
        if self.created:
            return "create"
        return "update" if self.changes else "unchanged"

    def error(self, column, message):
        self.bad_columns.add(column)
        self.errors.append(f"{column}: {message}" if column else message)


@dataclass
class Plan:
    filename: str
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # about the sheet as a whole
    warnings: list = field(default_factory=list)

    @property
    def counts(self):
        counts = Counter(row.action for row in self.rows)
        return {action: counts[action] for action in ("create", "update", "unchanged", "error")}

    @property
    def is_valid(self):
        return bool(self.rows) and not self.problems and not any(row.errors for row in self.rows)
