"""Sweeps over one scenario's settings (SPEC 6 ``sweep``): one variant of the scenario per
value of ``KEY=V1,V2,...``, written to ``<out_dir>/scenarios/`` and run as a batch.

>>> parse_vary("budget_eur=900000, 1.1e6")
('budget_eur', ['900000', '1.1e6'])
>>> variant_name("baseline", "quotas.WBL_SHORT.quota", 300.0)
'baseline-quotas.WBL_SHORT.quota-300'
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any, Unpack, cast

from intervet_plan.batch.pool import BatchOptions, connect_dask, run_batch
from intervet_plan.batch.results import Manifest
from intervet_plan.errors import InputError, Problem
from intervet_plan.outputs.folder import atomic_file, check_output_folder, move_aside

VARY_FORMS = (
    "budget_eur",
    "quotas.<activity>.quota",
    "quotas.<activity>.quota_min",
    "targets.<target name>.min",
    "targets.<target name>.max",
)


def _vary_error(message: str) -> InputError:
    return InputError(Problem("--vary", None, None, message), "arguments")


def parse_vary(vary: str) -> tuple[str, list[str]]:
    """Split ``KEY=V1,V2,...`` into the key and the value texts (not yet checked)."""
    key, eq, values = vary.partition("=")
    key = key.strip()
    items = [v.strip() for v in values.split(",")]
    if not eq or not key or not any(items):
        raise _vary_error(
            f"'{vary}' is not KEY=V1,V2,...; KEY is one of {', '.join(VARY_FORMS)} "
            "(e.g. budget_eur=900000,1100000)"
        )
    if any(not v for v in items):
        raise _vary_error(f"'{vary}' has an empty value; separate values by single commas")
    return key, items


def _number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def variant_name(name: str, key: str, value: float) -> str:
    """``<name>-<key>-<value>`` (SPEC 6), the value written without a useless ``.0``."""
    return f"{name}-{key}-{_number_text(value)}"


def _split_key(key: str) -> tuple[str, str | None, str | None]:
    """(kind, item, field) of a --vary key: ('budget_eur', None, None),
    ('quotas', activity, 'quota'), ('targets', target name, 'min')."""
    forms = ", ".join(VARY_FORMS)
    if key == "budget_eur":
        return "budget_eur", None, None
    for kind, suffixes in (("quotas", ("quota_min", "quota")), ("targets", ("min", "max"))):
        if not key.startswith(kind + "."):
            continue
        rest = key[len(kind) + 1 :]
        for suffix in suffixes:
            if rest.endswith("." + suffix) and len(rest) > len(suffix) + 1:
                return kind, rest[: -len(suffix) - 1], suffix
        raise _vary_error(f"unknown key '{key}'; the key must be one of {forms}")
    raise _vary_error(f"unknown key '{key}'; the key must be one of {forms}")


def make_sweep(scenario: Path, vary: str, out_dir: Path) -> list[Path]:
    """Write one variant of ``scenario`` per value of ``vary`` (``KEY=V1,V2,...``) into
    ``out_dir/scenarios/<name>-<key>-<value>.yaml`` and return their paths.

    KEY is ``budget_eur`` (euro), ``quotas.<activity>.quota`` or ``.quota_min`` (persons), or
    ``targets.<target name>.min`` or ``.max`` (a share, or persons for a count target). The
    variants name the case (and a previous plan) by absolute path. Every variant is checked
    against the scenario rules and the case before any file is written (:class:`InputError`,
    exit 2, naming the key and the valid forms).
    """
    from intervet_plan.inputs.case import load_case
    from intervet_plan.inputs.limits import ID_MAX_CHARS, id_problem
    from intervet_plan.inputs.scenario import check_against_case
    from intervet_plan.inputs.scenario_file import load_scenario, parse_scenario
    from intervet_plan.inputs.yamlfile import load_yaml_with_lines

    src = Path(scenario).absolute()
    base = load_scenario(src)
    key, texts = parse_vary(vary)
    kind, item, fld = _split_key(key)
    if kind == "quotas":
        case = load_case(base.case_path)
        if item not in case.activities.index:
            from intervet_plan.inputs.scenario import suggest

            raise _vary_error(
                f"'{key}': '{item}' is not an activity_id of the case; "
                f"{suggest(str(item), tuple(case.activities.index), 'activities')}"
            )
    elif kind == "targets":
        names = [t.name for t in base.targets]
        if item not in names:
            raise _vary_error(
                f"'{key}': the scenario has no target named '{item}'; "
                + (f"its targets: {', '.join(names)}" if names else "it has no targets")
            )
        case = None
    else:
        case = None

    values: list[float] = []
    for t in texts:
        try:
            x = float(t)
        except ValueError:
            x = math.nan
        if not math.isfinite(x):
            raise _vary_error(f"'{key}': value '{t}' is not a number")
        if kind == "quotas" and not x.is_integer():
            raise _vary_error(f"'{key}': value '{t}' is not a whole number")
        values.append(x)
    shown = [_number_text(x) for x in values]
    dupes = sorted({s for s in shown if shown.count(s) > 1})
    if dupes:
        raise _vary_error(f"'{key}': value {', '.join(dupes)} is given twice")

    problems: list[Problem] = []
    data, _ = load_yaml_with_lines(src.read_text(encoding="utf-8-sig"), str(src), problems)
    plain = _plain_mapping(data)
    plain["case"] = str(base.case_path)
    if base.previous_plan is not None:
        plain["previous_plan"] = str(base.previous_plan)
    variants: list[tuple[str, dict]] = []
    for x, text in zip(values, shown, strict=True):
        vname = variant_name(base.name, key, x)
        if len(vname) > ID_MAX_CHARS:  # it names the variant's file and run folder
            raise _vary_error(
                f"'{key}': value '{text}' makes the variant name '{vname}', "
                f"{len(vname)} characters long; a scenario name has at most {ID_MAX_CHARS}: "
                "shorten the scenario's name" + (" or the target's" if kind == "targets" else "")
            )
        if id_problem(vname) is not None:
            raise _vary_error(f"'{key}': value '{text}' does not make a valid scenario name")
        d = {"name": vname, **_plain_mapping(data)}  # a fresh deep copy; dates stay dates
        d["name"], d["case"] = vname, plain["case"]
        if "previous_plan" in plain:
            d["previous_plan"] = plain["previous_plan"]
        v: int | float = int(x) if x.is_integer() else x
        if kind == "budget_eur":
            d["budget_eur"] = v
        elif kind == "quotas":
            quotas = d.get("quotas") or {}
            d["quotas"] = quotas
            entry = quotas.get(item) or {}
            quotas[item] = entry
            entry[fld] = v
        else:
            for t in d.get("targets") or []:
                if isinstance(t, dict) and t.get("name") == item:
                    t[fld] = v
        label = f"variant {vname}"
        try:
            sc = parse_scenario(d, base=src.parent, label=label)
        except InputError as e:
            problems.extend(e.problems)
            continue
        if case is not None:
            problems.extend(replace(p, source=label) for p in check_against_case(sc, case))
        variants.append((vname, d))
    if problems:
        raise InputError(problems, f"--vary {key} variants")

    folder = Path(out_dir).absolute() / "scenarios"
    move_aside(folder)  # the variants of an earlier sweep into this folder are kept
    folder.mkdir(parents=True, exist_ok=True)
    import yaml

    paths = []
    for vname, d in variants:
        p = folder / f"{vname}.yaml"
        text = (
            f"# variant of {src} with {key} = {vname.rsplit('-', 1)[-1]}, "
            "written by intervet-plan sweep\n"
            + yaml.safe_dump(d, sort_keys=False, allow_unicode=True)
        )
        with atomic_file(p) as tmp:
            tmp.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def _plain(data: object) -> object:
    """YAML containers as plain dicts and lists (for yaml.safe_dump)."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def _plain_mapping(data: object) -> dict[str, Any]:
    """:func:`_plain` of a scenario file already read as a scenario (so a mapping); its
    values are YAML data of any shape."""
    return cast(dict[str, Any], _plain(data))


def run_sweep(
    scenario: Path, vary: str, out_dir: Path, **batch_options: Unpack[BatchOptions]
) -> Manifest:
    """:func:`make_sweep` then :func:`run_batch` over the variants into ``out_dir``."""
    address = batch_options.get("dask_address")
    if address:  # an unreachable scheduler is refused before the variants are written
        connect_dask(str(address)).close()
    from intervet_plan.inputs.scenario_file import load_scenario

    base = load_scenario(scenario)
    reads = [Path(scenario), base.case_path]
    out_dir = check_output_folder(Path(out_dir), reads)  # before the variants are written
    variants = make_sweep(scenario, vary, out_dir)
    key = parse_vary(vary)[0]
    return run_batch(variants, out_dir, inputs=reads, sweep=(base.name, key), **batch_options)


def default_sweep_dir(scenario: Path) -> Path:
    """``reports/<name>-sweep`` for a scenario (its name read from the file)."""
    from intervet_plan.inputs.scenario_file import load_scenario

    return Path("reports") / f"{load_scenario(scenario).name}-sweep"
