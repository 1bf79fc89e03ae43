from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baocao.catalogue.expressions import (
    EXPRESSION_ERROR_REASONS,
    MISSING_STRATEGIES,
    NOT_EVALUABLE_REASONS,
    OPERATORS,
    REASON_MESSAGES,
    ExpressionError,
    NotEvaluable,
    Outcome,
    Reference,
    expression_check_types,
    expression_parse,
    rule_check,
    rule_evaluate,
)

D = Decimal


def rule(left, operator, right, values, missing="skip_if_all_missing"):
    return rule_evaluate(
        expression_parse(left), operator, expression_parse(right), values, missing=missing
    )


# Parsing ------------------------------------------------------------------------------------


def test_references_with_disaggregations_and_shifts():
    expression = expression_parse(
        "#{GD.HS} - #{GD.HS|GIOI_TINH=NU, KHU_VUC = THANH_THI} + previous(#{GD.HS|GIOI_TINH=*})"
    )
    assert expression.references == (
        Reference("GD.HS", "", "", 1),
        Reference("GD.HS", "GIOI_TINH=NU,KHU_VUC=THANH_THI", "", 12),
        Reference("GD.HS", "GIOI_TINH=*", "previous", 66),
    )


def test_the_disaggregation_key_keeps_the_order_written():
    # The catalogue check, not the parser, knows the indicator's dimension order.
    expression = expression_parse("#{A|KHU_VUC=NONG_THON,GIOI_TINH=NAM}")
    assert expression.references[0].disaggregation == "KHU_VUC=NONG_THON,GIOI_TINH=NAM"


def test_references_are_unique_per_key_and_keep_their_first_position():
    expression = expression_parse("#{A} + last_year(#{A}) + #{A} * previous(#{B}) + #{A|S=X}")
    assert [
        (ref.indicator, ref.disaggregation, ref.shift, ref.position)
        for ref in expression.references
    ] == [
        ("A", "", "", 1),
        ("A", "", "last_year", 18),
        ("B", "", "previous", 42),
        ("A", "S=X", "", 50),
    ]


def test_a_constant_is_an_expression():
    # Right sides such as `0` or `100` are the commonest.
    expression = expression_parse(" 100 ")
    assert expression.references == ()
    assert expression.evaluate({}) == 100


def test_blanks_tabs_line_breaks_and_non_breaking_spaces_are_blanks():
    expression = expression_parse("#{A}\n+\t#{B}\u00a0* 2")
    assert expression.evaluate({("A", "", ""): D(1), ("B", "", ""): D(2)}) == 5


def test_two_parses_of_the_same_text_are_equal():
    assert expression_parse("sum(#{A}, 2) / 3") == expression_parse("sum(#{A}, 2) / 3")


@pytest.mark.parametrize(
    ("text", "reason", "position"),
    [
        ("", "empty", None),
        ("   \n ", "empty", None),
        ("#{A} +* 2", "syntax", 7),
        ("#{LONG.CODE.HERE} * * 2", "syntax", 21),
        ("#{A} +", "syntax", 6),
        ("#{A} + (1", "syntax", 8),
        ("(#{A} + 1))", "syntax", 11),
        ("#{A} #{B}", "syntax", 6),
        ("2 #{B}", "syntax", 3),
        ("đ + #{A}", "syntax", 1),
        ("#{A} \\\n+ 1", "syntax", 6),
        ("foo(#{A})", "unknown_function", 1),
        ("#{A} + SUM(#{B})", "unknown_function", 8),
        ("__import__('os').system('true')", "not_allowed", 1),
        ("#{A}.x", "not_allowed", 5),
        ("#{A} .real", "not_allowed", 6),
        ("#{A}[0]", "not_allowed", 5),
        ("#{A} ** 2", "not_allowed", 6),
        ("#{A} // 2", "not_allowed", 6),
        ("#{A} > 1", "not_allowed", 6),
        ("(#{A}) == 1", "not_allowed", 8),
        ("#{A} and #{B}", "not_allowed", 6),
        ("not #{A}", "not_allowed", 1),
        ("x + #{A}", "not_allowed", 1),
        ("_r + #{A}", "not_allowed", 1),
        ("#{A} + True", "not_allowed", 8),
        ("'1' + #{A}", "not_allowed", 1),
        ("#{A} + 1e3", "not_allowed", 8),
        ("#{A} + 0x10", "not_allowed", 8),
        ("#{A} + 1_000", "not_allowed", 8),
        ("#{A} + 2j", "not_allowed", 8),
        ("#{A}(1)", "not_allowed", 1),
        ("max(#{A}, key=1)", "not_allowed", 11),
        ("sum(*#{A})", "not_allowed", 5),
        ("1 if #{A} else 2", "not_allowed", 1),
        ("previous", "not_allowed", 1),
        ("abs(#{A}, #{B})", "argument_count", 1),
        ("#{A} + previous()", "argument_count", 8),
        ("min()", "argument_count", 1),
        ("previous(last_year(#{X}))", "nested_shift", 10),
        ("last_year(#{A} + abs(previous(#{B})))", "nested_shift", 22),
        ("previous(100)", "no_reference", 1),
        ("#{A} # comment", "bad_reference", 6),
        ("#A + 1", "bad_reference", 1),
        ("#{A + 1", "bad_reference", 1),
        ("#{}", "bad_reference", 3),
        ("#{a.b}", "bad_reference", 3),
        ("1 + #{ X|SEX}", "bad_reference", 10),
        ("#{X|SEX=}", "bad_reference", 9),
        ("#{X|SEX=NU,}", "bad_reference", 12),
        ("#{X|SEX=NU, SEX=NAM}", "bad_reference", 13),
        ("#{X|SEX=nu}", "bad_reference", 9),
    ],
)
def test_refusals_name_the_reason_and_the_position(text, reason, position):
    with pytest.raises(ExpressionError) as caught:
        expression_parse(text)
    assert (caught.value.reason, caught.value.position) == (reason, position)


