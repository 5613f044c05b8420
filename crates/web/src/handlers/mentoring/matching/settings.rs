//! Saving the matching rules and weights.
use super::{SettingsView, managed_cycle, page};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use flipside_core::matching::WeightLevel;
use flipside_store::MatchingSettings;
use serde::Deserialize;

/// The weights and rules form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    interests_weight: String,
    #[serde(default)]
    availability_weight: String,
    #[serde(default)]
    allow_same_school: Option<String>,
    #[serde(default)]
    require_common_availability: Option<String>,
}

pub async fn save_settings(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let mut errors = FormErrors::default();
    let mut read = |field: &str, code: &str, what: &str| -> i64 {
        match WeightLevel::parse(code) {
            Some(level) => i64::from(level.weight()),
            None => {
                errors.add(
                    field,
                    format!("Choose how much {what} count: off, a little, some or a lot."),
                );
                0
            }
        }
    };
    let settings = MatchingSettings {
        interests_weight: read(
            "interests_weight",
            &form.interests_weight,
            "shared interests",
        ),
        availability_weight: read(
            "availability_weight",
            &form.availability_weight,
            "shared weekly slots",
        ),
        // Nothing in a cycle collects preferences, so their weight is always off.
        preferences_weight: 0,
        allow_same_school: form.allow_same_school.is_some(),
        require_common_availability: form.require_common_availability.is_some(),
    };
    if !errors.is_empty() {
        // Show what was typed, not what is stored.
        let shown = SettingsView {
            interests_weight: form.interests_weight,
            availability_weight: form.availability_weight,
            allow_same_school: settings.allow_same_school,
            require_common_availability: settings.require_common_availability,
        };
        let p = page(&state, ctx, cycle, scheme, Vec::new(), Some(shown), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    }
    operations::matching::save_settings(&state, Actor::of(&user, &address), id, &settings).await?;
    Ok(redirect_with_flash(
        &format!("/cycles/{id}/matching"),
        "The weights and rules are saved; the proposal below uses them.",
    ))
}
