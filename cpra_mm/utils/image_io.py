"""Image files for cpra_mm's command-line tools: finding them, reading and
writing them at their own bit depth and channel layout, writing every output
atomically, and the failure report and exit codes the tools share.

The tools that use it (``tools/derain.py``, ``tools/synthesize_rain.py``,
``tools/prepare_builtin_photos.py``, ``tools/dataset_converters/did_data.py``
and, for finding images, ``ddn_data.py``) therefore behave alike:

* **Which files are images**: those whose extension is one of
  :data:`IMAGE_EXTENSIONS`, in any letter case. Folders are searched with
  :func:`mmengine.utils.scandir`; hidden files (names starting with ``.``)
  are skipped, which is also where partial outputs live.
* **Reading** (:func:`read_image`): ``mmcv.imread`` with OpenCV and the flag
  ``'unchanged'``, so grayscale stays ``H x W``, an alpha channel is kept
  (``H x W x 4``, BGRA) and 16-bit PNG/TIFF stay uint16. JPEGs, which have
  no alpha, are read with their EXIF orientation applied (the outputs carry
  no metadata).
* **Writing** (:func:`write_image`, :func:`copy_file`): the output is
  written to a hidden partial file beside its destination
  (:func:`partial_path`) and renamed into place, so a file under its final
  name is always complete; a killed run leaves at most a partial file,
  which the next run replaces. Images are encoded by the destination's
  extension (``mmcv.imwrite``), at the dtype and channel count they have.
* **Failures**: a file that cannot be read, processed or written is named
  on stderr when it fails; the run goes on, and the summary line
  ``N <verb>, S skipped, F failed`` is followed by one ``failed:`` line per
  failure (:class:`FileRun`).
* **Exit status**: :data:`EXIT_OK` (0) when every file was written or
  skipped, :data:`EXIT_SOME_FAILED` (1) when some file failed,
  :data:`EXIT_USAGE` (2) for a :class:`UsageError` (bad arguments, an
  output location that could overwrite an input), reported before anything
  is written.
"""
import multiprocessing
import os
import shutil
import sys
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple, Union

import cv2
import mmcv
import numpy as np
from mmengine.utils import ProgressBar, scandir

IMAGE_EXTENSIONS: Tuple[str, ...] = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp')
"""Lower-case extensions of the files the tools take for images."""

JPEG_EXTENSIONS: Tuple[str, ...] = ('.jpg', '.jpeg')

JPEG_READ_FLAGS = cv2.IMREAD_ANYCOLOR | cv2.IMREAD_ANYDEPTH
"""OpenCV flags for JPEGs: colour or grayscale as stored, with the EXIF
orientation applied (``'unchanged'`` would ignore it)."""

PIXEL_MAX = 255.0
"""Full scale of 8-bit images: the pixel range (0-255) of the batches that
MMagic's, MMDetection's and MMSegmentation's data loaders produce."""

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2

FILE_ERRORS = (ValueError, OSError, RuntimeError, cv2.error)
"""What reading, processing or writing one file may raise; a tool reports
these per file and goes on."""

PathLike = Union[str, Path]


class UsageError(Exception):
    """A problem with the command line or with the output location; the
    tool reports it and exits with :data:`EXIT_USAGE` before writing."""


def report_usage_error(error: UsageError) -> int:
    """Print ``error: <message>`` on stderr and return :data:`EXIT_USAGE`."""
    print(f'error: {error}', file=sys.stderr)
    return EXIT_USAGE


def is_image_file(path: Path) -> bool:
    """Whether ``path`` is an existing file with one of
    :data:`IMAGE_EXTENSIONS` (any letter case)."""
    return path.suffix.lower() in IMAGE_EXTENSIONS and path.is_file()


def find_files(folder: PathLike, suffixes: Optional[Sequence[str]] = None,
               recursive: bool = True) -> List[Path]:
    """The files under ``folder``, hidden ones skipped.

    Args:
        folder: the folder to search.
        suffixes: endings a file name must have (compared in lower case),
            or None for every file.
        recursive: search sub-folders too.

    Returns:
        Paths relative to ``folder``, sorted.
    """
    found = scandir(Path(folder), suffix=None if suffixes is None else tuple(suffixes),
                    recursive=recursive, case_sensitive=False)
    return sorted(Path(name) for name in found)


