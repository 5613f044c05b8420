//! `GET /api/v1/me`: the signed-in person and their roles.
use crate::auth::ApiUser;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantJson {
    /// admin, coordinator, mentor, mentee, tutor, student, student_lead, researcher, school_lead
    pub role: String,
    /// organisation, scheme, cycle or school
    pub scope: String,
    /// The scheme, cycle or School id; absent for organisation-wide roles.
    pub scope_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<GrantJson>,
}

/// The signed-in person.
#[utoipa::path(get, operation_id = "getMe", path = "/api/v1/me", tag = "people",
    responses((status = 200, description = "The signed-in person and their roles", body = Me)))]
pub async fn show(ApiUser(user): ApiUser) -> Json<Me> {
    Json(Me {
        id: user.user.id,
        email: user.user.email.clone(),
        display_name: user.user.display_name.clone(),
        roles: user
            .actor
            .grants
            .iter()
            .map(|g| GrantJson {
                role: g.role.as_str().into(),
                scope: g.scope.kind().as_str().into(),
                scope_id: g.scope.id(),
            })
            .collect(),
    })
}
