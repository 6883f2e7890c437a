"""PDFium functions called with plain addresses, for the loops over every glyph and object.

pypdfium2's bindings check every pointer argument's ctypes type; in those loops that check
costs more than the C call itself. Two cheaper forms:

- :func:`unchecked`: the same signature, pointers passed as plain ints (``c_void_p``);
- :func:`bare`: no argument types at all, so ctypes converts nothing: Python ints go as C
  ``int`` (only for ``int`` parameters), pointers as ready-made :func:`pointer` arguments or
  as the :class:`Handle` another bare function returned. Half the cost of a checked call;
  for the calls made once per glyph or page object.
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


class Handle(ctypes.c_void_p):
    """A pointer a :func:`bare` function returned: false when NULL, passed on as it is (a
    subclass, so that ctypes does not turn it into an int that would need converting back)."""


def bare(fn: object, restype: object = ctypes.c_int) -> Any:
    """The PDFium function with no argument conversion (see the module docstring).

    Its ``int`` parameters take Python ints, its pointer parameters :func:`pointer` arguments
    or :class:`Handle` values; nothing else (an int for a pointer would be cut to 32 bits).
    """
    address = ctypes.cast(fn, ctypes.c_void_p).value  # type: ignore[arg-type]
    return ctypes.CFUNCTYPE(restype)(address)  # type: ignore[arg-type]


def pointer(address: int) -> Any:
    """A pointer argument for :func:`bare` functions, built once and passed many times."""
    return ctypes.byref(ctypes.c_char.from_address(address))


VP, INT = ctypes.c_void_p, ctypes.c_int


def address(handle: object) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value or 0  # type: ignore[arg-type]
