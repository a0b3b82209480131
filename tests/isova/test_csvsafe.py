"""CSV exports are safe to open in a spreadsheet, and read back as they were written."""

from isova.csvsafe import neutralise, restore


def test_a_cell_that_starts_like_a_formula_is_written_as_text_and_reads_back_unchanged():
    for value in ('=HYPERLINK("x")', "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(value) == "'" + value
        assert restore(neutralise(value)) == value


def test_plain_cells_and_quotes_of_their_own_are_left_alone():
    assert neutralise(None) == "" and neutralise(12) == "12" and neutralise("plain") == "plain"
    assert restore("'quoted") == "'quoted"
