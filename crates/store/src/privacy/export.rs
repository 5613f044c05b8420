//! A person's export: everything held on them, gathered per registry entry.
//!
//! The JSON document (`format` = `flipside-person-export/1`):
//! ```text
//! { "format": "flipside-person-export/1",
//!   "generated_at": RFC 3339,
//!   "person": { "user_id": 1, "email": "…", "display_name": "…" },
//!   "kinds": [ { "kind": "application", "name": "Applications", "purpose": "…",
//!                "basis": "consent (UK GDPR Art. 6(1)(a))", "special": null | "…",
//!                "visible_to": "…",
//!                "tables": { "applications": [ { column: value, … } ] } } ] }
//! ```
//! Kinds appear in the registry's order, only when they hold a row on the person. Rows carry
//! every column of their table except secrets (`*_hash`); instants are RFC 3339 in UTC with
//! microseconds, dates `YYYY-MM-DD`, flags booleans, on both backends alike.
use super::{Person, REGISTRY, with_person};
use crate::pool::Pool;
use crate::{Result, Store};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use flipside_core::privacy::DataKind;
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::{Column, Row, TypeInfo, ValueRef};
use std::collections::BTreeMap;

/// Everything held on one person.
#[derive(Debug, Clone, Serialize)]
pub struct PersonExport {
    pub format: &'static str,
    pub generated_at: String,
    pub person: PersonHeader,
    pub kinds: Vec<KindExport>,
}

/// Who the export is about.
#[derive(Debug, Clone, Serialize)]
pub struct PersonHeader {
    /// Their account; `null` for someone held without one.
    pub user_id: Option<i64>,
    pub email: String,
    pub display_name: String,
}

/// The rows of one kind of data, with what the privacy notice says about it.
#[derive(Debug, Clone, Serialize)]
pub struct KindExport {
    pub kind: DataKind,
    pub name: &'static str,
    pub purpose: &'static str,
    pub basis: &'static str,
    pub special: Option<&'static str>,
    pub visible_to: &'static str,
    /// Table name → rows.
    pub tables: BTreeMap<&'static str, Vec<Map<String, Value>>>,
}

impl PersonExport {
    /// The kinds the export holds rows of.
    pub fn kinds_present(&self) -> Vec<DataKind> {
        self.kinds.iter().map(|k| k.kind).collect()
    }
}

