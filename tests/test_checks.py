"""The one integer check and the one k check, at the public edge."""

import numpy as np
import pytest

from mnist_clustering.checks import check_int, check_n_clusters


@pytest.mark.parametrize("value", [True, False, 2.0, 1.5, "3", None, [2]])
def test_check_int_refuses_what_is_not_an_integer(value):
    with pytest.raises(ValueError, match=r"^workers must be an integer >= 1, got "):
        check_int(value, "workers", min_val=1)


def test_check_int_names_the_bounds_and_accepts_numpy_integers():
    assert check_int(np.int32(4), "n", min_val=1, max_val=4) == 4
    assert type(check_int(np.int64(4), "n")) is int
    with pytest.raises(ValueError, match=r"^test_size must be an integer >= 1 and <= 9, got 10$"):
        check_int(10, "test_size", min_val=1, max_val=9)
    with pytest.raises(ValueError, match=r"^n must be an integer >= 1, got 0$"):
        check_int(0, "n", min_val=1)


@pytest.mark.parametrize("k, n, match", [
    (True, 10, "n_clusters must be an integer"),
    (3, 0, "the number of samples must be an integer >= 1"),
    (11, 10, "n_clusters=11 is larger than the number of samples n=10"),
])
def test_check_n_clusters_says_what_is_wrong(k, n, match):
    with pytest.raises(ValueError, match=match):
        check_n_clusters(k, n)
