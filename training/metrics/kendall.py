"""Kendall's tau-b and mean absolute error, dependency-free (Debian's python3 has no scipy here).

tau_b handles ties like scipy.stats.kendalltau (variant 'b'):
    tau_b = (C - D) / sqrt((C + D + T_y) * (C + D + T_x))
with C/D the concordant/discordant pairs, T_x the pairs tied only in x and T_y those tied only in y
(pairs tied in both count nowhere). O(n^2), fine for a few hundred architectures.
"""
import math


def tau_b(x, y):
    x, y = list(x), list(y)
    n = len(x)
    if n != len(y):
        raise ValueError('tau_b: lengths differ (%d vs %d)' % (n, len(y)))
    c = d = tx = ty = 0
    for i in range(n):
        xi, yi = x[i], y[i]
        for j in range(i + 1, n):
            dx = (xi > x[j]) - (xi < x[j])
            dy = (yi > y[j]) - (yi < y[j])
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                tx += 1
            elif dy == 0:
                ty += 1
            elif dx == dy:
                c += 1
            else:
                d += 1
    den = math.sqrt((c + d + tx) * (c + d + ty))
    return float('nan') if den == 0 else (c - d) / den


def mae(pred, target):
    pred, target = list(pred), list(target)
    if len(pred) != len(target) or not pred:
        return float('nan')
    return sum(abs(a - b) for a, b in zip(pred, target)) / len(pred)
