"""The opening rush's fast path: submissions to a course that is already full or closed are refused here.

When enrollment opens, most submissions arrive after the seats and the waitlist are gone. For those,
`SoldOutFastPath` (placed right after SecurityMiddleware) answers the JSON API's enrollment POST from the
refusal flag in the shared cache: one cache read, no database query, no lock, and none of the session,
CSRF, authentication or message middleware. The flag is written and dropped by the seats service only
(training.services.seats, "The refusal flag"), always as a copy of its own status read under the course's
seat lock; without a flag the request takes the full path unchanged. The answer has the API's shape and
code, exactly as the enrollment service refuses (409 {"code": "full"|"closed", "message"}).

The web form (a POST to the course page) checks the same flag in `training.views.enroll_from_course_page`,
before the rate limits and the lock; it needs the page and the CSRF check, so it is not refused here.
"""

import functools

from django.http import JsonResponse
from django.urls import Resolver404, get_resolver

from training.services.enrollment import fast_refusal
from training.services.seats import fast_refusals_enabled

ENROLL_VIEW = "api-v1:create_enrollment"
API_PREFIX = "/api/"


class SoldOutFastPath:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path_info.startswith(API_PREFIX) and fast_refusals_enabled():
            refused = self._refusal(request.path_info)
            if refused is not None:
                return refused
        return self.get_response(request)

    @staticmethod
    def _refusal(path: str) -> JsonResponse | None:
        course_id = _enrollment_course(path, get_resolver())
        if course_id is None:
            return None
        error = fast_refusal(course_id)
        if error is None:
            return None
        response = JsonResponse(
            {"code": error.code, "message": error.message}, status=409, json_dumps_params={"ensure_ascii": False}
        )
        response["Cache-Control"] = "no-store"
        return response


@functools.lru_cache(maxsize=1024)
def _enrollment_course(path: str, resolver) -> int | None:
    """The course id when `path` is the API's enrollment address, else None. Remembered per path and URL
    configuration (`resolver`): resolving walks the whole URL configuration, on each of the rush's refusals."""
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return None
    course_id = str(match.kwargs.get("course_id", ""))
    if match.view_name != ENROLL_VIEW or not (course_id.isascii() and course_id.isdigit()) or len(course_id) > 10:
        return None
    return int(course_id)
