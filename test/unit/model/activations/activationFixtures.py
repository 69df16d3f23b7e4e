#!/usr/bin/env python3
"""Models and PyTorch reference activations for the layer-activation tests (Debian python3-torch,
python3-torchvision, python3-onnx; run with /usr/bin/python3).

  --make-split --share K --out DIR
      Two DeepVariant-contract ONNX models (DIR/a, DIR/b) of five conv blocks (Conv 3x3 + ReLU,
      max pooling after blocks 2 and 4) and a dense head. B is a copy of A whose blocks after
      block K (and head) are re-initialised with another seed: the two share weights exactly
      through block K. DIR/a_copy holds A's weights exported a second time (an identical model).

  --reference KIND --model ONNX_OR_DIR --pixels U8 --height H --width W --channels C --out PREFIX
      Runs the PyTorch model of KIND on N uint8 H*W*C images scaled by (x - 128) / 128 and
      writes the outputs of its layers (forward hooks) to PREFIX.json (names, shapes) and
      PREFIX.f32 (float32, layer after layer, in the order of PREFIX.json). KIND:
        split    the model of --make-split (weights loaded from the ONNX file's initializers)
        demo     scripts/train/train.py's DemoCnn (weights from the demo model's initializers)
        inception_v3   scripts/makeInceptionOnnx.py's seeded InceptionV3 (--seed S)
"""
import argparse
import importlib.util
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Nhwc(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.softmax(self.net(x.permute(0, 3, 1, 2)), dim=1)


def split_net(channels):
    return nn.Sequential(
        nn.Conv2d(channels, 16, 3, padding=1), nn.ReLU(),                      # block 1: 0, 1
        nn.Conv2d(16, 24, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),          # block 2: 2, 3, 4
        nn.Conv2d(24, 32, 3, padding=1), nn.ReLU(),                           # block 3: 5, 6
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),          # block 4: 7, 8, 9
        nn.Conv2d(32, 48, 3, padding=1), nn.ReLU(),                           # block 5: 10, 11
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(48, 3),
    )


SPLIT_BLOCK_ENDS = [1, 4, 6, 9, 11]          # module index of each block's last layer
SPLIT_BLOCK_FIRST = [0, 2, 5, 7, 10]


def export(model, out, h, w, channels, ids):
    os.makedirs(out, exist_ok=True)
    dummy = torch.zeros(2, h, w, channels)
    with torch.no_grad():
        torch.onnx.export(model, dummy, os.path.join(out, 'model.onnx'), input_names=['input'], output_names=['probabilities'],
                          dynamic_axes={'input': {0: 'batch'}, 'probabilities': {0: 'batch'}}, opset_version=13, do_constant_folding=True)
    with open(os.path.join(out, 'example_info.json'), 'w') as f:
        json.dump({'version': '1.5.0', 'shape': [h, w, channels], 'channels': ids}, f)


def load_onnx_weights(model, path):
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    state = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in m.graph.initializer}
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    if missing:
        raise SystemExit(f'{path}: initializers missing for {missing}')
    model.load_state_dict({k: state[k] for k in own})
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--make-split', action='store_true')
    ap.add_argument('--share', type=int, default=3)
    ap.add_argument('--reference', choices=['split', 'demo', 'inception_v3'])
    ap.add_argument('--model')
    ap.add_argument('--pixels')
    ap.add_argument('--height', type=int, default=100)
    ap.add_argument('--width', type=int, default=221)
    ap.add_argument('--channels', default='1,2,3,4,5,6,19')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    ids = [int(c) for c in a.channels.split(',')]
    torch.set_num_threads(1)

    if a.make_split:
        torch.manual_seed(a.seed)
        net_a = split_net(len(ids))
        torch.manual_seed(a.seed + 1000)
        fresh = split_net(len(ids))
        net_b = split_net(len(ids))
        net_b.load_state_dict(net_a.state_dict())
        first_new = SPLIT_BLOCK_FIRST[a.share] if a.share < len(SPLIT_BLOCK_FIRST) else len(net_a)
        for i in range(first_new, len(net_b)):
            net_b[i].load_state_dict(fresh[i].state_dict())
        export(Nhwc(net_a).eval(), os.path.join(a.out, 'a'), a.height, a.width, len(ids), ids)
        export(Nhwc(net_a).eval(), os.path.join(a.out, 'a_copy'), a.height, a.width, len(ids), ids)
        export(Nhwc(net_b).eval(), os.path.join(a.out, 'b'), a.height, a.width, len(ids), ids)
        return 0

    raw = np.fromfile(a.pixels, dtype=np.uint8).reshape(-1, a.height, a.width, len(ids))
    x = torch.from_numpy((raw.astype(np.float32) - 128.0) / 128.0)
    hooks = []  # (name, module)
    if a.reference == 'split':
        model = load_onnx_weights(Nhwc(split_net(len(ids))), a.model).eval()
        hooks = [(f'conv{i + 1}', model.net[e]) for i, e in enumerate(SPLIT_BLOCK_ENDS)]
    elif a.reference == 'demo':
        train = load_module(os.path.join(ROOT, 'scripts', 'train', 'train.py'), 'train')
        model = load_onnx_weights(train.DeepVariantContract(train.DemoCnn()), a.model).eval()
        hooks = [('conv1', model.net.features[2]), ('conv2', model.net.features[5]), ('conv3', model.net.features[7])]
    else:
        mk = load_module(os.path.join(ROOT, 'scripts', 'makeInceptionOnnx.py'), 'mk')
        torch.manual_seed(a.seed)
        net = mk.inception(len(ids))
        model = mk.Nhwc(net, softmax=True).eval()
        names = ['Mixed_5b', 'Mixed_5c', 'Mixed_5d', 'Mixed_6a', 'Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e', 'Mixed_7a', 'Mixed_7b', 'Mixed_7c']
        hooks = [('stem', net.maxpool2)] + [(n, getattr(net, n)) for n in names]
    got = {}
    for name, mod in hooks:
        mod.register_forward_hook(lambda _m, _i, out, name=name: got.__setitem__(name, out.detach().numpy().astype(np.float32)))
    with torch.no_grad():
        probs = model(x).numpy()
    header = {'outputs': probs.tolist(), 'layers': [{'name': n, 'dims': list(got[n].shape)} for n, _ in hooks]}
    with open(a.out + '.f32', 'wb') as f:
        for n, _ in hooks:
            f.write(np.ascontiguousarray(got[n]).tobytes())
    with open(a.out + '.json', 'w') as f:
        json.dump(header, f)
    return 0


if __name__ == '__main__':
    sys.exit(main())
