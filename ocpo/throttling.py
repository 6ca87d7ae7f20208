"""Rate limits for anonymous API clients, counted in the cache all workers share."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonReadThrottle(AnonRateThrottle):
    """Anonymous requests per client address, at ``settings.OCPO_API_ANON_RATE``.

    DRF's own throttles read their rates once, at import; this one reads the setting on
    every request, so it follows the environment and test overrides. No rate, no limit.
    """

    def get_rate(self):
        return settings.OCPO_API_ANON_RATE
