//! Qualitative coding over the API (SPEC §3.7, issue 11), as the analysis pages offer it: a
//! scheme's codebook (its codes; adding, editing and merging one; starting from the default
//! codebook; importing and downloading it as a REFI-QDA `.qdc` file) and a cycle's coding to
//! take away (the REFI-QDA project, its codebook, the excerpts as CSV) and two coders'
//! agreement. The same policy (`policy::codebook`, `policy::qualitative_export`,
//! `policy::code_chats`: the scheme's research team), the same store operations
//! (`operations::codebook`, each write one transaction with its audit entry) and the same
//! audited downloads as the pages.
use super::etag::{IfMatch, Tagged};
use super::{ApiPath, ApiQuery, PageParams, page, page_of};
use crate::auth::{ApiUser, ClientAddress, CurrentUser};
use crate::error::{ApiError, AppError};
use crate::handlers::allow;
use crate::handlers::qualitative::analysis::agreement::{AgreementQuery, agreement};
use crate::handlers::qualitative::analysis::codebook::download_qdc;
use crate::handlers::qualitative::analysis::exports::{
    codebook_download, excerpts_download, project_download,
};
use crate::handlers::qualitative::analysis::scheme_for;
use crate::operations::codebook::{
    add_code, check_edit, edit_code, import_codebook, merge_codes, start_default_codebook,
};
use crate::operations::cycles::Actor;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::routing::{MethodRouter, get, post, put};
use flipside_core::policy::{self, Action};
use flipside_core::qualitative::aims::Aim;
use flipside_core::qualitative::codebook::{CodeFields, CodeId, Codebook};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(
        list_codes,
        add,
        show,
        update,
        merge,
        defaults,
        import,
        export_codebook,
        export_project,
        export_cycle_codebook,
        export_csv,
        show_agreement
    ),
    components(schemas(
        CodeJson,
        CodePage,
        NewCodeJson,
        CodeUpdateJson,
        CodeMergeJson,
        MergedCodeJson,
        CodebookImportJson,
        DefaultCodebookJson,
        CodebookFile,
        AgreementJson,
        AgreementCoderJson,
        AgreementChatJson,
        AgreementCodeJson,
        DisagreementJson,
        AgreementLevel
    ))
)]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/schemes/{id}/codes", get(list_codes)),
        (Method::POST, "/schemes/{id}/codes", post(add)),
        (Method::GET, "/schemes/{id}/codes/{code}", get(show)),
        (Method::PUT, "/schemes/{id}/codes/{code}", put(update)),
        (
            Method::POST,
            "/schemes/{id}/codes/{code}/merge",
            post(merge),
        ),
        (
            Method::POST,
            "/schemes/{id}/codebook/defaults",
            post(defaults),
        ),
        (Method::POST, "/schemes/{id}/codebook/import", post(import)),
        (Method::GET, "/schemes/{id}/codebook", get(export_codebook)),
        (
            Method::GET,
            "/cycles/{id}/coding/project",
            get(export_project),
        ),
        (
            Method::GET,
            "/cycles/{id}/coding/codebook",
            get(export_cycle_codebook),
        ),
        (Method::GET, "/cycles/{id}/coding/excerpts", get(export_csv)),
        (
            Method::GET,
            "/cycles/{id}/coding/agreement",
            get(show_agreement),
        ),
    ]
}

/// What the policy refuses, documented once.
const REFUSED: &str =
    "The caller is not on the scheme's research team (its researchers and coordinators)";

/// One code of a scheme's codebook.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeJson {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// #rrggbb, lower case.
    pub colour: String,
    /// The code it sits under; absent at the top level.
    pub parent_id: Option<i64>,
    /// Its place in the tree, e.g. "Belonging › Isolation".
    pub path: String,
    /// The key of the aim the code itself is tied to (what an update sets).
    pub aim: Option<String>,
    /// The aim it evidences: its own, or else the nearest parent's.
    pub effective_aim: Option<String>,
    /// That aim's label, as the pages show it.
    pub effective_aim_label: Option<String>,
}

page_of!(CodePage, CodeJson);

fn code_json(book: &Codebook, aims: &[Aim], id: CodeId) -> Option<CodeJson> {
    let c = book.get(id)?;
    let effective = book.aim_of(id).map(str::to_string);
    Some(CodeJson {
        id: c.id,
        name: c.name.clone(),
        description: c.description.clone(),
        colour: c.colour.as_str().to_string(),
        parent_id: c.parent,
        path: book.path(id).unwrap_or_default(),
        aim: c.aim.clone(),
        effective_aim_label: effective.as_deref().map(|key| {
            aims.iter()
                .find(|a| a.key == key)
                .map_or_else(|| key.to_string(), |a| a.label.clone())
        }),
        effective_aim: effective,
    })
}

