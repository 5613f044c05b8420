//! The researchers' export of a cycle's survey answers (SPEC §2, §3.12): a tidy CSV, one row
//! per participant × wave × statement, and a codebook describing every column and statement.
//! Only pseudonymous codes: no names, no emails. The caller passes consenting answers only.
use crate::evaluation::Wave;
use crate::spreadsheet::safe_cell;
use crate::surveys::ScaleLabels;

/// One answer as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub participant: String,
    pub role: String,
    pub wave: String,
    pub statement: String,
    pub aim: String,
    pub score: i64,
}

/// One statement, for the codebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodebookStatement {
    pub role: String,
    pub code: String,
    pub aim: String,
    pub text: String,
    pub labels: ScaleLabels,
}

/// The CSV's columns, in order, with what each holds.
pub const COLUMNS: [(&str, &str); 6] = [
    (
        "participant",
        "Pseudonymous participant code; the same code links a person's answers across waves. Never a name.",
    ),
    ("role", "mentor (student) or mentee (staff leader)."),
    (
        "wave",
        "pre (before the cycle), post (after it) or followup (about six months later).",
    ),
    (
        "statement",
        "The statement's code; see the statements below.",
    ),
    ("aim", "The aim of the scheme the statement evidences."),
    (
        "score",
        "The answer on the five-point scale, 1 to 5; see each statement's labels.",
    ),
];

/// The tidy CSV, header first, rows as given.
pub fn csv(rows: &[ExportRow]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS.map(|(name, _)| name))?;
    for r in rows {
        let score = r.score.to_string();
        w.write_record(
            [
                r.participant.as_str(),
                r.role.as_str(),
                r.wave.as_str(),
                r.statement.as_str(),
                r.aim.as_str(),
                &score,
            ]
            .map(|cell| safe_cell(cell).into_owned()),
        )?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The codebook, as plain text (Markdown).
pub fn codebook(cycle_title: &str, rule: &str, statements: &[CodebookStatement]) -> String {
    let mut out = format!(
        "# Codebook: survey answers, {cycle_title}\n\n\
         One row per participant, wave and statement. Only participants who consented to research \
         use are included; the file holds no names or email addresses. {rule}\n\n## Columns\n\n"
    );
    for (name, meaning) in COLUMNS {
        out.push_str(&format!("- `{name}`: {meaning}\n"));
    }
    out.push_str("\n## Waves\n\n");
    for w in Wave::ALL {
        out.push_str(&format!("- `{}`: {}\n", w.as_str(), w.label()));
    }
    out.push_str("\n## Statements\n\n");
    for s in statements {
        out.push_str(&format!(
            "- `{}` ({}; aim: {}): \"{}\" Scale: {}\n",
            s.code,
            s.role,
            s.aim,
            s.text,
            s.labels
                .iter()
                .enumerate()
                .map(|(i, l)| format!("{} = {l}", i + 1))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surveys::default_scale_labels;

    #[test]
    fn the_csv_has_one_tidy_row_per_answer_and_quotes_commas() {
        let rows = vec![ExportRow {
            participant: "M01".into(),
            role: "mentor".into(),
            wave: "pre".into(),
            statement: "belonging".into(),
            aim: "Belonging, at home".into(),
            score: 4,
        }];
        assert_eq!(
            csv(&rows).unwrap(),
            "participant,role,wave,statement,aim,score\nM01,mentor,pre,belonging,\"Belonging, at home\",4\n"
        );
    }

    #[test]
    fn an_aim_a_spreadsheet_would_run_is_written_as_text_and_scores_stay_numbers() {
        let rows = vec![ExportRow {
            participant: "M01".into(),
            role: "mentor".into(),
            wave: "pre".into(),
            statement: "belonging".into(),
            aim: "=HYPERLINK(\"http://x\")".into(),
            score: -3,
        }];
        assert_eq!(
            csv(&rows).unwrap(),
            "participant,role,wave,statement,aim,score\nM01,mentor,pre,belonging,\"'=HYPERLINK(\"\"http://x\"\")\",-3\n"
        );
    }

    #[test]
    fn the_codebook_describes_every_column_and_statement() {
        let book = codebook(
            "Scheme 2025/26",
            "No suppression applies to row-level data.",
            &[CodebookStatement {
                role: "mentor".into(),
                code: "belonging".into(),
                aim: "Belonging".into(),
                text: "I belong.".into(),
                labels: default_scale_labels(),
            }],
        );
        for (name, _) in COLUMNS {
            assert!(book.contains(&format!("`{name}`")), "{name}");
        }
        assert!(book.contains("`belonging` (mentor; aim: Belonging)"));
        assert!(book.contains("1 = Strongly disagree") && book.contains("5 = Strongly agree"));
    }
}
