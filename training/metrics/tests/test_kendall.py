import math
import random
import unittest

from training.metrics.kendall import mae, tau_b


def tau_b_bruteforce(x, y):
    """Textbook definition via n0, n1, n2 (Knight's formula, written differently)."""
    n = len(x)
    n0 = n * (n - 1) // 2
    n1 = sum(1 for i in range(n) for j in range(i + 1, n) if x[i] == x[j])
    n2 = sum(1 for i in range(n) for j in range(i + 1, n) if y[i] == y[j])
    s = sum(((x[i] > x[j]) - (x[i] < x[j])) * ((y[i] > y[j]) - (y[i] < y[j])) for i in range(n) for j in range(i + 1, n))
    den = math.sqrt((n0 - n1) * (n0 - n2))
    return float('nan') if den == 0 else s / den


class KendallTest(unittest.TestCase):
    def test_scipy_docs_example(self):
        # scipy.stats.kendalltau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]).statistic
        self.assertAlmostEqual(tau_b([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]), -0.47140452079103173, places=12)

    def test_perfect_and_reversed(self):
        self.assertEqual(tau_b([1, 2, 3, 4], [10, 20, 30, 40]), 1.0)
        self.assertEqual(tau_b([1, 2, 3, 4], [4, 3, 2, 1]), -1.0)

    def test_ties(self):
        self.assertAlmostEqual(tau_b([1, 2, 2, 3], [1, 3, 2, 2]), 0.4, places=12)
        self.assertTrue(math.isnan(tau_b([1, 1, 1], [1, 2, 3])))

    def test_matches_definition_on_random_ties(self):
        rng = random.Random(0)
        for _ in range(50):
            n = rng.randint(2, 30)
            x = [rng.randint(0, 5) for _ in range(n)]
            y = [rng.randint(0, 5) for _ in range(n)]
            a, b = tau_b(x, y), tau_b_bruteforce(x, y)
            if math.isnan(b):
                self.assertTrue(math.isnan(a))
            else:
                self.assertAlmostEqual(a, b, places=12)

    def test_length_mismatch(self):
        with self.assertRaises(ValueError):
            tau_b([1], [1, 2])

    def test_mae(self):
        self.assertEqual(mae([1, 2, 3], [2, 2, 5]), 1.0)
        self.assertTrue(math.isnan(mae([], [])))


if __name__ == '__main__':
    unittest.main()
