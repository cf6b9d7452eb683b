#!/usr/bin/env python3
"""Generate Octavo's generic coated CMYK ICC output profile (CC0 1.0).

A *custom* output condition from a simple ink model, not a measured
characterisation (neither FOGRA39 nor GRACoL).  CMYK -> Lab is a Yule-Nielsen
modified Neugebauer model whose primaries come from published-typical coated
solids (overprints: ink films multiplied in a sharpened RGB basis, above a
first-surface reflection).  Lab -> CMYK is a per-node Levenberg-Marquardt fit
under a 300 % ink limit, with black pulled towards a GCR curve of lightness.
A2B1/B2A1 are media-relative colorimetric; A2B0/B2A0 (copied to the
saturation tags) add black point scaling so that rich black = PCS L* 0.

Writes an ICC v2.1 'prtr' profile (PCS Lab, lut16 tables), byte-identical on
every run, with the standard library only: python tools/make_cmyk_icc.py [OUT]
"""

from __future__ import annotations

import argparse
import itertools
import struct
import sys
from multiprocessing import Pool
from pathlib import Path

Vec3 = tuple[float, float, float]
Plane = list[float]

DESCRIPTION = "Octavo Generic Coated CMYK"
COPYRIGHT = "CC0 1.0: no rights reserved, Octavo project"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "styles/icc/OctavoGenericCMYK.icc"
CREATED = (2026, 1, 1, 0, 0, 0)
D50: Vec3 = (0.9642, 1.0, 0.8249)

PAPER: Vec3 = (95.0, 0.0, -2.0)  # published-typical coated solids, Lab D50/2 degrees
SOLIDS: tuple[Vec3, ...] = ((55.0, -37.0, -50.0), (48.0, 74.0, -3.0),
                            (89.0, -5.0, 93.0), (16.0, 0.0, 0.0))
# Sharp CAT basis (Suesstrunk et al. 2000), in which ink films multiply.
SHARP = ((1.2694, -0.0988, -0.1706), (-0.8364, 1.8006, 0.0357), (0.0297, -0.0315, 1.0018))
SURFACE = 0.012       # first-surface reflectance, spectrally flat
YN_N = 2.0            # Yule-Nielsen n (optical dot gain)
TVI_50 = 0.05         # mechanical tone value increase at 50 %
TAC = 3.0             # total area coverage limit (300 %)
GCR_L_START = 84.0    # lightness where black starts (about a 20 % grey)
GCR_L_FULL = 20.0     # lightness from which all of the matching black is aimed at
GCR_CHROMA = 100.0    # chroma at which the black aim has faded to zero
K_WEIGHT = 4.0        # weight of the black aim in the fit (dE per unit of ink)
BALANCE = 1.0         # weak pull towards balanced C, M, Y (settles rich blacks)
CLIP_L_WEIGHT = 0.5   # lightness weight when clipping out-of-gamut colours
GAMUT_DE = 2.0        # dE76 above which a Lab node is flagged out of gamut
A2B_GRID, B2A_GRID = 11, 33  # B2A_GRID - 1 must be even: 'gamt' takes every 2nd node


def lab_to_xyz(lab: Vec3) -> Vec3:
    fy = (lab[0] + 16.0) / 116.0
    fs = (fy + lab[1] / 500.0, fy, fy - lab[2] / 200.0)
    x, y, z = (w * (f ** 3 if f > 6 / 29 else 3 * (6 / 29) ** 2 * (f - 4 / 29))
               for w, f in zip(D50, fs))
    return x, y, z


def xyz_to_lab(xyz: Vec3) -> Vec3:
    fx, fy, fz = (t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29
                  for t in (v / w for v, w in zip(xyz, D50)))
    return (116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz))


def solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Solve a small linear system by Gaussian elimination with pivoting."""
    n = len(b)
    m = [row[:] + [v] for row, v in zip(a, b)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    x = [0.0] * n
    for r in reversed(range(n)):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def sharpen(xyz: Vec3) -> list[float]:
    return [sum(m * v for m, v in zip(row, xyz)) for row in SHARP]


class InkModel:
    """Yule-Nielsen modified Neugebauer model returning media-relative Lab."""

    def __init__(self) -> None:
        paper = lab_to_xyz(PAPER)
        self.scale = [w / p for w, p in zip(D50, paper)]
        rgb_paper, surf = sharpen(paper), sharpen((SURFACE * D50[0], SURFACE, SURFACE * D50[2]))
        films = [[(x - s) / (p - s) for x, s, p in zip(sharpen(lab_to_xyz(lab)), surf, rgb_paper)]
                 for lab in SOLIDS]
        self.roots: list[list[float]] = []
        for bits in itertools.product((0, 1), repeat=4):  # same order as lab()'s weights
            film = [1.0, 1.0, 1.0]
            for ink in (i for i, on in enumerate(bits) if on):
                film = [f * t for f, t in zip(film, films[ink])]
            rgb = [s + (p - s) * f for s, p, f in zip(surf, rgb_paper, film)]
            self.roots.append([v ** (1 / YN_N) for v in solve([list(r) for r in SHARP], rgb)])
        rich = (TAC - 1.0) / 3.0
        self.darkest = self.lab(rich, rich, rich, 1.0)[0]  # rich black lightness

    def lab(self, c: float, m: float, y: float, k: float) -> Vec3:
        weights = [1.0]
        for a in (c, m, y, k):  # Demichel weights of the 16 primaries
            a += 4.0 * TVI_50 * a * (1.0 - a)
            weights = [w * f for w in weights for f in (1.0 - a, a)]
        sx = sy = sz = 0.0
        for w, (rx, ry, rz) in zip(weights, self.roots):
            sx, sy, sz = sx + w * rx, sy + w * ry, sz + w * rz
        sc = self.scale
        return xyz_to_lab((sx ** YN_N * sc[0], sy ** YN_N * sc[1], sz ** YN_N * sc[2]))


def project(x: list[float], limit: float) -> list[float]:
    """Clamp inks to [0, 1], then remove equal amounts until sum <= limit."""
    x = [min(1.0, max(0.0, v)) for v in x]
    for _ in range(4):
        excess, live = sum(x) - limit, [v > 0.0 for v in x]
        if excess <= 1e-12 or not any(live):
            break
        x = [max(0.0, v - excess / sum(live)) if on else v for v, on in zip(x, live)]
    return x


def fit(model: InkModel, target: Vec3, start: list[float], k_aim: float) -> list[float]:
    """Projected Levenberg-Marquardt fit of C, M, Y, K to a Lab target.

    Three Lab residuals leave one degree of freedom, settled by weak residuals:
    black close to `k_aim` (the GCR choice) and C, M, Y balanced.
    """
    def residual(v: list[float]) -> tuple[list[float], float]:
        lab, mean = model.lab(*v), (v[0] + v[1] + v[2]) / 3.0
        r = [CLIP_L_WEIGHT * (lab[0] - target[0]), lab[1] - target[1], lab[2] - target[2],
             K_WEIGHT * (v[3] - k_aim)] + [BALANCE * (v[i] - mean) for i in range(3)]
        return r, sum(t * t for t in r)

    x = project(start, TAC)
    r, e = residual(x)
    mu = 1e-4
    for _ in range(60):
        cols = []
        for i in range(4):  # forward-difference Jacobian
            xh = x[:]
            xh[i] += 1e-4 if x[i] < 0.5 else -1e-4
            cols.append([(a - b) / (xh[i] - x[i]) for a, b in zip(residual(xh)[0], r)])
        grad = [sum(p * q for p, q in zip(col, r)) for col in cols]
        locked = [(v <= 0.0 and g > 0) or (v >= 1.0 and g < 0) for v, g in zip(x, grad)]
        jtj = [[0.0 if locked[p] or locked[q] else sum(a * b for a, b in zip(cols[p], cols[q]))
                for q in range(4)] for p in range(4)]
        for p in range(4):
            jtj[p][p] = 1.0 if locked[p] else jtj[p][p] * (1.0 + mu) + 1e-9
        step = solve(jtj, [0.0 if lk else -g for lk, g in zip(locked, grad)])
        if sum(x) >= TAC - 1e-9 and sum(step) > 0:  # slide along the TAC plane
            live = [p for p in range(4) if not locked[p]]
            step = [s - sum(step) / len(live) if p in live else s for p, s in enumerate(step)]
        trial = project([v + s for v, s in zip(x, step)], TAC)
        rt, et = residual(trial)
        if et >= e:
            mu = max(mu * 10.0, 1e-3)
        elif max(abs(a - b) for a, b in zip(trial, x)) < 1e-6 or e - et < 1e-10:
            return trial
        else:
            x, r, e, mu = trial, rt, et, mu * 0.1
        if mu > 1e4:
            break
    return x


def black_aim(model: InkModel, lightness: float) -> float:
    """GCR curve: a share, rising with darkness, of the black tint that alone
    is as dark as `lightness` (found by bisection).  Below solid black the aim
    passes 100 % so that rich blacks keep a solid, unscreened K."""
    solid = model.lab(0.0, 0.0, 0.0, 1.0)[0]
    if lightness < solid:
        return 2.0 - lightness / solid
    t = min(1.0, max(0.0, (GCR_L_START - lightness) / (GCR_L_START - GCR_L_FULL)))
    lo, hi = 0.0, 1.0
    for _ in range(20):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if model.lab(0.0, 0.0, 0.0, mid)[0] > lightness else (lo, mid)
    return t * (2.0 - t) * hi


def separate(model: InkModel, lab: Vec3, hint: list[float], k_neutral: float,
             ) -> tuple[list[float], float]:
    """Lab -> CMYK; returns the inks and their dE76 to `lab`."""
    target = (max(lab[0], model.darkest), lab[1], lab[2])  # darks clip to rich black
    chroma = (lab[1] ** 2 + lab[2] ** 2) ** 0.5
    inks = fit(model, target, hint, k_neutral * max(0.0, 1.0 - chroma / GCR_CHROMA))
    return inks, sum((a - b) ** 2 for a, b in zip(model.lab(*inks), lab)) ** 0.5


def node_lightness(i: float) -> float:
    """Lightness of (fractional) B2A grid index i (see `lightness_curve`)."""
    return i * 100.0 / (B2A_GRID - 1)


def b2a_plane(li: int) -> tuple[Plane, list[int]]:
    """Colorimetric CMYK entries and gamut flags of one B2A lightness plane."""
    model, lightness = InkModel(), node_lightness(li)
    axis = [i * 65535.0 / (B2A_GRID - 1) / 256.0 - 128.0 for i in range(B2A_GRID)]
    k_neutral = black_aim(model, lightness)
    inks: Plane = []
    flags: list[int] = []
    row_start = [0.3, 0.3, 0.3, k_neutral]
    for a in axis:  # warm starts: along each row, and row to row
        hint = row_start
        for bi, b in enumerate(axis):
            hint, de = separate(model, (lightness, a, b), hint, k_neutral)
            row_start = hint if bi == 0 else row_start
            inks += hint
            flags.append(65535 if de > GAMUT_DE else 0)
    return inks, flags


def black_scaling(lightness: float, floor: float, inverse: bool = False) -> float:
    """Black point scaling in Y (like BPC): PCS L* 0 <-> rich black `floor`."""
    y, yf = lab_to_xyz((lightness, 0.0, 0.0))[1], lab_to_xyz((floor, 0.0, 0.0))[1]
    y = max(0.0, (y - yf) / (1.0 - yf)) if inverse else yf + (1.0 - yf) * y
    return xyz_to_lab((D50[0] * y, y, D50[2] * y))[0]


def perceptual_planes(planes: list[Plane], floor: float) -> list[Plane]:
    """Resample colorimetric planes along L* with black point scaling."""
    out = []
    for li in range(B2A_GRID):
        pos = black_scaling(node_lightness(li), floor) * (B2A_GRID - 1) / 100.0
        j = min(int(pos), B2A_GRID - 2)
        f = min(1.0, pos - j)
        out.append([(1 - f) * p + f * q for p, q in zip(planes[j], planes[j + 1])])
    return out


def a2b_table(model: InkModel, perceptual: bool) -> list[int]:
    """CMYK -> Lab CLUT in ICC v2 16-bit Lab encoding."""
    out: list[int] = []
    steps = [i / (A2B_GRID - 1) for i in range(A2B_GRID)]
    for inks in itertools.product(steps, repeat=4):
        lab = model.lab(*inks)
        lightness = black_scaling(lab[0], model.darkest, True) if perceptual else lab[0]
        out += [min(65535, max(0, round(v))) for v in
                (lightness * 652.8, (lab[1] + 128.0) * 256.0, (lab[2] + 128.0) * 256.0)]
    return out


def linear(entries: int) -> list[int]:
    return [round(i * 65535 / (entries - 1)) for i in range(entries)]


def lightness_curve(entries: int = 257) -> list[int]:
    """B2A input curve putting L* 100 (v2 code 0xFF00) on the last grid node."""
    return [min(65535, round(v * 65535 / 65280)) for v in linear(entries)]


def lut16(n_out: int, grid: int, clut: list[int], curves_in: list[list[int]]) -> bytes:
    """lut16Type ('mft2'): identity matrix, given input curves, linear output curves."""
    head = struct.pack(">4s4xBBBx9iHH", b"mft2", len(curves_in), n_out, grid,
                       0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x10000, len(curves_in[0]), 2)
    values = [v for curve in curves_in for v in curve] + clut + [0, 65535] * n_out
    return head + struct.pack(f">{len(values)}H", *values)


def desc_type(text: str) -> bytes:
    """textDescriptionType: ASCII part only, empty Unicode and ScriptCode parts."""
    raw = text.encode("ascii") + b"\0"
    return struct.pack(">4s4xI", b"desc", len(raw)) + raw + bytes(4 + 4 + 2 + 1 + 67)


def text_type(text: str) -> bytes:
    return b"text" + bytes(4) + text.encode("ascii") + b"\0"


def s15(v: float) -> int:
    return round(v * 65536)  # s15Fixed16Number


def assemble(tags: list[tuple[bytes, bytes]]) -> bytes:
    """128-byte header, tag table, 4-byte aligned data; equal data is shared."""
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    placed: dict[bytes, tuple[int, int]] = {}
    for sig, data in tags:
        if data not in placed:
            placed[data] = (offset + len(body), len(data))
            body += data + bytes(-len(data) % 4)
        table += struct.pack(">4sII", sig, *placed[data])
    header = struct.pack(">I4sI4s4s4s6H4s4sI4s4sQI3i4s16s28x",
                         offset + len(body), bytes(4), 0x02100000, b"prtr", b"CMYK", b"Lab ",
                         *CREATED, b"acsp", bytes(4), 0, bytes(4), bytes(4), 0, 0,
                         *(s15(v) for v in D50), bytes(4), bytes(16))
    return header + struct.pack(">I", len(tags)) + table + body


def build_profile(workers: int = 2) -> bytes:
    model, n = InkModel(), B2A_GRID
    if workers > 1:
        with Pool(workers) as pool:
            results = pool.map(b2a_plane, range(n), chunksize=1)
    else:
        results = [b2a_plane(li) for li in range(n)]
    planes = [inks for inks, _ in results]
    flags = [f for _, plane in results for f in plane]
    gamut = [flags[(i * n + j) * n + k] for i, j, k in itertools.product(range(0, n, 2), repeat=3)]
    a2b_col, a2b_per = (lut16(3, A2B_GRID, a2b_table(model, p), [linear(2)] * 4)
                        for p in (False, True))
    lab_in = [lightness_curve(), linear(257), linear(257)]
    b2a_col, b2a_per = (lut16(4, n, [min(65535, max(0, round(v * 65535)))
                                     for plane in p for v in plane], lab_in)
                        for p in (planes, perceptual_planes(planes, model.darkest)))
    return assemble([
        (b"desc", desc_type(DESCRIPTION)), (b"cprt", text_type(COPYRIGHT)),
        (b"wtpt", struct.pack(">4s4x3i", b"XYZ ", *(s15(v) for v in lab_to_xyz(PAPER)))),
        (b"A2B0", a2b_per), (b"A2B1", a2b_col), (b"A2B2", a2b_per),
        (b"B2A0", b2a_per), (b"B2A1", b2a_col), (b"B2A2", b2a_per),
        (b"gamt", lut16(1, (n + 1) // 2, gamut, lab_in)),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    args = parser.parse_args(argv)
    data = build_profile(args.workers)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
