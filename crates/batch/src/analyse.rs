//! `flipside analyse RESPONSES.csv --json`: per-item survey statistics in the fixed JSON shape
//! of SPEC §3.14, which outside checks rely on.
//!
//! Input is a tidy CSV with (at least) the columns `respondent_id,wave,item,score`, in any
//! order; other columns are ignored and fields are trimmed. `wave` is `pre`, `post` or
//! `followup`; `score` is an integer from 1 to 5. The first bad line stops the run with a
//! message naming its line (and column), and the command exits non-zero. A respondent
//! answering the same item twice in the same wave is an error naming both lines: picking one
//! of the answers silently would change the results without anyone knowing.
//!
//! Output: `{"items":[…]}` with one entry per item found anywhere in the file (even an item
//! with answers only in a wave not compared), sorted by item name in byte order (plain
//! lexicographic, so `q10` sorts before `q2`). Each entry has exactly the fields of §3.14 plus
//! `note`: `null` when every number is defined and no caveat applies, otherwise plain words
//! that say why each `null` field is null (`"wilcoxon, effect_size_r: …"`) and, below ten
//! paired respondents, the small-sample caveat.
//!
//! The statistics themselves (and their agreement with SciPy) live in
//! [`flipside_core::stats`]. One rule is ours rather than SciPy's: when every paired
//! difference is zero, the Wilcoxon test, r and the rank-biserial are `null` under every zero
//! method, because there is no change to test (SciPy gives NaN or a degenerate p = 1).

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use flipside_core::stats::{self, Method, Undefined, WilcoxonOptions, ZeroMethod, small_n_caveat};
use serde::Serialize;

/// Arguments of `flipside analyse`.
#[derive(Debug, clap::Args)]
pub struct AnalyseArgs {
    /// Tidy CSV with header respondent_id,wave,item,score (extra columns ignored)
    pub responses: PathBuf,
    /// Print the results as JSON (the shape of SPEC §3.14); without it, a plain-text summary
    #[arg(long)]
    pub json: bool,
    /// Wave treated as "before" (its numbers are reported as *_pre)
    #[arg(long, value_enum, default_value_t = Wave::Pre)]
    pub from: Wave,
    /// Wave treated as "after" (its numbers are reported as *_post)
    #[arg(long, value_enum, default_value_t = Wave::Post)]
    pub to: Wave,
    /// How the Wilcoxon test treats zero differences (SciPy's zero_method)
    #[arg(long, value_enum, default_value_t = ZeroMethodArg::Wilcox)]
    pub zero_method: ZeroMethodArg,
    /// How the Wilcoxon p-value is computed (approx = SciPy's "asymptotic")
    #[arg(long, value_enum, default_value_t = MethodArg::Auto)]
    pub method: MethodArg,
    /// Apply the continuity correction to the Wilcoxon normal approximation
    #[arg(long)]
    pub correction: bool,
}

/// A survey wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Wave {
    /// Before the programme.
    Pre,
    /// At its end.
    Post,
    /// About six months later.
    Followup,
}

impl Wave {
    fn parse(text: &[u8]) -> Option<Wave> {
        // Byte patterns rather than string literals: this runs once per row, and the
        // compiler turns them into a few integer comparisons instead of `memcmp` calls.
        match text {
            [b'p', b'r', b'e'] => Some(Wave::Pre),
            [b'p', b'o', b's', b't'] => Some(Wave::Post),
            [b'f', b'o', b'l', b'l', b'o', b'w', b'u', b'p'] => Some(Wave::Followup),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Wave::Pre => "pre",
            Wave::Post => "post",
            Wave::Followup => "followup",
        }
    }
}

/// `--zero-method` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ZeroMethodArg {
    /// Drop zero differences (SciPy's default)
    Wilcox,
    /// Rank zero differences, then drop their ranks
    Pratt,
    /// Split the ranks of zero differences between both sides
    Zsplit,
}

/// `--method` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// Exact, sign-flip enumeration or normal approximation, chosen as SciPy does
    Auto,
    /// Exact null distribution
    Exact,
    /// Normal approximation with tie correction
    Approx,
}

