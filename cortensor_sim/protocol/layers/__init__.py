"""Cortensor across the layers: stake on l1, onboarding on base, sessions on arbitrum, slashing
back to l1, checkpoints through the messengers.

Every step is a transaction on one chain; the settlement engine's actors carry the messages
(OP Stack CrossDomainMessenger, Nitro retryables and Outbox), and each function returns the
message records its transaction started, followed hop by hop. docs/layers.md has the routes and
who authenticates what.
"""

from .deployment import CrossLayerContracts, deploy_layers
from .messages import DeliveryTimeout, follow
from .operations import (
    CrossLayer,
    LayerOperationFailed,
)

__all__ = [
    "CrossLayer",
    "CrossLayerContracts",
    "DeliveryTimeout",
    "LayerOperationFailed",
    "deploy_layers",
    "follow",
]
