"""`yingji cluster` (not implemented yet)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("cluster", help="(not implemented yet)")
    p.set_defaults(func=lambda args: 1)