/// What to compare and how; built from [`AnalyseArgs`] or directly by tests and benches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The "before" wave.
    pub from: Wave,
    /// The "after" wave.
    pub to: Wave,
    /// Options of the Wilcoxon signed-rank test.
    pub wilcoxon: WilcoxonOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            from: Wave::Pre,
            to: Wave::Post,
            wilcoxon: WilcoxonOptions::default(),
        }
    }
}

impl From<&AnalyseArgs> for Options {
    fn from(args: &AnalyseArgs) -> Self {
        Options {
            from: args.from,
            to: args.to,
            wilcoxon: WilcoxonOptions {
                zero_method: match args.zero_method {
                    ZeroMethodArg::Wilcox => ZeroMethod::Wilcox,
                    ZeroMethodArg::Pratt => ZeroMethod::Pratt,
                    ZeroMethodArg::Zsplit => ZeroMethod::Zsplit,
                },
                method: match args.method {
                    MethodArg::Auto => Method::Auto,
                    MethodArg::Exact => Method::Exact,
                    MethodArg::Approx => Method::Approx,
                },
                correction: args.correction,
            },
        }
    }
}

/// Why the input could not be analysed. `Display` names the line (1-based, the header is
/// line 1) and, where one is at fault, the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// The CSV itself could not be read (I/O error or malformed quoting).
    Csv {
        /// Line where reading failed, when known.
        line: Option<u64>,
        /// The reader's message.
        message: String,
    },
    /// A required column is absent from the header.
    MissingColumn {
        /// The column's name.
        column: &'static str,
    },
    /// A record is shorter than the header's required columns.
    ShortRecord {
        /// Line of the record.
        line: u64,
        /// The first required column it lacks.
        column: &'static str,
    },
    /// A field holds a value the column does not allow.
    BadValue {
        /// Line of the record.
        line: u64,
        /// The column.
        column: &'static str,
        /// What is wrong, in plain words.
        problem: String,
    },
    /// The same respondent answered the same item twice in the same wave.
    Duplicate {
        /// The earlier line.
        first: u64,
        /// The later line.
        second: u64,
        /// The respondent.
        respondent: String,
        /// The wave.
        wave: &'static str,
        /// The item.
        item: String,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Csv {
                line: Some(line),
                message,
            } => write!(f, "line {line}: cannot read CSV: {message}"),
            InputError::Csv {
                line: None,
                message,
            } => write!(f, "cannot read CSV: {message}"),
            InputError::MissingColumn { column } => write!(
                f,
                "line 1: missing column \"{column}\" (the header needs respondent_id, wave, \
                 item and score)"
            ),
            InputError::ShortRecord { line, column } => {
                write!(
                    f,
                    "line {line}: too few fields, no value for column \"{column}\""
                )
            }
            InputError::BadValue {
                line,
                column,
                problem,
            } => write!(f, "line {line}, column \"{column}\": {problem}"),
            InputError::Duplicate {
                first,
                second,
                respondent,
                wave,
                item,
            } => write!(
                f,
                "lines {first} and {second}: respondent \"{respondent}\" answered item \
                 \"{item}\" twice in wave {wave}; keep one of the two rows"
            ),
        }
    }
}

impl std::error::Error for InputError {}

/// The whole output: one entry per item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Items in byte order of their names.
    pub items: Vec<ItemResult>,
}

/// The statistics of one item, in the field order of SPEC §3.14.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemResult {
    /// Item identifier as given in the CSV.
    pub item: String,
    /// Responses in the "from" wave.
    pub n_pre: usize,
    /// Responses in the "to" wave.
    pub n_post: usize,
    /// Respondents who answered in both waves.
    pub n_paired: usize,
    /// Mean of the "from" wave.
    pub mean_pre: Option<f64>,
    /// Mean of the "to" wave.
    pub mean_post: Option<f64>,
    /// Sample SD (n − 1) of the "from" wave.
    pub sd_pre: Option<f64>,
    /// Sample SD (n − 1) of the "to" wave.
    pub sd_post: Option<f64>,
    /// Mean of post − pre over paired respondents.
    pub mean_change: Option<f64>,
    /// Wilcoxon signed-rank test of post − pre.
    pub wilcoxon: Option<WilcoxonResult>,
    /// Mann–Whitney U test of all post against all pre responses.
    pub mann_whitney: Option<MannWhitneyResult>,
    /// z / √(non-zero differences).
    pub effect_size_r: Option<f64>,
    /// Matched-pairs rank-biserial correlation.
    pub rank_biserial: Option<f64>,
    /// Why any field is null, and the small-sample caveat; null when there is nothing to say.
    pub note: Option<String>,
}

