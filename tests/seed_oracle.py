"""A slow, plain-Python oracle of the label scores of the 2022 notebook.

The 2022 notebook "Images Entières - MNIST" (2022) scored a clustering with a handful of
loops over the images. This module does what those loops did, written here from their
documented behaviour: plain Python lists, dictionaries and ``math``, no numpy and nothing
of ``mnist_clustering``, so that it fails in other ways than the package's vectorised
scores (``mnist_clustering.metrics``) and its copy of the 2022 bugs
(``mnist_clustering.notebook2022``) it is compared with.

What it reproduces, the 2022 notebook's bugs included on purpose:

* a cluster's digit is the most frequent digit among its images, counted over the ten
  digits 0-9; a tie goes to the smallest digit, and a cluster without images gets 0;
* the errors of a clustering are the images whose digit differs from their cluster's
  digit. To find an image's cluster it searched, for each image, the clusters' lists of
  image positions in order until one contained it, so the count costs a time quadratic
  in the number of images (the benchmark of the label scores times exactly that);
* its "weighted mean entropy" treated each cluster's list of image *positions* as
  unnormalised probabilities (not the digits in it): the entropy of those weights,
  weighted by the cluster's size and divided by the number of images. A cluster made of
  image 0 alone has weights summing to 0, so its entropy, and the mean, is NaN; an empty
  cluster adds nothing;
* its "top 5" kept five slots starting at 0 and, for each value in list order, wrote
  the value into the first slot it exceeds, overwriting what was there instead of
  moving the smaller values down, and recorded the value's list position plus 2 as its
  k. So its five values need not be the five largest, a value that exceeds no slot
  (any value <= 0, or NaN) is never recorded, and the "k" is right only on a grid
  2, 3, 4, ...
"""

import math

DIGITS = range(10)


def cluster_members(clusters, cluster):
    """Positions of the images in ``cluster``, in increasing order."""
    members = []
    for position, label in enumerate(clusters):
        if label == cluster:
            members.append(position)
    return members


def majority_digit(members, digits):
    """The most frequent digit among the images at ``members`` (ties: the smallest; none: 0)."""
    counts = dict.fromkeys(DIGITS, 0)
    for position in members:
        counts[int(digits[position])] += 1
    best = 0
    for digit in DIGITS:
        if counts[digit] > counts[best]:
            best = digit
    return best


def errors_in_cluster(members, digits):
    """How many images at ``members`` do not carry their cluster's majority digit."""
    label = majority_digit(members, digits)
    return sum(1 for position in members if digits[position] != label)


def predicted_digits(clusters, n_clusters, digits):
    """Each image's cluster digit, found the quadratic way: search the clusters' member
    lists in order until one holds the image."""
    groups = [cluster_members(clusters, cluster) for cluster in range(n_clusters)]
    labels = [majority_digit(group, digits) for group in groups]
    predicted = []
    for position in range(len(clusters)):
        which = 0
        while position not in groups[which]:
            which += 1
        predicted.append(labels[which])
    return predicted


def total_errors(clusters, n_clusters, digits):
    """How many images carry another digit than their cluster's (via :func:`predicted_digits`)."""
    predicted = predicted_digits(clusters, n_clusters, digits)
    return sum(1 for position in range(len(clusters)) if digits[position] != predicted[position])


def _entropy_of_weights(weights):
    """Entropy (nats) of non-negative weights taken as unnormalised probabilities."""
    if not weights:
        return 0.0
    total = sum(weights)
    if total == 0:
        return math.nan
    entropy = 0.0
    for weight in weights:
        if weight > 0:
            share = weight / total
            entropy -= share * math.log(share)
    return entropy


def index_entropy(clusters, n_clusters):
    """The 2022 "weighted mean entropy": the entropy of each cluster's image *positions*,
    weighted by the cluster's size, over the number of images (NaN: see the module)."""
    weighted = 0.0
    for cluster in range(n_clusters):
        members = cluster_members(clusters, cluster)
        weighted += len(members) * _entropy_of_weights(members)
    return weighted / len(clusters)


def top5_as_in_2022(values):
    """The 2022 "top 5": (the five slots, the "k" recorded for each), bugs included."""
    slots = [0, 0, 0, 0, 0]
    ks = [0, 0, 0, 0, 0]
    for position, value in enumerate(values):
        slot = 0
        while slot < 5 and not value > slots[slot]:
            slot += 1
        if slot < 5:
            slots[slot] = value
            ks[slot] = position + 2
    return slots, ks