def test_deep_nesting_is_refused_not_a_crash():
    with pytest.raises(ExpressionError) as caught:
        expression_parse("abs(" * 60 + "#{A}" + ")" * 60)
    assert caught.value.reason == "too_complex"
    with pytest.raises(ExpressionError) as caught:
        expression_parse("-" * 5000 + "#{A}")
    assert caught.value.reason == "too_complex"


def test_long_flat_sums_are_not_too_complex():
    text = " + ".join(f"#{{I{n}}}" for n in range(500))
    values = {(f"I{n}", "", ""): D(n) for n in range(500)}
    assert expression_parse(text).evaluate(values) == sum(range(500))
    text = "sum(" + ", ".join(f"#{{I{n}}}" for n in range(500)) + ")"
    assert expression_parse(text).evaluate(values) == sum(range(500))


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("#{}|=*,()+-*/.0123456789 ABSX_abcmxpreviously\n\u00a0'\"[]<>!")
        ),
        max_size=40,
    )
    | st.text(max_size=40)
)
def test_any_text_is_parsed_or_refused_with_a_reason(text):
    try:
        expression = expression_parse(text)
    except ExpressionError as error:
        assert error.reason in EXPRESSION_ERROR_REASONS
        assert error.position is None or 1 <= error.position <= max(1, len(text))
        return
    values = {ref.key: D(len(ref.indicator)) for ref in expression.references}
    for missing in MISSING_STRATEGIES:
        try:
            expression.evaluate(values, missing=missing)
        except NotEvaluable as error:
            assert error.reason in ("division_by_zero", "overflow")
    for operator in OPERATORS:
        assert isinstance(rule_evaluate(expression, operator, expression, values), Outcome)


# Types --------------------------------------------------------------------------------------


TYPES = {
    "DS": "integer",
    "TL": "percentage",
    "GDP": "number",
    "CO_KH": "boolean",
    "GHI_CHU": "text",
}


def test_numeric_references_pass_the_type_check():
    expression_check_types(expression_parse("#{DS} * #{TL} / 100 + previous(#{GDP})"), TYPES)


@pytest.mark.parametrize(
    ("text", "reason", "position"),
    [
        ("#{DS} + #{CO_KH}", "not_numeric", 9),
        ("#{DS} + last_year(#{GHI_CHU|S=A})", "not_numeric", 19),
        ("1 + #{KHONG_CO}", "unknown_indicator", 5),
        ("#{KHONG_CO} + #{CO_KH}", "unknown_indicator", 1),
    ],
)
def test_type_check_errors_point_at_the_reference(text, reason, position):
    with pytest.raises(ExpressionError) as caught:
        expression_check_types(expression_parse(text), TYPES)
    assert (caught.value.reason, caught.value.position) == (reason, position)


# Evaluation ---------------------------------------------------------------------------------


def test_functions():
    values = {("A", "", ""): D(-3), ("B", "", ""): D("2.5"), ("C", "", ""): D(7)}
    assert expression_parse("sum(#{A}, #{B}, #{C})").evaluate(values) == D("6.5")
    assert expression_parse("abs(#{A})").evaluate(values) == 3
    assert expression_parse("min(#{A}, #{B}, #{C})").evaluate(values) == -3
    assert expression_parse("max(#{A}, #{B}, #{C}, 10)").evaluate(values) == 10
    assert expression_parse("-(#{A} - #{C}) * 2 / 4").evaluate(values) == 5


