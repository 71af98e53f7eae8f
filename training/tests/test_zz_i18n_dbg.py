import re

from training.tests.test_public_flow import *  # noqa


def test_dbg(client, course):
    r = client.post(course.url, form_data(1))
    html = r.content.decode()
    print(r.status_code, re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', html, re.S)[:10])
