"""People's rights over their data (issue 9): export, erasure and retention.

The core never imports the apps built on it (docs/architecture.md), so each app registers what it
holds about a person in its ``AppConfig.ready``: an exporter per model (``register_export``),
the steps that erase it (``register_erasure_step``) and anything that must happen before a
person can go (``register_erasure_blocker``). ``tests/reflect/test_data_protection_coverage.py``
walks the model graph, so a new model that points at a person fails the tests until it is
registered here or excluded with a reason.
"""
