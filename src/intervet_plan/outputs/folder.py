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
- :func:`atomic_file` does the same for one file. Everything written follows the umask.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from intervet_plan.errors import InputError, IntervetError, Problem

STAGING = ".staging-"
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


def check_output_folder(
    target: Path,
    inputs: Iterable[Path] = (),
    option: str = "--out",
    force: bool = False,
) -> Path:
    """Refuse (``InputError``, exit 2) an output folder that a run could not publish safely;
    return it made absolute. ``inputs`` are files or folders the run reads (case, scenario,
    previous plan): none may lie inside the output folder."""
    target = Path(target)
    shown = str(target)

    def refuse(message: str) -> InputError:
        return InputError(Problem(option, None, None, f"'{shown}' {message}"), "arguments")

    if not str(target) or "\x00" in str(target):
        raise refuse("is not a usable folder name")
    absolute = Path(os.path.abspath(target))
    if absolute.exists() and not absolute.is_dir():
        raise refuse("is a file; give a folder (it will be created)")
    forms = _forms(target)
    here = _forms(Path.cwd())
    for t in forms:
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
    for parent in absolute.parents:
        if parent.exists():
            if not parent.is_dir():
                raise refuse(f"cannot be created: {parent} is a file")
            break
    if force and absolute.is_dir() and not absolute.is_symlink():
        foreign = sorted(foreign_entries(absolute))
        if foreign:
            listed = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise refuse(
                f"holds files that intervet-plan did not write ({listed}); --force replaces "
                "only an earlier result: leave out --force to move the folder aside"
            )
    return absolute


def foreign_entries(folder: Path) -> list[str]:
    """Entries of ``folder`` that are not outputs of a run (a run folder holds only files
    of :data:`RESULT_FILES`)."""
    out = []
    for entry in os.scandir(folder):
        if entry.name in RESULT_FILES and entry.is_file(follow_symlinks=False):
            continue
        out.append(entry.name)
    return out


# ---------------------------------------------------------------------- publishing


def _try_lock(fd: int, blocking: bool) -> bool:
    """Take an exclusive lock on an open file or folder. False when another process holds
    it (non-blocking); True also where locks are not supported (nothing to coordinate)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        return True
    except BlockingIOError:
        return False
    except OSError as e:
        if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return False
        return True  # e.g. a file system without locks


@contextmanager
def _locked_folder(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` itself (not a file in it) for the block."""
    fd = os.open(folder, os.O_RDONLY)
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
    folder just made, not yet locked by its process, is never taken for a stale one)."""
    removed = []
    for p in target.parent.glob(f".{_glob_escape(target.name)}{STAGING}*"):
        if p.is_symlink() or not p.is_dir():
            continue
        try:
            fd = os.open(p, os.O_RDONLY)
        except OSError:
            continue
        try:
            if _try_lock(fd, blocking=False):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
        finally:
            os.close(fd)
    return removed


def _glob_escape(name: str) -> str:
    """``name`` with glob characters taken literally (``[`` ``*`` ``?``)."""
    import glob

    return glob.escape(name)


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
    target = Path(os.path.abspath(target))
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
                        tempfile.mkdtemp(prefix=f".{target.name}.replaced-", dir=target.parent)
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
