"""Installation script for cpra_mm.

``pip install .`` builds a wheel that holds the package, its built-in weights
(``cpra_mm/weights/*.pth``) and, as OpenMMLab packages do, the repository's
``configs/``, ``tools/`` and ``model-index.yml`` under ``cpra_mm/.mim/``,
where ``mim`` and mmengine's ``pkg::`` config paths look for them.
``pip install -e .`` links those three into ``cpra_mm/.mim/`` of the working
tree instead, so edits show through.

mmcv is not in ``install_requires``, as in MMDetection, MMSegmentation and
MMagic: its wheels are built for one torch and CUDA pair (here it is built
from source), so it is in the ``mim`` extra and ``import cpra_mm`` checks its
version. The ``edit``, ``det`` and ``seg`` extras carry the tested pins of
README's "pinned stack"; MMagic itself is installed with ``--no-deps``, and
the ``edit`` extra lists what its imports need.
"""
import os
import os.path as osp
import platform
import shutil
from typing import Dict, List

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

ROOT = osp.dirname(osp.abspath(__file__))
PACKAGE = 'cpra_mm'
MIM_ENTRIES = ('configs', 'tools', 'model-index.yml')
"""What ``<package>/.mim/`` holds: the repository entries of these names."""

MIM = ['mmcv>=2.0.0rc4,<2.2.0']
EDIT = [
    # mmagic==1.2.0 itself: pip install --no-deps mmagic==1.2.0
    'numpy<2',
    'diffusers==0.24.0',
    'transformers==4.46.3',
    'huggingface_hub==0.25.2',
    'tokenizers<0.21',
    'einops',
    'lpips',
    'pandas',
    'resize_right',
    'click',
    'imageio',
    'albumentations',
]
DET = ['mmdet==3.3.0']
SEG = ['mmsegmentation==1.2.2', 'ftfy', 'regex']
DEMO = ['scikit-image', 'matplotlib']
EXTRAS: Dict[str, List[str]] = {
    'mim': MIM,
    'edit': EDIT,
    'det': DET,
    'seg': SEG,
    'demo': DEMO,
    'all': MIM + EDIT + DET + SEG + DEMO,
}


def read_version() -> str:
    """Return ``__version__`` of ``cpra_mm/version.py``, read without
    importing the package."""
    namespace: dict = {}
    with open(osp.join(ROOT, PACKAGE, 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


def read_readme() -> str:
    """Return README.md, the long description (empty when absent)."""
    path = osp.join(ROOT, 'README.md')
    if not osp.exists(path):
        return ''
    with open(path, encoding='utf-8') as f:
        return f.read()


def add_mim_extension(mim_dir: str, link: bool) -> None:
    """Put :data:`MIM_ENTRIES` of the repository into ``mim_dir``.

    Args:
        mim_dir: the ``.mim`` folder to fill; entries already there are
            replaced.
        link: relative symbolic links (an editable install, which imports the
            package from the working tree) rather than copies (a wheel).
    """
    os.makedirs(mim_dir, exist_ok=True)
    for name in MIM_ENTRIES:
        source = osp.join(ROOT, name)
        target = osp.join(mim_dir, name)
        if osp.islink(target) or osp.isfile(target):
            os.remove(target)
        elif osp.isdir(target):
            shutil.rmtree(target)
        if link:
            os.symlink(osp.relpath(source, mim_dir), target)
        elif osp.isdir(source):
            shutil.copytree(source, target,
                            ignore=shutil.ignore_patterns('__pycache__', '*.py[co]'))
        else:
            shutil.copyfile(source, target)


class BuildPyWithMim(build_py):
    """``build_py`` that adds ``cpra_mm/.mim/``: copied into the build tree
    for a wheel, linked into the working tree for an editable install
    (copied there on Windows, where links need extra rights)."""

    def run(self) -> None:
        """Build the package, then add the ``.mim`` folder."""
        super().run()
        if self.editable_mode:
            add_mim_extension(osp.join(ROOT, PACKAGE, '.mim'),
                              link=platform.system() != 'Windows')
        else:
            add_mim_extension(osp.join(self.build_lib, PACKAGE, '.mim'), link=False)


setup(
    name=PACKAGE,
    version=read_version(),
    description='CPRAformer image deraining for MMagic, MMDetection and MMSegmentation',
    long_description=read_readme(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    packages=find_packages(include=[PACKAGE, f'{PACKAGE}.*']),
    package_data={PACKAGE: ['weights/*.pth']},
    cmdclass={'build_py': BuildPyWithMim},
    entry_points={'console_scripts': ['cpra-derain = cpra_mm.cli:derain']},
    python_requires='>=3.10',
    install_requires=[
        'torch>=2.0',
        'numpy',
        'mmengine>=0.10.0,<1.0.0',
        'tqdm',
    ],
    extras_require=EXTRAS,
    classifiers=[
        'Programming Language :: Python :: 3',
        'Topic :: Scientific/Engineering :: Image Recognition',
    ],
)
