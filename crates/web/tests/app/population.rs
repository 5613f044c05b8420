//! The organisation's population figures and the pool's composition against them (SPEC §3.2).
use crate::helpers::TestApp;
use crate::recruitment::{apply, label, recruiting, student};
use flipside_core::role::{Role, Scope};

#[tokio::test]
async fn population_figures_are_validated_and_the_pool_is_compared_with_them() {
    let app = TestApp::spawn().await;
    let (scheme, cycle) = recruiting(&app, "Reverse Mentoring").await;
    let uk = label(&app, "UK ethnically minoritised").await;
    let intl = label(&app, "International").await;
    let mature = label(&app, "Mature (21+) entry").await;
    // 20 applicants: 12 UK ethnically minoritised, 6 mature, 2 International (hidden: under 5,
    // and the 6 with them, so that the 2 cannot be found by subtraction).
    for i in 0..20 {
        let b = app.as_role(&format!("s{i}@tu.test"), &student()).await;
        let labels: Vec<&str> = match i {
            0..2 => vec![&intl],
            2..8 => vec![&mature],
            _ => vec![&uk],
        };
        assert_eq!(
            apply(&b, cycle, &labels, "", &["take_part"]).await.status,
            303
        );
    }
    let admin = app
        .as_role("admin@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let priya = app
        .as_role(
            "priya@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let composition = format!("/cycles/{cycle}/applications/composition");
    let before = priya.get(&composition).await;
    assert!(
        before.body.contains("population figures are not known"),
        "{}",
        before.body
    );

    // A label figure larger than the total is refused, naming the label, and nothing is saved.
    let uk_field = format!("label_{uk}");
    let intl_field = format!("label_{intl}");
    let bad = admin
        .post(
            "/admin/organisation/population",
            &[
                ("total", "1000"),
                ("source", "Student record 2025/26"),
                (&uk_field, "1200"),
                (&intl_field, ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("Error: Population figures"));
    assert!(
        bad.body.contains("no larger than the total (1000)"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("value=\"1200\""),
        "what was typed is kept"
    );
    assert_eq!(
        app.store
            .organisation()
            .await
            .unwrap()
            .unwrap()
            .population_total,
        None
    );
    // A label figure without a total is refused too.
    let no_total = admin
        .post(
            "/admin/organisation/population",
            &[("total", ""), (&uk_field, "100")],
        )
        .await;
    assert_eq!(no_total.status, 422);
    assert!(no_total.body.contains("Enter the population total too"));

    let ok = admin
        .post(
            "/admin/organisation/population",
            &[
                ("total", "24,000"),
                ("source", "Student record 2025/26"),
                (&uk_field, "6000"),
                (&intl_field, "4800"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let org = app.store.organisation().await.unwrap().unwrap();
    assert_eq!(org.population_total, Some(24_000));
    let audit = app
        .store
        .audit_entries(Some("population_updated"), 5)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);

    let page = priya.get(&composition).await;
    assert_eq!(page.status, 200);
    let table = &page.body[page
        .body
        .find("id=\"reach\"")
        .expect("the comparison table")..];
    assert!(table.contains("Student record 2025/26"));
    let row = |name: &str| {
        let r = &table[table.find(&format!("{name}</th>")).unwrap()..];
        r[..r.find("</tr>").unwrap()].to_string()
    };
    // 12 of 20 applicants (60%) against 25% of the population.
    let uk_row = row("UK ethnically minoritised");
    assert!(
        uk_row.contains("60.0%") && uk_row.contains("25.0%"),
        "{uk_row}"
    );
    assert!(uk_row.contains("more than in the population"), "{uk_row}");
    // Two International applicants stay hidden: no share is given.
    let intl_row = row("International");
    assert!(
        intl_row.contains("<td>–</td>") && intl_row.contains("20.0%"),
        "{intl_row}"
    );
    assert!(intl_row.contains("not shown"), "{intl_row}");
    assert!(
        !page.body.contains("16.7%"),
        "2 of 12 would give the hidden count away"
    );

    // Only administrators set the figures.
    assert_eq!(
        priya.get("/admin/organisation/population").await.status,
        403
    );
    assert_eq!(
        priya
            .post("/admin/organisation/population", &[("total", "5")])
            .await
            .status,
        403
    );
}
