"""Every form class the project defines, found by importing its modules, so that a new form is
covered by the length and hostile-input tests without being listed anywhere."""

from __future__ import annotations

import importlib
import pkgutil

from django import forms

PACKAGES = ("reflect", "supervision", "scheduling", "equality", "dashboard", "outcomes", "learning", "api")


def _import_all() -> None:
    for name in PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if ".migrations" in module.name or ".management" in module.name:
                continue
            importlib.import_module(module.name)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def project_forms() -> list[type[forms.BaseForm]]:
    _import_all()
    return sorted(
        (cls for cls in _subclasses(forms.BaseForm) if cls.__module__.split(".")[0] in PACKAGES),
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )
