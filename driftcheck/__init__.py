"""driftcheck: catch configuration drift between services and environments.

Importing this package stays light (no pydantic, pydantic-settings or rich): services
import it at start-up.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