/// The `wilcoxon` object of the output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WilcoxonResult {
    /// min(R+, R−).
    pub statistic: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// `exact`, `permutation` or `approx`: the method actually used.
    pub method: &'static str,
    /// `wilcox`, `pratt` or `zsplit`.
    pub zero_method: &'static str,
}

/// The `mann_whitney` object of the output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MannWhitneyResult {
    /// U of the post group.
    pub u: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Runs the command and returns its exit code.
pub fn main(args: AnalyseArgs) -> ExitCode {
    let options = Options::from(&args);
    let path = args.responses.display();
    let file = match std::fs::File::open(&args.responses) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("flipside analyse: cannot open {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let report = match analyse(io::BufReader::with_capacity(1 << 20, file), &options) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("flipside analyse: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = if args.json {
        serde_json::to_writer_pretty(&mut out, &report)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        write_text(&mut out, &report, &options)
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flipside analyse: cannot write output: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The plain-text summary printed without `--json`, one block per item.
fn write_text(out: &mut impl Write, report: &Report, options: &Options) -> io::Result<()> {
    let show = |x: Option<f64>| x.map_or_else(|| "–".to_owned(), |v| format!("{v:.2}"));
    let (from, to) = (options.from.as_str(), options.to.as_str());
    for item in &report.items {
        writeln!(out, "{}", item.item)?;
        writeln!(
            out,
            "  {from}: n={} mean={} sd={}   {to}: n={} mean={} sd={}",
            item.n_pre,
            show(item.mean_pre),
            show(item.sd_pre),
            item.n_post,
            show(item.mean_post),
            show(item.sd_post)
        )?;
        writeln!(
            out,
            "  paired: n={} mean change={} r={} rank-biserial={}",
            item.n_paired,
            show(item.mean_change),
            show(item.effect_size_r),
            show(item.rank_biserial)
        )?;
        if let Some(w) = &item.wilcoxon {
            writeln!(
                out,
                "  Wilcoxon signed-rank: statistic={} p={:.4} ({}, zero method {})",
                w.statistic, w.p_value, w.method, w.zero_method
            )?;
        }
        if let Some(m) = &item.mann_whitney {
            writeln!(out, "  Mann-Whitney U: U={} p={:.4}", m.u, m.p_value)?;
        }
        if let Some(note) = &item.note {
            writeln!(out, "  note: {note}")?;
        }
    }
    Ok(())
}

/// One parsed response.
#[derive(Debug, Clone, Copy)]
struct Response {
    item: u32,
    respondent: u32,
    wave: Wave,
    score: u8,
    line: u64,
}

const COLUMNS: [&str; 4] = ["respondent_id", "wave", "item", "score"];

/// Reads the CSV from `reader` and computes every item's statistics.
pub fn analyse(reader: impl Read, options: &Options) -> Result<Report, InputError> {
    let (mut responses, item_names, respondent_names) = read_responses(reader)?;
    // Renumber items in name order so that one sort groups rows by item in output order.
    let mut order: Vec<u32> = (0..item_names.len() as u32).collect();
    order.sort_unstable_by(|a, b| item_names[*a as usize].cmp(&item_names[*b as usize]));
    let mut rank = vec![0u32; order.len()];
    for (position, id) in order.iter().enumerate() {
        rank[*id as usize] = position as u32;
    }
    for response in &mut responses {
        response.item = rank[response.item as usize];
    }
    // One integer key, ordered as (item, respondent, wave, line): a single comparison per
    // step makes this sort of a million rows markedly faster than comparing tuples.
    // Lines stay below 2^62 in any file that fits on a disk.
    responses.sort_unstable_by_key(|r| {
        (u128::from(r.item) << 96)
            | (u128::from(r.respondent) << 64)
            | (u128::from(r.wave as u8) << 62)
            | u128::from(r.line)
    });
    check_duplicates(&responses, &item_names, &order, &respondent_names)?;

    let mut items = Vec::with_capacity(order.len());
    let mut rest = responses.as_slice();
    for (position, id) in order.iter().enumerate() {
        let len = rest
            .iter()
            .position(|r| r.item != position as u32)
            .unwrap_or(rest.len());
        let (group, tail) = rest.split_at(len);
        rest = tail;
        items.push(analyse_item(
            item_names[*id as usize].clone(),
            group,
            options,
        ));
    }
    Ok(Report { items })
}

type Parsed = (Vec<Response>, Vec<String>, Vec<Box<[u8]>>);

fn read_responses(reader: impl Read) -> Result<Parsed, InputError> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(reader);
    let mut header = csv.byte_headers().map_err(csv_error)?.clone();
    header.trim();
    let mut index = [0usize; 4];
    for (slot, column) in index.iter_mut().zip(COLUMNS) {
        *slot = header
            .iter()
            .enumerate()
            .find(|(i, name)| {
                // Spreadsheet exports often start with a UTF-8 byte-order mark.
                let name = if *i == 0 {
                    name.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(name)
                } else {
                    name
                };
                name == column.as_bytes()
            })
            .map(|(i, _)| i)
            .ok_or(InputError::MissingColumn { column })?;
    }
    let [respondent_col, wave_col, item_col, score_col] = index;
    let needed = index.iter().max().copied().unwrap_or(0);

    let mut items: HashMap<Key, u32, FxBuild> = HashMap::default();
    let mut item_names: Vec<String> = Vec::new();
    let mut respondents: HashMap<Key, u32, FxBuild> = HashMap::default();
    let mut respondent_names: Vec<Box<[u8]>> = Vec::new();
    let mut responses = Vec::new();
    let mut record = csv::ByteRecord::new();
    // Fields are trimmed one by one below: trimming only the four we read is several times
    // cheaper than asking the reader to trim (and reallocate) every record.
    while csv.read_byte_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, |p| p.line());
        if record.len() <= needed {
            let column = COLUMNS
                .iter()
                .zip(index)
                .find(|(_, i)| *i >= record.len())
                .map_or(COLUMNS[0], |(c, _)| *c);
            return Err(InputError::ShortRecord { line, column });
        }
        let bad = |column: &'static str, problem: String| InputError::BadValue {
            line,
            column,
            problem,
        };
        let respondent_field = record[respondent_col].trim_ascii();
        if respondent_field.is_empty() {
            return Err(bad("respondent_id", "respondent_id is empty".into()));
        }
        let wave = Wave::parse(record[wave_col].trim_ascii()).ok_or_else(|| {
            bad(
                "wave",
                format!(
                    "unknown wave \"{}\" (expected pre, post or followup)",
                    String::from_utf8_lossy(record[wave_col].trim_ascii())
                ),
            )
        })?;
        let item_field = record[item_col].trim_ascii();
        if item_field.is_empty() {
            return Err(bad("item", "item is empty".into()));
        }
        let score = parse_score(record[score_col].trim_ascii()).ok_or_else(|| {
            bad(
                "score",
                format!(
                    "score \"{}\" is not an integer from 1 to 5",
                    String::from_utf8_lossy(record[score_col].trim_ascii())
                ),
            )
        })?;
        let item = match items.get(&Key::new(item_field)) {
            Some(id) => *id,
            None => {
                let name = std::str::from_utf8(item_field)
                    .map_err(|_| bad("item", "item is not valid UTF-8".into()))?;
                let id = item_names.len() as u32;
                item_names.push(name.to_owned());
                items.insert(Key::new(item_field), id);
                id
            }
        };
        let key = Key::new(respondent_field);
        let respondent = match respondents.get(&key) {
            Some(id) => *id,
            None => {
                let id = respondent_names.len() as u32;
                respondent_names.push(respondent_field.into());
                respondents.insert(key, id);
                id
            }
        };
        responses.push(Response {
            item,
            respondent,
            wave,
            score,
            line,
        });
    }
    Ok((responses, item_names, respondent_names))
}