/// A code of the scheme's codebook as it stands (404 when the codebook has none by that id).
async fn code_answer(state: &AppState, scheme_id: i64, id: CodeId) -> Result<CodeJson, AppError> {
    let book = state.store.codebook_of_scheme(scheme_id).await?;
    let aims = state.store.aims_of_scheme(scheme_id).await?;
    code_json(&book, &aims, id).ok_or(AppError::NotFound)
}

/// A new code, as the codebook page's form adds one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCodeJson {
    /// Unique in the scheme's codebook, ignoring case.
    #[schema(min_length = 1, max_length = 80)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// #rrggbb (default #0072b2).
    #[schema(pattern = "^#[0-9a-fA-F]{6}$")]
    pub colour: Option<String>,
    /// The code to put it under; absent for the top level.
    pub parent_id: Option<i64>,
    /// The key of one of the scheme's aims; absent or empty for none (it then evidences its
    /// parent's aim, if any).
    pub aim: Option<String>,
}

/// Every field of a code, as the code's page edits it: renamed (its excerpts keep it),
/// described, recoloured, moved under another code, tied to an aim. Absent optional fields
/// are cleared (the code moves to the top level, ties to no aim of its own).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeUpdateJson {
    #[schema(min_length = 1, max_length = 80)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// #rrggbb
    #[schema(pattern = "^#[0-9a-fA-F]{6}$")]
    pub colour: String,
    pub parent_id: Option<i64>,
    pub aim: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeMergeJson {
    /// The code to merge into: another code of this codebook, not one of the merged code's
    /// own sub-codes.
    pub into: i64,
}

