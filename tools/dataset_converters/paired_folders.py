"""The output side shared by the dataset converters: MMagic's paired-folder
layout, ``OUT/input/<name>`` (rainy) beside ``OUT/target/<name>`` (clean),
which ``BasicImageDataset`` pairs by equal file names.

The converters import it as a sibling module (``python
tools/dataset_converters/<converter>.py`` puts this folder on ``sys.path``).
Which files are images, and how they are read and written, comes from
``cpra_mm.utils.image_io``, as in the other tools.
"""
import os
import os.path as osp
import shutil
from typing import Tuple


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
        ValueError: ``dst`` is ``src`` itself (an output folder that is an
            input folder), which would be deleted.
    """
    if not osp.exists(src):
        raise FileNotFoundError(src)
    if osp.join(osp.realpath(osp.dirname(dst)), osp.basename(dst)) == osp.realpath(src):
        raise ValueError(f'{dst} is the input {src}: choose an output folder outside the '
                         'input folders')
    if osp.lexists(dst):
        os.remove(dst)
    if copy:
        shutil.copyfile(src, dst)
    else:
        os.symlink(osp.relpath(src, osp.dirname(dst)), dst)
