r"""The DUPLEX encoder: node inputs through stacked dual GAT layers to amplitude and phase.

Each node gets a complex embedding :math:`x_u = a_u \odot \exp(i \frac{\pi}{2} \theta_u)` (eq 9):
amplitude :math:`a_u` and phase :math:`\theta_u`, computed by the fused dual GAT layers of
:mod:`xatgrn.graph.conv` (eqs 10–14).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from xatgrn.errors import input_error
from xatgrn.graph.config import DuplexConfig
from xatgrn.graph.conv import DuplexConv, DuplexGraph, fast_dropout

__all__ = ["DuplexEncoder"]


class DuplexEncoder(nn.Module):
    r"""Node inputs → stacked :class:`~xatgrn.graph.conv.DuplexConv` layers → amplitude, phase.

    .. math::
        h^{(0)}_u = [\,e_u \,\|\, f_u\,], \qquad
        (a, \theta)^{(l+1)} = \mathrm{ELU}\big(\mathrm{DuplexConv}_l(\mathrm{drop}(a, \theta)^{(l)})\big)

    with :math:`e_u` the learnable or fixed random input and :math:`f_u` optional node features
    (both branches start from :math:`h^{(0)}`); the last layer has no ELU.

    Args:
        num_nodes (int): number of nodes :math:`N`.
        cfg (DuplexConfig): sizes, dropout, fusion, input mode.
        feature_dim (int, optional): width of the optional node features. (default: ``0``)

    Shapes:
        - **input:** a :class:`~xatgrn.graph.conv.DuplexGraph` over :math:`N` nodes
        - **output:** amplitude :math:`(N, \text{out\_dim})`, phase :math:`(N, \text{out\_dim})`
    """

    def __init__(self, num_nodes: int, cfg: DuplexConfig, feature_dim: int = 0) -> None:
        super().__init__()
        self.num_nodes, self.dropout = num_nodes, cfg.dropout
        in_dim = (0 if cfg.input == "none" else cfg.input_dim) + feature_dim
        if in_dim == 0:
            raise input_error(
                "input='none' needs node_features", fix="pass node_features or set input"
            )
        if cfg.input == "learnable":
            self.embedding = nn.Parameter(torch.randn(num_nodes, cfg.input_dim))
        elif cfg.input == "random":
            gen = torch.Generator().manual_seed(int(cfg.seed))
            self.register_buffer("embedding", torch.randn(num_nodes, cfg.input_dim, generator=gen))
        else:
            self.embedding = None
        self.register_buffer("features", torch.zeros(num_nodes, feature_dim))
        dims = [in_dim] + [cfg.hidden] * (cfg.layers - 1) + [cfg.out_dim]
        self.convs = nn.ModuleList(
            DuplexConv(
                dims[i],
                dims[i + 1],
                heads=cfg.heads,
                dropout=cfg.att_dropout,
                fuse=cfg.fusion == "add" and i == cfg.fusion_layer,
            )
            for i in range(cfg.layers)
        )

    def forward(self, graph: DuplexGraph, *, fused: bool = True) -> tuple[Tensor, Tensor]:
        parts = [t for t in (self.embedding, self.features) if t is not None and t.shape[1]]
        h0 = parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
        x = h0.unsqueeze(0).expand(2, -1, -1)
        for i, conv in enumerate(self.convs):
            x = fast_dropout(x, self.dropout, self.training)
            x = conv(x, graph, fused=fused)
            if i < len(self.convs) - 1:
                x = F.elu(x)
        return x[0], x[1]