def find_images(folder: PathLike, recursive: bool = True) -> List[Path]:
    """The image files (:data:`IMAGE_EXTENSIONS`) under ``folder``, hidden
    ones skipped; paths relative to ``folder``, sorted."""
    return find_files(folder, IMAGE_EXTENSIONS, recursive)


def is_within(path: PathLike, folder: PathLike) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it, after resolving
    symbolic links and relative parts."""
    path, folder = Path(path).resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents


def read_image(path: PathLike) -> np.ndarray:
    """Read an image file as stored.

    Args:
        path: the file.

    Returns:
        ``H x W`` gray, ``H x W x 3`` BGR or ``H x W x 4`` BGRA; uint8, or
        uint16 for 16-bit files.

    Raises:
        OSError: the file cannot be opened.
        ValueError: its content is not an image OpenCV can decode.
    """
    path = Path(path)
    flag = JPEG_READ_FLAGS if path.suffix.lower() in JPEG_EXTENSIONS else 'unchanged'
    try:
        image = mmcv.imread(path, flag=flag, backend='cv2')
    except cv2.error:
        image = None
    if image is None:
        raise ValueError('not a readable image')
    return image


def partial_path(target: PathLike) -> Path:
    """The hidden file beside ``target`` that its content is written to
    before being renamed to ``target``: ``dir/.name.ext.partial.ext`` (same
    extension, so the same encoder)."""
    target = Path(target)
    return target.with_name(f'.{target.name}.partial{target.suffix}')


@contextmanager
def atomic_output(target: PathLike) -> Iterator[Path]:
    """Yield the partial path to write ``target``'s content to; rename it
    to ``target`` when the block ends normally, delete it otherwise.

    Creates ``target``'s folder when missing.

    Raises:
        OSError: the folder or the file cannot be written.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = partial_path(target)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_image(target: PathLike, image: np.ndarray) -> None:
    """Encode ``image`` in the format of ``target``'s extension and write
    it atomically (see :func:`atomic_output`).

    Args:
        target: the output file; its extension picks the encoder.
        image: ``H x W``, ``H x W x 3`` (BGR) or ``H x W x 4`` (BGRA), uint8
            or uint16 (formats that store 16 bits: PNG, TIFF).

    Raises:
        ValueError: OpenCV cannot encode the image in that format.
        OSError: the file cannot be written.
    """
    target = Path(target)
    with atomic_output(target) as temporary:
        if not mmcv.imwrite(image, str(temporary)):
            raise ValueError(f'cannot encode the image as {target.suffix}')


def copy_file(source: PathLike, target: PathLike) -> None:
    """Copy ``source`` byte for byte into ``target``, atomically.

    Raises:
        OSError: ``source`` cannot be read or ``target`` written.
    """
    with atomic_output(target) as temporary:
        shutil.copyfile(source, temporary)


def full_scale(dtype: np.dtype) -> float:
    """The largest value of an integer image dtype (255.0 for uint8,
    65535.0 for uint16)."""
    return float(np.iinfo(dtype).max)


def to_unit_rgb(image: np.ndarray) -> np.ndarray:
    """An image as :func:`read_image` returns it, as float RGB in [0, 1].

    Args:
        image: ``H x W`` (or ``H x W x 1``) gray, ``H x W x 3`` BGR or
            ``H x W x 4`` BGRA; uint8 or uint16.

    Returns:
        ``H x W x 3`` float32 RGB in [0, 1] (gray repeated in the three
        channels, alpha dropped), exact for 8- and 16-bit levels.

    Raises:
        ValueError: another dtype or channel count.
    """
    if image.dtype not in (np.uint8, np.uint16):
        raise ValueError(f'unsupported sample type {image.dtype} (8- and 16-bit images only)')
    channels = 1 if image.ndim == 2 else image.shape[2]
    if channels == 1:
        rgb = np.repeat(image.reshape(image.shape[:2] + (1,)), 3, axis=2)
    elif channels == 3:
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    elif channels == 4:
        rgb = cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    else:
        raise ValueError(f'unsupported number of channels: {channels}')
    return rgb.astype(np.float32) / np.float32(full_scale(image.dtype))