impl Store {
    /// Gathers everything held on `person`.
    pub async fn export_person(&self, person: &Person, now: DateTime<Utc>) -> Result<PersonExport> {
        let mut kinds: Vec<KindExport> = Vec::new();
        for entry in REGISTRY {
            let Some(condition) = entry.export else {
                continue;
            };
            let sql = with_person(&format!("SELECT * FROM {} WHERE {condition}", entry.table));
            let rows = match &self.pool {
                Pool::Sqlite(p) => sqlx::query(&sql)
                    .bind(person.user_id)
                    .bind(&person.email)
                    .bind(&person.display_name)
                    .fetch_all(p)
                    .await?
                    .iter()
                    .map(sqlite_json)
                    .collect::<Vec<_>>(),
                Pool::Postgres(p) => sqlx::query(&sql)
                    .bind(person.user_id)
                    .bind(&person.email)
                    .bind(&person.display_name)
                    .fetch_all(p)
                    .await?
                    .iter()
                    .map(postgres_json)
                    .collect::<Vec<_>>(),
            };
            if rows.is_empty() {
                continue;
            }
            let at = match kinds.iter().position(|k| k.kind == entry.kind) {
                Some(at) => at,
                None => {
                    let info = entry.kind.info();
                    kinds.push(KindExport {
                        kind: entry.kind,
                        name: info.name,
                        purpose: info.purpose,
                        basis: info.basis.words(),
                        special: info.special.map(|s| s.words()),
                        visible_to: info.visible_to,
                        tables: BTreeMap::new(),
                    });
                    kinds.len() - 1
                }
            };
            kinds[at].tables.insert(entry.table, rows);
        }
        Ok(PersonExport {
            format: "flipside-person-export/1",
            generated_at: instant(now),
            person: PersonHeader {
                user_id: (person.user_id != super::NO_ACCOUNT).then_some(person.user_id),
                email: person.email.clone(),
                display_name: person.display_name.clone(),
            },
            kinds,
        })
    }
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Secrets are never exported, even to their owner: a hash is of no use to them.
fn secret(column: &str) -> bool {
    column.ends_with("_hash")
}

fn sqlite_json(row: &sqlx::sqlite::SqliteRow) -> Map<String, Value> {
    let mut out = Map::new();
    for (i, column) in row.columns().iter().enumerate() {
        let name = column.name();
        if secret(name) {
            continue;
        }
        let null = row.try_get_raw(i).map(|v| v.is_null()).unwrap_or(true);
        let value = if null {
            Value::Null
        } else {
            match column.type_info().name() {
                "BOOLEAN" => row
                    .try_get::<bool, _>(i)
                    .map(Value::from)
                    .unwrap_or(Value::Null),
                "INTEGER" | "BIGINT" | "INT8" => row
                    .try_get::<i64, _>(i)
                    .map(Value::from)
                    .unwrap_or(Value::Null),
                "REAL" => row
                    .try_get::<f64, _>(i)
                    .map(Value::from)
                    .unwrap_or(Value::Null),
                _ => text_value(row.try_get::<String, _>(i).ok()),
            }
        };
        out.insert(name.to_string(), value);
    }
    out
}

/// SQLite keeps instants and dates as text: read them back into the same shape PostgreSQL's
/// typed columns give.
fn text_value(text: Option<String>) -> Value {
    let Some(text) = text else {
        return Value::Null;
    };
    if let Ok(at) = DateTime::parse_from_rfc3339(&text) {
        return Value::from(instant(at.with_timezone(&Utc)));
    }
    if let Ok(at) = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f%:z")
        .map(|n| n.and_utc())
        .or_else(|_| {
            DateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f%:z")
                .map(|d| d.with_timezone(&Utc))
        })
    {
        return Value::from(instant(at));
    }
    if text.len() == 10
        && let Ok(day) = NaiveDate::parse_from_str(&text, "%Y-%m-%d")
    {
        return Value::from(day.format("%Y-%m-%d").to_string());
    }
    Value::from(text)
}

fn postgres_json(row: &sqlx::postgres::PgRow) -> Map<String, Value> {
    let mut out = Map::new();
    for (i, column) in row.columns().iter().enumerate() {
        let name = column.name();
        if secret(name) {
            continue;
        }
        let null = row.try_get_raw(i).map(|v| v.is_null()).unwrap_or(true);
        let value = if null {
            Value::Null
        } else {
            match column.type_info().name() {
                "BOOL" => row.try_get::<bool, _>(i).map(Value::from).ok(),
                "INT8" => row.try_get::<i64, _>(i).map(Value::from).ok(),
                "INT4" => row.try_get::<i32, _>(i).map(Value::from).ok(),
                "INT2" => row.try_get::<i16, _>(i).map(Value::from).ok(),
                "FLOAT8" => row.try_get::<f64, _>(i).map(Value::from).ok(),
                "TIMESTAMPTZ" => row
                    .try_get::<DateTime<Utc>, _>(i)
                    .map(|at| Value::from(instant(at)))
                    .ok(),
                "DATE" => row
                    .try_get::<NaiveDate, _>(i)
                    .map(|d| Value::from(d.format("%Y-%m-%d").to_string()))
                    .ok(),
                _ => row.try_get::<String, _>(i).map(Value::from).ok(),
            }
            .unwrap_or(Value::Null)
        };
        out.insert(name.to_string(), value);
    }
    out
}
