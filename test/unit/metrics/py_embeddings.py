#!/usr/bin/python3
"""Graph embeddings from the training package, for embedding-vs-python.test.ts.

    /usr/bin/python3 test/unit/metrics/py_embeddings.py OUT_DIR

Saves a GHN-2 with seeded random weights to OUT_DIR/ghn.safetensors, samples one architecture of each
family of training/sampler.py (ground-truth seeds 7_000_000 + i), and prints JSON
{"ghn": path, "cases": [{"spec", "params", "nodes", "mean"}]} where mean is the mean over nodes of the
GHN's node embeddings after its final LayerNorm, from the traced PyTorch model (training/graph.py): what
train_heads.py fits the metric heads on.
"""
import json
import os
import sys

import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, REPO)

from training import sampler  # noqa: E402
from training.ghn2 import GHN2  # noqa: E402
from training.graph import build_graph  # noqa: E402
from training.metrics.ground_truth import SEED_BASE  # noqa: E402


def main():
    out_dir = sys.argv[1]
    torch.manual_seed(0)
    ghn = GHN2().eval()
    path = os.path.join(out_dir, 'ghn.safetensors')
    ghn.save_safetensors(path)
    cases, families = [], set()
    with torch.no_grad():
        for i in range(40):
            spec = sampler.sample_spec(SEED_BASE + i)
            if spec['family'] in families:
                continue
            families.add(spec['family'])
            model = sampler.build(spec)
            g = build_graph(model, (3, 32, 32), config=ghn.config)
            x = ghn.embed_graphs([g])[0, :g.n_nodes]
            cases.append(dict(spec=spec, params=sampler.n_params(model), nodes=g.n_nodes, mean=x.mean(0).tolist()))
            if len(families) == len(sampler.FAMILIES):
                break
    print(json.dumps(dict(ghn=path, cases=cases)))


if __name__ == '__main__':
    main()
