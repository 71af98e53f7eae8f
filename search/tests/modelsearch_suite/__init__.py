"""modelsearch's own backend tests, run against our backend in a separate Django project (see settings.py).

Run by search/tests/test_modelsearch_suite.py, which compares our results with the stock backend's.
"""
