"""Errors that end a command with one readable line, no traceback."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix (bad URL, unreachable server, newer schema …).

    The message says what is wrong and what to do; the CLI prints it on one line and exits with
    ``exit_code``.
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
