"""The reader of a scenario mapping: typed values with the YAML line and the key path of
every problem, collected before anything is reported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from intervet_plan.errors import Problem
from intervet_plan.inputs.limits import id_problem
from intervet_plan.inputs.limits import shown as _shown
from intervet_plan.inputs.parsers import Bad, date_value, finite_number, number_text, whole_number
from intervet_plan.inputs.scenario import suggest
from intervet_plan.inputs.yamlfile import yaml_line, yaml_start


class Reader:
    """Collects every problem of a scenario with the YAML line and the key path."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}

    def add(self, mapping: object, key: object, path: str, message: str) -> None:
        line = yaml_line(mapping, key) or yaml_start(mapping)
        self.problems.append(Problem(self.label, line, path or None, message))

    def keys(self, m: Mapping[str, object], valid: tuple[str, ...], prefix: str) -> None:
        for k in m:
            if k not in valid:
                self.add(m, k, f"{prefix}{_shown(k)}", f"unknown key; {suggest(str(k), valid)}")

    def _get(self, m: Mapping[str, object], key: str, path: str, required: bool) -> object:
        v = m.get(key)
        if (v is None or v == "") and required:
            where = "is empty" if key in m else "is missing"
            self.add(m, key, f"{path}{key}", f"{where}; it is required")
            return None
        return v

    def text(
        self, m: Mapping[str, object], key: str, path: str, required: bool = False
    ) -> str | None:
        v = self._get(m, key, path, required)
        if v is None:
            return None
        if not isinstance(v, str | int | float) or isinstance(v, bool):
            self.add(m, key, f"{path}{key}", f"'{_shown(v)}' must be text")
            return None
        return str(v)

    def ident(
        self, m: Mapping[str, object], key: str, path: str, required: bool = False
    ) -> str | None:
        v = self.text(m, key, path, required)
        problem = None if v is None else id_problem(v)
        if problem is not None:
            self.add(m, key, f"{path}{key}", problem)
            return None
        return v

    def path(self, m: Mapping[str, object], key: str, base: Path, text: str) -> Path | None:
        """A path given relative to the scenario file."""
        try:
            return (base / text).resolve()
        except (OSError, ValueError, RuntimeError) as e:
            self.add(m, key, key, f"'{_shown(text)}' is not a usable path ({e})")
            return None

    def number(
        self,
        m: Mapping[str, object],
        key: str,
        path: str,
        lo: float | None = None,
        hi: float | None = None,
    ) -> float | None:
        """A finite number within ``lo``..``hi`` (text such as ``1e6`` is a number);
        ``None`` when it is absent or refused."""
        raw = m.get(key)
        v, s = number_text(raw), _shown(raw).strip()
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float):
            self.add(m, key, f"{path}{key}", f"'{s}' is not a number")
            return None
        try:
            finite_number(v, f"'{s}'")
        except Bad as e:
            self.add(m, key, f"{path}{key}", str(e))
            return None
        if lo is not None and v < lo or hi is not None and v > hi:
            rng = f"{lo:g}..{hi:g}" if hi is not None else f"{lo:g} or more"
            self.add(m, key, f"{path}{key}", f"'{s}' must be {rng}")
            return None
        return float(v)

    def integer(self, m: Mapping[str, object], key: str, path: str, lo: int = 0) -> int | None:
        """A whole number, ``lo`` or more; ``None`` when it is absent or refused."""
        raw = m.get(key)
        v, s = number_text(raw), _shown(raw).strip()
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float):
            self.add(m, key, f"{path}{key}", f"'{s}' is not a whole number")
            return None
        try:
            x = whole_number(v, f"'{s}'")
        except Bad as e:
            self.add(m, key, f"{path}{key}", str(e))
            return None
        if x < lo:
            self.add(m, key, f"{path}{key}", f"'{s}' must be {lo} or more")
            return None
        return x

    def date(self, m: Mapping[str, object], key: str, path: str) -> dt.date | None:
        """A date (YYYY-MM-DD); ``None`` when it is refused."""
        try:
            return date_value(m.get(key))
        except Bad as e:
            self.add(m, key, f"{path}{key}", str(e))
            return None

    def boolean(self, m: Mapping[str, object], key: str, path: str, default: bool) -> bool:
        v = m.get(key)
        if v is None:
            return default
        if isinstance(v, bool):
            return v
        self.add(m, key, f"{path}{key}", f"'{_shown(v)}' is not true or false")
        return default

    def mapping(self, v: object, parent: object, key: object, path: str) -> Mapping | None:
        if not isinstance(v, dict):
            self.add(parent, key, path, f"'{_shown(v)}' must be a mapping of key: value")
            return None
        return v

    def sequence(self, v: object, parent: object, key: object, path: str) -> list | None:
        if not isinstance(v, list):
            self.add(parent, key, path, f"'{_shown(v)}' must be a list")
            return None
        return v

    # --- sections
