"""Build a corpus of real photographs to train the built-in derainer on.

Every photograph comes from something that installs offline: Debian
packages of photographs (desktop backgrounds, educational software, puzzle
games, sample images of Python libraries) and the sample photographs of
Python packages already installed in the environment (scikit-image and
matplotlib). The tool

1. downloads each Debian package with ``apt-get download`` into a cache
   folder (``data/photo_corpus/debs``; skipped when the ``.deb`` is there),
   unpacks it with ``dpkg-deb -x`` into a temporary folder (nothing is
   installed) and lists its raster images (``.jpg .jpeg .png .webp .bmp
   .tif .tiff``), including the images inside Qt resource bundles
   (``.rcc``, GCompris) and scipy's raw ``face.dat``;
2. records the licence and copyright holder of each file, the most
   specific statement first: a ``README`` inside the same Qt resource
   bundle that credits the file (GCompris: author, licence and Wikimedia
   source of every photograph), ``LICENCE_OVERRIDES`` /
   ``FOLDER_LICENCES`` (licence files the package ships beside the
   images), a Plasma wallpaper's ``metadata.json``, a KDE ``.desktop``
   file beside the image (Palapeli), else the package's
   ``usr/share/doc/<pkg>/copyright``: for DEP-5 files the ``License`` of
   the last ``Files:`` stanza whose pattern matches the installed path
   (as a path suffix, by file name, or by name without extension: sources
   may be installed converted), for free-form files the licence names
   found in the text;
3. keeps only photographs (see "Photo filter" below);
4. drops near-duplicates (the same picture in several resolutions or
   crops: see "Duplicates");
5. downscales each photograph so that its shorter side is at most 512 px
   (``cv2.INTER_AREA``) and writes it as
   ``data/photo_corpus/images/<source>/<name>.png``;
6. splits the photographs into train / val / test by a hash of
   ``<source>/<name>`` (about 82/3/15 %; the val and test shares are
   options) and moves, for each category with at least
   ``MIN_CATEGORY_FOR_TEST`` photographs and no test photograph, the
   train photograph with the lowest hash to test, so that the held-out
   share covers every category;
7. writes ``manifest.csv`` (one row per kept photograph: ``file, split,
   source, version, orig_path, licence, copyright, width, height,
   category, sha1``), ``meta/{train,val,test}.txt`` (the files of each
   split relative to ``images/``, as MMagic's ``BasicImageDataset`` reads
   an ``ann_file``) and ``candidates.csv`` (every image looked at, with
   its decision, the reason and the filter's statistics), and with
   ``--contact-sheets`` PNG contact sheets of the accepted, rejected and
   held-out images.

Photographs of Debian's OpenCV sample data (``opencv-data``, the samples
of ``libopencv-*`` and ``python3-opencv``) are reserved for an independent
check of the derainer: the tool refuses every package whose name contains
``opencv``.

Photo filter (all statistics on the image scaled so that its shorter side
is 256 px, except the size and transparency tests). An image is kept when
all of these hold:

* size: shorter side >= 200 px (``--min-side``; the training crops of
  ``configs/_base_/datasets/photo_corpus_rain.py`` are 96 px, and
  GCompris' object photographs are 200-250 px);
* opaque: < 1 % of its pixels have alpha < 250 (cut-outs, icons, sprites);
* colour: Hasler-Suesstrunk colourfulness >= 4 (grey-scale photographs
  and monochrome renders are out: the derainer works on colour photos);
* many colours: >= 600 distinct colours after quantising each channel to
  6 bits (clip art, logos and flat drawings have a few dozen to a few
  hundred);
* few flat areas: <= 60 % of the 8 x 8 blocks have a grey-level standard
  deviation below 1.0 (a clear sky or a blurred background is fine;
  product shots on white, screenshots and vector art are mostly flat);
* natural gradients: the entropy of the histogram of gradient magnitudes
  (32 log-spaced bins from 0.5 to 256 grey levels per pixel, plus one bin
  for smaller ones) is >= 3.0 bits. Photographs spread their gradients
  over every scale; drawings put them at 0 and at a few edge strengths;
* fine texture: >= 25 % of the pixels have a gradient magnitude of at
  least 2 grey levels (smooth renders and soft gradients fall below);
* not excluded by name: ``EXCLUDE_PATTERNS`` lists, by path pattern,
  documentation screenshots, paintings, digital art and renders that pass
  the statistics above (desktop wallpapers mix photographs and renders
  whose statistics overlap), found by looking at the contact sheets.

The thresholds were tuned on the contact sheets of the default packages:
they let through photographs with smooth skies or shallow depth of field
and reject drawings, screenshots and most renders; the exclude list does
the rest.

Duplicates: each kept image gets two 64-bit DCT perceptual hashes (of a
32 x 32 grey thumbnail of the whole image and of its centre square); two
images are the same picture when either pair differs in at most
``--dup-bits`` (default 6) bits. Of a group, the image with the largest
shorter side is kept (ties: the first by source and path).

The tool is idempotent and resumable: downloads and written PNG files are
kept and skipped, the statistics of each image are cached under
``<out>/cache`` by the SHA-1 of its bytes, and it never writes into its
inputs (packages are unpacked into a temporary folder). Files under
``<out>/images`` that the new manifest does not list are removed.

Examples:
    # the real corpus (downloads about 280 MB of packages once)
    python tools/dataset_converters/prepare_photo_corpus.py --contact-sheets

    # a folder of your own photographs, no download
    python tools/dataset_converters/prepare_photo_corpus.py \\
        --from-folder my_photos --folder-licence CC0-1.0 --out data/mine
"""
import argparse
import bz2
import csv
import fnmatch
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import os.path as osp
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from tqdm import tqdm

# ---------------------------------------------------------------- sources

DEFAULT_PACKAGES: Tuple[str, ...] = (
    'gcompris-qt-data',  # educational: animals, monuments, tools, objects
    'plasma-workspace-wallpapers',
    'mate-backgrounds',
    'lomiri-wallpapers-16.04',
    'lomiri-wallpapers-20.04',
    'lxqt-themes',
    'tuxpaint-data',  # photographic templates
    'tuxtype-data',  # landscapes
    'palapeli-data',  # jigsaw puzzle photographs
    'python3-sklearn',  # china.jpg, flower.jpg
    'python3-scipy',  # scipy.misc.face (raccoon)
)
"""Debian packages read by default (about 280 MB of downloads). Checked and
left out for holding no photograph, or one or two among screenshots and
renders: gnome-backgrounds, desktop-base, lomiri-wallpapers,
ukui-wallpapers, sway-backgrounds, digikam-data, imagemagick-6-doc,
tuxmath-data (deep-sky pictures), dde-account-faces, fotoxx-common
(documentation screenshots and composites), kalzium-data and kstars-data
(screenshots), stellarium-data (246 MB: panoramas with a transparent sky,
deep-sky pictures)."""

RESERVED_WORDS: Tuple[str, ...] = ('opencv',)
"""Packages whose name contains one of these are refused: OpenCV's sample
photographs are kept for an independent check of the derainer."""

