"""Shared pytest set-up: deterministic seeds and two CPU threads."""
import numpy as np
import pytest
import torch


@pytest.fixture(autouse=True)
def _seed_everything():
    torch.manual_seed(0)
    np.random.seed(0)
    yield


def pytest_configure(config):
    torch.set_num_threads(2)
