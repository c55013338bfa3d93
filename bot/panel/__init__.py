"""SMM panel API client: both dialects, typed models, order parameters, per-panel profiles, a
sandbox panel. It is the upstream's side only: it may import httpx, pydantic and the bottom
modules bot.money and bot.proxy, and nothing of bot/shop/, bot/telegram/, bot/jobs/, storage/,
handlers/, keyboards/ or aiogram, so the shop can be tested against it and it against a fake panel.
"""

from .client import MAX_IDS_PER_REQUEST, Dialect, PanelClient, detect_dialect
from .errors import (
    ErrorKind,
    InvalidOrderParams,
    PanelError,
    PanelOutcomeUnknown,
    PanelRejected,
    PanelUnavailable,
    classify_error,
)
from .models import (
    Balance,
    CancelResult,
    EntryError,
    OrderInfo,
    OrderStatus,
    RefillInfo,
    RefillStatus,
    Service,
    ServiceCatalog,
    ServiceType,
    SkippedRow,
)
from .params import (
    SUBSCRIPTION_DELAYS,
    OrderRequest,
    needs_quantity,
    optional_fields,
    required_fields,
)
from .registry import PanelRegistry, PanelSpec
from .sandbox import SandboxTransport
from .service_types import LIST_FIELDS, is_orderable

__all__ = [
    "LIST_FIELDS",
    "MAX_IDS_PER_REQUEST",
    "SUBSCRIPTION_DELAYS",
    "Balance",
    "CancelResult",
    "Dialect",
    "EntryError",
    "ErrorKind",
    "InvalidOrderParams",
    "OrderInfo",
    "OrderRequest",
    "OrderStatus",
    "PanelClient",
    "PanelError",
    "PanelOutcomeUnknown",
    "PanelRegistry",
    "PanelRejected",
    "PanelSpec",
    "PanelUnavailable",
    "RefillInfo",
    "RefillStatus",
    "SandboxTransport",
    "Service",
    "ServiceCatalog",
    "ServiceType",
    "SkippedRow",
    "classify_error",
    "detect_dialect",
    "is_orderable",
    "needs_quantity",
    "optional_fields",
    "required_fields",
]
