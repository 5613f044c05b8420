//! A deterministic, realistic institution in the import's CSV shapes, for the demo and for
//! benchmarks: the same seed and sizes always give the same files. Everyone in it is invented.

/// The four CSV files of one generated institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedInstitution {
    pub schools: String,
    pub tutors: String,
    pub students: String,
    pub assignments: String,
}

/// The demo organisation's faculties and Schools (kept in step with the web demo).
pub const SCHOOLS: &[(&str, &str, &str)] = &[
    ("HIS", "School of History", "Faculty of Arts and Humanities"),
    (
        "ENG",
        "School of English and Creative Writing",
        "Faculty of Arts and Humanities",
    ),
    (
        "ENGR",
        "School of Engineering",
        "Faculty of Science and Engineering",
    ),
    (
        "COMP",
        "School of Computer Science",
        "Faculty of Science and Engineering",
    ),
    (
        "CHEM",
        "School of Chemistry",
        "Faculty of Science and Engineering",
    ),
    (
        "NURS",
        "School of Nursing and Midwifery",
        "Faculty of Health and Life Sciences",
    ),
    (
        "BIOS",
        "School of Biosciences",
        "Faculty of Health and Life Sciences",
    ),
    ("LAW", "School of Law", "Faculty of Social Sciences"),
    ("BUS", "Business School", "Faculty of Social Sciences"),
    ("EDU", "School of Education", "Faculty of Social Sciences"),
];

/// Relative size of each School (students and tutors are spread in these proportions).
const WEIGHTS: [u64; 10] = [6, 7, 14, 13, 6, 12, 9, 10, 16, 7];

const PROGRAMMES: &[&[&str]] = &[
    &["BA History", "BA Ancient History", "MA Public History"],
    &["BA English Literature", "BA Creative Writing"],
    &[
        "MEng Mechanical Engineering",
        "BEng Civil Engineering",
        "MEng Electronic Engineering",
    ],
    &[
        "BSc Computer Science",
        "BSc Software Engineering",
        "MSc Data Science",
    ],
    &["MChem Chemistry", "BSc Chemistry"],
    &[
        "BSc Adult Nursing",
        "BSc Midwifery",
        "BSc Mental Health Nursing",
    ],
    &["BSc Biology", "BSc Biomedical Science"],
    &["LLB Law", "LLB Law with Criminology"],
    &[
        "BSc Business Management",
        "BSc Accounting and Finance",
        "MBA",
    ],
    &["BA Education Studies", "PGCE Primary"],
];

const GIVEN: &[&str] = &[
    "Amara", "Ben", "Chloe", "Dev", "Ewa", "Farah", "George", "Hana", "Idris", "Jess", "Kofi",
    "Lena", "Mateo", "Nia", "Owen", "Priya", "Quinn", "Rosa", "Sami", "Tomas", "Uma", "Vikram",
    "Wren", "Xiu", "Yusuf", "Zara", "Aled", "Bronwen", "Ciaran", "Dara", "Eilidh", "Femi",
];
const FAMILY: &[&str] = &[
    "Adeyemi",
    "Baxter",
    "Chowdhury",
    "Davies",
    "Evans",
    "Fraser",
    "Gallagher",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lewis",
    "Mensah",
    "Nguyen",
    "O'Brien",
    "Patel",
    "Quigley",
    "Rahman",
    "Singh",
    "Thomas",
    "Usman",
    "Varga",
    "Williams",
    "Xu",
    "Yilmaz",
    "Zielinski",
];
const LABELS: &[&str] = &[
    "UK ethnically minoritised",
    "Mature (21+) entry",
    "International",
    "Widening participation background",
];

/// SplitMix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The School index for the `i`th of `n` people, so that Schools get their weighted share.
fn school_of(i: usize, n: usize) -> usize {
    let total: u64 = WEIGHTS.iter().sum();
    let point = (i as u64 * total) / n.max(1) as u64;
    let mut acc = 0;
    for (s, w) in WEIGHTS.iter().enumerate() {
        acc += w;
        if point < acc {
            return s;
        }
    }
    WEIGHTS.len() - 1
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Generates `students` students and `tutors` tutors across [`SCHOOLS`], with last year's
/// (`last_year`, e.g. "2024/25") assignments for students beyond their first year.
pub fn generate(
    students: usize,
    tutors: usize,
    last_year: &str,
    seed: u64,
) -> GeneratedInstitution {
    let mut rng = Rng(seed);
    let mut schools = String::from("school_code,school_name,faculty\n");
    for (code, name, faculty) in SCHOOLS {
        schools.push_str(&format!("{code},{name},{faculty}\n"));
    }

    // Tutors, grouped by School; capacity leaves slack over the School's students.
    let mut tutor_csv = String::from("tutor_id,name,email,school_code,capacity\n");
    let mut by_school: Vec<Vec<String>> = vec![Vec::new(); SCHOOLS.len()];
    for i in 0..tutors {
        let s = school_of(i, tutors);
        let id = format!("T{:05}", i + 1);
        let (given, family) = (rng.pick(GIVEN), rng.pick(FAMILY));
        let per_tutor = students.div_ceil(tutors.max(1)) as u64;
        let capacity = per_tutor + 2 + rng.below(per_tutor / 2 + 3);
        let email = format!(
            "{}.{}.{}@staff.example.ac.uk",
            given.to_lowercase(),
            family.to_lowercase().replace('\'', ""),
            i + 1
        );
        tutor_csv.push_str(&format!(
            "{id},{},{email},{},{capacity}\n",
            csv_field(&format!("{given} {family}")),
            SCHOOLS[s].0
        ));
        by_school[s].push(id);
    }

    let mut student_csv = String::from(
        "student_id,name,email,school_code,programme,year_of_study,entry_age,identity_labels,identity_consent\n",
    );
    let mut assignments = String::from("student_id,tutor_id,academic_year\n");
    for i in 0..students {
        let s = school_of(i, students);
        let id = format!("S{:06}", i + 1);
        let (given, family) = (rng.pick(GIVEN), rng.pick(FAMILY));
        let programme = rng.pick(PROGRAMMES[s]);
        let year = 1 + rng.below(4) as i64;
        let mature = rng.chance(18);
        let entry_age = if mature {
            21 + rng.below(25)
        } else {
            17 + rng.below(3)
        };
        let consent = rng.chance(60);
        let mut labels = Vec::new();
        if consent {
            if mature {
                labels.push(LABELS[1]);
            }
            for (k, p) in [(0, 22), (2, 16), (3, 28)] {
                if rng.chance(p) {
                    labels.push(LABELS[k]);
                }
            }
        }
        student_csv.push_str(&format!(
            "{id},{},s{}@students.example.ac.uk,{},{},{year},{entry_age},{},{}\n",
            csv_field(&format!("{given} {family}")),
            i + 1,
            SCHOOLS[s].0,
            csv_field(programme),
            csv_field(&labels.join(";")),
            if consent { "yes" } else { "no" },
        ));
        // Students past their first year had a tutor last year (most of them in their School).
        if year > 1 && !by_school[s].is_empty() && rng.chance(92) {
            let pool = &by_school[s];
            let tutor = &pool[rng.below(pool.len() as u64) as usize];
            assignments.push_str(&format!("{id},{tutor},{last_year}\n"));
        }
    }
    GeneratedInstitution {
        schools,
        tutors: tutor_csv,
        students: student_csv,
        assignments,
    }
}
