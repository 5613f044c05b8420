//! The demo's survey waves: dates for last year's cycle (whose answers `demo.rs` seeds), and an
//! open "before" wave on this year's cycle for the demo mentor and mentee accounts, so that
//! `/surveys` has something to answer. Idempotent: what is already there is kept.
use chrono::{Days, NaiveDate, Utc};
use flipside_core::evaluation::Wave;
use flipside_core::surveys::WaveDates;
use flipside_store::{Store, StoreError};

fn date(s: &str) -> anyhow::Result<NaiveDate> {
    Ok(NaiveDate::parse_from_str(s, "%Y-%m-%d")?)
}

/// (demo account, participant code, role, research consent) enrolled in this year's surveys.
const ENROLLED: &[(&str, &str, &str, bool)] = &[
    ("mentor@demo.flipside.test", "M01", "mentor", true),
    ("mentor2@demo.flipside.test", "M02", "mentor", false),
    ("mentee@demo.flipside.test", "L01", "mentee", true),
    ("mentee2@demo.flipside.test", "L02", "mentee", true),
];

/// Seeds the waves of the past cycle and an open wave of the current one.
pub async fn seed(store: &Store, past: i64, current: i64) -> anyhow::Result<()> {
    if store.survey_waves(past).await?.is_empty() {
        let wave = |wave, opens: &str, closes: &str| -> anyhow::Result<WaveDates> {
            Ok(WaveDates {
                wave,
                opens_on: date(opens)?,
                closes_on: date(closes)?,
            })
        };
        store
            .set_wave_dates(
                past,
                &[
                    wave(Wave::Pre, "2025-10-01", "2025-10-24")?,
                    wave(Wave::Post, "2026-05-04", "2026-05-29")?,
                    wave(Wave::Followup, "2026-11-02", "2026-11-20")?,
                ],
            )
            .await?;
    }
    if store.survey_waves(current).await?.is_empty() {
        let today = Utc::now().date_naive();
        store
            .set_wave_dates(
                current,
                &[WaveDates {
                    wave: Wave::Pre,
                    opens_on: today - Days::new(7),
                    closes_on: today + Days::new(21),
                }],
            )
            .await?;
    }
    for (email, code, role, consent) in ENROLLED {
        let user = store.user_by_email(email).await?;
        match store
            .add_survey_participant(current, code, role, Some(user.id), *consent)
            .await
        {
            Ok(_) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
