"""The output side shared by the dataset converters: MMagic's paired-folder
layout, ``OUT/input/<name>`` (rainy) beside ``OUT/target/<name>`` (clean),
which ``BasicImageDataset`` pairs by equal file names.

The converters import it as a sibling module (``python
tools/dataset_converters/<converter>.py`` puts this folder on ``sys.path``).
"""
import os
import os.path as osp
import shutil
from typing import Tuple

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp')
"""Lower-case file name endings the converters take for images."""


def make_pair_folders(out: str) -> Tuple[str, str]:
    """Create ``out/input`` and ``out/target`` where missing; return their
    paths."""
    folders = osp.join(out, 'input'), osp.join(out, 'target')
    for folder in folders:
        os.makedirs(folder, exist_ok=True)
    return folders


def place(src: str, dst: str, copy: bool) -> None:
    """Copy ``src`` to ``dst``, or link ``dst`` to it with a relative
    symbolic link, replacing whatever ``dst`` was.

    Raises:
        FileNotFoundError: ``src`` does not exist.
    """
    if not osp.exists(src):
        raise FileNotFoundError(src)
    if osp.lexists(dst):
        os.remove(dst)
    if copy:
        shutil.copyfile(src, dst)
    else:
        os.symlink(osp.relpath(src, osp.dirname(dst)), dst)
