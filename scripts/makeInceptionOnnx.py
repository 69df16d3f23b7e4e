#!/usr/bin/env python3
"""Writes a DeepVariant-contract ONNX model with random (seeded) weights, for tests and benches.

Contract (docs/deepvariant.md §5): input NHWC float32 [N, H, W, C] already scaled by (x - 128) / 128,
output softmax [N, 3] in the order hom-ref, het, hom-alt.

  --arch inception_v3   torchvision's InceptionV3 (aux_logits=False, num_classes=3), the
                        architecture of DeepVariant's 1.5 Slim and 1.6+ Keras models (~90 MB)
  --arch small          a 4-layer conv net of a few hundred KB, for fast tests

Also writes example_info.json next to the model ({"version", "shape", "channels"}, docs/deepvariant.md §2.7).
Needs Debian python3-torch, python3-torchvision, python3-onnx (for /usr/bin/python3).

usage: makeInceptionOnnx.py --arch inception_v3 --channels 1,2,3,4,5,6,19 --out DIR [--fixed-batch 1] [--logits] [--seed 1]
       makeInceptionOnnx.py --arch ... --channels ... --seed S --predict PIXELS.u8
           runs the same seeded PyTorch model (not the ONNX file) on N uint8 H*W*C images
           and prints their outputs as JSON: the reference tests compare our ONNX path with.
"""
import argparse
import json
import os
import sys

import torch
import torch.nn as nn


class Nhwc(nn.Module):
    """Takes NHWC like TensorFlow models; permutes to NCHW for torch layers; ends in softmax."""

    def __init__(self, net: nn.Module, softmax: bool):
        super().__init__()
        self.net = net
        self.softmax = softmax

    def forward(self, x):
        y = self.net(x.permute(0, 3, 1, 2))
        return torch.softmax(y, dim=1) if self.softmax else y


def small_net(channels: int) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(channels, 16, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(64, 64, 3, stride=2, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 3),
    )


def inception(channels: int) -> nn.Module:
    import torchvision
    net = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False,
                                          num_classes=3, transform_input=False)
    # DeepVariant feeds C channels, not RGB: replace the stem convolution's input width.
    old = net.Conv2d_1a_3x3.conv
    net.Conv2d_1a_3x3.conv = nn.Conv2d(channels, old.out_channels, kernel_size=old.kernel_size,
                                       stride=old.stride, bias=False)
    return net


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--arch', choices=['inception_v3', 'small'], required=True)
    ap.add_argument('--channels', default='1,2,3,4,5,6,19')
    ap.add_argument('--height', type=int, default=100)
    ap.add_argument('--width', type=int, default=221)
    ap.add_argument('--out', help='output directory (model.onnx, example_info.json)')
    ap.add_argument('--predict', help='uint8 N*H*W*C file to run through the PyTorch model')
    ap.add_argument('--fixed-batch', type=int, default=0, help='0 = dynamic batch')
    ap.add_argument('--logits', action='store_true', help='omit the softmax (to test the logits check)')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--opset', type=int, default=13)
    a = ap.parse_args()

    channels = [int(c) for c in a.channels.split(',')]
    torch.manual_seed(a.seed)
    net = inception(len(channels)) if a.arch == 'inception_v3' else small_net(len(channels))
    model = Nhwc(net, softmax=not a.logits).eval()
    if a.predict:
        import numpy as np
        raw = np.fromfile(a.predict, dtype=np.uint8).reshape(-1, a.height, a.width, len(channels))
        x = torch.from_numpy((raw.astype(np.float32) - 128.0) / 128.0)
        with torch.no_grad():
            print(json.dumps(model(x).tolist()))
        return 0
    if not a.out:
        ap.error('--out is required')
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, 'model.onnx')
    batch = a.fixed_batch or 2
    dummy = torch.zeros(batch, a.height, a.width, len(channels))
    dynamic = None if a.fixed_batch else {'input': {0: 'batch'}, 'probabilities': {0: 'batch'}}
    with torch.no_grad():
        torch.onnx.export(model, dummy, path, input_names=['input'], output_names=['probabilities'],
                          dynamic_axes=dynamic, opset_version=a.opset, do_constant_folding=True)
    with open(os.path.join(a.out, 'example_info.json'), 'w') as f:
        json.dump({'version': '1.5.0', 'shape': [a.height, a.width, len(channels)], 'channels': channels}, f)
    print(path, os.path.getsize(path))
    return 0


if __name__ == '__main__':
    sys.exit(main())
