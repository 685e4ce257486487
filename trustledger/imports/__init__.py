"""Importers: load facts from other tools' exports (CSV today; e-mail, calendars, help desks later).

Every importer follows the same rules, enforced by ``services.run_import``:

- a bad row is reported with its file, line and field, and the whole file is rejected: the import
  runs in one transaction that is rolled back on any error, so nothing is half-imported;
- re-importing the same file creates nothing new (each importer recognises rows it has seen);
- the file is streamed and written in batches, so memory does not grow with the file;
- one ``import.completed`` audit entry per file, with its counts.

To add a kind, write ``importers.py`` in the app that owns the facts and decorate a function
``(workspace, path, options) -> ImportResult`` with ``@register("kind", label=...)``; this app
discovers every installed app's ``importers`` module at start-up (see ``apps.py``).
"""
