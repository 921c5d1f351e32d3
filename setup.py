"""Installation script for cpra_mm.

The heavy OpenMMLab stack is pinned and installed by ``make setup``
(``tools/setup/setup_env.sh``); ``install_requires`` lists only what cpra_mm
itself imports, with ranges that admit the pinned versions.
"""
import os.path as osp

from setuptools import find_packages, setup


def read_version() -> str:
    namespace: dict = {}
    with open(osp.join(osp.dirname(__file__), 'cpra_mm', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='cpra_mm',
    version=read_version(),
    description='CPRAformer image deraining for MMagic, MMDetection and MMSegmentation',
    long_description=open('README.md').read() if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(include=['cpra_mm', 'cpra_mm.*']),
    include_package_data=True,
    package_data={'cpra_mm': ['weights/*.pth']},
    python_requires='>=3.10',
    install_requires=[
        'torch>=2.0',
        'numpy',
        'mmengine>=0.10.0,<1.0',
        'mmcv>=2.0.0,<2.2.0',
        'tqdm',
    ],
    extras_require={
        'det': ['mmdet>=3.0.0,<3.4.0'],
        'seg': ['mmsegmentation>=1.0.0,<1.3.0'],
        'edit': ['mmagic>=1.0.0,<1.3.0'],
    },
    license='Apache-2.0',
    classifiers=[
        'Programming Language :: Python :: 3',
        'Topic :: Scientific/Engineering :: Image Recognition',
    ],
)
