"""The parameter-free decoders (eqs 15-19) against complex arithmetic and hand values."""

from __future__ import annotations

import math

import numpy as np
import torch

from xatgrn.graph.conv import PairIndex
from xatgrn.graph.decoders import (
    connection_logits,
    direction_logits,
    distance_logits,
    hermitian_scores,
    pair_terms,
)
from xatgrn.graph.hermitian import STATE_NAMES, PairState


def test_hermitian_scores_match_complex_arithmetic():
    torch.manual_seed(3)
    amp, phase = torch.randn(6, 4), torch.randn(6, 4)
    src, dst = torch.tensor([0, 5, 2, 2]), torch.tensor([1, 0, 2, 4])
    re, im = hermitian_scores(amp, phase, src, dst)
    x = amp.numpy() * np.exp(1j * np.pi / 2 * phase.numpy())
    ref = (x[src] * np.conj(x[dst])).sum(1)
    np.testing.assert_allclose(re.numpy(), ref.real, atol=1e-5)
    np.testing.assert_allclose(im.numpy(), ref.imag, atol=1e-5)


def test_distance_logits_by_hand():
    # H = i: distances to (i, -i, 1, 0) are 0, 2, sqrt 2, 1; H = 0.5: 1.118.., 1.118.., 0.5, 0.5
    got = distance_logits(torch.tensor([0.0, 0.5], dtype=torch.double), torch.tensor([1.0, 0.0]))
    eps = 1e-9
    want = [
        [-math.sqrt(eps), -math.sqrt(4 + eps), -math.sqrt(2 + eps), -math.sqrt(1 + eps)],
        [
            -math.sqrt(1.25 + eps),
            -math.sqrt(1.25 + eps),
            -math.sqrt(0.25 + eps),
            -math.sqrt(0.25 + eps),
        ],
    ]
    torch.testing.assert_close(got, torch.tensor(want, dtype=torch.double))


def test_connection_logit_and_pair_terms_by_hand():
    amp = torch.tensor([[1.0, 2.0], [3.0, 4.0], [0.5, 0.0]])
    phase = torch.tensor([[1.0, 0.0], [0.0, 0.0], [2.0, 1.0]])
    src, dst = torch.tensor([0, 1, 2]), torch.tensor([1, 1, 0])
    assert connection_logits(amp, src, dst).tolist() == [11.0, 25.0, 0.5]
    re, im, conn = pair_terms(amp, phase, PairIndex.build(src, dst, 3))
    # x0 = (i, 2), x1 = (3, 4), x2 = (-0.5, 0): x0 . conj(x1) = 3i + 8; x2 . conj(x0) = 0.5i
    torch.testing.assert_close(re, torch.tensor([8.0, 25.0, 0.0]), atol=1e-6, rtol=0)
    torch.testing.assert_close(im, torch.tensor([3.0, 0.0, 0.5]), atol=1e-6, rtol=0)
    assert conn.tolist() == [11.0, 25.0, 0.5]


def test_decoder_probabilities_sum_to_one_and_exact_r_wins():
    # 1-d embeddings chosen so that x_u^T conj(x_v) is exactly i, -i, 1 and 0
    amp = torch.tensor([[1.0], [1.0], [0.0]])
    phase = torch.tensor([[1.0], [0.0], [0.3]])
    src, dst = torch.tensor([0, 1, 0, 2]), torch.tensor([1, 0, 0, 1])
    probs = torch.softmax(direction_logits(amp, phase, src, dst), -1)
    torch.testing.assert_close(probs.sum(-1), torch.ones(4))
    assert probs.argmax(-1).tolist() == [
        PairState.FORWARD,
        PairState.REVERSE,
        PairState.BIDIRECTIONAL,
        PairState.ABSENT,
    ]
    assert STATE_NAMES[int(probs[0].argmax())] == "forward"
    rand = torch.softmax(direction_logits(torch.randn(5, 8), torch.randn(5, 8), src, dst), -1)
    torch.testing.assert_close(rand.sum(-1), torch.ones(4))
