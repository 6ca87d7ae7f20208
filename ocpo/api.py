"""API wiring shared by every app: pagination."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """limit/offset pages: 50 by default, a larger limit is capped at 500, never refused."""

    default_limit = 50
    max_limit = 500
