"""Validation rules: comparisons between expressions over indicators (issue 5, scope 1).

A rule reads "left operator right": `#{HCC.HS_TRUC_TUYEN} <= #{HCC.HS_TIEP_NHAN}`. Both sides
are written in the expression language of `baocao.catalogue.expressions` (references with a
disaggregation option, `previous(...)`, `last_year(...)`, constants and sums); the pairs
(`compulsory_pair`, `exclusive_pair`) compare which sides are filled in. A violated rule of
importance "error" blocks submission, a "warning" needs an explanation from the reporting
officer. The engine that evaluates rules is `baocao.validation`; this module only stores
them and refuses a rule that could never be evaluated: an expression that cannot be read,
an unknown or non-numeric indicator, a disaggregation the indicator does not have.

`rule_problems` is shared by `Model.clean()` (one admin edit, checked against the stored
catalogue) and `catalogue_check` (a whole YAML document, checked against the catalogue as
it will be), so the admin and `catalogue load` can never disagree about a rule.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baocao.catalogue.choices import (
    PAIR_OPERATORS,
    MissingValueStrategy,
    PeriodTypeChoice,
    RuleImportance,
    RuleOperator,
    ValueType,
)
from baocao.catalogue.errors import CatalogueError
from baocao.catalogue.expressions import (
    Expression,
    ExpressionError,
    Reference,
    expression_check_types,
    expression_parse,
    rule_check,
)
from baocao.catalogue.models.common import Named, code_field
from baocao.catalogue.models.sector import Sector
from baocao.organisations.choices import Level

# What a message may say about a violation (the engine fills them in).
MESSAGE_PLACEHOLDERS = ("left", "right", "unit", "period")
# A `%` starts a placeholder `%(name)s` or a literal percent sign `%%`; anything else is an error.
_MESSAGE_TOKEN = re.compile(r"%(?:(?P<percent>%)|\((?P<name>[^()]*)\)s)?")
WILDCARD = "*"


class ValidationRule(Named):
    """A rule every report it applies to must satisfy (error) or explain (warning)."""

    code = code_field(unique=True)
    description = models.TextField(_("description"), blank=True)
    left = models.CharField(_("left expression"), max_length=1000)
    operator = models.CharField(_("operator"), max_length=16, choices=RuleOperator.choices)
    right = models.CharField(_("right expression"), max_length=1000)
    importance = models.CharField(
        _("importance"),
        max_length=8,
        choices=RuleImportance.choices,
        default=RuleImportance.ERROR,
    )
    missing_values = models.CharField(
        _("when values are missing"),
        max_length=24,
        choices=MissingValueStrategy.choices,
        default=MissingValueStrategy.SKIP_IF_ALL_MISSING,
    )
    period_type = models.CharField(
        _("period type"),
        max_length=16,
        choices=PeriodTypeChoice.choices,
        blank=True,
        help_text=_("Empty: reports of every period type."),
    )
    unit_levels = models.JSONField(
        _("unit levels"),
        default=list,
        blank=True,
        help_text=_('Levels of the reporting units, e.g. ["province"]; empty: every unit.'),
    )
    message = models.CharField(
        _("message"),
        max_length=1000,
        help_text=_(
            "Shown when the rule is violated; may use %(left)s, %(right)s, %(unit)s and "
            "%(period)s, and %% for a percent sign."
        ),
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="validation_rules",
    )
    legal_source = models.CharField(_("legal source"), max_length=500, blank=True)
    illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("An example, not taken from a cited legal text."),
    )

    class Meta:
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(operator__in=RuleOperator.values),
                name="cat_rule_operator_valid",
                violation_error_message=_("Unknown rule operator."),
            ),
            models.CheckConstraint(
                condition=Q(importance__in=RuleImportance.values),
                name="cat_rule_importance_valid",
                violation_error_message=_("Unknown rule importance."),
            ),
            models.CheckConstraint(
                condition=Q(missing_values__in=MissingValueStrategy.values),
                name="cat_rule_missing_values_valid",
                violation_error_message=_("Unknown strategy for missing values."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def is_pair(self) -> bool:
        return self.operator in PAIR_OPERATORS

    def clean(self) -> None:
        # What `catalogue load` checks for a whole file, checked here for one admin edit.
        codes = rule_indicator_codes(self.left, self.right)
        indicators, options = indicator_shapes(codes)
        problems = rule_problems(
            left=self.left,
            right=self.right,
            operator=self.operator,
            missing_values=self.missing_values,
            message=self.message,
            indicators=indicators,
            options=options,
        )
        errors: dict[str, list[str]] = {}
        if self.unit_levels is None:
            # An emptied JSON box in the admin: every unit, as the help text says.
            self.unit_levels = []
        for problem in problems:
            errors.setdefault(problem.field, []).append(problem.message)
        if not isinstance(self.unit_levels, list) or any(
            level not in Level.values for level in self.unit_levels
        ):
            errors.setdefault("unit_levels", []).append(
                CatalogueError.INVALID_CHOICE.render(
                    {"value": self.unit_levels, "expected": ", ".join(Level.values)}
                )
            )
        if errors:
            raise ValidationError(errors)


# Checking a rule ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class IndicatorShape:
    """What a rule needs to know of an indicator: its value type and dimensions in order."""

    value_type: str
    dimensions: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class RuleProblem:
    """One reason a rule is refused: the field (`left`, `right`, `message`, ...) and why."""

    error: CatalogueError
    field: str
    args: dict[str, Any]

    @property
    def message(self) -> str:
        return self.error.render(self.args)


def rule_indicator_codes(*texts: str) -> set[str]:
    """The indicator codes the readable ones among these expressions refer to."""
    codes: set[str] = set()
    for text in texts:
        try:
            codes.update(reference.indicator for reference in expression_parse(text).references)
        except ExpressionError:
            continue
    return codes


def indicator_shapes(
    codes: Iterable[str],
) -> tuple[dict[str, IndicatorShape], dict[str, list[str]]]:
    """The stored indicators among `codes`, and the options of their dimensions."""
    from baocao.catalogue.models.dimension import Dimension
    from baocao.catalogue.models.indicator import Indicator

    indicators: dict[str, IndicatorShape] = {}
    wanted: set[str] = set()
    for indicator in Indicator.objects.filter(code__in=set(codes)).prefetch_related(
        "dimension_links__dimension"
    ):
        links = sorted(indicator.dimension_links.all(), key=lambda link: link.order)
        dimensions = tuple(link.dimension.code for link in links)
        indicators[indicator.code] = IndicatorShape(indicator.value_type, dimensions)
        wanted.update(dimensions)
    options = {
        dimension.code: [option.code for option in dimension.options.all()]
        for dimension in Dimension.objects.filter(code__in=wanted).prefetch_related("options")
    }
    return indicators, options


def rule_problems(
    *,
    left: str,
    right: str,
    operator: str,
    missing_values: str,
    message: str,
    indicators: Mapping[str, IndicatorShape],
    options: Mapping[str, Sequence[str]],
) -> list[RuleProblem]:
    """Every reason to refuse a rule, given the indicators and dimension options it may use."""
    problems: list[RuleProblem] = []
    sides: list[Expression] = []
    for field, text in (("left", left), ("right", right)):
        if not text:
            continue  # The required-field error says it already.
        expression = _expression(field, text, indicators, options, problems)
        if expression is not None:
            sides.append(expression)
    if len(sides) == 2:
        try:
            rule_check(sides[0], operator, sides[1])
        except ExpressionError as error:
            if error.reason == "no_reference":
                problems.append(RuleProblem(CatalogueError.RULE_NO_REFERENCE, "left", {}))
            # An unknown operator is the choice field's error (or the schema's).
    problems.extend(message_problems(message))
    return problems


def message_problems(message: str) -> list[RuleProblem]:
    """Placeholders other than the four allowed, and stray percent signs, in a message."""
    problems: list[RuleProblem] = []
    for match in _MESSAGE_TOKEN.finditer(message):
        name = match.group("name")
        if match.group("percent"):
            continue
        if name is None:
            problems.append(
                RuleProblem(
                    CatalogueError.RULE_MESSAGE_INVALID,
                    "message",
                    {"position": match.start() + 1, "example": "%(left)s", "escape": "%%"},
                )
            )
        elif name not in MESSAGE_PLACEHOLDERS:
            problems.append(
                RuleProblem(
                    CatalogueError.RULE_MESSAGE_PLACEHOLDER,
                    "message",
                    {
                        "name": match.group(0),
                        "allowed": ", ".join(f"%({key})s" for key in MESSAGE_PLACEHOLDERS),
                    },
                )
            )
    return problems


def _expression(
    field: str,
    text: str,
    indicators: Mapping[str, IndicatorShape],
    options: Mapping[str, Sequence[str]],
    problems: list[RuleProblem],
) -> Expression | None:
    """Parse one side; add its problems; return it when it can be read."""
    try:
        expression = expression_parse(text)
    except ExpressionError as error:
        problems.append(
            RuleProblem(
                CatalogueError.RULE_EXPRESSION_INVALID,
                field,
                {"position": error.position or 1, "reason": expression_reason(error.reason)},
            )
        )
        return None
    all_known = True
    for reference in expression.references:
        shape = indicators.get(reference.indicator)
        if shape is None:
            all_known = False
            problems.append(
                RuleProblem(
                    CatalogueError.RULE_UNKNOWN_INDICATOR,
                    field,
                    {"code": reference.indicator, "position": reference.position},
                )
            )
            continue
        problems.extend(_disaggregation(field, text, reference, shape, options))
    if all_known:
        value_types = {code: shape.value_type for code, shape in indicators.items()}
        try:
            expression_check_types(expression, value_types)
        except ExpressionError as error:
            problems.append(_type_problem(field, expression, error, indicators))
    return expression


def _type_problem(
    field: str,
    expression: Expression,
    error: ExpressionError,
    indicators: Mapping[str, IndicatorShape],
) -> RuleProblem:
    position = error.position or 1
    if error.reason == "not_numeric":
        at = [ref for ref in expression.references if ref.position == error.position]
        candidates = at or [
            ref
            for ref in expression.references
            if indicators[ref.indicator].value_type not in _NUMERIC
        ]
        if candidates:
            code = candidates[0].indicator
            value_type = indicators[code].value_type
            return RuleProblem(
                CatalogueError.RULE_INDICATOR_NOT_NUMERIC,
                field,
                {
                    "code": code,
                    "position": candidates[0].position if not at else position,
                    "value_type": _value_type_label(value_type),
                },
            )
    return RuleProblem(
        CatalogueError.RULE_EXPRESSION_INVALID,
        field,
        {"position": position, "reason": expression_reason(error.reason)},
    )


_NUMERIC = frozenset({ValueType.NUMBER, ValueType.INTEGER, ValueType.PERCENTAGE})


def _value_type_label(value_type: str) -> str:
    try:
        return str(ValueType(value_type).label)
    except ValueError:
        return value_type


def _disaggregation(
    field: str,
    text: str,
    reference: Reference,
    shape: IndicatorShape,
    options: Mapping[str, Sequence[str]],
) -> list[RuleProblem]:
    """`DIM=OPT` pairs: dimensions of the indicator, in its order, each once; known options.

    Disaggregation keys are stored in the indicator's dimension order (docs/reporting.md), so
    a reference written in another order would never match a stored value.
    """
    if not reference.disaggregation:
        return []
    problems: list[RuleProblem] = []
    code, dimensions = reference.indicator, shape.dimensions
    expected = ", ".join(dimensions) or "—"
    last = -1
    search_from = max(reference.position - 1, 0)
    for part in reference.disaggregation.split(","):
        found = text.find(part, search_from)
        position = found + 1 if found >= 0 else reference.position
        if found >= 0:
            search_from = found + len(part)
        # The parser has normalised the key: `DIM=OPT` pairs, each dimension once.
        dimension, _equals, option = part.partition("=")
        if dimension not in dimensions:
            problems.append(
                RuleProblem(
                    CatalogueError.RULE_DIMENSION_NOT_ON_INDICATOR,
                    field,
                    {
                        "code": code,
                        "dimension": dimension,
                        "position": position,
                        "expected": expected,
                    },
                )
            )
            continue
        index = dimensions.index(dimension)
        if index <= last:
            problems.append(
                RuleProblem(
                    CatalogueError.RULE_DIMENSION_ORDER,
                    field,
                    {"code": code, "expected": ", ".join(dimensions), "position": position},
                )
            )
        last = max(last, index)
        known = list(options.get(dimension, ()))
        if option != WILDCARD and option not in known:
            problems.append(
                RuleProblem(
                    CatalogueError.RULE_UNKNOWN_OPTION,
                    field,
                    {
                        "option": option,
                        "dimension": dimension,
                        "position": position + part.index("=") + 1 if found >= 0 else position,
                        "expected": ", ".join([*known, WILDCARD]),
                    },
                )
            )
    return problems


def expression_reason(reason: str) -> str:
    """A reader's explanation of a parse error reason of `baocao.catalogue.expressions`."""
    return {
        "empty": gettext("the expression is empty"),
        "syntax": gettext("it is not a well-formed expression"),
        "bad_reference": gettext(
            "a reference is written #{CODE}, #{CODE|DIMENSION=OPTION,...} or #{CODE|DIMENSION=*}"
        ),
        "not_allowed": gettext(
            "only references, numbers, + - * /, parentheses and the functions sum, min, max, "
            "abs, previous and last_year are allowed"
        ),
        "unknown_function": gettext("the functions are sum, min, max, abs, previous and last_year"),
        "argument_count": gettext(
            "abs, previous and last_year take one argument; sum, min and max at least one"
        ),
        "nested_shift": gettext("previous() and last_year() cannot be put inside each other"),
        "no_reference": gettext("previous() and last_year() must contain an indicator"),
        "too_complex": gettext("the expression is nested too deeply"),
        "unknown_indicator": gettext("it refers to an unknown indicator"),
        "not_numeric": gettext("it refers to an indicator whose values are not numbers"),
    }.get(reason, reason)
