"""xatgrn.model: the XATGRN network (fusion cross-attention + graph features + Conv1D head)."""

from xatgrn.model.fusion import CrossAttentionFusion, RoleTokens, token_layout
from xatgrn.model.xatgrn import ConvHead, GeneCache, XATGRNConfig, XATGRNNet

__all__ = [
    "ConvHead",
    "CrossAttentionFusion",
    "GeneCache",
    "RoleTokens",
    "XATGRNConfig",
    "XATGRNNet",
    "token_layout",
]