def from_unit_rgb(rgb: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Float RGB in [0, 1] back to the layout and dtype of ``like``.

    Args:
        rgb: ``H x W x 3`` float RGB; values outside [0, 1] are clipped.
        like: the image ``rgb`` came from (see :func:`to_unit_rgb`).

    Returns:
        An array shaped and typed as ``like``: gray as the mean of the three
        channels, BGR, or BGRA with ``like``'s alpha channel unchanged;
        rounded to the nearest level.
    """
    channels = 1 if like.ndim == 2 else like.shape[2]
    if channels == 1:
        colour = rgb.mean(axis=2).reshape(like.shape)
    else:
        colour = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR)
    result = np.round(np.clip(colour, 0, 1) * full_scale(like.dtype)).astype(like.dtype)
    if channels == 4:
        result = np.dstack([result, like[..., 3]])
    return result


def preview(image: np.ndarray) -> np.ndarray:
    """An 8-bit BGR view of an image from :func:`read_image`: alpha
    dropped, 16-bit scaled down to 8-bit levels, gray repeated."""
    if image.dtype == np.uint16:
        image = np.round(image / (full_scale(np.uint16) / PIXEL_MAX)).astype(np.uint8)
    if image.ndim == 2 or image.shape[2] == 1:
        return cv2.cvtColor(image.reshape(image.shape[:2]), cv2.COLOR_GRAY2BGR)
    return image[..., :3]


def _attempt(function: Callable[[Any], None], job: Any) -> Optional[str]:
    """Run ``function(job)``; None when it succeeds, else why it failed
    (one line)."""
    try:
        function(job)
    except FILE_ERRORS as error:
        return ' '.join(str(error).split()) or type(error).__name__
    return None


class FileRun:
    """Progress, failures and summary of one pass of a tool over its files.

    Failures are printed on stderr as they happen (``error: SOURCE:
    REASON``); :meth:`finish` prints ``N <verb>, S skipped, F failed`` and
    then ``  failed: SOURCE: REASON`` for each failure. The progress bar
    (mmengine's :class:`~mmengine.utils.ProgressBar`) goes to stderr too.

    Args:
        verb: past participle of the tool's work (``'derained'``).
        total: how many files :meth:`process` will be given in all.
        skipped: files left out because their outputs already exist.
        prefix: put before every line (e.g. ``'[rank 1] '``).
        show_progress: draw the progress bar.
    """

    def __init__(self, verb: str, total: int, skipped: int = 0, prefix: str = '',
                 show_progress: bool = True) -> None:
        self.verb = verb
        self.skipped = skipped
        self.prefix = prefix
        self.done = 0
        self.failures: List[Tuple[Path, str]] = []
        self._bar = ProgressBar(total, file=sys.stderr) if show_progress and total else None

    def process(self, function: Callable[[Any], None], jobs: Sequence[Any],
                workers: int = 1) -> None:
        """Run ``function`` on each job and record the outcome.

        Args:
            function: does one job; raises one of :data:`FILE_ERRORS` when
                it fails. With ``workers > 1`` it must be picklable (a
                module-level function or a :func:`functools.partial` of one).
            jobs: objects with a ``source`` attribute, the file named in
                failure messages.
            workers: processes working in parallel (forked); results are
                recorded in the order of ``jobs``.
        """
        attempt = partial(_attempt, function)
        if workers > 1 and len(jobs) > 1:
            with multiprocessing.get_context('fork').Pool(workers) as pool:
                for job, reason in zip(jobs, pool.imap(attempt, jobs)):
                    self._record(job.source, reason)
        else:
            for job in jobs:
                self._record(job.source, attempt(job))

    def _record(self, source: Path, reason: Optional[str]) -> None:
        if reason is None:
            self.done += 1
        else:
            self.failures.append((source, reason))
            if self._bar is not None:
                sys.stderr.write('\n')
            print(f'{self.prefix}error: {source}: {reason}', file=sys.stderr)
        if self._bar is not None:
            self._bar.update()

    def finish(self) -> int:
        """Print the summary; return :data:`EXIT_SOME_FAILED` when some job
        failed, else :data:`EXIT_OK`."""
        if self._bar is not None:
            sys.stderr.write('\n')
        print(f'{self.prefix}{self.done} {self.verb}, {self.skipped} skipped, '
              f'{len(self.failures)} failed', file=sys.stderr)
        for source, reason in self.failures:
            print(f'{self.prefix}  failed: {source}: {reason}', file=sys.stderr)
        return EXIT_SOME_FAILED if self.failures else EXIT_OK
