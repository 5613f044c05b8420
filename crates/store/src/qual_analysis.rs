//! Keeping a scheme's codebook as its coordinators and researchers change it (issue 11): codes
//! added, edited, merged and imported, each in the caller's transaction, read back inside it
//! so that the check the rules make and the write it allows cannot be overtaken. The rules
//! are `flipside_core::qualitative::codebook`.
use crate::error::StoreError;
use crate::tx::on_tx;
use crate::{Result, Tx};
use flipside_core::qualitative::codebook::{Code, CodeId, Codebook, Colour};

pub(crate) type CodeRow = (i64, Option<i64>, String, String, String, Option<String>);

pub(crate) const CODE_SELECT: &str = "SELECT id, parent_id, name, description, colour, aim FROM qual_codes WHERE scheme_id = $1 ORDER BY position, id";

/// A scheme's codebook from its rows (the pool's read and the transaction's share it).
pub(crate) fn decode(rows: Vec<CodeRow>) -> Result<Codebook> {
    let codes = rows
        .into_iter()
        .map(|(id, parent, name, description, colour, aim)| {
            let colour = Colour::parse(&colour)
                .map_err(|_| StoreError::Corrupt(format!("code colour {colour:?}")))?;
            Ok(Code {
                id,
                name,
                description,
                colour,
                parent,
                aim,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Codebook { codes })
}

/// A code as it is written: every field but the id.
#[derive(Debug, Clone, Copy)]
pub struct CodeWrite<'a> {
    pub parent: Option<CodeId>,
    pub name: &'a str,
    pub description: &'a str,
    pub colour: &'a Colour,
    pub aim: Option<&'a str>,
}

const DUPLICATE: &str = "there is already a code with that name in this codebook";

impl Tx {
    /// A scheme's codebook, read inside the transaction after taking the scheme's codebook
    /// lock: the codebook an operation checks is the one it changes.
    pub async fn codebook_for_change(&mut self, scheme_id: i64) -> Result<Codebook> {
        self.lock(&format!("codebook:{scheme_id}")).await?;
        let rows: Vec<CodeRow> = on_tx!(self, c => sqlx::query_as(CODE_SELECT)
            .bind(scheme_id).fetch_all(&mut *c).await)?;
        decode(rows)
    }

    /// Adds a code to a scheme's codebook, after the others; returns its id.
    pub async fn add_code(&mut self, scheme_id: i64, code: CodeWrite<'_>) -> Result<CodeId> {
        let (position,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "SELECT COALESCE(MAX(position), -1) + 1 FROM qual_codes WHERE scheme_id = $1"
        ).bind(scheme_id).fetch_one(&mut *c).await)?;
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO qual_codes (scheme_id, parent_id, name, description, colour, aim, position) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        ).bind(scheme_id).bind(code.parent).bind(code.name).bind(code.description).bind(code.colour.as_str())
            .bind(code.aim).bind(position)
            .fetch_one(&mut *c).await.map_err(|e| StoreError::unique(e, DUPLICATE)))?;
        Ok(id)
    }

    /// Writes every field of one code of a scheme. Its excerpts refer to its id and keep it.
    pub async fn update_code(
        &mut self,
        scheme_id: i64,
        id: CodeId,
        code: CodeWrite<'_>,
    ) -> Result<()> {
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE qual_codes SET parent_id = $1, name = $2, description = $3, colour = $4, aim = $5 WHERE id = $6 AND scheme_id = $7"
        ).bind(code.parent).bind(code.name).bind(code.description).bind(code.colour.as_str()).bind(code.aim)
            .bind(id).bind(scheme_id)
            .execute(&mut *c).await.map(|r| r.rows_affected()).map_err(|e| StoreError::unique(e, DUPLICATE)))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Merges code `from` into code `into` of a scheme: every excerpt coded `from` is coded
    /// `into` instead (one that had both keeps `into` once), `from`'s sub-codes move under
    /// `into`, and `from` goes. Returns how many excerpts were recoded. The caller has checked
    /// the merge with `flipside_core::qualitative::codebook::Codebook::merge`.
    pub async fn merge_codes(&mut self, scheme_id: i64, from: CodeId, into: CodeId) -> Result<u64> {
        let both = on_tx!(self, c => sqlx::query(
            "DELETE FROM qual_excerpt_codes WHERE code_id = $1 AND excerpt_id IN (SELECT excerpt_id FROM qual_excerpt_codes WHERE code_id = $2)"
        ).bind(from).bind(into).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        let moved = on_tx!(self, c => sqlx::query(
            "UPDATE qual_excerpt_codes SET code_id = $1 WHERE code_id = $2"
        ).bind(into).bind(from).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        on_tx!(self, c => sqlx::query(
            "UPDATE qual_codes SET parent_id = $1 WHERE parent_id = $2 AND scheme_id = $3"
        ).bind(into).bind(from).bind(scheme_id).execute(&mut *c).await.map(|_| ()))?;
        let gone = on_tx!(self, c => sqlx::query(
            "DELETE FROM qual_codes WHERE id = $1 AND scheme_id = $2"
        ).bind(from).bind(scheme_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if gone == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(both + moved)
    }
}