/// An identifier as a hash-map key, held inline when short (as survey codes are) so that a
/// lookup compares bytes in place instead of following a pointer per row.
#[derive(PartialEq, Eq, Hash)]
enum Key {
    Short { len: u8, bytes: [u8; 22] },
    Long(Box<[u8]>),
}

impl Key {
    fn new(text: &[u8]) -> Key {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= 22 => {
                let mut bytes = [0; 22];
                bytes[..text.len()].copy_from_slice(text);
                Key::Short { len, bytes }
            }
            _ => Key::Long(text.into()),
        }
    }
}

/// A small multiplicative hasher (rustc's FxHash, with a finaliser) for the identifier maps: each row
/// hashes two short keys, and SipHash's protection against crafted collisions buys nothing
/// for a file the user chose to analyse, while costing a large share of the run time.
#[derive(Default, Clone, Copy)]
struct FxBuild;

struct FxHasher(u64);

impl std::hash::BuildHasher for FxBuild {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher(0)
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*byte)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        // Multiplication only carries upwards, so identifiers that differ in their last
        // characters (R0000001, R0000002, …) would share their low bits, which pick the
        // bucket. MurmurHash3's finaliser mixes the high bits back down.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

fn csv_error(e: csv::Error) -> InputError {
    InputError::Csv {
        line: e.position().map(|p| p.line()),
        message: e.to_string(),
    }
}

