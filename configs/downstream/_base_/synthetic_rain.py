# Synthetic rain for the downstream configs (cpra_mm's AddRain).
#
# Test and val images get fixed rain: with `seed`, the rain of an image
# depends only on the seed and the image's path, so the rainy baseline and
# the derained chain see exactly the same rainy images in every run, worker
# and process. Training images get fresh rain every epoch (seed=None).
rain = dict(
    density=(10.0, 40.0),
    length=(10.0, 40.0),
    angle=(-20.0, 20.0),
    width=(1.0, 2.0),
    intensity=(0.3, 0.7),
    layers=(1, 3),
    haze=0.0)
rain_test_seed = 0
