"""intervet-plan: planning and allocation optimiser for EU learning-mobility programmes."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("intervet-plan")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
