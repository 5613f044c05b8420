//! The organisation's population figures (admins), against which a call's applicant pool is
//! compared (SPEC §3.2).
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::policy::{self, Action};
use flipside_store::{IdentityLabel, NewAuditEntry};

/// The largest population flipside accepts (a sanity bound, not a real limit of anything).
const MAX_POPULATION: i64 = 10_000_000;

/// One label's row on the form, with what was typed.
pub struct LabelField {
    pub id: i64,
    pub name: String,
    pub field: String,
    pub value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/population.html")]
pub struct PopulationPage {
    ctx: PageCtx,
    errors: FormErrors,
    total: String,
    source: String,
    labels: Vec<LabelField>,
}

/// Labels a population can be counted by ("in my own words" cannot).
fn countable(labels: Vec<IdentityLabel>) -> Vec<IdentityLabel> {
    labels.into_iter().filter(|l| !l.own_words).collect()
}

fn field_name(label_id: i64) -> String {
    format!("label_{label_id}")
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<PopulationPage, AppError> {
    allow(policy::organisation(&user.actor, Action::Edit))?;
    let org = state.organisation().await?.ok_or(AppError::NotFound)?;
    let labels = countable(state.store.identity_labels().await?)
        .into_iter()
        .map(|l| LabelField {
            id: l.id,
            field: field_name(l.id),
            value: l.population.map(|n| n.to_string()).unwrap_or_default(),
            name: l.name,
        })
        .collect();
    Ok(PopulationPage {
        ctx,
        errors: FormErrors::default(),
        total: org
            .population_total
            .map(|n| n.to_string())
            .unwrap_or_default(),
        source: org.population_source,
        labels,
    })
}

/// A blank field is "not known"; anything else must be a whole number in `0..=max`.
fn whole(value: &str, max: i64) -> Result<Option<i64>, ()> {
    let v = value.trim().replace([',', ' '], "");
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<i64>()
        .ok()
        .filter(|n| (0..=max).contains(n))
        .map(Some)
        .ok_or(())
}

pub async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    allow(policy::organisation(&user.actor, Action::Edit))?;
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut errors = FormErrors::default();
    let total = whole(&get("total"), MAX_POPULATION).unwrap_or_else(|()| {
        errors.add(
            "total",
            "Enter the population as a whole number, or leave it blank if it is not known.",
        );
        None
    });
    let total = total.filter(|&n| n > 0);
    let source = get("source").trim().to_string();
    if source.chars().count() > 200 {
        errors.add("source", "Keep the source to 200 characters.");
    }
    let labels = countable(state.store.identity_labels().await?);
    let mut figures = Vec::new();
    let mut fields = Vec::new();
    for l in labels {
        let field = field_name(l.id);
        let value = get(&field);
        match whole(&value, total.unwrap_or(MAX_POPULATION)) {
            Ok(Some(_)) if total.is_none() && errors.get("total").is_none() => errors.add(
                "total",
                "Enter the population total too: label figures are compared with it.",
            ),
            Ok(n) => figures.push((l.id, n)),
            Err(()) => errors.add(
                &field,
                match total {
                    Some(t) => format!(
                        "Enter how many people hold '{}' as a whole number no larger than the total ({t}), or leave it blank.",
                        l.name
                    ),
                    None => format!(
                        "Enter how many people hold '{}' as a whole number, or leave it blank.",
                        l.name
                    ),
                },
            ),
        }
        fields.push(LabelField {
            id: l.id,
            name: l.name,
            field,
            value,
        });
    }
    if !errors.is_empty() {
        let page = PopulationPage {
            ctx,
            errors,
            total: get("total"),
            source,
            labels: fields,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    // The figures and their audit entry commit together.
    let mut tx = state.store.begin().await?;
    tx.set_population(total, &source, &figures).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(user.id()),
        action: "population_updated",
        subject_kind: "organisation",
        subject_id: None,
        detail: &format!(
            "total {total:?}, {} label figures",
            figures.iter().filter(|(_, n)| n.is_some()).count()
        ),
        address: &address,
    })
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        "/admin/organisation/population",
        "Population figures saved.",
    ))
}
