"""DOCX packages zipped the same way on every system: fixed member dates, Unix modes and order
(``[Content_Types].xml`` first, as Word writes it, then by name). Standard library only."""

from __future__ import annotations

import io
import zipfile
from typing import Callable

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ZIP_MODE = 0o100644 << 16
FIRST = "[Content_Types].xml"


def fixed_zip(data: bytes, transform: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """The package ``data`` zipped again deterministically; ``transform(name, body)`` may replace a
    member's body on the way."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in sorted(src.namelist(), key=lambda n: (n != FIRST, n)):
            body = src.read(name)
            if transform is not None:
                body = transform(name, body)
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the system: the mode below is a Unix mode
            info.external_attr = ZIP_MODE
            dst.writestr(info, body, compresslevel=6)
    return out.getvalue()
