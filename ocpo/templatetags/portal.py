"""Template helpers for the portal: links with their basis, search highlighting and
server-side SVG charts."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from ocpo.search import mark_matches

register = template.Library()

EDITORS_CLASS = " link-editors"
EDITORS_MARK = mark_safe('<span class="link-basis"> (editors)</span>')
BASIS_TITLES = {
    True: mark_safe("The editors' inference: "),
    False: mark_safe("Stated by the paper: "),
}


@register.simple_tag
def link_tag(link, target, text, css=""):
    """A link to ``target`` showing its basis (``link``, the link row): an editors' link is
    marked visibly, and a link's reason shows on hover.

    A tag rather than an included template: a list page draws a hundred of them, and the
    include cost ten times the HTML it made.
    """
    editors = link.is_editors
    title = format_html(' title="{}{}"', BASIS_TITLES[editors], link.reason) if link.reason else ""
    return format_html(
        '<a class="{}{}" href="{}"{}>{}{}</a>',
        css,
        EDITORS_CLASS if editors else "",
        target.get_absolute_url(),
        title,
        text,
        EDITORS_MARK if editors else "",
    )


@register.filter(needs_autoescape=True)
def highlight(text, query, autoescape=True):
    """The text, escaped, with the query's words marked as search matched them."""
    text = conditional_escape(text) if autoescape else str(text)
    return mark_safe(mark_matches(str(text), query))


@register.filter
def drop_prefix(text, prefix):
    """The text without a leading ``prefix`` the page already says (``Editorial judgement.``)."""
    text = str(text or "")
    return text[len(prefix) :].lstrip() if text.startswith(prefix) else text


@register.filter
def shade(count, maximum):
    """A shading level 0-4 for a matrix cell, relative to the largest count."""
    if not count or not maximum:
        return 0
    return max(1, min(4, round(4 * count / maximum)))


@register.inclusion_tag("partials/bar_chart.html")
def bar_chart(rows, title, label_key="year", value_key="count", unit="documents"):
    """A vertical bar chart as inline SVG, with its data as a table for those who cannot see it."""
    rows = list(rows)
    top = max((r[value_key] for r in rows), default=0) or 1
    bar, gap, height, left, bottom = 28, 8, 140, 28, 24
    bars = []
    for i, row in enumerate(rows):
        h = round(height * row[value_key] / top)
        x = left + i * (bar + gap)
        bars.append(
            {
                "x": x,
                "y": height - h + 10,
                "h": h,
                "w": bar,
                "cx": x + bar / 2,
                "label": row[label_key],
                "value": row[value_key],
            }
        )
    width = left + len(rows) * (bar + gap) + gap
    return {
        "rows": bars,
        "title": title,
        "unit": unit,
        "width": max(width, 200),
        "height": height + 10 + bottom,
        "axis_y": height + 10,
        "label_y": height + 10 + 16,
        "top": top,
    }


@register.inclusion_tag("partials/timeline.html")
def timeline(documents, title):
    """Documents on a time line (by date, else year) as inline SVG, with a table alternative."""
    dated = [d for d in documents if d.year]
    if not dated:
        return {"points": [], "title": title, "documents": []}
    years = [d.year for d in dated]
    first, last = min(years), max(years) + 1
    width, left, right = 720, 40, 20
    span = max(last - first, 1)

    def x_of(doc):
        fraction = (doc.date.timetuple().tm_yday / 366) if doc.date else 0.5
        return round(left + (width - left - right) * ((doc.year - first) + fraction) / span, 1)

    points, lanes = [], {}
    for doc in dated:
        x = x_of(doc)
        lane = sum(1 for px in lanes.get(doc.year, []) if abs(px - x) < 12)
        lanes.setdefault(doc.year, []).append(x)
        points.append({"x": x, "y": 40 - 12 * min(lane, 2), "doc": doc})
    step = 1 if span <= 12 else (2 if span <= 24 else 5)
    ticks = [
        {"x": round(left + (width - left - right) * (y - first) / span, 1), "year": y}
        for y in range(first, last + 1, step)
    ]
    return {
        "points": points,
        "ticks": ticks,
        "title": title,
        "width": width,
        "documents": dated,
        "axis_x2": width - right,
    }


@register.inclusion_tag("partials/nav_link.html", takes_context=True)
def nav_link(context, url_name, label):
    """A main-navigation link, marked as the current section when the page is under it."""
    from django.urls import reverse

    url = reverse(url_name)
    request = context.get("request")
    path = getattr(request, "path", "")
    current = path == url if url == "/" else path.startswith(url)
    return {"url": url, "label": label, "current": current}
