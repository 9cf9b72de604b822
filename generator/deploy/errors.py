"""The one error of a deploy, rollback or listing that is refused or fails: exit 1, the live site untouched."""
from __future__ import annotations


class DeployError(Exception):
    """A refusal or failure, in Chinese, with what to do (`hint`)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint

    def text(self) -> str:
        return self.message + (f"\n{self.hint}" if self.hint else "")
