"""intervet-plan: planning and allocation optimiser for EU learning-mobility programmes.

The analysts' facade (:mod:`intervet_plan.api`) is re-exported here and imported on first
use, so that ``import intervet_plan`` stays light. ``solve`` is the one name left out:
``intervet_plan.solve`` is the solver layer (a subpackage), the function is ``api.solve``.

>>> import intervet_plan
>>> intervet_plan.with_target is intervet_plan.api.with_target
True
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("intervet-plan")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

FACADE = (
    "Plan",
    "Status",
    "add_target",
    "blocking_swaps",
    "build",
    "check",
    "describe",
    "diagnose",
    "diff",
    "exit_code",
    "exclusions",
    "explain",
    "load",
    "reserves",
    "run",
    "tradeoff",
    "with_target",
    "without_target",
)
__all__ = ["__version__", "api", *FACADE]  # noqa: PLE0604


def __getattr__(name: str) -> object:
    """The facade's names (and ``api`` itself), imported when first asked for."""
    if name == "api" or name in FACADE:
        api = import_module("intervet_plan.api")
        return api if name == "api" else getattr(api, name)
    raise AttributeError(f"module 'intervet_plan' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
