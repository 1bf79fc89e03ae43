import pytest

from baocao.catalogue.formulas import FormulaError, formula_parse, formula_references


def test_rate_of_aggregated_values():
    formula = formula_parse("#{LD.THAT_NGHIEP} / #{LD.LLLD} * 100")
    assert formula.references == ("LD.THAT_NGHIEP", "LD.LLLD")
    assert formula.evaluate({"LD.THAT_NGHIEP": 25, "LD.LLLD": 1000}) == pytest.approx(2.5)


def test_precedence_parentheses_and_unary_minus():
    formula = formula_parse("(#{A} - #{B}) / #{B} * 100 + -1")
    assert formula.evaluate({"A": 110, "B": 100}) == pytest.approx(9.0)


def test_missing_operand_or_zero_division_gives_no_value():
    formula = formula_parse("#{A} / #{B}")
    assert formula.evaluate({"A": 1}) is None
    assert formula.evaluate({"A": 1, "B": 0}) is None


def test_the_same_reference_twice_is_one_operand():
    formula = formula_parse("#{A} * #{A}")
    assert formula.references == ("A",)
    assert formula.evaluate({"A": 3}) == 9


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("#{A} +", "syntax"),
        ("__import__('os').system('true')", "not_allowed"),
        ("#{A}.real", "not_allowed"),
        ("#{A} ** 2", "not_allowed"),
        ("#{A} > 1", "not_allowed"),
        ("abs(#{A})", "not_allowed"),
        ("x + #{A}", "not_allowed"),
        ("'1' + #{A}", "not_allowed"),
        ("1 + 2", "no_reference"),
    ],
)
def test_anything_outside_the_language_is_refused(text, reason):
    with pytest.raises(FormulaError) as caught:
        formula_parse(text)
    assert caught.value.reason == reason


def test_syntax_error_position_is_in_the_text_as_written():
    with pytest.raises(FormulaError) as caught:
        formula_parse("#{LONG.CODE.HERE} * * 2")
    # The second `*` is at column 21 of what the user wrote.
    assert caught.value.position == 21


def test_many_references_keep_their_names_apart():
    text = " + ".join(f"#{{I{n}}}" for n in range(60))
    formula = formula_parse(text)
    assert formula.evaluate({f"I{n}": n for n in range(60)}) == sum(range(60))


def test_references_without_parsing():
    assert formula_references("#{A} / #{ B } + #{A}") == ["A", "B"]