/// An integer from 1 to 5 written as plain digits (an optional `+` is not accepted: a score
/// is not a signed quantity, and anything unusual in the file deserves a look).
fn parse_score(field: &[u8]) -> Option<u8> {
    match field {
        [digit @ b'1'..=b'5'] => Some(digit - b'0'),
        _ => None,
    }
}

/// Rejects the first (by later line) respondent who answered an item twice in one wave.
/// `responses` is sorted by (item, respondent, wave, line), so duplicates are adjacent.
fn check_duplicates(
    responses: &[Response],
    item_names: &[String],
    order: &[u32],
    respondent_names: &[Box<[u8]>],
) -> Result<(), InputError> {
    let duplicate = responses
        .windows(2)
        .filter(|w| {
            (w[0].item, w[0].respondent, w[0].wave) == (w[1].item, w[1].respondent, w[1].wave)
        })
        .min_by_key(|w| (w[1].line, w[0].line));
    match duplicate {
        None => Ok(()),
        Some(w) => Err(InputError::Duplicate {
            first: w[0].line,
            second: w[1].line,
            respondent: String::from_utf8_lossy(&respondent_names[w[0].respondent as usize])
                .into_owned(),
            wave: w[0].wave.as_str(),
            item: item_names[order[w[0].item as usize] as usize].clone(),
        }),
    }
}

/// The statistics of one item from its responses, sorted by (respondent, wave).
fn analyse_item(item: String, group: &[Response], options: &Options) -> ItemResult {
    let (from, to) = (options.from, options.to);
    let mut pre = Vec::new();
    let mut post = Vec::new();
    let mut differences = Vec::new();
    let mut rest = group;
    while let Some(first) = rest.first() {
        let len = rest
            .iter()
            .position(|r| r.respondent != first.respondent)
            .unwrap_or(rest.len());
        let (answers, tail) = rest.split_at(len);
        rest = tail;
        let score_in = |wave: Wave| {
            answers
                .iter()
                .find(|r| r.wave == wave)
                .map(|r| f64::from(r.score))
        };
        let (before, after) = (score_in(from), score_in(to));
        pre.extend(before);
        post.extend(after);
        if let (Some(b), Some(a)) = (before, after) {
            differences.push(a - b);
        }
    }

    let mut notes = Notes::default();
    let pre_summary = stats::describe(&pre);
    let post_summary = stats::describe(&post);
    for (summary, wave, mean_field, sd_field) in [
        (&pre_summary, from, "mean_pre", "sd_pre"),
        (&post_summary, to, "mean_post", "sd_post"),
    ] {
        match summary.n {
            0 => notes.add(
                &[mean_field, sd_field],
                format!("no responses in wave {}", wave.as_str()),
            ),
            1 => notes.add(
                &[sd_field],
                format!(
                    "only one response in wave {}, and an SD needs two",
                    wave.as_str()
                ),
            ),
            _ => {}
        }
    }
    let mean_change = stats::describe(&differences).mean;
    if mean_change.is_none() {
        notes.add(&["mean_change"], Undefined::NoPairs.to_string());
    }

    let wilcoxon = match stats::wilcoxon(&differences, options.wilcoxon) {
        Ok(w) => Some(WilcoxonResult {
            statistic: w.statistic,
            p_value: w.p_value,
            method: w.method.as_str(),
            zero_method: w.zero_method.as_str(),
        }),
        Err(reason) => {
            notes.add(&["wilcoxon"], reason.to_string());
            None
        }
    };
    let effect_size_r = stats::effect_size_r(&differences)
        .map_err(|reason| notes.add(&["effect_size_r"], reason.to_string()))
        .ok();
    let rank_biserial = stats::rank_biserial(&differences)
        .map_err(|reason| notes.add(&["rank_biserial"], reason.to_string()))
        .ok();
    let mann_whitney = stats::mann_whitney(&post, &pre)
        .map(|m| MannWhitneyResult {
            u: m.u,
            p_value: m.p_value,
        })
        .map_err(|reason| notes.add(&["mann_whitney"], reason.to_string()))
        .ok();

    ItemResult {
        item,
        n_pre: pre.len(),
        n_post: post.len(),
        n_paired: differences.len(),
        mean_pre: pre_summary.mean,
        mean_post: post_summary.mean,
        sd_pre: pre_summary.sd,
        sd_post: post_summary.sd,
        mean_change,
        wilcoxon,
        mann_whitney,
        effect_size_r,
        rank_biserial,
        // With no pairs at all the caveat would only repeat the reason already given.
        note: notes.finish(small_n_caveat(differences.len()).filter(|_| !differences.is_empty())),
    }
}

