"""Output folders and files that never destroy anything (SPEC 5, "Output folders are safe").

- :func:`check_output_folder` refuses, before any work, an output folder that is the current
  folder, a folder above it, a folder holding an input, a file, or a name the file system
  cannot take with our suffixes.
- :func:`atomic_folder` writes a result into a hidden staging folder beside the target and
  publishes it in one rename. An existing target is moved aside to
  ``<name>.prev-<YYYYmmdd-HHMMSS>``; with ``force`` an earlier result of intervet-plan (and
  only that) is replaced. The staging folder is removed on every exit path; one left by a
  killed process is removed by the next publisher of that folder. Publishers of one folder
  take turns (a lock on the parent folder), so each ends with a complete folder.
- :func:`atomic_file` does the same for one file. Everything written follows the umask."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from intervet_plan.errors import InputError, IntervetError, Problem

STAGING = ".staging-"
REPLACED = ".replaced-"
PREV = ".prev-"
# The longest suffix a published name gets: ".<name>.staging-XXXXXXXX" while staging and
# "<name>.prev-YYYYmmdd-HHMMSS-NNN" when moved aside. Most file systems allow 255 bytes.
MAX_NAME_BYTES = 200
# What a run folder of intervet-plan holds (SPEC 5): `run --force` replaces only such a folder.
RESULT_FILES = frozenset(
    {
        "allocation.csv",
        "unplaced.csv",
        "summary.json",
        "diagnosis.json",
        "allocation.xlsx",
        "solver.log",
        "report.ipynb",
        "report.html",
        "cancelled.csv",
        "fairness.csv",
        "reserves.csv",
        "tradeoff.csv",
    }
)


# ------------------------------------------------------------------------- the umask


def umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # pragma: no cover - systems without /proc
    os.umask(mask)  # pragma: no cover
    return mask  # pragma: no cover


def follow_umask(path: Path, folder: bool = False) -> None:
    """Give ``path`` the mode an ordinary ``mkdir`` or ``open`` would have (tempfile makes
    folders 0700 and files 0600 whatever the umask)."""
    os.chmod(path, (0o777 if folder else 0o666) & ~umask())


# -------------------------------------------------------------------- the safety check


def _is_within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def _forms(path: Path) -> set[Path]:
    """A path as written (made absolute) and with every symbolic link resolved."""
    absolute = Path(os.path.abspath(path))
    try:
        return {absolute, absolute.resolve()}
    except (OSError, RuntimeError):
        return {absolute}


class _Refused(Exception):
    """An output path that cannot be used; the text completes "'<path>' ..."."""


def output_path(target: Path) -> Path:
    """The absolute folder that writing to ``target`` reaches, walked part by part as the
    system does (so ``link/../x`` goes where the link points, not where the text says).
    The last part is kept as named even when it is a symbolic link (then the link is what
    gets moved aside). Raises :class:`_Refused` for a path that cannot be a folder."""
    text = str(target)
    if not text.strip() or "\x00" in text:
        raise _Refused("is not a usable folder name")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Refused("is not valid UTF-8 text; rename the folder") from None
    parts = [p for p in Path(text).parts if p not in ("", ".")]
    cur = Path("/") if os.path.isabs(text) else Path.cwd()
    if parts and os.path.isabs(text):
        parts = parts[1:]
    for k, part in enumerate(parts):
        last = k == len(parts) - 1
        if part == "..":
            if not os.path.isdir(cur):
                raise _Refused(f"goes through {cur}, which does not exist")
            cur = Path(os.path.realpath(cur)).parent
            continue
        cur = cur / part
        if os.path.islink(cur):
            if not os.path.exists(cur):
                raise _Refused(f"goes through {cur}, a broken symbolic link (or a loop)")
            if not last:
                cur = Path(os.path.realpath(cur))
        elif os.path.lexists(cur) and not cur.is_dir():
            raise _Refused(
                "is a file; give a folder (it will be created)"
                if last
                else f"cannot be created: {cur} is a file"
            )
    return cur


def check_output_folder(
    target: Path,
    inputs: Iterable[Path] = (),
    option: str = "--out",
    force: bool = False,
) -> Path:
    """Refuse (``InputError``, exit 2) an output folder that a run could not publish safely;
    return the absolute folder it reaches (:func:`output_path`), which the caller must use.
    ``inputs`` are files or folders the run reads (case, scenario, previous plan): none may
    lie inside the output folder."""
    shown = str(target)

    def refuse(message: str) -> InputError:
        return InputError(Problem(option, None, None, f"'{shown}' {message}"), "arguments")

    try:
        absolute = output_path(Path(target))
    except _Refused as e:
        raise refuse(str(e)) from None
    here = _forms(Path.cwd())
    for t in _forms(absolute):
        if any(h == t for h in here):
            raise refuse("is the current folder; give a new folder such as reports/<name>")
        if any(_is_within(h, t) for h in here):
            raise refuse(
                "holds the current folder, and publishing a result there would move it "
                "aside; give a folder below the current one, such as reports/<name>"
            )
        for item in inputs:
            for i in _forms(Path(item)):
                if _is_within(i, t):
                    raise refuse(
                        f"holds an input of this run ({item}); give an output folder "
                        "outside the case and scenario folders"
                    )
    name = absolute.name
    if len(os.fsencode(name)) > MAX_NAME_BYTES:
        raise refuse(
            f"has a last part of {len(os.fsencode(name))} bytes; the limit is "
            f"{MAX_NAME_BYTES} (room for the .prev- and .staging- suffixes)"
        )
    if force and absolute.is_dir() and not absolute.is_symlink():
        foreign = foreign_entries(absolute)
        if foreign:
            listed = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise refuse(
                f"holds files that intervet-plan did not write ({listed}); --force replaces "
                "only an earlier result: leave out --force to move the folder aside"
            )
    return absolute


def foreign_entries(folder: Path) -> list[str]:
    """What in ``folder`` is not an untouched output of a run, sorted: entries whose name is
    not one of :data:`RESULT_FILES`, and result files changed after the run wrote its
    summary.json (which it writes last), e.g. "allocation.csv (changed after the run)"."""
    out = []
    summary = folder / "summary.json"
    written = summary.stat().st_mtime if summary.is_file() else None
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name not in RESULT_FILES or not entry.is_file(follow_symlinks=False):
            out.append(entry.name)
        elif written is not None and entry.stat().st_mtime > written + 1.0:
            out.append(f"{entry.name} (changed after the run)")
    return out


# ---------------------------------------------------------------------- publishing

LOCKED, HELD, UNSUPPORTED = "locked", "held", "unsupported"
STALE_WITHOUT_LOCKS_S = 24 * 3600  # where locks do not work, a staging folder this old is stale


def _try_lock(fd: int, blocking: bool) -> str:
    """Take an exclusive lock on an open file or folder: :data:`LOCKED`, :data:`HELD` (another
    process holds it; non-blocking only) or :data:`UNSUPPORTED` (no locks here, e.g. a network
    drive without them: then nothing can be told about other processes)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return UNSUPPORTED
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        return LOCKED
    except BlockingIOError:
        return HELD
    except OSError as e:
        if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return HELD
        return UNSUPPORTED


