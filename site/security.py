"""Response headers that Django does not set by itself: Permissions-Policy everywhere, and the Wagtail
admin's own Content-Security-Policy.

The public site's policy is Django's `SECURE_CSP` (django.middleware.csp): only our own scripts, styles,
images and frames; no inline script or style. The admin (and the API's Swagger page) needs a few
allowances the public site does not (`SECURE_CSP_ADMIN`, see settings); this middleware gives those
responses that policy instead. It sits below ContentSecurityPolicyMiddleware in MIDDLEWARE, so it sees
the response first.
"""

from django.conf import settings


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        admin_paths = tuple(getattr(settings, "SECURE_CSP_ADMIN_PATHS", ()))
        if admin_paths and request.path.startswith(admin_paths) and not hasattr(response, "_csp_config"):
            response._csp_config = settings.SECURE_CSP_ADMIN
        return response