/// What a merge did.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergedCodeJson {
    /// The merged code, now removed.
    pub merged_id: i64,
    pub merged_name: String,
    /// The code it was merged into, with the merged code's sub-codes now under it.
    pub into: CodeJson,
    /// How many excerpts were recoded (none is lost).
    pub recoded: u64,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodebookImportJson {
    /// Codes added, under their parents.
    pub added: usize,
    /// Codes the codebook already had (by name), left as they were.
    pub present: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DefaultCodebookJson {
    /// Whether the default codebook was put in place; false when the codebook already had
    /// codes (then nothing changed).
    pub started: bool,
}

/// A REFI-QDA codebook file's bytes, documented as binary so that client generators offer a
/// file.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // only its schema is used: the handler reads the body as bytes
pub struct CodebookFile(Vec<u8>);

/// The scheme, once the policy lets the caller change its codebook.
async fn editable(state: &AppState, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    scheme_for(state, user, id).await?;
    allow(policy::codebook(&user.actor, id, Action::Edit))
}

/// The aim as sent: empty means none, as on the pages.
fn aim_of(aim: &Option<String>) -> Option<&str> {
    aim.as_deref().map(str::trim).filter(|a| !a.is_empty())
}

/// The scheme's codes, by id; each names its parent and its place in the tree.
#[utoipa::path(get, operation_id = "listCodes", path = "/api/v1/schemes/{id}/codes", tag = "coding", params(("id" = i64, Path, description = "Scheme id"), PageParams),
    responses((status = 200, description = "The codes", body = CodePage), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_codes(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<CodePage>, ApiError> {
    scheme_for(&state, &user, id).await?;
    let book = state.store.codebook_of_scheme(id).await?;
    let aims = state.store.aims_of_scheme(id).await?;
    let ids: Vec<CodeId> = book.codes.iter().map(|c| c.id).collect();
    let (ids, next_cursor) = page(ids, |c| *c, &params)?;
    Ok(Json(CodePage {
        items: ids
            .into_iter()
            .filter_map(|c| code_json(&book, &aims, c))
            .collect(),
        next_cursor,
    }))
}

/// Adds a code to the scheme's codebook; the change is audited.
#[utoipa::path(post, operation_id = "addCode", path = "/api/v1/schemes/{id}/codes", tag = "coding", params(("id" = i64, Path, description = "Scheme id")), request_body = NewCodeJson,
    responses((status = 201, description = "The code", body = CodeJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The name is empty, too long or taken, the colour is not #rrggbb, or the parent or aim is not one of this scheme's (the field is named)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn add(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    super::JsonBody(body): super::JsonBody<NewCodeJson>,
) -> Result<(StatusCode, Json<CodeJson>), ApiError> {
    editable(&state, &user, id).await?;
    let fields = CodeFields {
        name: &body.name,
        description: &body.description,
        colour: body.colour.as_deref().unwrap_or("#0072b2"),
        parent: body.parent_id,
        aim: aim_of(&body.aim),
    };
    let code = add_code(&state.store, Actor::of(&user, &address), id, &fields).await?;
    Ok((
        StatusCode::CREATED,
        Json(code_answer(&state, id, code).await?),
    ))
}

/// One code of the scheme's codebook, with its `ETag`.
#[utoipa::path(get, operation_id = "getCode", path = "/api/v1/schemes/{id}/codes/{code}", tag = "coding", params(("id" = i64, Path, description = "Scheme id"), ("code" = i64, Path, description = "Code id")),
    responses((status = 200, description = "The code", body = CodeJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, code)): ApiPath<(i64, CodeId)>,
) -> Result<Tagged<CodeJson>, ApiError> {
    scheme_for(&state, &user, id).await?;
    Ok(Tagged(code_answer(&state, id, code).await?))
}

/// Changes every field of a code; its excerpts keep it. The change is audited.
#[utoipa::path(put, operation_id = "updateCode", path = "/api/v1/schemes/{id}/codes/{code}", tag = "coding", params(("id" = i64, Path, description = "Scheme id"), ("code" = i64, Path, description = "Code id"), IfMatch), request_body = CodeUpdateJson,
    responses((status = 200, description = "The code as saved", body = CodeJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The name is empty, too long or taken, the colour is not #rrggbb, the parent is not one of this scheme's codes or is the code itself or one of its sub-codes, or the aim is not one of the scheme's (the field is named)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, code)): ApiPath<(i64, CodeId)>,
    if_match: IfMatch,
    super::JsonBody(body): super::JsonBody<CodeUpdateJson>,
) -> Result<Tagged<CodeJson>, ApiError> {
    editable(&state, &user, id).await?;
    let fields = CodeFields {
        name: &body.name,
        description: &body.description,
        colour: &body.colour,
        parent: body.parent_id,
        aim: aim_of(&body.aim),
    };
    // What is asked is judged before whether it was asked of the current code: a body that
    // breaks a rule is refused as such however fresh its tag.
    check_edit(&state.store, id, code, &fields).await?;
    if_match.check(&code_answer(&state, id, code).await?)?;
    edit_code(&state.store, Actor::of(&user, &address), id, code, &fields).await?;
    Ok(Tagged(code_answer(&state, id, code).await?))
}

/// Merges the code into another: its excerpts are recoded with the other (none is lost), its
/// sub-codes move under the other, and it is removed. The merge is audited.
#[utoipa::path(post, operation_id = "mergeCode", path = "/api/v1/schemes/{id}/codes/{code}/merge", tag = "coding", params(("id" = i64, Path, description = "Scheme id"), ("code" = i64, Path, description = "The code to merge (it is removed)")), request_body = CodeMergeJson,
    responses((status = 200, description = "What the merge did", body = MergedCodeJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "into is not another code of this codebook, or is one of the merged code's own sub-codes (into)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn merge(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, code)): ApiPath<(i64, CodeId)>,
    super::JsonBody(body): super::JsonBody<CodeMergeJson>,
) -> Result<Json<MergedCodeJson>, ApiError> {
    editable(&state, &user, id).await?;
    let (merged_name, _, recoded) = merge_codes(
        &state.store,
        Actor::of(&user, &address),
        id,
        code,
        body.into,
    )
    .await?;
    Ok(Json(MergedCodeJson {
        merged_id: code,
        merged_name,
        into: code_answer(&state, id, body.into).await?,
        recoded,
    }))
}

/// Starts an empty codebook from the default one: a code for each aim, with sub-codes. A
/// codebook that already has codes is left as it is.
#[utoipa::path(post, operation_id = "startDefaultCodebook", path = "/api/v1/schemes/{id}/codebook/defaults", tag = "coding", params(("id" = i64, Path, description = "Scheme id")),
    responses((status = 200, description = "Whether the default codebook was put in place", body = DefaultCodebookJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn defaults(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DefaultCodebookJson>, ApiError> {
    editable(&state, &user, id).await?;
    let started = start_default_codebook(&state.store, Actor::of(&user, &address), id).await?;
    Ok(Json(DefaultCodebookJson { started }))
}

/// Imports a REFI-QDA codebook (`.qdc`, as NVivo, ATLAS.ti or MAXQDA export it) sent as the
/// body: the codes the codebook does not have yet (by name) are added under their parents.
/// A file that cannot be read is refused with what is wrong, and nothing is stored. The
/// import is audited.
#[utoipa::path(post, operation_id = "importCodebook", path = "/api/v1/schemes/{id}/codebook/import", tag = "coding", params(("id" = i64, Path, description = "Scheme id")),
    request_body(description = "The .qdc file's bytes (application/octet-stream; application/xml and text/xml are accepted too)", content((inline(CodebookFile) = "application/octet-stream"))),
    responses((status = 200, description = "What was imported", body = CodebookImportJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 415, description = "The body is not sent as application/octet-stream or XML", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The file is empty or is not a REFI-QDA codebook (file: what is wrong); nothing was stored", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<CodebookImportJson>, ApiError> {
    editable(&state, &user, id).await?;
    let file = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            let m = m.trim().to_ascii_lowercase();
            m == "application/octet-stream" || m == "application/xml" || m == "text/xml"
        });
    if !file {
        return Err(AppError::UnsupportedMediaType(
            "Send the .qdc file as the body with 'Content-Type: application/octet-stream' (or application/xml)."
                .into(),
        )
        .into());
    }
    if body.is_empty() {
        return Err(AppError::Invalid {
            field: "file".into(),
            message: "Choose a REFI-QDA codebook file (.qdc) to import.".into(),
        }
        .into());
    }
    let done = import_codebook(&state.store, Actor::of(&user, &address), id, &body).await?;
    Ok(Json(CodebookImportJson {
        added: done.added,
        present: done.present,
    }))
}

/// The scheme's codebook as a REFI-QDA `.qdc` file, the page's download.
#[utoipa::path(get, operation_id = "exportCodebook", path = "/api/v1/schemes/{id}/codebook", tag = "coding", params(("id" = i64, Path, description = "Scheme id")),
    responses((status = 200, description = "The codebook as REFI-QDA XML (.qdc)", body = String, content_type = "application/xml"), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn export_codebook(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let scheme = scheme_for(&state, &user, id).await?;
    let key = format!("flipside scheme {id} at {}", state.settings.public_url);
    Ok(download_qdc(&state, &scheme, &key).await?)
}

/// The cycle's coding as a REFI-QDA project (`.qdpx`): the chats of participants whose
/// research consent stands, by pseudonym, with every coder's excerpts and the codebook. The
/// download is audited.
#[utoipa::path(get, operation_id = "exportCodingProject", path = "/api/v1/cycles/{id}/coding/project", tag = "coding", params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, description = "The REFI-QDA project (.qdpx, a zip)", body = CodebookFile, content_type = "application/zip"), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The project cannot be written", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn export_project(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    Ok(project_download(&state, &user, &address, id, "api").await?)
}

/// The codebook of the cycle's scheme as a REFI-QDA `.qdc` file whose GUIDs match the
/// cycle's project export. The download is audited.
#[utoipa::path(get, operation_id = "exportCycleCodebook", path = "/api/v1/cycles/{id}/coding/codebook", tag = "coding", params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, description = "The codebook as REFI-QDA XML (.qdc)", body = String, content_type = "application/xml"), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn export_cycle_codebook(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    Ok(codebook_download(&state, &user, &address, id, "api").await?)
}

/// The cycle's coded excerpts as CSV: one row per code of each excerpt, by pseudonym, of
/// participants whose research consent stands. The download is audited.
#[utoipa::path(get, operation_id = "exportCodingCsv", path = "/api/v1/cycles/{id}/coding/excerpts", tag = "coding", params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, description = "The excerpts as CSV", body = String, content_type = "text/csv"), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn export_csv(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    Ok(excerpts_download(&state, &user, &address, id, "api").await?)
}

/// The unit agreement is counted in.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgreementLevel {
    /// Numbered turns and sentences: a coder applied a code to a segment when one of their
    /// excerpts with it overlaps the segment.
    Segment,
    /// Characters: a coder applied a code to a character when one of their excerpts with it
    /// covers it.
    Character,
}

/// What to compare; every parameter optional, as on the page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AgreementParams {
    /// The first coder (default: of the two who coded most).
    pub a: Option<i64>,
    /// The second coder (default: the other of the two who coded most).
    pub b: Option<i64>,
    /// The unit of agreement (default segment).
    pub level: Option<AgreementLevel>,
    /// One chat only (default: every chat both coded).
    pub chat: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementCoderJson {
    pub id: i64,
    pub name: String,
    /// How many excerpts they coded in the cycle's chats.
    pub excerpts: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementChatJson {
    pub id: i64,
    /// "Mentor 3, End of cycle, 10 June 2026": by pseudonym.
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisagreementJson {
    /// "Mentor 3, End of cycle, passages 4–5".
    pub place: String,
    /// The words one coder coded and the other did not.
    pub text: String,
    /// true when the first coder (a) coded them; false when the second did.
    pub coded_by_a: bool,
}

/// One code's agreement: the units both coders, only one of them, or neither coded with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementCodeJson {
    pub code_id: i64,
    pub path: String,
    pub units: u64,
    pub both: u64,
    pub only_a: u64,
    pub only_b: u64,
    pub neither: u64,
    /// Percentage agreement, from 0 to 100.
    pub percentage: Option<f64>,
    /// Cohen's kappa; absent (undefined) where both coders put every unit in the same class.
    pub kappa: Option<f64>,
    pub disagreements: Vec<DisagreementJson>,
}

/// Two coders compared, as the agreement page shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementJson {
    /// Everyone who coded chats of the cycle, most excerpts first.
    pub coders: Vec<AgreementCoderJson>,
    pub a: Option<i64>,
    pub b: Option<i64>,
    pub a_name: String,
    pub b_name: String,
    /// segment or character
    pub level: String,
    /// The chats someone coded, to compare one at a time.
    pub chats: Vec<AgreementChatJson>,
    pub chat: Option<i64>,
    /// How many chats both coders coded, and so were compared.
    pub compared: usize,
    /// Each code either coder used in the compared chats.
    pub codes: Vec<AgreementCodeJson>,
    /// Why nothing could be compared, when nothing could.
    pub problem: Option<String>,
}

/// Two coders compared on the cycle's chats: per code, percentage agreement and Cohen's
/// kappa at the segment or character level, with each disagreement. For the scheme's
/// research team; a comparison made is audited (the disagreements quote the chats).
#[utoipa::path(get, operation_id = "getCodingAgreement", path = "/api/v1/cycles/{id}/coding/agreement", tag = "coding", params(("id" = i64, Path, description = "Cycle id"), AgreementParams),
    responses((status = 200, description = "The comparison, or (problem) why nothing could be compared", body = AgreementJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "a and b are the same person, or one of them has not coded chats of this cycle (the field is named)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show_agreement(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<AgreementParams>,
) -> Result<Json<AgreementJson>, ApiError> {
    let query = AgreementQuery {
        a: params.a.map(|a| a.to_string()),
        b: params.b.map(|b| b.to_string()),
        level: params.level.map(|l| {
            match l {
                AgreementLevel::Segment => "segment",
                AgreementLevel::Character => "character",
            }
            .to_string()
        }),
        chat: params.chat.map(|c| c.to_string()),
    };
    // The coders asked for are judged once the policy has let the caller see who coded.
    let found = agreement(&state, &user, &address, id, &query).await?;
    let coded = |who: i64| found.coders.iter().any(|c| c.id == who);
    for (field, who) in [("a", params.a), ("b", params.b)] {
        if let Some(who) = who
            && !coded(who)
        {
            return Err(AppError::Invalid {
                field: field.into(),
                message: "Choose someone who has coded chats of this cycle.".into(),
            }
            .into());
        }
    }
    if (params.a.is_some() || params.b.is_some()) && found.a.is_some() && found.a == found.b {
        return Err(AppError::Invalid {
            field: if params.b.is_some() { "b" } else { "a" }.into(),
            message: "Choose two different coders.".into(),
        }
        .into());
    }
    Ok(Json(AgreementJson {
        coders: found
            .coders
            .into_iter()
            .map(|c| AgreementCoderJson {
                id: c.id,
                name: c.name,
                excerpts: c.excerpts,
            })
            .collect(),
        a: found.a,
        b: found.b,
        a_name: found.a_name,
        b_name: found.b_name,
        level: found.level.as_str().to_string(),
        chats: found
            .chats
            .into_iter()
            .map(|(id, label)| AgreementChatJson { id, label })
            .collect(),
        chat: found.chat,
        compared: found.compared,
        codes: found
            .rows
            .into_iter()
            .map(|r| AgreementCodeJson {
                code_id: r.code,
                path: r.path,
                units: r.units,
                both: r.both,
                only_a: r.only_a,
                only_b: r.only_b,
                neither: r.neither,
                percentage: r.percentage_value,
                kappa: r.kappa_value,
                disagreements: r
                    .disagreements
                    .into_iter()
                    .map(|d| DisagreementJson {
                        place: d.place,
                        text: d.text,
                        coded_by_a: d.coded_by_a,
                    })
                    .collect(),
            })
            .collect(),
        problem: found.problem,
    }))
}