/// Reasons for null fields, grouped so that fields sharing a reason share a sentence.
#[derive(Default)]
struct Notes {
    reasons: Vec<(Vec<&'static str>, String)>,
}

impl Notes {
    fn add(&mut self, fields: &[&'static str], reason: String) {
        match self.reasons.iter_mut().find(|(_, r)| *r == reason) {
            Some((existing, _)) => existing.extend_from_slice(fields),
            None => self.reasons.push((fields.to_vec(), reason)),
        }
    }

    fn finish(self, caveat: Option<String>) -> Option<String> {
        let mut sentences: Vec<String> = self
            .reasons
            .into_iter()
            .map(|(fields, reason)| format!("{} null: {reason}.", fields.join(", ")))
            .collect();
        sentences.extend(caveat);
        (!sentences.is_empty()).then(|| sentences.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(csv: &str) -> Result<Report, InputError> {
        analyse(csv.as_bytes(), &Options::default())
    }

    #[test]
    fn pairs_respondents_across_waves_and_ignores_extra_columns() {
        let csv = "respondent_id,wave,extra,item,score\n\
                   a,pre,x,belong,2\na,post,y,belong,4\nb,pre,,belong,3\nb,post,,belong,3\n\
                   c,pre,,belong,5\nc,followup,,belong,1\n";
        let report = run(csv).unwrap();
        let item = &report.items[0];
        assert_eq!((item.n_pre, item.n_post, item.n_paired), (3, 2, 2));
        assert_eq!(item.mean_pre, Some(10.0 / 3.0));
        assert_eq!(item.mean_change, Some(1.0));
        assert_eq!(item.rank_biserial, Some(1.0));
        assert!(item.note.as_deref().unwrap().contains("Only 2 respondents"));
    }

    #[test]
    fn items_come_out_in_byte_order_of_their_names() {
        let csv = "respondent_id,wave,item,score\na,pre,q2,1\na,pre,q10,1\na,pre,B,1\n";
        let names: Vec<String> = run(csv)
            .unwrap()
            .items
            .into_iter()
            .map(|i| i.item)
            .collect();
        assert_eq!(names, ["B", "q10", "q2"]);
    }

    #[test]
    fn all_zero_differences_give_nulls_with_a_reason() {
        let csv = "respondent_id,wave,item,score\na,pre,q,3\na,post,q,3\nb,pre,q,2\nb,post,q,2\n";
        let item = &run(csv).unwrap().items[0];
        assert_eq!(item.wilcoxon, None);
        assert_eq!(item.effect_size_r, None);
        let note = item.note.as_deref().unwrap();
        assert!(
            note.contains("wilcoxon, effect_size_r, rank_biserial null"),
            "{note}"
        );
        assert!(item.mann_whitney.is_some());
    }

    #[test]
    fn bad_lines_are_named_with_their_column() {
        let header = "respondent_id,wave,item,score\n";
        let err = run(&format!("{header}a,pre,q,3\na,during,q,3\n")).unwrap_err();
        assert_eq!(err.to_string().split(',').next(), Some("line 3"));
        assert!(err.to_string().contains("unknown wave \"during\""));
        let err = run(&format!("{header}a,pre,q,6\n")).unwrap_err();
        assert!(
            err.to_string().starts_with("line 2, column \"score\""),
            "{err}"
        );
        let err = run(&format!("{header}a,pre,q,2.5\n")).unwrap_err();
        assert!(err.to_string().contains("not an integer"), "{err}");
        let err = run("respondent_id,wave,item\na,pre,q\n").unwrap_err();
        assert_eq!(err, InputError::MissingColumn { column: "score" });
        let err = run(&format!("{header}a,pre\n")).unwrap_err();
        assert!(
            err.to_string().starts_with("line 2: too few fields"),
            "{err}"
        );
    }

    #[test]
    fn a_repeated_answer_is_an_error_naming_both_lines() {
        let csv = "respondent_id,wave,item,score\na,pre,q,3\nb,pre,q,3\na,pre,q,4\n";
        let err = run(csv).unwrap_err();
        assert!(err.to_string().starts_with("lines 2 and 4:"), "{err}");
    }

    #[test]
    fn from_and_to_choose_the_compared_waves() {
        let csv = "respondent_id,wave,item,score\na,pre,q,1\na,followup,q,5\na,post,q,3\n";
        let options = Options {
            from: Wave::Pre,
            to: Wave::Followup,
            ..Options::default()
        };
        let item = &analyse(csv.as_bytes(), &options).unwrap().items[0];
        assert_eq!(item.mean_change, Some(4.0));
    }

    /// SciPy's answers for awkward small data sets under every option; regenerate with
    /// `tests/reference/analyse/generate.py`.
    const REFERENCE: &str = include_str!("../../../tests/reference/analyse/cases.json");

    fn options_of(case: &serde_json::Value) -> Options {
        let o = &case["options"];
        let wave = |name: &str| Wave::parse(o[name].as_str().unwrap().as_bytes()).unwrap();
        Options {
            from: wave("from"),
            to: wave("to"),
            wilcoxon: WilcoxonOptions {
                zero_method: match o["zero_method"].as_str().unwrap() {
                    "wilcox" => ZeroMethod::Wilcox,
                    "pratt" => ZeroMethod::Pratt,
                    _ => ZeroMethod::Zsplit,
                },
                method: match o["method"].as_str().unwrap() {
                    "auto" => Method::Auto,
                    "exact" => Method::Exact,
                    _ => Method::Approx,
                },
                correction: o["correction"].as_bool().unwrap(),
            },
        }
    }

    /// Compares `actual` with `expected` field by field: numbers to 1e-9 (relative above 1),
    /// strings exactly, nulls as nulls. Returns the first mismatch's path.
    fn mismatch(
        path: &str,
        expected: &serde_json::Value,
        actual: &serde_json::Value,
    ) -> Option<String> {
        use serde_json::Value;
        match (expected, actual) {
            (Value::Number(e), Value::Number(a)) => {
                let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
                ((e - a).abs() > 1e-9 * e.abs().max(1.0)).then(|| format!("{path}: {e} vs {a}"))
            }
            (Value::Object(e), Value::Object(a)) => e.iter().find_map(|(key, value)| {
                mismatch(
                    &format!("{path}.{key}"),
                    value,
                    a.get(key).unwrap_or(&Value::Null),
                )
            }),
            (Value::Array(e), Value::Array(a)) if e.len() == a.len() => e
                .iter()
                .zip(a)
                .enumerate()
                .find_map(|(i, (e, a))| mismatch(&format!("{path}[{i}]"), e, a)),
            (e, a) => (e != a).then(|| format!("{path}: {e} vs {a}")),
        }
    }

    #[test]
    fn agrees_with_scipy_on_every_reference_case() {
        let reference: serde_json::Value = serde_json::from_str(REFERENCE).unwrap();
        let cases = reference["cases"].as_array().unwrap();
        assert!(cases.len() >= 300, "the reference file lost cases");
        let mut failures = Vec::new();
        for case in cases {
            let dataset = case["dataset"].as_str().unwrap();
            let csv = reference["datasets"][dataset].as_str().unwrap();
            let report = analyse(csv.as_bytes(), &options_of(case)).unwrap();
            let actual = serde_json::to_value(&report).unwrap();
            let label = format!("{dataset} {}", case["options"]);
            if let Some(problem) = mismatch(&label, &case["expected"], &actual) {
                failures.push(problem);
            }
            for item in report.items.iter() {
                let has_null = item.mean_pre.is_none()
                    || item.mean_post.is_none()
                    || item.sd_pre.is_none()
                    || item.sd_post.is_none()
                    || item.wilcoxon.is_none()
                    || item.mann_whitney.is_none();
                if has_null && item.note.is_none() {
                    failures.push(format!("{label} {}: null without a note", item.item));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} mismatches:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// The same checks as the `analyse` fuzz target (fuzz/), so that `cargo test` covers them
    /// without cargo-fuzz: any input is analysed or refused naming lines that exist, and every
    /// figure of a report lies in its range.
    mod arbitrary_input {
        use super::*;
        use proptest::prelude::*;

        fn check(data: &[u8]) {
            let lines = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            let exists = |line: u64| (1..=lines).contains(&line);
            match analyse(data, &Options::default()) {
                Ok(report) => {
                    assert!(report.items.windows(2).all(|w| w[0].item < w[1].item));
                    for item in &report.items {
                        assert!(item.n_paired <= item.n_pre.min(item.n_post), "{item:?}");
                        for mean in [item.mean_pre, item.mean_post].into_iter().flatten() {
                            assert!((1.0..=5.0).contains(&mean), "{item:?}");
                        }
                        let p_values = item.wilcoxon.iter().map(|w| w.p_value);
                        let p_values = p_values.chain(item.mann_whitney.iter().map(|m| m.p_value));
                        for p in p_values {
                            assert!((0.0..=1.0).contains(&p), "{item:?}");
                        }
                        for r in [item.effect_size_r, item.rank_biserial]
                            .into_iter()
                            .flatten()
                        {
                            assert!((-1.0..=1.0).contains(&r), "{item:?}");
                        }
                    }
                }
                Err(e) => match e {
                    InputError::Csv { line, .. } => assert!(line.is_none_or(exists), "{e:?}"),
                    InputError::MissingColumn { .. } => {}
                    InputError::ShortRecord { line, .. } | InputError::BadValue { line, .. } => {
                        assert!(exists(line), "{e:?}")
                    }
                    InputError::Duplicate { first, second, .. } => {
                        assert!(exists(first) && exists(second) && first < second, "{e:?}")
                    }
                },
            }
        }

        /// Responses-shaped text: a header of the four columns (perhaps shuffled, one perhaps
        /// missing, an extra one) and rows from few respondents and items, so that pairs,
        /// ties and duplicates occur.
        fn responses() -> impl Strategy<Value = String> {
            let columns = vec!["respondent_id", "wave", "item", "score", "extra"];
            let header = proptest::sample::subsequence(columns, 3..=5)
                .prop_shuffle()
                .prop_map(|c| c.join(","));
            let field = prop_oneof![
                3 => "[abc]",
                3 => "(pre|post|followup)",
                3 => "[1-5]",
                1 => "[0-9+ -]{0,2}",
                1 => "[\",\r\u{feff}\u{0}\u{ff}é]{0,2}",
            ];
            let row = proptest::collection::vec(field, 0..7).prop_map(|f| f.join(","));
            (header, proptest::collection::vec(row, 0..40))
                .prop_map(|(header, rows)| format!("{header}\n{}", rows.join("\n")))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn any_bytes_are_analysed_or_refused_naming_lines_that_exist(
                data in proptest::collection::vec(any::<u8>(), 0..300),
            ) {
                check(&data);
            }

            #[test]
            fn responses_shaped_text_gives_figures_in_range_or_names_lines_that_exist(
                text in responses(),
            ) {
                check(text.as_bytes());
            }
        }
    }
}
