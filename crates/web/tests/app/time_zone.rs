//! The organisation's time zone (issue 14): an administrator sets it; meetings are typed and
//! shown in it with the zone named, across the last Sundays of March and October; calendar
//! files carry UTC; survey waves open and close by the organisation's date; and a meeting can
//! be logged as held only once it has started, which the page says until then.
use crate::helpers::TestApp;
use crate::meetings::{MENTEE, MENTOR, both_accept, setup};
use chrono::{DateTime, Days, TimeZone, Utc};
use flipside_core::evaluation::Wave;
use flipside_core::local_time::Zone;
use flipside_core::role::{Role, Scope};
use flipside_core::surveys::WaveDates;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn settings(zone: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", "Test University".into()),
        ("min_cell", "5".into()),
        ("disclosure_preset", "internal".into()),
        ("hours_target", "20".into()),
        ("time_zone", zone.into()),
    ]
}

#[tokio::test]
async fn an_administrator_sets_the_zone_and_a_name_that_is_not_one_is_refused_at_its_field() {
    let app = TestApp::spawn().await;
    let admin = app
        .as_role("morgan@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    // A new organisation keeps time in Europe/London, and the form says so.
    assert_eq!(app.store.zone().await.unwrap(), Zone::default());
    let page = admin.get_ok("/admin/organisation").await.body;
    assert!(
        page.contains(r#"name="time_zone" value="Europe/London""#),
        "{page}"
    );

    for bad in ["Mars/Olympus", "BST", ""] {
        let fields = settings(bad);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = admin.post("/admin/organisation", &fields).await;
        assert_eq!(r.status, 422, "{bad}");
        assert!(
            r.body.contains(r#"id="time_zone-error""#),
            "{bad}: {}",
            r.body
        );
        assert!(r.body.contains("Europe/London"), "{bad}");
        assert_eq!(app.store.zone().await.unwrap(), Zone::default(), "{bad}");
    }

    let fields = settings("america/new_york");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = admin.post("/admin/organisation", &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.store.zone().await.unwrap().name(), "America/New_York");
    let audit = app
        .store
        .audit_entries(Some("organisation_updated"), 10)
        .await
        .unwrap();
    let detail = &audit[0].detail;
    assert!(
        detail.contains("zone America/New_York (was ") && detail.ends_with("zone Europe/London)"),
        "{detail}"
    );
    // Pages now name the new zone.
    assert!(
        admin
            .get_ok("/admin/audit")
            .await
            .body
            .contains("When (America/New_York)")
    );
}

#[tokio::test]
async fn meetings_are_typed_and_shown_in_the_zone_across_the_changes_of_the_clocks() {
    let app = TestApp::spawn().await;
    app.clock.set(utc(2027, 3, 1, 12, 0));
    let s = setup(&app).await;
    let mentor = app.signed_in(MENTOR).await;
    let mentee = app.signed_in(MENTEE).await;
    both_accept(&s, &mentor, &mentee).await;
    let path = format!("/pairs/{}/meetings", s.pair);
    let propose = |date: &'static str, time: &'static str| {
        let mentor = &mentor;
        let path = &path;
        async move {
            mentor
                .post(
                    path,
                    &[
                        ("date", date),
                        ("time", time),
                        ("minutes", "60"),
                        ("session", "1"),
                    ],
                )
                .await
        }
    };

    // The form names the zone and says what happens in the hours the clocks skip or repeat.
    let page = mentor.get_ok(&format!("/pairs/{}", s.pair)).await.body;
    assert!(page.contains("Start time (Europe/London)"), "{page}");
    assert!(page.contains("a time in the repeated hour means its first occurrence"));

    // 14:30 on a June afternoon in London is 13:30 UTC.
    assert_eq!(propose("2027-06-14", "14:30").await.status, 303);
    let june = app.store.meetings_of_pair(s.pair).await.unwrap()[0].clone();
    assert_eq!(june.starts_at, utc(2027, 6, 14, 13, 30));
    let page = mentor.get_ok(&format!("/pairs/{}", s.pair)).await.body;
    assert!(
        page.contains("Monday 14 June 2027, 14:30–15:30 BST (Europe/London)"),
        "{page}"
    );
    // The partner's email says the same, and links to the meeting on the pair's page.
    let mail = app.store.emails_to(MENTEE).await.unwrap();
    assert!(
        mail[0]
            .body_text
            .contains("Monday 14 June 2027, 14:30–15:30 BST (Europe/London)"),
        "{}",
        mail[0].body_text
    );
    assert!(
        mail[0]
            .body_text
            .contains(&format!("/pairs/{}#meeting-{}", s.pair, june.id))
    );

    // 01:30 on the last Sunday of March 2027 never happens in London: refused at the time.
    let r = propose("2027-03-28", "01:30").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(r#"id="time-error""#));
    assert!(
        r.body
            .contains("01:30 does not exist on 28 March 2027 in Europe/London: the clocks go forward from 01:00 to 02:00."),
        "{}",
        r.body
    );
    assert_eq!(app.store.meetings_of_pair(s.pair).await.unwrap().len(), 1);

    // 01:30 on the last Sunday of October 2027 happens twice: it means the first, in BST.
    assert_eq!(propose("2027-10-31", "01:30").await.status, 303);
    let october = app
        .store
        .meetings_of_pair(s.pair)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.id != june.id)
        .unwrap();
    assert_eq!(october.starts_at, utc(2027, 10, 31, 0, 30));
    let page = mentor.get_ok(&format!("/pairs/{}", s.pair)).await.body;
    assert!(
        page.contains("Sunday 31 October 2027, 01:30 BST–01:30 GMT (Europe/London)"),
        "{page}"
    );

    // Confirmed, the calendar file carries the instant in UTC.
    let r = mentee
        .post(
            &format!("/meetings/{}/respond", june.id),
            &[("decision", "confirm")],
        )
        .await;
    assert_eq!(r.status, 303);
    let ics = mentor
        .get_ok(&format!("/meetings/{}/calendar.ics", june.id))
        .await
        .body;
    assert!(ics.contains("DTSTART:20270614T133000Z"), "{ics}");
    assert!(ics.contains("DTEND:20270614T143000Z"), "{ics}");
    let confirmed = app.store.emails_to(MENTOR).await.unwrap();
    let confirmed = confirmed
        .iter()
        .find(|e| {
            e.dedup_key
                .starts_with(&format!("meeting:{}:confirmed", june.id))
        })
        .unwrap();
    assert!(
        confirmed
            .body_text
            .contains("14:30–15:30 BST (Europe/London)")
    );
    assert!(
        confirmed
            .calendar
            .as_deref()
            .unwrap()
            .contains("DTSTART:20270614T133000Z")
    );

    // Another zone shows the same instants on its own clock.
    app.store.set_time_zone(Zone::UTC).await.unwrap();
    let page = mentor.get_ok(&format!("/pairs/{}", s.pair)).await.body;
    assert!(
        page.contains("Monday 14 June 2027, 13:30–14:30 UTC (UTC)"),
        "{page}"
    );
}

#[tokio::test]
async fn held_is_offered_once_a_meeting_has_started_and_the_page_says_so_until_then() {
    let app = TestApp::spawn().await;
    app.clock.set(utc(2027, 6, 1, 9, 0));
    let s = setup(&app).await;
    let mentor = app.signed_in(MENTOR).await;
    let mentee = app.signed_in(MENTEE).await;
    both_accept(&s, &mentor, &mentee).await;
    let r = mentor
        .post(
            &format!("/pairs/{}/meetings", s.pair),
            &[
                ("date", "2027-06-14"),
                ("time", "14:30"),
                ("minutes", "60"),
                ("session", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let m = app.store.meetings_of_pair(s.pair).await.unwrap()[0].id;
    mentee
        .post(
            &format!("/meetings/{m}/respond"),
            &[("decision", "confirm")],
        )
        .await;

    let page = mentor.get_ok(&format!("/pairs/{}", s.pair)).await.body;
    assert!(
        page.contains(
            "You can log this meeting as held once it has started, from 14 June 2027, 14:30 BST."
        ),
        "{page}"
    );
    assert!(!page.contains(&format!("action=\"/meetings/{m}/held\"")));
    let r = mentor
        .post(&format!("/meetings/{m}/held"), &[("held_minutes", "60")])
        .await;
    assert_eq!(r.status, 422);

    // A minute after it starts, the form is there and the sentence is gone.
    app.clock.set(utc(2027, 6, 14, 13, 31));
    let page = mentor.get_ok(&format!("/pairs/{}", s.pair)).await.body;
    assert!(!page.contains("once it has started"));
    assert!(page.contains(&format!("action=\"/meetings/{m}/held\"")));
    let r = mentor
        .post(&format!("/meetings/{m}/held"), &[("held_minutes", "55")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

#[tokio::test]
async fn survey_waves_open_and_close_by_the_organisations_date_not_utcs() {
    let app = TestApp::spawn().await;
    app.store.ensure_default_instruments().await.unwrap();
    let (_, cycle) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2027, 7, 1).unwrap() + Days::new(d as u64);
    app.store
        .set_wave_dates(
            cycle,
            &[WaveDates {
                wave: Wave::Pre,
                opens_on: day(0),
                closes_on: day(13),
            }],
        )
        .await
        .unwrap();
    let user = app
        .person("me@tu.test", &[(Role::Mentor, Scope::Cycle(cycle))])
        .await;
    let p = app
        .store
        .add_survey_participant(cycle, "M01", "mentor", Some(user), true)
        .await
        .unwrap();
    let b = app.signed_in("me@tu.test").await;
    let survey = format!("/surveys/{p}/pre");

    // 23:30 UTC on 30 June is 00:30 on 1 July in London: the wave is open.
    app.clock.set(utc(2027, 6, 30, 23, 30));
    let page = b.get_ok(&survey).await.body;
    assert!(!page.contains("This survey opens on"), "{page}");
    assert!(b.get_ok("/surveys").await.body.contains(&survey));
    // In UTC it is still 30 June: not open yet.
    app.store.set_time_zone(Zone::UTC).await.unwrap();
    let page = b.get_ok(&survey).await.body;
    assert!(page.contains("This survey opens on 2027-07-01"), "{page}");

    // 23:30 UTC on its last day (14 July) is 15 July in London: closed there, open in UTC.
    app.clock.set(utc(2027, 7, 14, 23, 30));
    assert!(
        !b.get_ok(&survey)
            .await
            .body
            .contains("no longer takes answers")
    );
    app.store.set_time_zone(Zone::default()).await.unwrap();
    assert!(
        b.get_ok(&survey)
            .await
            .body
            .contains("no longer takes answers")
    );
}
