//! Reading the migrated schema, so that a test can hold the registry against it.
use crate::pool::Pool;
use crate::{Result, Store};

/// One column of the migrated schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaColumn {
    pub table: String,
    pub column: String,
    /// Holds text (where a name, an email or a code could be).
    pub text: bool,
    /// Has a foreign key to `users`.
    pub references_users: bool,
}

/// Whether a column, by its name, points at or identifies a person. The rule (the registry
/// test applies it with "has a foreign key to `users`"):
/// - `email`, `*_email`, `to_address`, `account` (sign-in name), `owner` (a free-text owner);
/// - `*user_id`, `*_by` (who did it), `actor_id`, `author_id`, `owner_id`, `mentor_id`,
///   `mentee_id`, `student_id`, `*tutor_id`;
/// - `application_id`, `participant_id`: rows that hang on a person's application or survey
///   code are about that person.
pub fn is_person_column(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "email"
            | "to_address"
            | "account"
            | "owner"
            | "actor_id"
            | "author_id"
            | "owner_id"
            | "mentor_id"
            | "mentee_id"
            | "student_id"
            | "application_id"
            | "participant_id"
    ) || name.ends_with("_email")
        || name.ends_with("user_id")
        || name.ends_with("_by")
        || name.ends_with("tutor_id")
}

const SQLITE_COLUMNS: &str = "SELECT m.name AS table_name, p.name AS column_name, upper(p.type) AS data_type, \
     EXISTS (SELECT 1 FROM pragma_foreign_key_list(m.name) f WHERE f.\"table\" = 'users' AND f.\"from\" = p.name) AS to_users \
     FROM sqlite_master m JOIN pragma_table_info(m.name) p \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' ORDER BY m.name, p.cid";

const POSTGRES_COLUMNS: &str = "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, upper(c.data_type::text) AS data_type, \
     EXISTS (SELECT 1 FROM information_schema.key_column_usage k \
             JOIN information_schema.referential_constraints r ON r.constraint_name = k.constraint_name AND r.constraint_schema = k.constraint_schema \
             JOIN information_schema.key_column_usage u ON u.constraint_name = r.unique_constraint_name AND u.constraint_schema = r.unique_constraint_schema \
             WHERE k.table_schema = c.table_schema AND k.table_name = c.table_name AND k.column_name = c.column_name AND u.table_name = 'users') AS to_users \
     FROM information_schema.columns c \
     WHERE c.table_schema = current_schema() AND c.table_name NOT LIKE '_sqlx%' ORDER BY c.table_name, c.ordinal_position";

impl Store {
    /// Every column of every table of the migrated schema.
    pub async fn schema_columns(&self) -> Result<Vec<SchemaColumn>> {
        let rows: Vec<(String, String, String, bool)> = match &self.pool {
            Pool::Sqlite(p) => sqlx::query_as(SQLITE_COLUMNS).fetch_all(p).await?,
            Pool::Postgres(p) => sqlx::query_as(POSTGRES_COLUMNS).fetch_all(p).await?,
        };
        Ok(rows
            .into_iter()
            .map(
                |(table, column, data_type, references_users)| SchemaColumn {
                    table,
                    column,
                    text: data_type.contains("TEXT") || data_type.contains("CHAR"),
                    references_users,
                },
            )
            .collect())
    }

    /// How many rows of `table` hold `needle` (any case) in text `column`. For checking that
    /// an erasure left nothing behind; `table` and `column` must come from
    /// [`Store::schema_columns`].
    pub async fn count_text_containing(
        &self,
        table: &str,
        column: &str,
        needle: &str,
    ) -> Result<i64> {
        let sql = format!(
            "SELECT COUNT(*) FROM \"{table}\" WHERE lower(\"{column}\") LIKE '%' || $1 || '%'"
        );
        let needle = needle.to_lowercase();
        let (n,): (i64,) = crate::pool::on_pool!(self, pool => sqlx::query_as(&sql).bind(&needle).fetch_one(pool).await)?;
        Ok(n)
    }

    /// Every text column of every table that holds any of `needles` (any case), as
    /// "table.column holds \"needle\" (rows)": what an erasure left behind, if anything.
    pub async fn text_left_behind(&self, needles: &[&str]) -> Result<Vec<String>> {
        let mut found = Vec::new();
        for c in self.schema_columns().await?.iter().filter(|c| c.text) {
            for needle in needles {
                let n = self
                    .count_text_containing(&c.table, &c.column, needle)
                    .await?;
                if n > 0 {
                    found.push(format!("{}.{} holds {needle:?} ({n})", c.table, c.column));
                }
            }
        }
        Ok(found)
    }
}
