"""The baseline of the wire bench: a bare Django view doing one indexed SELECT (the line by its number, the
`line_msisdn` index), behind the same gunicorn, settings and middleware as the API. Mounted only by bench.urls."""

import json

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt  # as every API view (DRF views are CSRF-exempt): the same middleware work, no token
def one_select(request):
    msisdn = json.loads(request.body or b"{}").get("msisdn", "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_line WHERE msisdn = %s LIMIT 1", [msisdn])
        row = cursor.fetchone()
    return JsonResponse({"line": row[0] if row else None})
