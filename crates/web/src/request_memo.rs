//! What one page request reads once and reuses: the organisation's time zone and who the
//! person is in personal tutoring, which the session lookup learns and the page context and
//! the handler (its dates, "today", the tutor's own records) ask for again. Only for requests
//! that change nothing (`GET`, `HEAD`): a form that changes the zone or links a record must
//! read afresh. Outside such a request (forms, background jobs) nothing is remembered.
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use flipside_core::local_time::Zone;
use flipside_core::policy::TutoringSelf;
use std::cell::Cell;

#[derive(Debug, Clone, Copy, Default)]
struct Memo {
    zone: Option<Zone>,
    /// (the person, their linked records), known to have no record waiting to be linked.
    tutoring: Option<(i64, TutoringSelf)>,
}

tokio::task_local! {
    static MEMO: Cell<Memo>;
}

/// The layer: a fresh memo for each request that reads only.
pub async fn scope(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        MEMO.scope(Cell::new(Memo::default()), next.run(request))
            .await
    } else {
        next.run(request).await
    }
}

fn update(f: impl FnOnce(&mut Memo)) {
    let _ = MEMO.try_with(|m| {
        let mut memo = m.get();
        f(&mut memo);
        m.set(memo);
    });
}

/// The zone this request already read.
pub fn zone() -> Option<Zone> {
    MEMO.try_with(|m| m.get().zone).ok().flatten()
}

/// Remembers the zone for the rest of this request (nothing outside a read-only request).
pub fn remember_zone(zone: Zone) {
    update(|m| m.zone = Some(zone));
}

/// Who `user_id` is in personal tutoring, if this request already learnt it with no record
/// waiting to be linked.
pub fn tutoring_self(user_id: i64) -> Option<TutoringSelf> {
    MEMO.try_with(|m| m.get().tutoring)
        .ok()
        .flatten()
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
        assert_eq!(zone(), None, "nothing is kept outside a request");
        assert_eq!(tutoring_self(7), None);
        let inside = MEMO.scope(Cell::new(Memo::default()), async {
            assert_eq!(zone(), None);
            remember_zone(london);
            remember_tutoring_self(7, me);
            assert_eq!(tutoring_self(8), None, "another person's is not theirs");
            (zone(), tutoring_self(7))
        });
        assert_eq!(inside.await, (Some(london), Some(me)));
        assert_eq!(zone(), None);
    }
}
