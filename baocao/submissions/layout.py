"""What a report asks for: its forms laid out as sections, rows and cells.

Built once from the regime version's forms and shared by the web form, the Excel template
and upload, the API and the printable report, so a cell means the same everywhere. A cell
is (indicator, disaggregation): a section without a column dimension asks for the
indicator's total (`""`); a section with one asks for one value per listed option
(`DIM=OPT`), and its total column is computed, never entered.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from baocao.catalogue import selectors as catalogue_selectors
from baocao.catalogue.models import Form, Indicator, NarrativeField, RegimeVersion

CellKey = tuple[str, str]  # (indicator code, disaggregation)


@dataclasses.dataclass(frozen=True)
class Column:
    option_code: str
    label: str
    disaggregation: str


@dataclasses.dataclass(frozen=True)
class Cell:
    key: CellKey
    indicator: Indicator
    column: Column | None
    row_label: str
    form_code: str
    section_code: str
    row_number: int
    required: bool

    @property
    def label(self) -> str:
        return f"{self.row_label} – {self.column.label}" if self.column else self.row_label


@dataclasses.dataclass(frozen=True)
class Row:
    number: int
    indicator: Indicator
    label: str
    required: bool
    cells: list[Cell]


@dataclasses.dataclass(frozen=True)
class Section:
    code: str
    title: str
    columns: list[Column]
    show_total: bool
    rows: list[Row]


@dataclasses.dataclass(frozen=True)
class FormLayout:
    form: Form
    sections: list[Section]


@dataclasses.dataclass(frozen=True)
class ReportLayout:
    """Every form, cell and narrative field of a regime version."""

    forms: list[FormLayout]
    narratives: list[NarrativeField]
    cells: dict[CellKey, Cell]

    def cell_list(self) -> Iterator[Cell]:
        for form in self.forms:
            for section in form.sections:
                for row in section.rows:
                    yield from row.cells

    @property
    def narrative_codes(self) -> set[str]:
        return {field.code for field in self.narratives}


def disaggregation_key(pairs: list[tuple[str, str]]) -> str:
    """`[("SEX", "NU")]` → `SEX=NU`: the stored form of a combination of options."""
    return ",".join(f"{dimension}={option}" for dimension, option in pairs)


def report_layout(version: RegimeVersion) -> ReportLayout:
    """The layout of a regime version's forms (a few queries, whatever the form size)."""
    form_codes = [link.form.code for link in version.form_links.select_related("form")]
    forms = {form.code: form for form in catalogue_selectors.forms().filter(code__in=form_codes)}
    layouts: list[FormLayout] = []
    cells: dict[CellKey, Cell] = {}
    narratives: list[NarrativeField] = []
    seen_narratives: set[str] = set()
    for code in form_codes:
        form = forms[code]
        sections: list[Section] = []
        for section in form.sections.all():
            dimension = section.column_dimension
            columns = (
                [
                    Column(
                        option_code=link.option.code,
                        label=link.option.name,
                        disaggregation=disaggregation_key([(dimension.code, link.option.code)]),
                    )
                    for link in section.columns.all()
                ]
                if dimension is not None
                else []
            )
            if dimension is not None and not columns:
                columns = [
                    Column(
                        option_code=option.code,
                        label=option.name,
                        disaggregation=disaggregation_key([(dimension.code, option.code)]),
                    )
                    for option in dimension.options.all()
                ]
            rows: list[Row] = []
            for number, form_row in enumerate(section.rows.all(), start=1):
                row_cells = [
                    Cell(
                        key=(form_row.indicator.code, column.disaggregation if column else ""),
                        indicator=form_row.indicator,
                        column=column,
                        row_label=form_row.display_label,
                        form_code=form.code,
                        section_code=section.code,
                        row_number=number,
                        required=form_row.required,
                    )
                    for column in (columns or [None])  # type: ignore[list-item]
                ]
                for cell in row_cells:
                    # The same cell asked twice (two forms of one regime) is one value.
                    cells.setdefault(cell.key, cell)
                rows.append(
                    Row(
                        number=number,
                        indicator=form_row.indicator,
                        label=form_row.display_label,
                        required=form_row.required,
                        cells=row_cells,
                    )
                )
            sections.append(
                Section(
                    code=section.code,
                    title=section.title,
                    columns=columns,
                    show_total=section.show_total and bool(columns),
                    rows=rows,
                )
            )
        layouts.append(FormLayout(form=form, sections=sections))
        for field in form.narrative_fields.all():
            if field.code not in seen_narratives:
                seen_narratives.add(field.code)
                narratives.append(field)
    return ReportLayout(forms=layouts, narratives=narratives, cells=cells)
