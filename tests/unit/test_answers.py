import pytest

from advisor.answers import Answers, parse_answers
from advisor.errors import AnswersError


def test_bottleneck_weights_are_normalised_over_all_five_locations():
    a = Answers(engineers=10, budget_per_year=0, bottlenecks={"development": 3, "deployment": 1})
    assert a.bottlenecks == {
        "ideation": 0,
        "development": 0.75,
        "deployment": 0.25,
        "operations": 0,
        "support": 0,
    }
    assert a.delivery_share == 1.0


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        (
            "engineers: -3\nbudget_per_year: 1\nbottlenecks: {development: 1}\n",
            1,
            "engineers",
            "greater than or equal to 1",
        ),
        (
            "engineers: 3\nbudget_per_year: 1\nbottlenecks: {deploy: 1}\n",
            3,
            "bottlenecks",
            "unknown location 'deploy'",
        ),
        (
            "engineers: 3\nbudget_per_year: lots\nbottlenecks: {development: 1}\n",
            2,
            "budget_per_year",
            "valid number",
        ),
        (
            "engineers: 3\nbudget_per_year: 1\nbottlenecks: {development: 0}\n",
            3,
            "bottlenecks",
            "above 0",
        ),
        (
            "engineers: 3\nbudget_per_year: 1\nbottlenecks: {development: 1}\nmaturity: huge\n",
            4,
            "maturity",
            "'huge' is not one of low, medium, high",
        ),
        (
            "engineers: 3\nbudget_per_year: 1\nbottlenecks: {development: 1}\ncolour: red\n",
            4,
            "colour",
            "unknown field",
        ),
    ],
)
def test_bad_answers_name_line_and_field(text, line, field, words):
    with pytest.raises(AnswersError) as err:
        parse_answers(text, "a.yaml")
    problem = err.value.problems[0]
    assert (problem.line, problem.field) == (line, field)
    assert words in problem.message
    assert str(problem).startswith(f"a.yaml:{line}: {field}: ")


def test_broken_yaml_empty_file_and_tags_are_refused_safely():
    with pytest.raises(AnswersError, match=r"a.yaml:2: not valid YAML"):
        parse_answers("engineers: [\n", "a.yaml")
    with pytest.raises(AnswersError, match="expected a mapping of fields, got an empty file"):
        parse_answers("", "a.yaml")
    with pytest.raises(AnswersError, match="not valid YAML"):
        parse_answers("!!python/object/apply:os.system ['echo hi']\n", "a.yaml")


def test_duplicate_keys_and_oversized_files_are_refused():
    with pytest.raises(AnswersError, match=r"a.yaml:2: engineers: appears twice"):
        parse_answers("engineers: 3\nengineers: 4\n", "a.yaml")
    with pytest.raises(AnswersError, match="larger than"):
        parse_answers(b"x" * 1_000_001, "a.yaml")
