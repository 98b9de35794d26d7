"""The report builders, imported on first use.

:mod:`meetup.reports.exports` pulls in reportlab, which takes about a fifth of a second to
import: a restarting server would spend it before it answers the first phone (issue 21). The
web faces import ``exports`` from here and use it as the module itself (``exports.build``).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands in for a module until one of its attributes is first read."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)


#: :mod:`meetup.reports.exports`, imported when first used.
exports: Any = LazyModule("meetup.reports.exports")
#: :mod:`meetup.reports.overview_pdf` (the series overview as PDF), imported when first used.
overview_pdf: Any = LazyModule("meetup.reports.overview_pdf")
