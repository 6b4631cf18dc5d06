"""Explorer providers: an HTTP client (raw JSON, pagination) plus a pure mapper each."""

from btctrace.providers.base import ESPLORA_CHAIN_PAGE_SIZE, Provider
from btctrace.providers.esplora.provider import DEFAULT_API_URL, EsploraProvider

__all__ = ["Provider", "EsploraProvider", "DEFAULT_API_URL", "ESPLORA_CHAIN_PAGE_SIZE"]
