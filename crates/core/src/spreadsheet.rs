//! Cells of the CSV files flipside writes, made safe to open in a spreadsheet.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or a
//! carriage return) as a formula, so a name such as `=HYPERLINK(...)` typed into flipside
//! would become live in whoever opens the export ("CSV injection", OWASP). Such a cell is
//! written with a leading `'`, which spreadsheets show as text and do not run.
//!
//! A plain number (`-3`, `+2.5`) is left alone: it cannot run anything, and neutralising it
//! would turn a numeric column into text for everyone who analyses the file.
use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula when they come first.
const FORMULA_STARTS: [u8; 6] = [b'=', b'+', b'-', b'@', b'\t', b'\r'];

/// The cell as it should be written: unchanged unless a spreadsheet would run it.
pub fn safe_cell(cell: &str) -> Cow<'_, str> {
    if needs_quoting(cell.as_bytes()) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// [`safe_cell`] for byte fields (the batch commands write whatever bytes they were given).
pub fn safe_cell_bytes(cell: &[u8]) -> Cow<'_, [u8]> {
    if needs_quoting(cell) {
        let mut out = Vec::with_capacity(cell.len() + 1);
        out.push(b'\'');
        out.extend_from_slice(cell);
        Cow::Owned(out)
    } else {
        Cow::Borrowed(cell)
    }
}

fn needs_quoting(cell: &[u8]) -> bool {
    matches!(cell.first(), Some(c) if FORMULA_STARTS.contains(c)) && !is_plain_number(cell)
}

/// An optional sign, digits, and optionally a point and more digits: `-3`, `+0.25`.
fn is_plain_number(cell: &[u8]) -> bool {
    let rest = match cell.first() {
        Some(b'-' | b'+') => &cell[1..],
        _ => cell,
    };
    let (whole, fraction) = match rest.iter().position(|&c| c == b'.') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    !whole.is_empty()
        && whole.iter().all(u8::is_ascii_digit)
        && fraction.is_none_or(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_written_as_text() {
        for cell in [
            "=1+1",
            "=HYPERLINK(\"http://x\")",
            "+A1",
            "-A1+2",
            "@SUM(A1)",
            "\tcmd",
            "\rcmd",
            "-",
            "+",
            "-3e5",
            "-1,2",
        ] {
            assert_eq!(safe_cell(cell), format!("'{cell}"), "{cell:?}");
            assert_eq!(
                safe_cell_bytes(cell.as_bytes()).as_ref(),
                format!("'{cell}").as_bytes()
            );
        }
    }

    #[test]
    fn ordinary_text_and_plain_numbers_are_left_alone() {
        for cell in [
            "",
            "Ada Quill",
            "S1",
            "a=b",
            "-3",
            "+3",
            "-0.25",
            "12",
            "3.5",
        ] {
            assert!(matches!(safe_cell(cell), Cow::Borrowed(_)), "{cell:?}");
            assert!(matches!(safe_cell_bytes(cell.as_bytes()), Cow::Borrowed(_)));
        }
    }
}
