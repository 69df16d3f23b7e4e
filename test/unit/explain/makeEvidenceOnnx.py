#!/usr/bin/env python3
"""Writes small hand-built DeepVariant-contract ONNX models that depend on known evidence, for
the explanation tests (test/unit/explain). Input NHWC float32 [N, H, W, C] already scaled by
(x - 128) / 128 (docs/deepvariant.md §5), output softmax [N, 3] (hom-ref, het, hom-alt).
Pixel values are our encoder's (src/core/pileup/pileupEncoder.ts): supports 254 -> 0.984,
does not support 152 -> 0.1875, empty 0 -> -1.

  supports-centre   only channel id 5 (read supports variant) at the centre column: the count
                    of supporting reads s; logits [3 - 0.6 s, 0.6 s - 3, -2]
  supports-centre-homalt  the same count, but logits [3 - 0.6 s, -2, 0.6 s - 3] (other weights)
  first-row         only the first read row (row 5) of channel id 1 (read base): its mean
  any-alt           only whether any read row supports the variant at the centre column (max),
                    so it ignores depth
  presence-bq       only the number of reads with a base-quality pixel at the centre column
                    (channel id 2 > 0): an all-zero base-quality channel reads as "no reads"

usage: makeEvidenceOnnx.py --kind KIND --channels 1,2,3,4,5,6,19 --out DIR
Needs Debian python3-torch and python3-onnx (/usr/bin/python3).
"""
import argparse
import json
import os
import sys

import torch
import torch.nn as nn

BAND = 5


class Evidence(nn.Module):
    def __init__(self, kind: str, channels: list, height: int, width: int):
        super().__init__()
        self.kind = kind
        self.slot = {cid: i for i, cid in enumerate(channels)}
        self.centre = (width - 1) // 2
        self.height = height

    def forward(self, x):
        c = self.centre
        if self.kind in ('supports-centre', 'supports-centre-homalt'):
            v = x[:, BAND:, c, self.slot[5]]
            s = torch.relu(v - 0.5).sum(dim=1) / 0.484375
            a = 3.0 - 0.6 * s
            b = 0.6 * s - 3.0
            k = torch.full_like(s, -2.0)
            logits = torch.stack([a, b, k] if self.kind == 'supports-centre' else [a, k, b], dim=1)
        elif self.kind == 'first-row':
            v = x[:, BAND, :, self.slot[1]]
            f = (v + 1.0).mean(dim=1)
            logits = torch.stack([2.0 * f, torch.ones_like(f), torch.zeros_like(f)], dim=1)
        elif self.kind == 'any-alt':
            m = x[:, BAND:, c, self.slot[5]].max(dim=1).values
            logits = torch.stack([-8.0 * (m - 0.6), 8.0 * (m - 0.6), torch.full_like(m, -4.0)], dim=1)
        elif self.kind == 'presence-bq':
            v = x[:, BAND:, c, self.slot[2]]
            n = torch.clamp((v + 1.0) * 4.0, 0.0, 1.0).sum(dim=1)
            logits = torch.stack([-0.3 * (n - 10.0), 0.3 * (n - 10.0), torch.full_like(n, -5.0)], dim=1)
        else:
            raise ValueError(self.kind)
        return torch.softmax(logits, dim=1)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--kind', required=True)
    ap.add_argument('--channels', default='1,2,3,4,5,6,19')
    ap.add_argument('--height', type=int, default=100)
    ap.add_argument('--width', type=int, default=221)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    channels = [int(c) for c in a.channels.split(',')]
    model = Evidence(a.kind, channels, a.height, a.width).eval()
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, 'model.onnx')
    dummy = torch.zeros(2, a.height, a.width, len(channels))
    with torch.no_grad():
        torch.onnx.export(model, dummy, path, input_names=['input'], output_names=['probabilities'],
                          dynamic_axes={'input': {0: 'batch'}, 'probabilities': {0: 'batch'}}, opset_version=13)
    with open(os.path.join(a.out, 'example_info.json'), 'w') as f:
        json.dump({'version': '1.6.0', 'shape': [a.height, a.width, len(channels)], 'channels': channels}, f)
    print(path, os.path.getsize(path))
    return 0


if __name__ == '__main__':
    sys.exit(main())
