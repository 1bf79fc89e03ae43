"""Domain errors with stable codes and translated messages.

Every rejection the system makes is a `DomainError` carrying an `ErrorCode`: a stable
machine-readable code, a translated message template with named placeholders, and where
the problem is (field, row, cell, file and line). The API turns them into
`{code, message, field|row|cell, args}` in one exception handler (`baocao.core.api`);
the CLI prints them one per line.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from django.utils.functional import Promise


class ErrorCode(enum.Enum):
    """Base class of each app's error codes; a member's value is `(code, template)`."""

    def __init__(self, code: str, template: str | Promise) -> None:
        self.code = code
        self.template = template

    def render(self, args: dict[str, Any]) -> str:
        try:
            return str(self.template) % args
        except (KeyError, TypeError, ValueError):
            # A template whose placeholders were not all given still says something useful.
            return str(self.template)


class DomainError(Exception):
    """A business rule rejected an input; `http_status` is what the API answers."""

    http_status = 400

    def __init__(
        self,
        error: ErrorCode,
        *,
        field: str | None = None,
        row: int | None = None,
        cell: str | None = None,
        file: str | None = None,
        line: int | None = None,
        **args: Any,
    ) -> None:
        self.error = error
        self.field = field
        self.row = row
        self.cell = cell
        self.file = file
        self.line = line
        self.args_dict = args
        super().__init__(self.message)

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def message(self) -> str:
        return self.error.render(self.args_dict)

    def location(self) -> str:
        """`file:line: field` or whatever part of it is known, for humans."""
        parts = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else ""))
        elif self.line:
            parts.append(f"{self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.cell:
            parts.append(self.cell)
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        for key in ("field", "row", "cell", "file", "line"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        data["args"] = {k: _jsonable(v) for k, v in self.args_dict.items()}
        return data


class NotFound(DomainError):
    """The object named by a code does not exist (API: 404)."""

    http_status = 404


class Rejected(DomainError):
    """Several problems found in one input; nothing of it was saved."""

    def __init__(self, problems: Iterable[DomainError]) -> None:
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(
            first.error,
            field=first.field,
            row=first.row,
            cell=first.cell,
            file=first.file,
            line=first.line,
            **first.args_dict,
        )

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["problems"] = [problem.as_dict() for problem in self.problems]
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
