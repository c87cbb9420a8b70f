#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Differential fuzz of hardshim's JSON core against the Go oracle (runc's decoder).

Mutates the accepted corpus configs with the bytes that matter for threat 1 (escapes, bad
UTF-8, folded letters, case variants, nulls, out-of-range numbers, \\f) and, for every
mutant hardshim accepts, requires the Go decoding of the original and of hardshim's
canonical output to be identical. Deterministic for a seed; failing inputs are kept.

usage: fuzz-differential.py --hardshim BIN --oracle BIN --policy FILE --corpus DIR
                            --work DIR [--seed N] [--count N]
"""
import argparse
import glob
import os
import random
import subprocess
import sys

TOKENS = [b'"', b'\\', b'\\u0000', b'\\ud800', b'\\udc00', b'\\u017f', b'\xc5\xbf',
          b'\xe2\x84\xaa', b'\xc4\xb1', b'\xc4\xb0', b'K', b'null', b',', b':', b'{', b'}',
          b'[', b']', b'-0', b'1.0', b'1e3', b'\x00', b'\xff', b'\xc0\x80', b' ', b'\t', b'\f',
          b'\v', b'4294967296', b'-1', b'"x":null,', b'"x":{"y":null},', b'true', b'\\/',
          b'\xed\xa0\x80', b'\xf0\x9f\x98\x80', b'\\"', b'READONLY', b'Uid', b'/*c*/', b'{}']


def mutate(rng, doc):
    s = bytearray(doc)
    for _ in range(rng.randint(1, 3)):
        op, i = rng.random(), rng.randrange(len(s) + 1)
        if op < 0.4:
            s[i:i] = rng.choice(TOKENS)
        elif op < 0.6 and len(s) > 1:
            del s[i:i + rng.randint(1, 4)]
        elif op < 0.8 and i < len(s):
            s[i] = rng.randrange(256)
        else:  # upper-case the first letter of the next key or string
            j = s.find(b'"', i)
            if 0 <= j < len(s) - 2 and 0x61 <= s[j + 1] <= 0x7a:
                s[j + 1] -= 0x20
    return bytes(s)


def main():
    ap = argparse.ArgumentParser()
    for a in ('--hardshim', '--oracle', '--policy', '--corpus', '--work'):
        ap.add_argument(a, required=True)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=1000)
    o = ap.parse_args()
    rng = random.Random(o.seed)
    seeds = [open(f, 'rb').read() for f in sorted(glob.glob(os.path.join(o.corpus, 'accept-*.json')))]
    inp, out = os.path.join(o.work, 'in.json'), os.path.join(o.work, 'out.json')
    accepted = refused = failures = 0
    for n in range(o.count):
        doc = mutate(rng, rng.choice(seeds))
        with open(inp, 'wb') as f:
            f.write(doc)
        if os.path.exists(out):
            os.unlink(out)
        r = subprocess.run([o.hardshim, 'check', '--policy', o.policy, '--format', 'json',
                            '--output', out, inp], capture_output=True)
        if r.returncode == 1:
            refused += 1
            continue
        why = None
        if r.returncode != 0:
            why = 'hardshim exit %d: %r' % (r.returncode, r.stderr[:300])
        else:
            accepted += 1
            a = subprocess.run([o.oracle, inp], capture_output=True)
            b = subprocess.run([o.oracle, out], capture_output=True)
            if a.returncode != b.returncode or a.stdout != b.stdout:
                why = 'Go reads the original (exit %d) and the canonical output (exit %d) ' \
                      'differently: %r' % (a.returncode, b.returncode, (a.stderr or b.stderr)[:300])
        if why:
            failures += 1
            keep = os.path.join(o.work, 'failure-%d.json' % n)
            with open(keep, 'wb') as f:
                f.write(doc)
            print('%s: %s' % (keep, why))
    print('seed %d: %d mutants, %d refused, %d accepted, %d failures' %
          (o.seed, o.count, refused, accepted, failures))
    # A fuzz that accepts nothing (or refuses nothing) tests nothing.
    return 1 if failures or accepted < o.count // 20 or refused < o.count // 20 else 0


if __name__ == '__main__':
    sys.exit(main())