def test_shifted_and_all_option_references_read_their_own_keys():
    values = {
        ("DS", "", ""): D(1050),
        ("DS", "", "previous"): D(1000),
        ("DS", "", "last_year"): D(900),
        ("DS", "GIOI_TINH=*", ""): D(1040),
    }
    growth = expression_parse("(#{DS} - previous(#{DS})) / previous(#{DS}) * 100")
    assert growth.evaluate(values) == 5
    assert expression_parse("#{DS} - last_year(#{DS})").evaluate(values) == 150
    assert expression_parse("#{DS} - #{DS|GIOI_TINH=*}").evaluate(values) == 10


def test_shift_wraps_any_sub_expression():
    expression = expression_parse("last_year(#{A} + #{B|S=X} * 2)")
    assert [ref.key for ref in expression.references] == [
        ("A", "", "last_year"),
        ("B", "S=X", "last_year"),
    ]
    assert expression.evaluate({("A", "", "last_year"): D(1), ("B", "S=X", "last_year"): D(3)}) == 7


def test_division_by_zero_is_not_evaluable():
    with pytest.raises(NotEvaluable) as caught:
        expression_parse("#{A} / (#{B} - 2)").evaluate({("A", "", ""): D(0), ("B", "", ""): D(2)})
    assert caught.value.reason == "division_by_zero"


@pytest.mark.parametrize(
    ("missing", "none", "some", "all_"),
    [
        # Values of `#{A} + #{B}` when no, one (A = 5) and both (A = 5, B = 2) values exist.
        ("never_skip", D(0), D(5), D(7)),
        ("skip_if_all_missing", None, D(5), D(7)),
        ("skip_if_any_missing", None, None, D(7)),
    ],
)
def test_missing_value_strategies_of_an_expression(missing, none, some, all_):
    expression = expression_parse("#{A} + #{B}")
    for values, expected in (
        ({}, none),
        ({("A", "", ""): D(5), ("B", "", ""): None}, some),
        ({("A", "", ""): D(5), ("B", "", ""): D(2)}, all_),
    ):
        if expected is None:
            with pytest.raises(NotEvaluable) as caught:
                expression.evaluate(values, missing=missing)
            assert caught.value.reason == "missing_values"
        else:
            assert expression.evaluate(values, missing=missing) == expected


def test_caller_context_does_not_change_results():
    import decimal

    with decimal.localcontext(decimal.Context(prec=3)):
        result = expression_parse("#{A} / 3").evaluate({("A", "", ""): D(1)})
    assert result == D("0." + "3" * 34)


# Rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "passing", "violating"),
    [
        ("==", (5, 5), (5, 6)),
        ("!=", (5, 6), (5, 5)),
        ("<", (5, 6), (6, 6)),
        ("<=", (6, 6), (7, 6)),
        (">", (7, 6), (6, 6)),
        (">=", (6, 6), (5, 6)),
    ],
)
def test_each_comparison_passes_and_is_violated(operator, passing, violating):
    for (a, b), status in ((passing, "passed"), (violating, "violated")):
        values = {("A", "", ""): D(a), ("B", "", ""): D(b)}
        assert rule("#{A}", operator, "#{B}", values) == Outcome(status, D(a), D(b))


def test_a_total_at_least_its_female_part():
    # The commonest rule of a statistical form: a part never exceeds its total.
    values = {("LD", "", ""): D(1200), ("LD", "GIOI_TINH=NU", ""): D(1300)}
    outcome = rule("#{LD}", ">=", "#{LD|GIOI_TINH=NU}", values)
    assert outcome == Outcome("violated", D(1200), D(1300))


def test_decimal_noise_is_tolerated():
    values = {("A", "", ""): D("0.1"), ("B", "", ""): D("0.2"), ("C", "", ""): D("0.3")}
    assert rule("#{A} + #{B}", "==", "#{C}", values).status == "passed"
    values = {("A", "", ""): D(10)}
    outcome = rule("#{A} / 3 * 3", "==", "#{A}", values)
    assert outcome == Outcome("passed", D(10), D(10))
    # Floats from a careless caller are read as written.
    assert (
        rule("#{A} + #{B}", "==", "0.3", {("A", "", ""): 0.1, ("B", "", ""): 0.2}).status
        == "passed"
    )
    # A difference in the sixth decimal is not noise.
    values = {("A", "", ""): D("1.000001"), ("B", "", ""): D(1)}
    assert rule("#{A}", "==", "#{B}", values).status == "violated"


def test_outcome_values_are_rounded_to_six_decimals():
    outcome = rule("#{A} / 3", "<", "1", {("A", "", ""): D(2)})
    assert outcome == Outcome("passed", D("0.666667"), D(1))
    assert rule("#{A}", ">", "0", {("A", "", ""): D("2.50")}).left == D("2.5")


