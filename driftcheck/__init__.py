"""driftcheck: catch configuration drift between services and environments.

Importing this package stays light (no pydantic, pydantic-settings, click or rich):
services import it at start-up. The validation functions load what they need when called.
"""

from __future__ import annotations

# Not typing.TYPE_CHECKING: importing typing costs more than the rest of this module, and
# type checkers honour a TYPE_CHECKING of one's own.
TYPE_CHECKING = False
__version__ = "0.1.0"
__all__ = [
    "ConfigurationError",
    "DriftcheckError",
    "__version__",
    "validate_environment",
    "validate_settings",
]

if TYPE_CHECKING:
    from typing import Any

    from driftcheck.errors import DriftcheckError
    from driftcheck.validate import ConfigurationError, validate_environment, validate_settings


def __getattr__(name: str) -> Any:
    # Loaded on first use, so that `import driftcheck` costs next to nothing.
    if name in ("ConfigurationError", "validate_environment", "validate_settings"):
        from driftcheck import validate

        return getattr(validate, name)
    if name == "DriftcheckError":
        from driftcheck.errors import DriftcheckError

        return DriftcheckError
    raise AttributeError(f"module 'driftcheck' has no attribute {name!r}")