@contextmanager
def _locked_folder(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` itself (not a file in it) for the block."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - a system that cannot open folders (Windows)
        yield
        return
    try:
        _try_lock(fd, blocking=True)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def remove_stale_staging(target: Path) -> list[Path]:
    """Remove the staging folders of ``target`` whose process is gone (a run that was
    killed). A staging folder is held locked by its running process; one nobody holds is
    stale. Returns what was removed."""
    target = Path(os.path.abspath(target))
    if not target.parent.is_dir():
        return []
    with _locked_folder(target.parent):
        return _remove_stale(target)


def _remove_stale(target: Path) -> list[Path]:
    """:func:`remove_stale_staging`, under the lock of the parent folder (so that a staging
    folder just made, not yet locked by its process, is never taken for a stale one). Every
    staging folder of the parent is looked at, whatever folder it was for; an earlier result
    left in a ``.replaced-`` folder by a run killed while publishing is moved back aside."""
    removed = []
    parent = target.parent
    for p in sorted(parent.glob(f".*{STAGING}*")):
        if p.is_symlink() or not p.is_dir():
            continue
        try:
            fd = os.open(p, os.O_RDONLY)
        except OSError:
            continue
        try:
            state = _try_lock(fd, blocking=False)
            old = time.time() - p.stat().st_mtime > STALE_WITHOUT_LOCKS_S
            if state == LOCKED or (state == UNSUPPORTED and old):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
        finally:
            os.close(fd)
    for p in sorted(parent.glob(f".*{REPLACED}*")):
        kept = p / "old"
        name = p.name[1:].rsplit(REPLACED, 1)[0]
        if os.path.lexists(kept) and name:
            os.rename(kept, _aside_name(parent / name))
        shutil.rmtree(p, ignore_errors=True)
    return removed


def _is_empty_folder(path: Path) -> bool:
    try:
        return path.is_dir() and not path.is_symlink() and not any(os.scandir(path))
    except OSError:
        return False


def _aside_name(target: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = target.with_name(f"{target.name}{PREV}{stamp}")
    n = 1
    while os.path.lexists(aside):
        n += 1
        aside = target.with_name(f"{target.name}{PREV}{stamp}-{n}")
    return aside


@contextmanager
def atomic_folder(target: Path, force: bool = False) -> Iterator[Path]:
    """Yield an empty staging folder; when the block succeeds it becomes ``target``.

    An existing ``target`` is moved aside to ``<target>.prev-<YYYYmmdd-HHMMSS>`` (with
    ``force``, an earlier result holding only :data:`RESULT_FILES` is removed instead) only
    once the new result is complete. On failure the staging folder is removed and ``target``
    is untouched. Callers check the target with :func:`check_output_folder` first.
    """
    try:
        target = output_path(Path(target))
    except _Refused:
        target = Path(os.path.abspath(target))  # not checked by the caller: as written
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked_folder(target.parent):
        _remove_stale(target)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}{STAGING}", dir=target.parent))
        fd = os.open(staging, os.O_RDONLY)
        _try_lock(fd, blocking=False)  # held while this process lives: not stale
    try:
        follow_umask(staging, folder=True)
        yield staging
        _publish(staging, target, force)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        os.close(fd)


def _publish(staging: Path, target: Path, force: bool) -> None:
    """Move ``staging`` into place as ``target``, one publisher of the parent at a time. An
    earlier result replaced under ``force`` is deleted only once the new one is in place."""
    with _locked_folder(target.parent):
        for _attempt in range(3):
            discard = None
            if _is_empty_folder(target):
                os.rmdir(target)  # nothing to keep
            elif os.path.lexists(target):
                if (
                    force
                    and target.is_dir()
                    and not target.is_symlink()
                    and not foreign_entries(target)
                ):
                    discard = Path(
                        tempfile.mkdtemp(prefix=f".{target.name}{REPLACED}", dir=target.parent)
                    )
                    os.rename(target, discard / "old")
                else:
                    os.rename(target, _aside_name(target))
            try:
                os.rename(staging, target)
            except OSError as e:
                if discard is not None:  # put the earlier result back
                    try:
                        os.rename(discard / "old", target)
                    except OSError:
                        os.rename(discard / "old", _aside_name(target))
                    shutil.rmtree(discard, ignore_errors=True)
                if e.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.EISDIR, errno.ENOTDIR):
                    continue  # another program made the folder in between: move that aside
                raise
            if discard is not None:
                shutil.rmtree(discard, ignore_errors=True)
            return
    raise IntervetError(
        f"could not publish {target}: another program keeps creating it; the new result was "
        "not kept, run again once that program has stopped"
    )


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block
    succeeds (a reader never sees half a file). The file follows the umask."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        follow_umask(Path(tmp))
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


def move_aside(path: Path) -> Path | None:
    """Move an existing file or folder to ``<name>.prev-<YYYYmmdd-HHMMSS>``; return where
    (None when nothing was there)."""
    path = Path(path)
    if not os.path.lexists(path):
        return None
    with _locked_folder(path.parent):
        aside = _aside_name(path)
        os.rename(path, aside)
    return aside
