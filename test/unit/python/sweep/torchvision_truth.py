#!/usr/bin/python3
"""Params and state_dict sizes of every torchvision 0.14 classification builder (except the huge ones), as JSON."""
import json, warnings
warnings.filterwarnings('ignore')
import torch, torchvision
torch.set_num_threads(1)
names = torchvision.models.list_models(module=torchvision.models)
skip = {'vit_h_14','regnet_y_128gf','vit_l_16','vit_l_32','regnet_y_32gf','regnet_y_16gf','regnet_x_32gf'}
out = {}
for n in names:
    if n in skip: continue
    try:
        m = torchvision.models.get_model(n)
        sd = m.state_dict()
        out[n] = [sum(p.numel() for p in m.parameters()), len(sd), [k for k in sd][:3]]
    except Exception as e:
        out[n] = str(e)
    del m
print(json.dumps(out))
