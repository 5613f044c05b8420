//! What one page request reads once and reuses: the organisation (its time zone among it) and
//! who the person is in personal tutoring, which the session lookup learns and the page
//! context and the handler (its dates, "today", its disclosure rule, the tutor's own records)
//! ask for again. Only for requests that change nothing (`GET`, `HEAD`): a form that changes
//! the zone or links a record must read afresh. Outside such a request (forms, background
//! jobs) nothing is remembered.
use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;
use flipside_core::local_time::Zone;
use flipside_core::policy::TutoringSelf;
use flipside_store::Organisation;
use std::cell::RefCell;
use std::future::Future;

#[derive(Debug, Clone, Default)]
struct Memo {
    zone: Option<Zone>,
    /// The organisation as read (`Some(None)`: read, and not set up yet).
    organisation: Option<Option<Organisation>>,
    /// (the person, their linked records), known to have no record waiting to be linked.
    tutoring: Option<(i64, TutoringSelf)>,
}

tokio::task_local! {
    static MEMO: RefCell<Memo>;
}

/// The step (`crate::each_request`): a fresh memo for each request that reads only.
pub async fn scope<F: Future<Output = Response>>(
    request: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        MEMO.scope(RefCell::new(Memo::default()), next(request))
            .await
    } else {
        next(request).await
    }
}

/// The step that tells the store after every request that may have written (any method but
/// `GET` and `HEAD`), before its response leaves: whatever the server keeps in memory between
/// requests is checked against the data versions again, so the person's next page shows what
/// they just did even where a write was made outside a transaction (which says so itself on
/// commit). `flipside_store::versions` says what is kept and for how long.
pub async fn written<F: Future<Output = Response>>(
    state: &crate::state::AppState,
    request: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD);
    let response = next(request).await;
    if writes {
        state.store.note_write();
    }
    response
}

fn update(f: impl FnOnce(&mut Memo)) {
    let _ = MEMO.try_with(|m| f(&mut m.borrow_mut()));
}

fn read<T>(f: impl FnOnce(&Memo) -> Option<T>) -> Option<T> {
    MEMO.try_with(|m| f(&m.borrow())).ok().flatten()
}

/// The zone this request already read.
pub fn zone() -> Option<Zone> {
    read(|m| m.zone)
}

/// The organisation this request already read (`Some(None)`: there is none yet).
pub fn organisation() -> Option<Option<Organisation>> {
    read(|m| m.organisation.clone())
}

/// Remembers the organisation for the rest of this request (nothing outside a read-only
/// request).
pub fn remember_organisation(organisation: Option<Organisation>) {
    update(|m| m.organisation = Some(organisation));
}

/// Remembers the zone for the rest of this request (nothing outside a read-only request).
pub fn remember_zone(zone: Zone) {
    update(|m| m.zone = Some(zone));
}

/// Who `user_id` is in personal tutoring, if this request already learnt it with no record
/// waiting to be linked.
pub fn tutoring_self(user_id: i64) -> Option<TutoringSelf> {
    read(|m| m.tutoring)
        .filter(|(id, _)| *id == user_id)
        .map(|(_, me)| me)
}

/// Remembers who the person is in personal tutoring; only when no record waits to be linked
/// to them (else the next asker links it).
pub fn remember_tutoring_self(user_id: i64, me: TutoringSelf) {
    update(|m| m.tutoring = Some((user_id, me)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn what_a_request_learnt_is_remembered_only_inside_its_scope() {
        let london = Zone::parse("Europe/London").unwrap();
        let me = TutoringSelf {
            tutor_id: Some(3),
            student_id: None,
        };
        remember_zone(london);
        remember_tutoring_self(7, me);
        remember_organisation(None);
        assert_eq!(zone(), None, "nothing is kept outside a request");
        assert_eq!(tutoring_self(7), None);
        assert!(organisation().is_none());
        let inside = MEMO.scope(RefCell::new(Memo::default()), async {
            assert_eq!(zone(), None);
            remember_zone(london);
            remember_tutoring_self(7, me);
            assert_eq!(tutoring_self(8), None, "another person's is not theirs");
            assert!(organisation().is_none(), "not read yet");
            remember_organisation(None);
            assert!(
                matches!(organisation(), Some(None)),
                "read, and there is none"
            );
            (zone(), tutoring_self(7))
        });
        assert_eq!(inside.await, (Some(london), Some(me)));
        assert_eq!(zone(), None);
    }
}
