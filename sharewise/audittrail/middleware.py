from sharewise.audittrail import trail


class SealTrailMiddleware:
    """After a request that wrote to the trail, seal what is pending. A request that
    finds another one sealing skips the step instead of waiting for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trail.start_request()
        response = self.get_response(request)
        if trail.take_wrote_flag():
            trail.seal_pending()
        return response
