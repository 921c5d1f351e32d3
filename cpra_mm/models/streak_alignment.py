"""Streak alignment: derain steeply slanted rain as if it fell upright.

A derainer trained on rain within some angle of vertical loses most of its
gain past that angle (the built-in models are trained within 35 degrees;
their gain per slant is measured by ``tools/analysis/streak_angle_sweep.py``,
see ``docs/streak_alignment.md``). Streak alignment lets such a derainer
remove rain slanted up to ``max_angle``:

1. :func:`estimate_streak_angle` finds the dominant oblique orientation of
   thin bright structures (the white top-hat of the luminance) from a
   histogram of local structure-tensor orientations, and how strongly that
   orientation dominates the oblique ones;
2. when it is slanted beyond ``min_angle`` with enough dominance, and does
   not repeat itself side by side like the lines of a grating or grid
   (:func:`line_periodicity`: rain streaks fall at random places),
   :func:`shear_rows` shifts every row by a whole number of pixels so that
   the streaks stand upright (an exact permutation of pixels: nothing is
   resampled);
3. the derainer runs on the sheared image, and only its change (derained
   minus input) is shifted back and added to the original pixels
   (:func:`unshear_rows`), so the parts the derainer leaves alone come back
   bit for bit.

Everything is plain PyTorch on ``B x 3 x H x W`` float RGB in [0, 1].
"""
import math
from typing import Callable, List, Tuple

import torch
import torch.nn.functional as F

HISTOGRAM_BINS = 72
"""Orientation bins over 180 degrees (2.5 degrees each)."""

PEAK_HALF_WIDTH = 2
"""Bins either side of the peak that count as the dominant orientation
(5 degrees each way)."""

MIN_ANGLE = 30.0
"""Default slant from vertical, in degrees, below which images run as they
are: the built-in derainer's training rain reaches 35 degrees."""

MAX_ANGLE = 50.0
"""Default largest slant that is aligned; flatter structure is left alone.
The steeper the shear, the more of the scenery's slanted texture (wood
grain, ripples, panel edges) it turns into upright thin lines that look like
rain to the network; flatter rain is rare."""

MIN_DOMINANCE = 0.3
"""Default share of the oblique oriented energy (:data:`AXIS_MARGIN`) within
5 degrees of the peak needed to align. A uniform spread of orientations
gives 10 / 120 = 0.083; how often rain of each slant reaches it is in the
``aligned share`` column of ``tools/analysis/streak_angle_sweep.py``."""

AXIS_MARGIN = 15.0
"""Degrees either side of vertical and of horizontal whose orientations
:func:`alignment_decisions` leaves out of the estimate. Upright and level
structure (walls, posts, window frames, box edges, horizons) would
otherwise outweigh light slanted rain in the histogram; orientations that
close to the axes are never aligned anyway (:data:`MIN_ANGLE`,
:data:`MAX_ANGLE`)."""

TOP_HAT_SIZE = 5
"""Side in pixels of the square whose grey opening the thin-bright map
subtracts: bright structure narrower than this (rain streaks are 1 to 2.5
pixels wide) is kept, the bright side of wider shapes and of edges is not."""


MAX_PERIODICITY = 0.7
"""Default largest :func:`line_periodicity` that is aligned. Regular
patterns of slanted thin bright lines (gratings, grids) measure 0.98 to
1.0, and streak alignment would turn them into upright lines that the
network removes like rain; rainy train and val photographs (rain at 0-60
degrees) measured at most 0.46, and the dry train and val photographs
that are aligned 0.29 to 0.45 (``tools/analysis/streak_angle_sweep.py``,
docs/streak_alignment.md)."""

PERIODICITY_MIN_OFFSET = 5.0
"""Pixels across the line direction from which a displacement counts as
side by side: past the width of a streak widened by the blur of
:func:`_thin_bright_detail`."""

PERIODICITY_MAX_LAG = 48
"""Largest displacement, in pixels along either axis, that
:func:`line_periodicity` looks at (at most a quarter of the image side)."""


