"""PDFium functions called with plain addresses, for the loops over every glyph and object.

pypdfium2's bindings check every pointer argument's ctypes type; in those loops that check
costs more than the C call itself.
"""

from __future__ import annotations

import ctypes
from typing import Any


def unchecked(fn: object, restype: object, *argtypes: object) -> Any:
    """The same PDFium function called with plain addresses.

    pypdfium2's bindings check every pointer argument's ctypes type; in the loops over every
    glyph and every page object that check costs more than the C call itself.
    """
    address = ctypes.cast(fn, ctypes.c_void_p).value  # type: ignore[arg-type]
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)  # type: ignore[arg-type]


VP, INT = ctypes.c_void_p, ctypes.c_int


def address(handle: object) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value or 0  # type: ignore[arg-type]
