"""Problems found in a site, each pinned to a file, a line and a field.

Errors are collected, never raised one at a time: an editor fixes every
problem of a push in one go (as MkDocs reports every bad config key at once).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .privacy import redact


@dataclass(frozen=True, order=True)
class Problem:
    """One error or warning. `file` is relative to the site root, POSIX style."""

    file: str
    line: int
    field: str
    message: str
    hint: str = ""

    def __post_init__(self):
        # a message may quote what an editor wrote (a slug, an attachment's name, a wrong value):
        # a build log or CI annotation must not carry the number the privacy guard would stop
        object.__setattr__(self, "message", redact(self.message))
        object.__setattr__(self, "hint", redact(self.hint))

    def text(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {what}" + (f" {self.hint}" if self.hint else "")

    def as_json(self) -> dict:
        return {"file": self.file, "line": self.line, "field": self.field,
                "message": self.message + (f" {self.hint}" if self.hint else "")}


@dataclass
class Problems:
    """A collector of errors and warnings; sorted on output so runs are stable."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, file: str, line: int, field: str, message: str, hint: str = "") -> Problem:
        problem = Problem(file, line, field, message, hint)
        self.errors.append(problem)
        return problem

    def warn(self, file: str, line: int, field: str, message: str, hint: str = "") -> Problem:
        problem = Problem(file, line, field, message, hint)
        self.warnings.append(problem)
        return problem

    def extend(self, other: "Problems") -> None:
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)

    def sorted_errors(self) -> list[Problem]:
        return sorted(set(self.errors))

    def sorted_warnings(self) -> list[Problem]:
        return sorted(set(self.warnings))


class UsageError(Exception):
    """The command line asks for something impossible (a port out of range, an unknown option): exit 2."""


class BuildAborted(Exception):
    """The build cannot go on (a file edited while it ran, the search indexer failing, an output folder
    that may not be written): exit code 2, the output folder left as it was."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = problems

    def __reduce__(self):           # raised in a worker process, it arrives whole in the parent
        return type(self), (self.problems,)


class ConfigError(BuildAborted):
    """site.toml, the theme or the command line is unusable: nothing is built."""
