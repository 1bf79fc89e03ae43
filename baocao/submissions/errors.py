"""Why a report, a value, an upload or a signature was refused (stable codes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from baocao.core.errors import DomainError, ErrorCode


class SubmissionError(ErrorCode):
    # Codes and obligations.
    UNKNOWN_REGIME = ("unknown_regime", _("Unknown reporting regime %(code)s."))
    UNKNOWN_UNIT = ("unknown_unit", _("Unknown unit %(code)s."))
    UNKNOWN_INDICATOR = ("unknown_indicator", _("Unknown indicator %(code)s."))
    UNKNOWN_DISAGGREGATION = (
        "unknown_disaggregation",
        _("%(value)s is not a disaggregation of indicator %(indicator)s (allowed: %(allowed)s)."),
    )
    INDICATOR_NOT_IN_REPORT = (
        "indicator_not_in_report",
        _(
            "Indicator %(indicator)s %(disaggregation)s is not asked for by the forms"
            " of this report."
        ),
    )
    DERIVED_NOT_ENTERED = (
        "derived_not_entered",
        _("Indicator %(indicator)s is computed from other indicators and cannot be entered."),
    )
    INVALID_PERIOD = ("invalid_period", _("%(value)s is not a period code: %(reason)s"))
    NOT_OWED = (
        "not_owed",
        _("Unit %(unit)s owes no report %(regime)s for period %(period)s."),
    )
    UNKNOWN_NARRATIVE = (
        "unknown_narrative",
        _("The forms of this report have no narrative section %(code)s."),
    )
    REPORT_NOT_FOUND = ("report_not_found", _("Report %(id)s does not exist."))
    VERSION_NOT_FOUND = ("version_not_found", _("Report %(id)s has no version %(number)s."))
    # Values.
    NOT_A_NUMBER = ("not_a_number", _('"%(value)s" is not a number.'))
    NOT_AN_INTEGER = ("not_an_integer", _('"%(value)s" is not a whole number.'))
    TOO_MANY_DECIMALS = (
        "too_many_decimals",
        _('"%(value)s" has more than %(decimals)s decimal place(s).'),
    )
    NUMBER_TOO_LARGE = (
        "number_too_large",
        _('"%(value)s" is too large (at most %(maximum)s in absolute value).'),
    )
    NOT_A_BOOLEAN = ("not_a_boolean", _('"%(value)s" is not yes/no (có/không, true/false, 1/0).'))
    NOT_A_DATE = ("not_a_date", _('"%(value)s" is not a date (dd/mm/yyyy or yyyy-mm-dd).'))
    TEXT_TOO_LONG = ("text_too_long", _("The text is longer than %(maximum)s characters."))
    REQUIRED_MISSING = ("required_missing", _("%(label)s is required."))
    COMMENT_TOO_LONG = ("comment_too_long", _("The comment is longer than %(maximum)s characters."))
    # Lifecycle.
    TRANSITION_NOT_ALLOWED = (
        "transition_not_allowed",
        _("A report that is %(status)s cannot be %(action)s."),
    )
    REASON_REQUIRED = ("reason_required", _("Give a reason."))
    STALE_REVISION = (
        "stale_revision",
        _(
            "The report was changed by %(by)s at %(at)s after you opened it (revision %(current)s,"
            " yours %(given)s). Reload it and make your changes again."
        ),
    )
    LOCKED = (
        "locked",
        _(
            "The report is locked since %(locked_at)s (deadline %(deadline)s plus"
            " %(grace)s day(s));"
            " ask %(receiver)s to unlock it."
        ),
    )
    NOT_LOCKED = ("not_locked", _("The report is not locked; it needs no unlock."))
    IDEMPOTENCY_CONFLICT = (
        "idempotency_conflict",
        _("The key %(key)s was already used for a different submission."),
    )
    # Authorization.
    FORBIDDEN_UNIT = (
        "forbidden_unit",
        _("You may not report for unit %(unit)s: it is neither your unit nor delegated to you."),
    )
    FORBIDDEN_REVIEW = (
        "forbidden_review",
        _("Only reviewers of %(receiver)s may act on reports addressed to it."),
    )
    FORBIDDEN_READ = ("forbidden_read", _("This report is outside what you may see."))
    # Uploads.
    FILE_TOO_LARGE = (
        "file_too_large",
        _("The file is %(size)s bytes; at most %(maximum)s bytes are accepted."),
    )
    NOT_XLSX = ("not_xlsx", _("The file is not an Excel workbook (.xlsx): %(reason)s."))
    XLSX_MACROS = (
        "xlsx_macros",
        _("The workbook contains macros; save it as .xlsx without macros."),
    )
    XLSX_BOMB = (
        "xlsx_bomb",
        _("The workbook expands to more than %(maximum)s bytes; it is refused as unsafe."),
    )
    XLSX_FORMULA = (
        "xlsx_formula",
        _("The cell holds a formula (%(formula)s); enter the value itself."),
    )
    XLSX_WRONG_TEMPLATE = (
        "xlsx_wrong_template",
        _("The workbook is not a template of this report: %(reason)s."),
    )
    ATTACHMENT_TYPE = (
        "attachment_type",
        _("Files of type %(extension)s are not accepted (allowed: %(allowed)s)."),
    )
    # CSV imports.
    CSV_HEADER = (
        "csv_header",
        _("The header must be %(expected)s (found %(found)s)."),
    )
    CSV_COLUMNS = ("csv_columns", _("The row has %(found)s columns, %(expected)s expected."))
    CSV_ENCODING = ("csv_encoding", _("The file is not UTF-8 text: %(reason)s."))
    CSV_DUPLICATE = ("csv_duplicate", _("The same value is given again (first at row %(first)s)."))
    # Signatures.
    NO_SIGNING_KEY = (
        "no_signing_key",
        _(
            "Unit %(unit)s has no signing key; an administrator creates one with"
            " baocao keys create."
        ),
    )
    UNKNOWN_CERTIFICATE = (
        "unknown_certificate",
        _("No certificate with fingerprint %(fingerprint)s is registered for unit %(unit)s."),
    )
    CERTIFICATE_INVALID = ("certificate_invalid", _("The certificate cannot be used: %(reason)s."))
    SIGNATURE_INVALID = (
        "signature_invalid",
        _("The signature does not match the report content and certificate."),
    )
    SIGNATURE_REQUIRED = ("signature_required", _("The report must be signed before it is sent."))
    # cli: keys and certificates managed from the command line.
    CERTIFICATE_NOT_FOUND = (
        "certificate_not_found",
        _("No certificate with fingerprint %(fingerprint)s is registered."),
    )
    # Bulk value import (area: import).
    IMPORT_SOURCE_INVALID = (
        "import_source_invalid",
        _(
            "%(source)s is not a valid source code: use capital letters A-Z, digits, dots,"
            " dashes and underscores, at most %(maximum)s characters."
        ),
    )
    IMPORT_SOURCE_IS_REGIME = (
        "import_source_is_regime",
        _(
            "%(source)s is the code of a reporting regime: its values arrive through reports"
            " and cannot be imported."
        ),
    )
    UNIT_NOT_IN_FORCE = (
        "unit_not_in_force",
        _("Unit %(unit)s did not exist during period %(period)s."),
    )
    COMMENT_WITHOUT_VALUE = (
        "comment_without_value",
        _("A comment is given without a value; an empty value deletes the stored value."),
    )
    CSV_INVALID = ("csv_invalid", _("The file cannot be read as CSV near line %(line)s."))
    # Data quality checks run on submission (issue 5).
    CHECK_FAILED = ("check_failed", _("%(message)s (rule %(rule)s)"))
    WARNING_UNEXPLAINED = (
        "warning_unexplained",
        _("%(message)s (rule %(rule)s): explain it in a comment on one of its values."),
    )


class SubmissionDenied(DomainError):
    """The user may not do this (API: 403)."""

    http_status = 403


class SubmissionConflict(DomainError):
    """The report changed under the user, or is locked (API: 409)."""

    http_status = 409


class ReminderError(ErrorCode):
    """Why reminders were refused (stable codes, translated messages)."""

    NO_UNITS = ("reminder_no_units", _("Choose at least one unit to remind."))
    TOO_MANY_UNITS = (
        "reminder_too_many_units",
        _("At most %(maximum)s units can be reminded at once; %(count)s were chosen."),
    )
    MESSAGE_TOO_LONG = (
        "reminder_message_too_long",
        _("The message is longer than %(maximum)s characters."),
    )
    FORBIDDEN = (
        "reminder_forbidden",
        _("Only reviewers, leaders and administrators may send reminders."),
    )
    UNIT_OUT_OF_SCOPE = (
        "reminder_unit_out_of_scope",
        _("Unit %(unit)s is outside the units you may see: it cannot be reminded."),
    )
    NOT_RECEIVER = (
        "reminder_not_receiver",
        _(
            "Unit %(unit)s sends this report to %(receiver)s: only %(receiver)s or a unit"
            " above it may remind it."
        ),
    )
    MAIL_FAILED = (
        "reminder_mail_failed",
        _("The reminder emails could not be sent (%(reason)s); no reminder was recorded."),
    )