def test_division_by_zero_is_an_outcome_not_a_crash():
    values = {("A", "", ""): D(10), ("B", "", ""): D(0)}
    outcome = rule("#{A} / #{B} * 100", "<=", "100", values)
    assert outcome == Outcome("not_evaluable", None, D(100), "division_by_zero")
    outcome = rule("#{A}", "compulsory_pair", "#{A} / #{B}", values)
    assert outcome == Outcome("not_evaluable", None, None, "division_by_zero")


@pytest.mark.parametrize(
    ("missing", "left_none", "left_some", "right_none"),
    [
        # Rule `#{A} + #{B} <= #{C}`: status when the left side has no value, one of its two
        # (A = 5), and when the right side has none.
        ("never_skip", "passed", "passed", "violated"),
        ("skip_if_all_missing", "skipped", "passed", "skipped"),
        ("skip_if_any_missing", "skipped", "skipped", "skipped"),
    ],
)
def test_missing_value_strategies_of_a_rule(missing, left_none, left_some, right_none):
    c = {("C", "", ""): D(6)}
    a = {("A", "", ""): D(5)}
    assert rule("#{A} + #{B}", "<=", "#{C}", c, missing).status == left_none
    assert rule("#{A} + #{B}", "<=", "#{C}", {**a, **c}, missing).status == left_some
    assert rule("#{A} + #{B}", "<=", "#{C}", a, missing).status == right_none


def test_a_skipped_rule_keeps_the_side_it_computed():
    outcome = rule("#{A}", "==", "#{B}", {("A", "", ""): D(4)})
    assert outcome == Outcome("skipped", D(4), None)


def test_a_constant_side_is_never_skipped():
    assert rule("#{A}", ">=", "0", {}, "never_skip") == Outcome("passed", D(0), D(0))
    assert rule("#{A}", ">=", "0", {}, "skip_if_any_missing").status == "skipped"


def test_missing_previous_period_skips_growth_rules():
    values = {("DS", "", ""): D(1200)}
    outcome = rule("#{DS}", "<=", "previous(#{DS}) * 1.1", values)
    assert outcome.status == "skipped"
    values[("DS", "", "previous")] = D(1000)
    assert rule("#{DS}", "<=", "previous(#{DS}) * 1.1", values).status == "violated"
    values[("DS", "", "last_year")] = D(1150)
    assert rule("#{DS}", "<=", "last_year(#{DS}) * 1.1", values).status == "passed"


@pytest.mark.parametrize(
    ("left", "right", "status"),
    [
        (None, None, "passed"),
        (D(3), D(1), "passed"),
        (D(3), None, "violated"),
        (None, D(0), "violated"),
    ],
)
def test_compulsory_pair(left, right, status):
    values = {("A", "", ""): left, ("B", "", ""): right}
    for missing in MISSING_STRATEGIES:  # a pair compares presence: the strategy is moot
        outcome = rule("#{A}", "compulsory_pair", "#{B}", values, missing)
        assert outcome == Outcome(status, left, right)


@pytest.mark.parametrize(
    ("left", "right", "status"),
    [
        (None, None, "passed"),
        (D(3), None, "passed"),
        (None, D(0), "passed"),
        (D(3), D(1), "violated"),
    ],
)
def test_exclusive_pair(left, right, status):
    values = {("A", "", ""): left, ("B", "", ""): right}
    assert rule("#{A}", "exclusive_pair", "#{B}", values) == Outcome(status, left, right)


def test_a_pair_side_has_data_when_any_of_its_values_exists():
    values = {("B", "", ""): D(2)}
    outcome = rule("#{A} + #{B}", "compulsory_pair", "#{C}", values)
    assert outcome == Outcome("violated", D(2), None)


def test_unknown_operator_or_strategy_is_a_programming_error():
    expression = expression_parse("#{A}")
    with pytest.raises(ValueError):
        rule_evaluate(expression, "=", expression, {})
    with pytest.raises(ValueError):
        rule_evaluate(expression, "==", expression, {}, missing="skip")


def test_rule_check():
    a, one = expression_parse("#{A}"), expression_parse("1")
    rule_check(a, "<=", one)
    for left, operator, right, reason in (
        (one, "==", one, "no_reference"),
        (a, "compulsory_pair", one, "no_reference"),
        (a, "=", one, "unknown_operator"),
    ):
        with pytest.raises(ExpressionError) as caught:
            rule_check(left, operator, right)
        assert caught.value.reason == reason


def test_every_reason_has_a_message():
    assert set(REASON_MESSAGES) == set(EXPRESSION_ERROR_REASONS) | set(NOT_EVALUABLE_REASONS)