def _luminance(images: torch.Tensor) -> torch.Tensor:
    """``B x 1 x H x W`` Rec. 601 luma of ``B x 3 x H x W`` RGB."""
    weights = images.new_tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
    return (images * weights).sum(dim=1, keepdim=True)


def _box_blur(image: torch.Tensor, size: int) -> torch.Tensor:
    """Mean over ``size`` x ``size`` windows, same size (replicated edges)."""
    half = size // 2
    padded = F.pad(image, (half, half, half, half), mode='replicate')
    return F.avg_pool2d(padded, size, stride=1)


def _gaussian_blur(image: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """Separable Gaussian blur over a 7 x 7 window, same size (replicated
    edges)."""
    taps = torch.arange(-3, 4, device=image.device, dtype=image.dtype)
    kernel = torch.exp(-0.5 * (taps / sigma) ** 2)
    kernel = kernel / kernel.sum()
    padded = F.pad(image, (3, 3, 3, 3), mode='replicate')
    return F.conv2d(F.conv2d(padded, kernel.view(1, 1, 1, 7)), kernel.view(1, 1, 7, 1))


ENERGY_FLOOR = 1e-5
"""Least mean oriented energy per pixel (:func:`_orientation_field`, images
in [0, 1]) that :func:`estimate_streak_angle` counts in full: an image with
less has its dominance scaled down in proportion. A share alone is blind to
how faint the structure is, and the sub-grey-level ridges of a smooth
gradient could look like slanted rain; rainy train and val photographs
measure 1.6e-3 or more, dry ones 8.9e-5 or more."""


def _grey_opening(image: torch.Tensor, size: int) -> torch.Tensor:
    """Grey-level opening (minimum, then maximum, over ``size`` x ``size``
    windows; replicated edges) of ``B x 1 x H x W``: bright structure
    narrower than ``size`` pixels is flattened, everything else kept."""
    half = size // 2
    eroded = -F.max_pool2d(F.pad(-image, (half, half, half, half), mode='replicate'),
                           size, stride=1)
    return F.max_pool2d(F.pad(eroded, (half, half, half, half), mode='replicate'),
                        size, stride=1)


def _thin_bright_detail(images: torch.Tensor) -> torch.Tensor:
    """``B x 1 x H x W`` map of thin bright structure, >= 0: the white
    top-hat of the luminance (the luminance minus its grey opening over
    :data:`TOP_HAT_SIZE` pixels), blurred with sigma 1 pixel."""
    luma = _luminance(images.float())
    return _gaussian_blur(luma - _grey_opening(luma, TOP_HAT_SIZE))


def _orientation_field(detail: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Local orientation of ``B x 1 x H x W`` thin-bright structure.

    Returns:
        ``(energy, angle)``, each ``B x 1 x H x W``: the anisotropic energy
        (difference of the eigenvalues of the Sobel structure tensor
        averaged over 5 x 5 windows), >= 0, and the orientation of the
        structure in radians from vertical, in [-pi/2, pi/2], in the
        convention of :func:`estimate_streak_angle`.
    """
    sobel_x = detail.new_tensor([[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]]).view(1, 1, 3, 3)
    padded = F.pad(detail, (1, 1, 1, 1), mode='replicate')
    grad_x = F.conv2d(padded, sobel_x)
    grad_y = F.conv2d(padded, sobel_x.transpose(2, 3))
    xx = _box_blur(grad_x * grad_x, 5)
    yy = _box_blur(grad_y * grad_y, 5)
    xy = _box_blur(grad_x * grad_y, 5)
    energy = torch.sqrt((xx - yy) ** 2 + 4 * xy ** 2)
    # Gradient orientation (from the x axis, y pointing down) equals minus
    # the streak's angle from vertical.
    return energy, -0.5 * torch.atan2(2 * xy, xx - yy)


def estimate_streak_angle(images: torch.Tensor, axis_margin: float = 0.0
                          ) -> Tuple[torch.Tensor, torch.Tensor]:
    """Dominant orientation of thin bright structure, per image.

    The white top-hat of the luminance (:data:`TOP_HAT_SIZE`) keeps thin
    bright lines such as rain streaks and drops edges and wider shapes; a
    Gaussian blur (sigma 1 pixel) takes the staircase off lines one pixel
    wide, which would pull the estimate towards the image axes. Its Sobel
    gradients form a structure tensor, averaged over 5 x 5 windows; each
    pixel votes for its orientation with its anisotropic energy (the
    difference of the tensor's eigenvalues) into a histogram of
    :data:`HISTOGRAM_BINS` bins over 180 degrees. The votes within
    ``axis_margin`` degrees of vertical or of horizontal are dropped; the
    peak of the rest is taken over a circular window of
    ``2 * PEAK_HALF_WIDTH + 1`` bins.

    Args:
        images: ``B x 3 x H x W`` float RGB in [0, 1].
        axis_margin: degrees in [0, 45); 0 looks at every orientation.

    Returns:
        ``(angle, dominance)``, each a float tensor of shape ``B``: ``angle``
        in degrees from vertical in [-90, 90), in the convention of
        :class:`cpra_mm.rain.RainParams` (positive: the streak's lower end
        lies to the right of its upper end), never within ``axis_margin``
        of an axis; ``dominance`` in [0, 1], the share of the oriented
        energy kept that lies within 5 degrees of ``angle`` (of
        :data:`ENERGY_FLOOR` per pixel, where the energy kept is less; 0 for
        an image without any such structure).

    Raises:
        ValueError: ``axis_margin`` out of its range.
    """
    if not 0 <= axis_margin < 45:
        raise ValueError(f'axis_margin must be in [0, 45), got {axis_margin}')
    energy, streak = _orientation_field(_thin_bright_detail(images))
    energy, streak = energy.flatten(1), streak.flatten(1)
    bins = ((streak + math.pi / 2) / math.pi * HISTOGRAM_BINS).long() % HISTOGRAM_BINS
    histogram = energy.new_zeros(energy.shape[0], HISTOGRAM_BINS)
    histogram.scatter_add_(1, bins, energy)
    centres = (torch.arange(HISTOGRAM_BINS, device=histogram.device) + 0.5) * (
        180.0 / HISTOGRAM_BINS) - 90.0
    oblique = (centres.abs() >= axis_margin) & (centres.abs() <= 90.0 - axis_margin)
    histogram = histogram * oblique
    window = 2 * PEAK_HALF_WIDTH + 1
    wrapped = torch.cat([histogram[:, -PEAK_HALF_WIDTH:], histogram,
                         histogram[:, :PEAK_HALF_WIDTH]], dim=1)
    peak_mass = F.avg_pool1d(wrapped.unsqueeze(1), window, stride=1).squeeze(1) * window
    mass, peak = peak_mass.masked_fill(~oblique, -1.0).max(dim=1)
    total = histogram.sum(dim=1)
    floor = ENERGY_FLOOR * energy.shape[1]
    dominance = torch.where(total > 0, mass / total.clamp_min(floor), torch.zeros_like(total))
    angle = centres[peak].to(histogram.dtype)
    return angle, dominance


def line_periodicity(images: torch.Tensor, angles: torch.Tensor) -> torch.Tensor:
    """How strongly the thin bright structure repeats itself side by side
    across the direction ``angles``, per image.

    The autocorrelation of the mean-free thin-bright map (as in
    :func:`estimate_streak_angle`), normalised by the overlap of each
    displacement and by its value at zero displacement, is searched for its
    peak among displacements of at most :data:`PERIODICITY_MAX_LAG` pixels
    (and a quarter of the image side) that lie at least
    :data:`PERIODICITY_MIN_OFFSET` pixels across the direction. Rain streaks
    fall at random places, so a streak's copy displaced sideways meets
    another streak only by chance; the lines of a grating, a grid or a
    panel meet their neighbours.

    Args:
        images: ``B x 3 x H x W`` float RGB in [0, 1].
        angles: ``B`` directions in degrees from vertical (as returned by
            :func:`estimate_streak_angle`).

    Returns:
        ``B`` floats in [0, 1]: about 1 for an evenly repeated pattern, near
        0 for structure at random places; 0 for an image without structure
        or too small to look at.
    """
    detail = _thin_bright_detail(images)[:, 0].double()
    batch, height, width = detail.shape
    lag = min(PERIODICITY_MAX_LAG, height // 4, width // 4)
    if lag <= PERIODICITY_MIN_OFFSET:
        return images.new_zeros(batch, dtype=torch.float32)
    detail = detail - detail.mean(dim=(-2, -1), keepdim=True)
    spectrum = torch.fft.rfft2(detail, s=(2 * height, 2 * width))
    correlation = torch.fft.irfft2(spectrum.abs() ** 2, s=(2 * height, 2 * width))
    steps = torch.arange(-lag, lag + 1, device=detail.device)
    dy, dx = torch.meshgrid(steps, steps, indexing='ij')
    overlap = (height - dy.abs()) * (width - dx.abs()) / (height * width)
    window = correlation[:, dy % (2 * height), dx % (2 * width)] / overlap
    window = window / correlation[:, :1, :1].clamp_min(1e-20)
    theta = torch.deg2rad(angles.to(detail)).view(-1, 1, 1)
    across = (dx * torch.cos(theta) - dy * torch.sin(theta)).abs()
    peak = torch.where(across >= PERIODICITY_MIN_OFFSET, window,
                       torch.zeros_like(window)).flatten(1).amax(dim=1)
    structured = correlation[:, 0, 0] > 1e-20
    return torch.where(structured, peak, torch.zeros_like(peak)).clamp(0, 1).float()


def gate_estimate(images: torch.Tensor, min_angle: float = MIN_ANGLE,
                  max_angle: float = MAX_ANGLE) -> Tuple[torch.Tensor, torch.Tensor]:
    """The streak angle and dominance the gate of :func:`alignment_decisions`
    judges: :func:`estimate_streak_angle` without the orientations within
    :data:`AXIS_MARGIN` degrees of the axes, or fewer where ``min_angle`` or
    ``max_angle`` reach into them (``0 <= min_angle <= max_angle < 90``).

    Returns:
        ``(angle, dominance)`` as :func:`estimate_streak_angle` returns them.
    """
    return estimate_streak_angle(images, axis_margin=min(AXIS_MARGIN, min_angle,
                                                         90.0 - max_angle))


def alignment_decisions(images: torch.Tensor, min_angle: float = MIN_ANGLE,
                        max_angle: float = MAX_ANGLE,
                        min_dominance: float = MIN_DOMINANCE,
                        max_periodicity: float = MAX_PERIODICITY
                        ) -> Tuple[torch.Tensor, List[bool]]:
    """Which images streak alignment derains on a sheared copy.

    An image is aligned when its estimated streak angle is ``min_angle`` to
    ``max_angle`` degrees from vertical (either way) with at least
    ``min_dominance`` (:func:`gate_estimate`) and its
    :func:`line_periodicity` along that angle is at most ``max_periodicity``.

    Args:
        images: ``B x 3 x H x W`` float RGB in [0, 1].
        min_angle, max_angle: slant range in degrees that is aligned,
            ``0 <= min_angle <= max_angle < 90``.
        min_dominance: in [0, 1].
        max_periodicity: in [0, 1]; 1 aligns regular patterns too.

    Returns:
        ``(angles, aligned)``: the ``B`` estimated angles (degrees) and one
        bool per image.

    Raises:
        ValueError: a setting out of its range.
    """
    if not 0 <= min_angle <= max_angle < 90:
        raise ValueError('need 0 <= min_angle <= max_angle < 90, got '
                         f'min_angle={min_angle}, max_angle={max_angle}')
    if not 0 <= min_dominance <= 1:
        raise ValueError(f'min_dominance must be in [0, 1], got {min_dominance}')
    if not 0 <= max_periodicity <= 1:
        raise ValueError(f'max_periodicity must be in [0, 1], got {max_periodicity}')
    angles, dominance = gate_estimate(images, min_angle, max_angle)
    slant = angles.abs()
    candidates = (slant >= min_angle) & (slant <= max_angle) & (dominance >= min_dominance)
    aligned = candidates.tolist()
    if any(aligned) and max_periodicity < 1:
        chosen = candidates.nonzero().flatten()
        periodicity = line_periodicity(images[chosen], angles[chosen])
        for index, value in zip(chosen.tolist(), periodicity.tolist()):
            aligned[index] = value <= max_periodicity
    return angles, aligned


def row_shifts(height: int, angle: float, device: torch.device) -> torch.Tensor:
    """Whole-pixel shift of each row that makes streaks at ``angle`` degrees
    from vertical stand upright: ``H`` integers, zero-centred."""
    rows = torch.arange(height, device=device, dtype=torch.float64) - (height - 1) / 2
    return torch.round(-rows * math.tan(math.radians(angle))).long()


def shear_rows(image: torch.Tensor, shifts: torch.Tensor) -> torch.Tensor:
    """Roll every row of ``image`` right by ``shifts`` pixels, wrapping
    around (no pixel is added or lost, so the streaks' surroundings are the
    image's own, at the same orientation; only a seam where the left and
    right borders meet is new).

    Args:
        image: ``B x C x H x W``.
        shifts: ``H`` integer shifts (from :func:`row_shifts`).

    Returns:
        ``B x C x H x W``; :func:`unshear_rows` with the same ``shifts``
        undoes it exactly.
    """
    width = image.shape[-1]
    columns = torch.arange(width, device=image.device)
    source = (columns.view(1, -1) - shifts.view(-1, 1)).remainder(width)
    return torch.gather(image, -1, source.expand_as(image))


def unshear_rows(sheared: torch.Tensor, shifts: torch.Tensor) -> torch.Tensor:
    """Undo :func:`shear_rows` with the same ``shifts``."""
    return shear_rows(sheared, -shifts)


def streak_aligned_forward(derainer: Callable[[torch.Tensor], torch.Tensor],
                           images: torch.Tensor, min_angle: float = MIN_ANGLE,
                           max_angle: float = MAX_ANGLE,
                           min_dominance: float = MIN_DOMINANCE,
                           max_periodicity: float = MAX_PERIODICITY) -> torch.Tensor:
    """Run ``derainer`` with streak alignment (see the module docstring).

    Images that :func:`alignment_decisions` picks (dominant thin bright
    structure slanted by ``min_angle`` to ``max_angle`` degrees from
    vertical, with at least ``min_dominance`` of the oriented energy and a
    :func:`line_periodicity` of at most ``max_periodicity``) are derained
    one at a time on a sheared copy of the same size; all others run
    together in one plain call.

    Args:
        derainer: maps ``B x 3 x H x W`` float RGB in [0, 1] to the same.
        images: ``B x 3 x H x W`` float RGB in [0, 1].
        min_angle, max_angle: slant range in degrees that is aligned,
            ``0 <= min_angle <= max_angle < 90``.
        min_dominance: in [0, 1].
        max_periodicity: in [0, 1].

    Returns:
        ``B x 3 x H x W``, in the dtype of ``derainer``'s output.
    """
    angles, aligned = alignment_decisions(images, min_angle, max_angle, min_dominance,
                                          max_periodicity)
    if not any(aligned):
        return derainer(images)
    outputs = [None] * images.shape[0]
    plain = [index for index, flag in enumerate(aligned) if not flag]
    if plain:
        for index, output in zip(plain, derainer(images[plain]).unbind(0)):
            outputs[index] = output
    for index in (index for index, flag in enumerate(aligned) if flag):
        image = images[index:index + 1]
        shifts = row_shifts(image.shape[-2], float(angles[index]), image.device)
        sheared = shear_rows(image, shifts)
        derained = derainer(sheared)
        change = unshear_rows(derained - sheared.to(derained.dtype), shifts)
        outputs[index] = (image.to(derained.dtype) + change).clamp(0, 1)[0]
    return torch.stack(outputs)
