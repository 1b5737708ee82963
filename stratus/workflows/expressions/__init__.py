"""Expression evaluation for the Amazon States Language.

JSONPath (`jsonpath`), payload templates (`payload`), intrinsic functions (`intrinsics`),
Choice rules (`choice`) and JSONata (`jsonata`). Pure functions over JSON values: no
store, no I/O. Errors are `stratus.workflows.errors.StatesError` with AWS's error names.
"""

from .choice import matches
from .intrinsics import evaluate
from .jsonata import evaluate_expression, evaluate_template
from .jsonpath import PathNotFound, VariableNotFound, apply_result_path, select
from .payload import render

__all__ = [
    "PathNotFound",
    "VariableNotFound",
    "apply_result_path",
    "evaluate",
    "evaluate_expression",
    "evaluate_template",
    "matches",
    "render",
    "select",
]