RASTER_EXTS = ('.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff')

PYTHON_SAMPLES: Dict[str, List[Tuple[str, str, str]]] = {
    # module: [(path inside the installed module, licence, copyright)]
    'skimage': [
        ('data/astronaut.png', 'public-domain',
         'NASA (astronaut Eileen Collins); scikit-image data'),
        ('data/coffee.png', 'CC0-1.0', 'Rachel Michetti; scikit-image data'),
        ('data/chelsea.png', 'CC0-1.0',
         'Stefan van der Walt; scikit-image data'),
        ('data/rocket.jpg', 'public-domain', 'SpaceX; scikit-image data'),
        ('data/motorcycle_left.png',
         'Middlebury 2014 stereo data (no explicit licence; cite '
         'Scharstein et al., GCPR 2014)',
         'D. Scharstein et al.; scikit-image data'),
    ],
    'matplotlib': [
        ('mpl-data/sample_data/grace_hopper.jpg', 'public-domain',
         'US Navy (Grace Hopper), commons.wikimedia.org/wiki/'
         'File:Grace_Hopper.jpg; matplotlib sample data'),
    ],
}
"""Sample photographs of installed Python packages that load offline (the
licences are those their docstrings state). scikit-image's microscopy,
retina and deep-sky images are not scenes, its other photographs are
grey; mmdet and mmseg wheels ship no demo image."""

LICENCE_OVERRIDES: Dict[Tuple[str, str], Tuple[str, str]] = {
    ('python3-sklearn', 'china.jpg'): (
        'CC-BY-2.0', 'danielbuechele (Flickr), per sklearn '
        'datasets/images/README.txt'),
    ('python3-sklearn', 'flower.jpg'): (
        'CC-BY-2.0', 'vultilion (Flickr), per sklearn '
        'datasets/images/README.txt'),
    ('python3-scipy', 'face.dat'): (
        'public-domain', 'public-domain-image.com, per scipy.misc.face '
        'docstring'),
}
"""(package, file name) -> (licence, copyright) where the package states
the licence of a sample image outside ``debian/copyright``."""

FOLDER_LICENCES: Dict[Tuple[str, str], Tuple[str, str]] = {
    ('lxqt-themes', 'usr/share/lxqt/wallpapers/'): (
        'CC-BY-SA-3.0', 'LXQt Project Team (stefonarch, Caig), per '
        'usr/share/lxqt/wallpapers/License'),
    ('tuxtype-data', 'usr/share/tuxtype/'): (
        'GPL-2 (debian/copyright); photographs: public domain (NOAA, FWS) '
        'or Wikimedia Commons per README_IMAGES.TXT',
        'Tux4Kids (Sam Hart et al.)'),
}
"""(package, folder prefix) -> (licence, copyright) from a licence file
that the package ships beside the images (more specific than a free-form
or package-wide debian/copyright).
Plasma wallpapers are read from each wallpaper's ``metadata.json``."""

EXCLUDE_PATTERNS: Tuple[str, ...] = (
    # documentation screenshots, icons and theme previews
    '*/usr/share/doc/*', '*/icons/*', '*/preview*', '*screenshot*',
    # GCompris: paintings, drawings, planets
    '*/activities/paintings/*', '*/activities/details/*',
    '*/activities/babyshapes/*', '*/activities/solar_system/*',
    '*/louis-braille/*chart*',
    # Plasma: renders and digital paintings (the photographs are
    # BytheWater, ColorfulCups, EveningGlow, FallenLeaf, OneStandsOut,
    # Path and summer_1am)
    *(f'plasma-workspace-wallpapers/*/wallpapers/{name}/*' for name in (
        'Altai', 'Autumn', 'Canopee', 'Cascade', 'Cluster', 'DarkestHour',
        'Elarun', 'Flow', 'FlyingKonqui', 'Grey', 'Honeywave', 'IceCold',
        'Kay', 'Kite', 'Kokkini', 'MilkyWay', 'Opal', 'PastelHills',
        'Patak', 'SafeLanding', 'Shell', 'Volna')),
    # MATE: only backgrounds/mate/nature holds photographs
    '*/backgrounds/mate/abstract/*', '*/backgrounds/mate/desktop/*',
    # LXQt: renders and logos
    *(f'lxqt-themes/*/wallpapers/{name}*' for name in (
        'kde-plasma', 'lxqt-origami', 'origami-', 'plasma-logo',
        'plasma_arch', 'simple_blue', 'triangles', 'waves-')),
    # Lomiri: digital art
    '*/umang_by_*', '*/Fossa_by_*', '*/Infinite-Sea_by_*',
    '*/Painting-Colors_by_*',
    # Tux Paint: interface pictures (its photographs are the templates
    # and starters)
    '*/tuxpaint/images/*',
    # Tux Typing: deep-sky backgrounds (not scenes)
    '*/tuxtype/images/backgrounds/*', '*/tuxtype/images/tutor*',
    # scipy's files other than face.dat
    '*/scipy/misc/ascent.dat', '*/scipy/misc/ecg.dat',
)
"""``fnmatch`` patterns on ``<source>/<path in package>``; matching files
are not photographs (or not scenes) although they may pass the filter."""

PATH_CATEGORIES: Tuple[Tuple[str, str], ...] = (
    # hand-tagged night scenes
    ('*cincinnati-bridge*', 'night'), ('*/usa/lincolnMemorial*', 'night'),
    ('*/india/gatewayOfIndia*', 'night'), ('*/music/japan*', 'night'),
    ('*/scipy/misc/face.dat', 'animals'), ('*/tuxtype/images/hidden*',
                                           'people'),
    ('*/themes/italian/images/photo*', 'buildings'),
    ('*/themes/korean/images/photo*', 'buildings'),
    ('*/themes/wolof/images/photo*', 'roads_vehicles'),
    ('*/themes/*/images/photo*', 'landscape'),
    ('*/activities/erase/*', 'animals'), ('*/explore_*animals/*', 'animals'),
    ('*/images/fishes/*', 'animals'), ('*/activities/clickgame/*', 'water'),
    ('*/explore_monuments/*', 'buildings'),
    ('*/images/monuments/*', 'buildings'),
    ('*/images/renewable/*', 'buildings'), ('*/images/tools/*', 'objects'),
    ('*/images/others/*', 'objects'), ('*/explore_world_music/*', 'people'),
    ('*/images/alphabets/*', 'text_signs'),
    ('*/images/numbers/*', 'text_signs'),
    ('*/louis-braille/*teach*', 'text_signs'),
)
"""Categories by ``fnmatch`` pattern on ``<source>/<path>``, before the
keywords (first match wins)."""

CATEGORY_KEYWORDS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ('people', ('face', 'portrait', 'astronaut', 'hopper', 'child', 'girl',
                'boy', 'woman', 'people', 'person', 'fireplace')),
    ('text_signs', ('sign', 'text', 'letter', 'book', 'page', 'alphabet')),
    ('night', ('night', 'dusk', 'dark', 'moon', 'evening', 'glow', '1am')),
    ('roads_vehicles', ('road', 'street', 'car', 'bus', 'truck', 'train',
                        'vehicle', 'bike', 'bicycle', 'motor', 'boat',
                        'ship', 'plane', 'rocket', 'tractor', 'highway',
                        'motorcycle')),
    ('buildings', ('house', 'castle', 'church', 'city', 'tower', 'bridge',
                   'temple', 'monument', 'building', 'palace', 'wall',
                   'lighthouse', 'mill', 'cathedral', 'mosque', 'fort',
                   'pyramid', 'museum', 'china', 'ruin', 'stadium',
                   'statue', 'arch', 'rnib')),
    ('animals', ('animal', 'cat', 'dog', 'bird', 'fish', 'horse', 'cow',
                 'sheep', 'bee', 'insect', 'butterfly', 'chameleon',
                 'gorilla', 'dragonfly', 'ladybird', 'wings', 'chelsea',
                 'jellyfish', 'spider', 'spiders', 'owl', 'duck', 'kleiber',
                 'friends')),
    ('food', ('fruit', 'fruits', 'food', 'coffee', 'apple', 'citrus',
              'banana', 'vegetable', 'bread', 'cake', 'grape', 'wine')),
    ('foliage', ('tree', 'trees', 'leaf', 'leaves', 'forest', 'flower',
                 'flowers', 'plant', 'garden', 'grass', 'wood', 'bark',
                 'moss', 'mossy', 'redwood', 'redwoods', 'meadow', 'seeding',
                 'canopee', 'path', 'onestandsout', 'life', 'blinds',
                 'corn', 'fallenleaf')),
    ('water', ('sea', 'ocean', 'water', 'lake', 'river', 'beach', 'wave',
               'waves', 'rain', 'drop', 'drops', 'splash', 'reef', 'aqua',
               'coast', 'falls')),
    ('landscape', ('mountain', 'hill', 'sky', 'cloud', 'clouds', 'sun',
                   'desert', 'canyon', 'valley', 'field', 'cliff', 'rock',
                   'rocks', 'snow', 'ice', 'sunset', 'sunrise', 'dune',
                   'fog', 'storm', 'kcas', 'aitzgorri', 'picosdeeuropa',
                   'valendas', 'mudstone', 'beam', 'sheep', 'windows')),
    ('objects', ('cups', 'tools', 'picture')),
)
"""Coarse category from the words of the file's name and folder (first
match wins; ``other`` when none)."""

MIN_CATEGORY_FOR_TEST = 3
"""Categories with at least this many photographs get a test photograph."""

FEATURE_VERSION = 1
"""Bump when ``image_stats`` changes, to invalidate the cache."""


# ------------------------------------------------------------ filter

@dataclass
class FilterParams:
    """Thresholds of the photo filter (see the module docstring)."""
    min_side: int = 200
    max_transparent: float = 0.01
    min_colourfulness: float = 4.0
    min_colours: int = 600
    max_flat: float = 0.6
    min_grad_entropy: float = 3.0
    min_textured: float = 0.25


def image_stats(rgb: np.ndarray) -> Dict[str, float]:
    """Statistics the photo filter reads, on a 256-px copy of the image.

    Args:
        rgb: ``H x W x 3`` uint8 RGB image.

    Returns:
        ``colourfulness``, ``colours`` (distinct 6-bit colours), ``flat``
        (share of flat 8 x 8 blocks), ``grad_entropy`` (bits) and
        ``textured`` (share of pixels with a gradient of at least 2).
    """
    if min(rgb.shape[:2]) < 16:  # icons: nothing to measure
        return dict(colourfulness=0.0, colours=0, flat=1.0,
                    grad_entropy=0.0, textured=0.0)
    small = fit_shorter_side(rgb, 256)
    f = small.astype(np.float32)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    rg, yb = r - g, 0.5 * (r + g) - b
    colourfulness = float(np.hypot(rg.std(), yb.std())
                          + 0.3 * np.hypot(rg.mean(), yb.mean()))
    q = (small >> 2).astype(np.int32)
    colours = int(np.unique(q[..., 0] << 12 | q[..., 1] << 6
                            | q[..., 2]).size)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    h8, w8 = gray.shape[0] // 8 * 8, gray.shape[1] // 8 * 8
    blocks = gray[:h8, :w8].reshape(h8 // 8, 8, w8 // 8, 8)
    flat = float((blocks.std(axis=(1, 3)) < 1.0).mean())
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3) / 4
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3) / 4
    mag = np.hypot(gx, gy)[1:-1, 1:-1].ravel()
    edges = np.concatenate([[0.0], np.geomspace(0.5, 256, 33)])
    hist = np.histogram(np.clip(mag, 0, 255.9), bins=edges)[0]
    p = hist[hist > 0] / hist.sum()
    grad_entropy = float(-(p * np.log2(p)).sum())
    textured = float((mag >= 2).mean())
    return dict(colourfulness=round(colourfulness, 3), colours=colours,
                flat=round(flat, 4), grad_entropy=round(grad_entropy, 4),
                textured=round(textured, 4))


def judge(stats: Dict[str, float], params: FilterParams) -> str:
    """The first failed test of the photo filter, or ``''`` for a photo."""
    if stats['short_side'] < params.min_side:
        return f'small ({stats["short_side"]} px)'
    if stats['transparent'] > params.max_transparent:
        return f'transparent ({stats["transparent"]:.0%})'
    if stats['colourfulness'] < params.min_colourfulness:
        return f'grey ({stats["colourfulness"]:.1f})'
    if stats['colours'] < params.min_colours:
        return f'few colours ({stats["colours"]})'
    if stats['flat'] > params.max_flat:
        return f'flat ({stats["flat"]:.0%})'
    if stats['grad_entropy'] < params.min_grad_entropy:
        return f'gradients ({stats["grad_entropy"]:.2f} bits)'
    if stats['textured'] < params.min_textured:
        return f'smooth ({stats["textured"]:.0%})'
    return ''


# ------------------------------------------------------------ images

def fit_shorter_side(image: np.ndarray, max_side: int) -> np.ndarray:
    """Downscale (``INTER_AREA``) so that ``min(H, W) <= max_side``."""
    scale = max_side / min(image.shape[:2])
    if scale >= 1:
        return image
    size = (max(1, round(image.shape[1] * scale)),
            max(1, round(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def decode(data: bytes, kind: str = 'image') -> Tuple[np.ndarray, float]:
    """Decode an image file's bytes.

    Args:
        data: the file's bytes.
        kind: ``'image'`` for an image file, ``'scipy-face'`` for scipy's
            bzip2-compressed raw ``face.dat`` (768 x 1024 RGB).

    Returns:
        ``(rgb, transparent)``: ``H x W x 3`` uint8 RGB and the share of
        pixels whose alpha is below 250 (0 without alpha channel).

    Raises:
        ValueError: the bytes are no image OpenCV can read.
    """
    if kind == 'scipy-face':
        raw = np.frombuffer(bz2.decompress(data), np.uint8)
        return raw.reshape(768, 1024, 3).copy(), 0.0
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError('not an image OpenCV can decode')
    if image.dtype == np.uint16:
        image = (image // 257).astype(np.uint8)
    elif image.dtype != np.uint8:
        image = cv2.normalize(image, None, 0, 255, cv2.NORM_MINMAX,
                              cv2.CV_8U)
    transparent = 0.0
    if image.ndim == 2:
        rgb = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    elif image.shape[2] == 4:
        transparent = float((image[..., 3] < 250).mean())
        rgb = cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    elif image.shape[2] == 2:  # grey + alpha
        transparent = float((image[..., 1] < 250).mean())
        rgb = cv2.cvtColor(image[..., 0], cv2.COLOR_GRAY2RGB)
    else:
        rgb = cv2.cvtColor(image[..., :3], cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(rgb), transparent


def phash(gray: np.ndarray) -> int:
    """64-bit DCT perceptual hash of a grey image."""
    small = cv2.resize(gray, (32, 32), interpolation=cv2.INTER_AREA)
    coeffs = cv2.dct(small.astype(np.float32))[:8, :8].ravel()
    bits = coeffs > np.median(coeffs[1:])
    return int(''.join('1' if b else '0' for b in bits), 2)


def perceptual_hashes(rgb: np.ndarray) -> Tuple[int, int]:
    """pHash of the whole image and of its centre square."""
    gray = cv2.cvtColor(fit_shorter_side(rgb, 256), cv2.COLOR_RGB2GRAY)
    h, w = gray.shape
    s = min(h, w)
    centre = gray[(h - s) // 2:(h - s) // 2 + s, (w - s) // 2:(w - s) // 2 + s]
    return phash(gray), phash(centre)


def thumbnail(rgb: np.ndarray, side: int = 160) -> np.ndarray:
    """RGB thumbnail whose longer side is ``side`` px."""
    scale = side / max(rgb.shape[:2])
    size = (max(1, round(rgb.shape[1] * scale)),
            max(1, round(rgb.shape[0] * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(rgb, size, interpolation=interp)


def write_png(path: str, rgb: np.ndarray) -> None:
    """Write RGB uint8 as PNG (through a temporary name: no torn file)."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    tmp = path + '.part.png'
    if not cv2.imwrite(tmp, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
        raise OSError(f'cannot write {path}')
    os.replace(tmp, path)


# ------------------------------------------------------------ packages

@dataclass
class Candidate:
    """One image file found in a source."""
    source: str
    version: str
    orig_path: str
    licence: str
    copyright: str
    load: Callable[[], bytes] = field(repr=False)
    kind: str = 'image'


def check_not_reserved(package: str) -> None:
    """Refuse OpenCV's sample data (reserved for an independent check)."""
    if any(word in package.lower() for word in RESERVED_WORDS):
        raise SystemExit(
            f'error: package {package!r} holds OpenCV sample photographs, '
            'which are reserved for an independent check of the derainer '
            '(never train, tune or evaluate on them)')


def download_deb(package: str, cache: str) -> str:
    """``apt-get download`` a package into ``cache`` unless it is there.

    Returns:
        The path of the ``.deb`` file.
    """
    check_not_reserved(package)
    os.makedirs(cache, exist_ok=True)
    found = sorted(f for f in os.listdir(cache)
                   if f.startswith(package + '_') and f.endswith('.deb'))
    if found:
        return osp.join(cache, found[-1])
    if shutil.which('apt-get') is None:
        raise SystemExit(f'error: apt-get not found; cannot download '
                         f'package {package}')
    proc = subprocess.run(['apt-get', 'download', '-q', package], cwd=cache,
                          capture_output=True, text=True)
    found = sorted(f for f in os.listdir(cache)
                   if f.startswith(package + '_') and f.endswith('.deb'))
    if proc.returncode != 0 or not found:
        raise SystemExit(
            f'error: apt-get download {package} failed (exit '
            f'{proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}'
            '\n(is the package name right, and was "apt-get update" run?)')
    return osp.join(cache, found[-1])


def deb_version(deb: str) -> str:
    """The ``Version`` field of a ``.deb`` file."""
    proc = subprocess.run(['dpkg-deb', '-f', deb, 'Version'],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f'error: dpkg-deb cannot read {deb}: '
                         f'{proc.stderr.strip()}')
    return proc.stdout.strip()


@dataclass
class Stanza:
    """A ``Files:`` stanza of a DEP-5 copyright file."""
    patterns: List[str]
    licence: str
    copyright: str


def parse_copyright(text: str) -> Tuple[List[Stanza], str]:
    """Read a ``debian/copyright`` file.

    Returns:
        ``(stanzas, fallback)``: the ``Files:`` stanzas in file order
        (empty for a free-form file) and, for free-form files, the licence
        names found in the text (``'unknown'`` when none).
    """
    stanzas = []
    for para in re.split(r'\n\s*\n', text):
        fields: Dict[str, str] = {}
        key = None
        for line in para.splitlines():
            match = re.match(r'^([A-Za-z-]+):\s*(.*)$', line)
            if match and not line[0].isspace():
                key = match.group(1).lower()
                fields[key] = match.group(2)
            elif key is not None:
                fields[key] += '\n' + line.strip()
        if 'files' in fields and 'license' in fields:
            stanzas.append(Stanza(
                patterns=fields['files'].split(),
                licence=fields['license'].split('\n')[0].strip() or
                'unknown',
                copyright=' '.join((fields.get('copyright', '') + (
                    f' ({fields["source"]})' if fields.get('source')
                    else '')).split())))
    names = re.findall(
        r'\b(L?GPL[- ]?v?\d(?:\.\d)?\+?|GNU (?:Lesser )?General Public '
        r'License|CC[- ]BY(?:-SA)?[- ]\d\.\d|CC0|public domain|BSD|MIT|'
        r'Apache)', text, flags=re.IGNORECASE)
    fallback = ', '.join(dict.fromkeys(n.strip() for n in names)) \
        or 'unknown'
    return stanzas, fallback


def licence_of(path: str, stanzas: Sequence[Stanza],
               fallback: str) -> Tuple[str, str]:
    """``(licence, copyright)`` of an installed path (DEP-5 semantics: the
    last matching stanza wins; patterns match as path suffixes or by file
    name since installed paths differ from source paths)."""
    chosen = None
    name = path.rsplit('/', 1)[-1]
    stem = osp.splitext(path)[0]
    for stanza in stanzas:
        for pattern in stanza.patterns:
            pattern = pattern.lstrip('./')
            base = pattern.rsplit('/', 1)[-1]
            literal = '*' not in base and '?' not in base
            if (pattern == '*' or fnmatch.fnmatchcase(path, '*' + pattern)
                    or (literal and base == name)
                    # packaged under another format (GCompris: .jpg
                    # sources installed as .webp)
                    or (literal and '.' in base and stem.endswith(
                        '/' + osp.splitext(pattern)[0]))):
                chosen = stanza
                break
    if chosen is None:
        return (f'{fallback} (from debian/copyright text)'
                if not stanzas else 'unknown (no matching Files: stanza)',
                '')
    return chosen.licence, chosen.copyright


def rcc_members(blob: bytes) -> Iterator[Tuple[str, bytes]]:
    """Files of a Qt resource bundle (``.rcc``, format versions 1-3).

    Yields:
        ``(path, data)``; zlib-compressed entries are inflated, zstd ones
        skipped.
    """
    if blob[:4] != b'qres':
        return
    version, tree, data, names = struct.unpack('>IIII', blob[4:20])
    node_size = 14 if version == 1 else 22

    def name_at(offset: int) -> str:
        start = names + offset
        (length,) = struct.unpack('>H', blob[start:start + 2])
        start += 6
        return blob[start:start + 2 * length].decode('utf-16-be')

    stack = [(0, '')]
    while stack:
        index, prefix = stack.pop()
        base = tree + index * node_size
        name_offset, flags = struct.unpack('>IH', blob[base:base + 6])
        path = f'{prefix}/{name_at(name_offset)}' if index else ''
        if flags & 2:  # directory
            count, first = struct.unpack('>II', blob[base + 6:base + 14])
            stack.extend((c, path) for c in range(first, first + count))
            continue
        (offset,) = struct.unpack('>I', blob[base + 10:base + 14])
        (size,) = struct.unpack('>I', blob[data + offset:data + offset + 4])
        payload = blob[data + offset + 4:data + offset + 4 + size]
        if flags & 4:  # zstd
            continue
        if flags & 1:
            payload = zlib.decompress(payload[4:])
        yield path, payload


def deb_candidates(package: str, root: str, version: str) -> List[Candidate]:
    """The raster images of an unpacked package (sorted by path)."""
    copyright_file = osp.join(root, 'usr/share/doc', package, 'copyright')
    if osp.isfile(copyright_file):
        with open(copyright_file, encoding='utf-8', errors='replace') as f:
            stanzas, fallback = parse_copyright(f.read())
    else:
        stanzas, fallback = [], 'unknown (no copyright file)'
    found: List[Candidate] = []

    def add(path: str, member: str, load: Callable[[], bytes],
            kind: str = 'image',
            credits: Optional[Tuple[str, str]] = None) -> None:
        name = (member or path).rsplit('/', 1)[-1]
        folder = [v for (pkg, prefix), v in FOLDER_LICENCES.items()
                  if pkg == package and path.startswith(prefix)]
        if credits is not None:
            licence, holder = credits
        elif (package, name) in LICENCE_OVERRIDES:
            licence, holder = LICENCE_OVERRIDES[(package, name)]
        elif folder:
            licence, holder = folder[0]
        else:
            licence, holder = (plasma_metadata_licence(root, path)
                               or desktop_file_licence(root, path)
                               or licence_of(member or path, stanzas,
                                             fallback))
        orig = f'{path}!{member}' if member else path
        found.append(Candidate(package, version, orig, licence, holder, load,
                               kind))

    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fname in sorted(filenames):
            full = osp.join(dirpath, fname)
            if osp.islink(full) or not osp.isfile(full):
                continue
            rel = osp.relpath(full, root)
            lower = fname.lower()
            if lower.endswith(RASTER_EXTS):
                add(rel, '', lambda p=full: _read(p))
            elif lower == 'face.dat' and 'scipy/misc' in rel:
                add(rel, '', lambda p=full: _read(p), kind='scipy-face')
            elif lower.endswith('.rcc'):
                members = list(rcc_members(_read(full)))
                readmes = {m.rsplit('/', 1)[0]: parse_copyright(
                    d.decode('utf-8', 'replace'))[0] for m, d in members
                    if m.rsplit('/', 1)[-1].lower() == 'readme'}
                for member, payload in members:
                    if member.lower().endswith(RASTER_EXTS):
                        add(rel, member.lstrip('/'), lambda d=payload: d,
                            credits=readme_licence(member, readmes))
    return found


def plasma_metadata_licence(root: str,
                            path: str) -> Optional[Tuple[str, str]]:
    """Licence and authors from a Plasma wallpaper's ``metadata.json``
    (``<wallpaper>/contents/images/<size>.jpg``), if there is one."""
    match = re.match(r'(.*/wallpapers/[^/]+)/contents/', path)
    meta = match and osp.join(root, match.group(1), 'metadata.json')
    if not meta or not osp.isfile(meta):
        return None
    try:
        with open(meta, encoding='utf-8') as f:
            plugin = json.load(f).get('KPlugin', {})
    except (OSError, ValueError):
        return None
    if not plugin.get('License'):
        return None
    authors = ', '.join(a.get('Name', '') for a in plugin.get('Authors', []))
    return (f'{plugin["License"]} (wallpaper metadata.json)', authors)


def desktop_file_licence(root: str,
                         path: str) -> Optional[Tuple[str, str]]:
    """Licence and author from a KDE ``.desktop`` file beside an image
    (``X-KDE-PluginInfo-License``: Palapeli's puzzles), if there is one."""
    desktop = osp.join(root, osp.splitext(path)[0] + '.desktop')
    if not osp.isfile(desktop):
        return None
    with open(desktop, encoding='utf-8', errors='replace') as f:
        fields = dict(re.findall(r'^(X-KDE-PluginInfo-\w+)=(.*)$', f.read(),
                                 flags=re.MULTILINE))
    if not fields.get('X-KDE-PluginInfo-License'):
        return None
    holder = fields.get('X-KDE-PluginInfo-Author', '')
    if fields.get('X-KDE-PluginInfo-Website'):
        holder += f' ({fields["X-KDE-PluginInfo-Website"]})'
    return (f'{fields["X-KDE-PluginInfo-License"]} (.desktop file)',
            holder.strip())


def readme_licence(member: str, readmes: Dict[str, List[Stanza]]
                   ) -> Optional[Tuple[str, str]]:
    """Licence of a Qt-resource member from the nearest ``README`` of the
    bundle that credits it (GCompris lists, per activity, ``Copyright``,
    ``License``, ``Source`` and ``Files`` relative to the README)."""
    folder = member.rsplit('/', 1)[0]
    while folder:
        for stanza in reversed(readmes.get(folder, [])):
            rel = member[len(folder) + 1:]
            if any(fnmatch.fnmatchcase(rel, p) for p in stanza.patterns):
                return (f'{stanza.licence} (bundle README)',
                        stanza.copyright)
        folder = folder.rsplit('/', 1)[0] if '/' in folder else ''
    return None


def _read(path: str) -> bytes:
    with open(path, 'rb') as f:
        return f.read()


def python_candidates(module: str, required: bool = True) -> List[
        Candidate]:
    """Sample photographs of an installed Python package (found without
    importing it). A missing package is an error when ``required``, else
    a warning."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        message = (f'Python package {module!r} is not installed (needed for '
                   'its sample photographs)')
        if required:
            raise SystemExit(f'error: {message}')
        print(f'warning: {message}; skipped', file=sys.stderr)
        return []
    root = list(spec.submodule_search_locations)[0]
    dist = {'skimage': 'scikit-image'}.get(module, module)
    try:
        version = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        version = ''
    found = []
    for rel, licence, holder in PYTHON_SAMPLES[module]:
        full = osp.join(root, rel)
        if not osp.isfile(full):
            print(f'warning: {module} {version} has no {rel}; skipped',
                  file=sys.stderr)
            continue
        found.append(Candidate(module, version, rel, licence, holder,
                               lambda p=full: _read(p)))
    return found


def folder_candidates(folder: str, source: str, licence: str) -> List[
        Candidate]:
    """Every raster image under a local folder, as one source."""
    if not osp.isdir(folder):
        raise SystemExit(f'error: --from-folder {folder} is not a folder')
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for fname in sorted(filenames):
            if fname.lower().endswith(RASTER_EXTS):
                full = osp.join(dirpath, fname)
                found.append(Candidate(
                    source, '', osp.relpath(full, folder), licence, '',
                    lambda p=full: _read(p)))
    return found


# ------------------------------------------------------------ naming

GENERIC_DIRS = {'usr', 'share', 'lib', 'python3', 'dist-packages', 'data',
                'contents', 'images', 'image', 'resource', 'resources',
                'backgrounds', 'wallpapers', 'wallpaper', 'src', 'gcompris',
                'activities', 'rcc', 'gcompris-qt', 'pixmaps', 'templates',
                'collection', 'sample_data', 'mpl-data', 'demo', '.mim'}


def slug(text: str) -> str:
    """Lower-case ``[a-z0-9_-]`` version of a name."""
    return re.sub(r'[^a-z0-9]+', '_', text.lower()).strip('_') or 'image'


def output_name(orig_path: str) -> str:
    """A readable file stem for an image: its name, prefixed with the
    nearest telling folder when the name alone says little (``0.jpg``,
    ``1920x1080.jpg``, ``words_sample/apple``...)."""
    parts = [p for p in re.split(r'[/!]', orig_path) if p]
    stem = osp.splitext(parts[-1])[0]
    dirs = [p for p in parts[:-1]
            if p.lower() not in GENERIC_DIRS and not p.endswith('.rcc')]
    generic = (re.fullmatch(r'[\d_x.-]*|image|photo|background|default'
                            r'|wallpaper|screenshot|base|\w', stem.lower())
               is not None)
    if generic and dirs:
        stem = f'{dirs[-1]}_{stem}'
    elif dirs and orig_path.count('!') and len(dirs) >= 1:
        stem = f'{dirs[-1]}_{stem}'  # rcc: activity or theme folder
    return slug(stem)


def category_of(source: str, orig_path: str) -> str:
    """Coarse category of an image: ``PATH_CATEGORIES``, else the first
    ``CATEGORY_KEYWORDS`` entry with a word of the file's name or folder
    (``'other'`` if none)."""
    key = f'{source}/{orig_path}'
    for pattern, category in PATH_CATEGORIES:
        if fnmatch.fnmatchcase(key, pattern):
            return category
    parts = [p for p in re.split(r'[/!]', orig_path) if p]
    tail = '/'.join(parts[-2:-1] + [output_name(orig_path)])
    # words: split at non-letters and camelCase humps
    words = {w.lower() for w in re.findall(
        r'[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+[a-z]+', tail)}
    for category, keywords in CATEGORY_KEYWORDS:
        if words & set(keywords) or any(
                len(k) >= 5 and k in w for k in keywords for w in words):
            return category
    return 'other'


def split_of(key: str, test: float, val: float) -> Tuple[str, float]:
    """Deterministic split of ``<source>/<name>`` and its hash in [0, 1)."""
    u = int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) / 2 ** 32
    if u < test:
        return 'test', u
    if u < test + val:
        return 'val', u
    return 'train', u


# ------------------------------------------------------------ main work

@dataclass
class Record:
    """What the tool decided about one candidate."""
    cand: Candidate
    sha1: str
    stats: Dict[str, float]
    reason: str = ''
    name: str = ''
    split: str = ''
    u: float = 0.0
    category: str = ''
    width: int = 0
    height: int = 0


class FeatureCache:
    """Statistics, hashes and thumbnails by SHA-1 of the file's bytes."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.path = osp.join(folder, 'stats.jsonl')
        self.thumbs = osp.join(folder, 'thumbs')
        self.entries: Dict[str, dict] = {}
        os.makedirs(self.thumbs, exist_ok=True)
        if osp.isfile(self.path):
            with open(self.path, encoding='utf-8') as f:
                for line in f:
                    try:
                        entry = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # a torn last line of an interrupted run
                    if entry.get('version') == FEATURE_VERSION:
                        self.entries[entry['sha1']] = entry
        self._out = open(self.path, 'a', encoding='utf-8')

    def get(self, sha1: str) -> Optional[dict]:
        return self.entries.get(sha1)

    def put(self, entry: dict) -> None:
        entry['version'] = FEATURE_VERSION
        self.entries[entry['sha1']] = entry
        self._out.write(json.dumps(entry) + '\n')
        self._out.flush()

    def thumb_path(self, sha1: str) -> str:
        return osp.join(self.thumbs, sha1 + '.png')

    def close(self) -> None:
        self._out.close()


def examine(cand: Candidate, cache: FeatureCache) -> Record:
    """Statistics of a candidate (from the cache when known)."""
    data = cand.load()
    sha1 = hashlib.sha1(data).hexdigest()
    entry = cache.get(sha1)
    if entry is None:
        entry = {'sha1': sha1}
        try:
            rgb, transparent = decode(data, cand.kind)
        except Exception as exc:  # a broken or exotic file: say which
            entry['error'] = f'unreadable: {exc}'
        else:
            entry.update(short_side=int(min(rgb.shape[:2])),
                         width=int(rgb.shape[1]), height=int(rgb.shape[0]),
                         transparent=round(transparent, 4))
            entry.update(image_stats(rgb))
            whole, centre = perceptual_hashes(rgb)
            entry.update(phash=f'{whole:016x}', phash_centre=f'{centre:016x}')
            write_png(cache.thumb_path(sha1), thumbnail(rgb))
        cache.put(entry)
    record = Record(cand, sha1, entry)
    if 'error' in entry:
        record.reason = entry['error']
    return record


def excluded(cand: Candidate) -> bool:
    """Whether a hand-kept pattern of ``EXCLUDE_PATTERNS`` matches."""
    key = f'{cand.source}/{cand.orig_path}'
    return any(fnmatch.fnmatchcase(key, p) for p in EXCLUDE_PATTERNS)


def deduplicate(records: List[Record], max_bits: int) -> None:
    """Mark near-duplicates among accepted records (reason
    ``duplicate of ...``); the largest of a group is kept."""
    kept: List[Tuple[int, int, Record]] = []
    order = sorted(records, key=lambda r: (-r.stats['short_side'],
                                           r.cand.source, r.cand.orig_path))
    for rec in order:
        whole = int(rec.stats['phash'], 16)
        centre = int(rec.stats['phash_centre'], 16)
        for k_whole, k_centre, other in kept:
            if (bin(whole ^ k_whole).count('1') <= max_bits
                    or bin(centre ^ k_centre).count('1') <= max_bits):
                rec.reason = (f'duplicate of {other.cand.source}:'
                              f'{other.cand.orig_path}')
                break
        else:
            kept.append((whole, centre, rec))


def assign_names_and_splits(records: List[Record], test: float,
                            val: float) -> None:
    """Unique output names per source, categories and the split."""
    used: Dict[str, set] = {}
    for rec in records:
        names = used.setdefault(rec.cand.source, set())
        name = output_name(rec.cand.orig_path)
        if name in names:
            name = f'{name}_{rec.sha1[:6]}'
        names.add(name)
        rec.name = name
        rec.category = category_of(rec.cand.source, rec.cand.orig_path)
        rec.split, rec.u = split_of(f'{rec.cand.source}/{name}', test, val)
    by_category: Dict[str, List[Record]] = {}
    for rec in records:
        by_category.setdefault(rec.category, []).append(rec)
    for members in by_category.values():
        if (len(members) >= MIN_CATEGORY_FOR_TEST and test > 0
                and not any(r.split == 'test' for r in members)):
            min(members, key=lambda r: (r.split != 'train', r.u)).split = \
                'test'


def contact_sheet(path: str, items: Sequence[Tuple[str, str]],
                  cell: int = 160, columns: int = 8) -> None:
    """Write a PNG grid of thumbnails with labels.

    Args:
        path: output PNG.
        items: ``(thumbnail file, label)`` pairs.
    """
    if not items:
        return
    label_h = 28
    rows = (len(items) + columns - 1) // columns
    sheet = np.full((rows * (cell + label_h), columns * cell, 3), 255,
                    np.uint8)
    for i, (thumb_file, label) in enumerate(items):
        y, x = (i // columns) * (cell + label_h), (i % columns) * cell
        thumb = cv2.imread(thumb_file)
        if thumb is not None:
            thumb = thumb[:cell - 4, :cell - 4]
            th, tw = thumb.shape[:2]
            oy, ox = y + (cell - th) // 2, x + (cell - tw) // 2
            sheet[oy:oy + th, ox:ox + tw] = thumb
        for j, text in enumerate((label[:26], label[26:52])):
            cv2.putText(sheet, text, (x + 2, y + cell + 10 + 12 * j),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.33, (0, 0, 0), 1,
                        cv2.LINE_AA)
    os.makedirs(osp.dirname(path), exist_ok=True)
    cv2.imwrite(path, sheet)


def write_contact_sheets(out: str, records: List[Record],
                         cache: FeatureCache) -> List[str]:
    """Accepted and rejected sheets per source, and the test/val sheets."""
    folder = osp.join(out, 'contact_sheets')
    if osp.isdir(folder):
        shutil.rmtree(folder)
    written = []
    sources = sorted({r.cand.source for r in records})

    def items(recs: List[Record], label: Callable[[Record], str]):
        return [(cache.thumb_path(r.sha1), label(r)) for r in recs
                if osp.isfile(cache.thumb_path(r.sha1))]

    for source in sources:
        mine = [r for r in records if r.cand.source == source]
        accepted = [r for r in mine if not r.reason]
        rejected = [r for r in mine if r.reason]
        for kind, recs, label in (
                ('accepted', accepted, lambda r: r.name),
                ('rejected', rejected, lambda r: (
                    f'{output_name(r.cand.orig_path)[:24]}  {r.reason}'))):
            # sheets of at most 96 images
            for page in range(0, len(recs), 96):
                path = osp.join(folder, f'{kind}_{slug(source)}_'
                                f'{page // 96}.png')
                contact_sheet(path, items(recs[page:page + 96], label))
                written.append(path)
    for split in ('test', 'val'):
        recs = sorted((r for r in records if r.split == split),
                      key=lambda r: (r.category, r.cand.source, r.name))
        for page in range(0, len(recs), 96):
            path = osp.join(folder, f'{split}_{page // 96}.png')
            contact_sheet(path, items(recs[page:page + 96],
                                      lambda r: f'{r.category} {r.name}'))
            written.append(path)
    return written


MANIFEST_FIELDS = ('file', 'split', 'source', 'version', 'orig_path',
                   'licence', 'copyright', 'width', 'height', 'category',
                   'sha1')
CANDIDATE_FIELDS = ('source', 'orig_path', 'decision', 'reason', 'file',
                    'short_side', 'transparent', 'colourfulness', 'colours',
                    'flat', 'grad_entropy', 'textured', 'licence', 'sha1')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Collect real photographs from Debian packages and '
        'Python sample data into a train/val/test corpus with a manifest.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--out', default='data/photo_corpus',
                        help='output folder (images/, manifest.csv, ...)')
    parser.add_argument('--deb-cache', default=None,
                        help='where downloaded .deb files are kept '
                        '(default <out>/debs)')
    parser.add_argument('--packages', nargs='*', default=None,
                        help='Debian packages to read (default: '
                        f'{" ".join(DEFAULT_PACKAGES)}; none with '
                        '--from-folder)')
    parser.add_argument('--python-samples', nargs='*', default=None,
                        choices=sorted(PYTHON_SAMPLES),
                        help='installed Python packages whose sample photos '
                        'to add (default: all; none with --from-folder)')
    parser.add_argument('--from-folder', default=None,
                        help='read the images of this folder as one more '
                        'source (no download)')
    parser.add_argument('--folder-source', default=None,
                        help='source name of --from-folder (default: the '
                        "folder's name)")
    parser.add_argument('--folder-licence', default='unknown',
                        help='licence recorded for --from-folder images')
    parser.add_argument('--max-side', type=int, default=512,
                        help='shorter side of the written photos, at most')
    parser.add_argument('--test', type=float, default=0.15,
                        help='held-out test share')
    parser.add_argument('--val', type=float, default=0.03,
                        help='validation share')
    parser.add_argument('--dup-bits', type=int, default=6,
                        help='pHash distance (bits of 64) for duplicates')
    parser.add_argument('--min-side', type=int, default=200,
                        help='shorter side of an accepted original, at least')
    parser.add_argument('--contact-sheets', action='store_true',
                        help='write PNG contact sheets to '
                        '<out>/contact_sheets')
    args = parser.parse_args(argv)
    if not 0 <= args.test <= 1 or not 0 <= args.val <= 1 - args.test:
        parser.error('--test and --val must be shares in [0, 1] with '
                     'test + val <= 1')
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    start = time.time()
    out = args.out
    packages = (list(args.packages) if args.packages is not None else
                [] if args.from_folder else list(DEFAULT_PACKAGES))
    samples = (list(args.python_samples) if args.python_samples is not None
               else [] if args.from_folder else sorted(PYTHON_SAMPLES))
    for package in packages:
        check_not_reserved(package)
    if not packages and not samples and not args.from_folder:
        raise SystemExit('error: nothing to read (no --packages, '
                         '--python-samples nor --from-folder)')
    if args.from_folder:
        src = osp.abspath(args.from_folder)
        if osp.commonpath([src, osp.abspath(out)]) in (src, osp.abspath(
                out)):
            raise SystemExit('error: --out and --from-folder must not '
                             'contain each other')
    deb_cache = args.deb_cache or osp.join(out, 'debs')
    os.makedirs(out, exist_ok=True)
    cache = FeatureCache(osp.join(out, 'cache'))
    params = FilterParams(min_side=args.min_side)
    records: List[Record] = []

    def run_source(label: str, cands: List[Candidate]) -> None:
        for cand in tqdm(cands, desc=label, unit='img', file=sys.stderr,
                         leave=False):
            rec = examine(cand, cache)
            if not rec.reason:
                rec.reason = ('excluded by name' if excluded(cand)
                              else judge(rec.stats, params))
            records.append(rec)
        kept = sum(1 for r in records if r.cand.source == label and
                   not r.reason)
        print(f'{label}: {len(cands)} images, {kept} pass the filter',
              file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix='photo_corpus_') as tmp:
        for package in packages:
            deb = download_deb(package, deb_cache)
            version = deb_version(deb)
            root = osp.join(tmp, package)
            proc = subprocess.run(['dpkg-deb', '-x', deb, root],
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                raise SystemExit(f'error: dpkg-deb -x {deb} failed: '
                                 f'{proc.stderr.strip()}')
            run_source(package, deb_candidates(package, root, version))
        for module in samples:
            run_source(module, python_candidates(
                module, required=args.python_samples is not None))
        if args.from_folder:
            name = args.folder_source or slug(osp.basename(
                osp.normpath(args.from_folder)))
            run_source(name, folder_candidates(args.from_folder, name,
                                               args.folder_licence))

        deduplicate([r for r in records if not r.reason], args.dup_bits)
        photos = [r for r in records if not r.reason]
        assign_names_and_splits(photos, args.test, args.val)
        wanted = set()
        todo = []
        for rec in photos:
            rel = _image_file(rec)
            wanted.add(rel)
            rec.width, rec.height = _output_size(rec.stats, args.max_side)
            if not osp.isfile(osp.join(out, rel)):
                todo.append(rec)
        # the packages stay unpacked until the new photos are written
        for rec in tqdm(todo, desc='write', unit='img', file=sys.stderr):
            rgb, _ = decode(rec.cand.load(), rec.cand.kind)
            write_png(osp.join(out, _image_file(rec)),
                      fit_shorter_side(rgb, args.max_side))
    removed = _prune(osp.join(out, 'images'), out, wanted)

    photos.sort(key=lambda r: (r.cand.source, r.name))
    _write_csv(osp.join(out, 'manifest.csv'), MANIFEST_FIELDS, [
        dict(file=_image_file(r),
             split=r.split, source=r.cand.source, version=r.cand.version,
             orig_path=r.cand.orig_path, licence=r.cand.licence,
             copyright=r.cand.copyright, width=r.width, height=r.height,
             category=r.category, sha1=r.sha1) for r in photos])
    os.makedirs(osp.join(out, 'meta'), exist_ok=True)
    for split in ('train', 'val', 'test'):
        # BasicImageDataset ann_file lists (relative to data_prefix 'images')
        _write_text(osp.join(out, 'meta', f'{split}.txt'), [
            osp.relpath(_image_file(r), 'images') for r in photos
            if r.split == split])
    _write_csv(osp.join(out, 'candidates.csv'), CANDIDATE_FIELDS, [
        dict(source=r.cand.source, orig_path=r.cand.orig_path,
             decision='rejected' if r.reason else 'accepted',
             reason=r.reason,
             file='' if r.reason else _image_file(r),
             licence=r.cand.licence, sha1=r.sha1,
             **{k: r.stats.get(k, '') for k in CANDIDATE_FIELDS[5:12]})
        for r in records])
    sheets = (write_contact_sheets(out, records, cache)
              if args.contact_sheets else [])
    cache.close()
    _summary(records, photos, out, sheets, removed, time.time() - start)
    return 0


def _image_file(rec: Record) -> str:
    """Path of a photo's PNG, relative to the output folder."""
    return osp.join('images', slug(rec.cand.source), rec.name + '.png')


def _output_size(stats: Dict[str, float], max_side: int) -> Tuple[int, int]:
    """Width and height ``fit_shorter_side`` gives for an image."""
    w, h = int(stats['width']), int(stats['height'])
    scale = max_side / min(w, h)
    if scale >= 1:
        return w, h
    return max(1, round(w * scale)), max(1, round(h * scale))


def _prune(images: str, out: str, wanted: set) -> int:
    """Remove PNG files under ``images`` that the manifest does not list."""
    removed = 0
    if not osp.isdir(images):
        return 0
    for dirpath, _, filenames in os.walk(images):
        for fname in filenames:
            rel = osp.relpath(osp.join(dirpath, fname), out)
            if rel not in wanted:
                os.remove(osp.join(dirpath, fname))
                removed += 1
    return removed


def _write_csv(path: str, fields: Sequence[str], rows: List[dict]) -> None:
    tmp = path + '.part'
    with open(tmp, 'w', newline='', encoding='utf-8') as f:
        writer = csv.DictWriter(f, fieldnames=list(fields))
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)


def _write_text(path: str, lines: List[str]) -> None:
    tmp = path + '.part'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.writelines(line + '\n' for line in lines)
    os.replace(tmp, path)


def _summary(records: List[Record], photos: List[Record], out: str,
             sheets: List[str], removed: int, seconds: float) -> None:
    """Print counts per source, split, category and licence."""
    print(f'\n{"source":32s} {"images":>7s} {"photos":>7s} {"dups":>5s}')
    for source in sorted({r.cand.source for r in records}):
        mine = [r for r in records if r.cand.source == source]
        dups = sum(r.reason.startswith('duplicate') for r in mine)
        kept = sum(not r.reason for r in mine)
        print(f'{source:32s} {len(mine):7d} {kept:7d} {dups:5d}')
    splits = {s: sum(r.split == s for r in photos)
              for s in ('train', 'val', 'test')}
    print(f'{"total":32s} {len(records):7d} {len(photos):7d}')
    print('split: ' + ', '.join(f'{k} {v}' for k, v in splits.items()))
    cats: Dict[str, List[int]] = {}
    for r in photos:
        c = cats.setdefault(r.category, [0, 0])
        c[0] += 1
        c[1] += r.split == 'test'
    print('categories (photos/test): ' + ', '.join(
        f'{k} {v[0]}/{v[1]}' for k, v in sorted(cats.items())))
    licences: Dict[str, int] = {}
    for r in photos:
        licences[r.cand.licence] = licences.get(r.cand.licence, 0) + 1
    print('licences: ' + '; '.join(f'{k}: {v}' for k, v in sorted(
        licences.items(), key=lambda kv: -kv[1])))
    size = sum(osp.getsize(osp.join(dp, f)) for dp, _, fs in os.walk(
        osp.join(out, 'images')) for f in fs)
    print(f'images: {size / 2 ** 20:.1f} MiB under {out}/images'
          + (f' ({removed} stale files removed)' if removed else ''))
    print(f'manifest: {osp.join(out, "manifest.csv")}')
    if sheets:
        print(f'contact sheets: {len(sheets)} in '
              f'{osp.join(out, "contact_sheets")}')
    print(f'time: {seconds:.0f} s')


if __name__ == '__main__':
    sys.exit(main())
