#!/usr/bin/env python3
"""A whole reverse-mentoring cycle driven through a client generated from the API's document.

Usage: client_cycle.py FLIPSIDE_BIN [--postgres URL]

Generates a Python client from `flipside openapi` with openapi-python-client (PyPI) into a
temporary directory, starts `flipside demo` on a fresh data directory (with --postgres, on a
fresh database created on that server and dropped afterwards), signs the people it needs in
through the sign-in form and creates an API token for each on their account page, as a person
would, and then runs a cycle only through the generated client: a scheme and its cycle, the
call opened, two students applying, the decisions, staff invitations (one accepted through the
link its email carries, as the invitee would; one cancelled), matching and publishing, the
pair's agreement, a meeting proposed, confirmed and held, an action raised and moved on with
evidence, a concern answered, a survey wave dated, opened, answered and closed, the results
read under the disclosure rule, and the annual report written, published and downloaded (the
cycle's and its year's across schemes). Every step asserts what it reads back. Prints each
check, the time the scenario took, and `N passed, 0 failed` (or the failure, exiting non-zero).
"""
import argparse
import datetime
import email
import email.policy
import glob
import html
import http.cookiejar
import importlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zoneinfo

PASSWORD = "flipside-demo"
COORDINATOR = "coordinator@demo.flipside.test"
STUDENT = "student@demo.flipside.test"
SECOND_STUDENT = "student.lead@demo.flipside.test"
LEADER = "mentee@demo.flipside.test"
# The organisation's zone (the demo's, and flipside's default): meeting times are its wall clock.
ZONE = zoneinfo.ZoneInfo("Europe/London")

passed = 0


def check(what, ok, detail=""):
    global passed
    if not ok:
        raise AssertionError(f"{what}: {detail}")
    passed += 1
    print(f"ok {passed} - {what}")


def start_demo(binary, data_dir, database_url):
    env = {
        **os.environ,
        "FLIPSIDE_MAIL_DIR": os.path.join(data_dir, "mail"),
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    proc = subprocess.Popen(
        [binary, "demo", "--listen", "127.0.0.1:0", "--data-dir", data_dir],
        stdout=subprocess.PIPE,
        stderr=open(os.path.join(data_dir, "server.log"), "w"),
        text=True,
        env=env,
    )
    deadline = time.time() + 600
    for line in proc.stdout:
        m = re.match(r"flipside is listening on (http://[^/]+)/", line)
        if m:
            return proc, m.group(1)
        if time.time() > deadline:
            break
    proc.kill()
    with open(os.path.join(data_dir, "server.log")) as log:
        raise SystemExit("flipside demo did not start:\n" + log.read()[-3000:])


def csrf_of(page):
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    if not m:
        raise SystemExit("no CSRF token on the page")
    return html.unescape(m.group(1))


class Browser:
    """Pages as a person's browser sees them (cookies kept)."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        with self.opener.open(self.base + path) as r:
            return r.read().decode()

    def post(self, path, fields):
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        with self.opener.open(self.base + path, data) as r:
            return r.read().decode()


def token_for(base, address):
    """Signs in through the form and creates a token on the account page, as a person would."""
    b = Browser(base)
    page = b.get("/sign-in")
    b.post("/sign-in", {"csrf": csrf_of(page), "next": "", "email": address, "password": PASSWORD})
    page = b.get("/account")
    # The scopes the cycle needs, ticked as on the form: reading, and changing mentoring and
    # evaluation.
    page = b.post("/account/tokens", {"csrf": csrf_of(page), "name": "cycle client", "days": "",
                                      "scope": ["read", "mentoring", "evaluation"]})
    m = re.search(r'<p class="token">([^<]+)</p>', page)
    if not m:
        raise SystemExit(f"the account page did not show a new token for {address}")
    return html.unescape(m.group(1)).strip()


def invitation_link(mail_dir, address, timeout=60):
    """The invitation link in the email to `address`, once the outbox has sent it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for path in sorted(glob.glob(os.path.join(mail_dir, "*.eml"))):
            with open(path, "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            if address not in str(msg["To"]).lower():
                continue
            part = msg.get_body(preferencelist=("plain",))
            m = re.search(r"/invitations/([A-Za-z0-9_-]{20,})", part.get_content())
            if m:
                return m.group(1)
        time.sleep(0.5)
    raise AssertionError(f"no invitation email reached {address}")


def generate_client(binary, out_dir):
    doc = os.path.join(out_dir, "openapi.json")
    with open(doc, "w") as f:
        subprocess.run([binary, "openapi"], stdout=f, check=True)
    # A PDF (a report version), a REFI-QDA codebook (XML) or project (zip) is bytes to the
    # client: the generator reads only JSON, text and
    # application/octet-stream answers unless told how to read another type.
    config = os.path.join(out_dir, "generator.json")
    with open(config, "w") as f:
        json.dump({"content_type_overrides": {
            t: "application/octet-stream" for t in ("application/pdf", "application/xml", "application/zip")
        }}, f)
    gen = shutil.which("openapi-python-client")
    cmd = [gen] if gen else [sys.executable, "-m", "openapi_python_client"]
    gen = subprocess.run(
        cmd + ["generate", "--path", doc, "--output-path", os.path.join(out_dir, "flipside_client"),
               "--meta", "none", "--config", config],
        check=True,
        capture_output=True,
        text=True,
    )
    # An operation the generator cannot read is left out with a warning: that is a failure.
    # The one warning allowed is for a body offered both as text/csv and as bytes: the
    # generator cannot write text/csv and uses the bytes, so the operation is still there.
    out = gen.stdout + gen.stderr
    warnings = [w for w in out.split("WARNING")[1:]
                if "will not be generated" in w or "Unsupported content type text/csv" not in w]
    check("every operation is generated", not warnings, out[-3000:])
    with open(doc) as f:
        operation_ids = [op["operationId"] for path in json.load(f)["paths"].values()
                         for op in path.values() if isinstance(op, dict) and "operationId" in op]
    generated = set()
    for _, _, files in os.walk(os.path.join(out_dir, "flipside_client", "api")):
        generated.update(name[:-3] for name in files if name.endswith(".py"))
    missing = [o for o in operation_ids if re.sub(r"(?<!^)(?=[A-Z])", "_", o).lower() not in generated]
    check("a module for every operationId", not missing, ", ".join(missing))
    sys.path.insert(0, out_dir)
    return importlib.import_module("flipside_client")


def run(binary, base, mail_dir, client_dir):
    fc = generate_client(binary, client_dir)
    from flipside_client import AuthenticatedClient  # noqa: E402
    api = lambda name: importlib.import_module(f"flipside_client.api.{name}")  # noqa: E731
    m = importlib.import_module("flipside_client.models")

    def as_(token):
        return AuthenticatedClient(base_url=base, token=token, raise_on_unexpected_status=True)

    def ok(resp, status, what):
        check(what, resp.status_code == status,
              f"expected {status}, got {int(resp.status_code)}: {resp.content[:400]!r}")
        return resp.parsed

    check("the client is generated from the document", hasattr(fc, "AuthenticatedClient"))
    coordinator = as_(token_for(base, COORDINATOR))
    student = as_(token_for(base, STUDENT))
    second = as_(token_for(base, SECOND_STUDENT))
    leader = as_(token_for(base, LEADER))

    # A scheme and its cycle; the call opens.
    scheme = ok(api("schemes.create_scheme").sync_detailed(client=coordinator, body=m.NewSchemeJson(
        name=f"Client scheme {secrets.token_hex(3)}", kind="institutional",
        purpose="Students mentor senior leaders, run from a generated client.")), 201, "createScheme")
    cycle = ok(api("cycles.create_cycle").sync_detailed(scheme.id, client=coordinator, body=m.NewCycleJson(
        academic_year="2026/27")), 201, "createCycle")
    check("a new cycle is a draft", cycle.state == "draft", cycle.state)
    c = cycle.id
    cycle = ok(api("cycles.transition_cycle").sync_detailed(c, client=coordinator,
               body=m.TransitionJson(to="recruiting")), 200, "transitionCycle to recruiting")
    check("the call is open", cycle.state == "recruiting", cycle.state)

    # Two students apply; a bad level is refused naming the field.
    def application(level):
        return m.NewApplicationJson(course="BSc Computer Science", level=level, hopes="Fairer assessment.",
                                    consents=["take_part", "research"], interests="assessment, belonging",
                                    availability=["tue-pm", "thu-am"])
    bad = api("applications.submit_application").sync_detailed(c, client=student, body=application("ug9"))
    check("submitApplication refuses a bad level (422, field level)",
          bad.status_code == 422 and bad.parsed.errors[0].field == "level", bad.content[:300])
    mine = ok(api("applications.submit_application").sync_detailed(c, client=student, body=application("ug2")),
              201, "submitApplication (first student)")
    other = ok(api("applications.submit_application").sync_detailed(c, client=second, body=application("ug3")),
               201, "submitApplication (second student)")
    refused = api("applications.list_applications").sync_detailed(c, client=student)
    check("a student may not list the applications (403)", refused.status_code == 403, refused.status_code)
    page = ok(api("applications.list_applications").sync_detailed(c, client=coordinator, limit=1), 200,
              "listApplications, one a page")
    check("the first page holds one and points to the next", len(page.items) == 1 and page.next_cursor,
          page.to_dict())
    rest = ok(api("applications.list_applications").sync_detailed(c, client=coordinator, cursor=page.next_cursor),
              200, "listApplications, the next page")
    check("the second page holds the other", len(rest.items) == 1 and rest.items[0].id != page.items[0].id)
    detail = ok(api("applications.get_application").sync_detailed(c, mine.id, client=coordinator), 200,
                "getApplication")
    check("the application reads back", detail.course == "BSc Computer Science" and detail.status == "submitted")

    # Decisions.
    ok(api("applications.decide_application").sync_detailed(c, mine.id, client=coordinator, body=m.DecisionJson(
        decision=m.ApplicationDecision.ACCEPTED, message="Welcome aboard.")), 200, "decideApplication: accepted")
    ok(api("applications.decide_application").sync_detailed(c, other.id, client=coordinator, body=m.DecisionJson(
        decision=m.ApplicationDecision.WAITLISTED, message="You are on the waiting list.")), 200,
       "decideApplication: waitlisted")
    accepted = ok(api("applications.list_applications").sync_detailed(
        c, client=coordinator, decision=m.ApplicationState.ACCEPTED), 200, "listApplications?decision=accepted")
    check("one application is accepted", [a.id for a in accepted.items] == [mine.id], accepted.to_dict())

    # Staff invitations: two at once; one accepts through the emailed link, one is cancelled.
    bad = api("invitations.create_invitations").sync_detailed(c, client=coordinator, body=m.NewInvitationsJson(
        invitations=[m.NewInviteeJson(name="Prof Helen Marsh", email=LEADER),
                     m.NewInviteeJson(name="Nobody", email="not-an-address")]))
    check("createInvitations refuses a bad address naming invitations[1].email (422)",
          bad.status_code == 422 and bad.parsed.errors[0].field == "invitations[1].email", bad.content[:300])
    invited = ok(api("invitations.create_invitations").sync_detailed(c, client=coordinator, body=m.NewInvitationsJson(
        invitations=[m.NewInviteeJson(name="Prof Helen Marsh", email=LEADER),
                     m.NewInviteeJson(name="Dr Sam Reyes", email="sam.reyes@demo.flipside.test")])),
        201, "createInvitations")
    check("two invitations are created", len(invited.items) == 2)
    ok(api("invitations.cancel_invitation").sync_detailed(c, invited.items[1].id, client=coordinator), 200,
       "cancelInvitation")
    token = invitation_link(mail_dir, LEADER)
    b = Browser(base)
    page = b.get(f"/invitations/{token}")
    b.post(f"/invitations/{token}/accept", {"csrf": csrf_of(page), "interests": "assessment, belonging",
                                          "availability": ["tue-pm", "thu-am"], "research": "yes"})
    listed = ok(api("invitations.list_invitations").sync_detailed(c, client=coordinator), 200, "listInvitations")
    states = sorted(i.status for i in listed.items)
    check("one invitation accepted, one cancelled", states == ["accepted", "cancelled"], states)

    # Matching and publishing.
    ok(api("cycles.transition_cycle").sync_detailed(c, client=coordinator, body=m.TransitionJson(to="matching")),
       200, "transitionCycle to matching")
    settings = ok(api("matching.get_matching_settings").sync_detailed(c, client=coordinator), 200,
                  "getMatchingSettings")
    settings.allow_same_school = True
    ok(api("matching.update_matching_settings").sync_detailed(c, client=coordinator, body=settings), 200,
       "updateMatchingSettings")
    proposal = ok(api("matching.get_matching_proposal").sync_detailed(c, client=coordinator), 200,
                  "getMatchingProposal")
    check("the proposal pairs the accepted student with the leader", len(proposal.pairs) == 1, proposal.to_dict())
    pair_code = proposal.pairs[0].code
    rule = ok(api("matching.add_do_not_pair_rule").sync_detailed(c, client=coordinator, body=m.NewDoNotPairJson(
        mentor_id=proposal.pairs[0].mentor_id, mentee_id=proposal.pairs[0].mentee_id)), 201, "addDoNotPairRule")
    blocked = ok(api("matching.get_matching_proposal").sync_detailed(c, client=coordinator), 200,
                 "getMatchingProposal under the rule")
    check("the rule leaves nothing to pair", len(blocked.pairs) == 0, blocked.to_dict())
    stale = api("matching.publish_pairs").sync_detailed(c, client=coordinator, body=m.PublishJson(expect=[pair_code]))
    check("publishing a proposal that has changed is refused (409)", stale.status_code == 409, stale.status_code)
    resp = api("matching.remove_do_not_pair_rule").sync_detailed(c, rule.mentor_id, rule.mentee_id, client=coordinator)
    check("removeDoNotPairRule", resp.status_code == 204, resp.status_code)
    published = ok(api("matching.publish_pairs").sync_detailed(c, client=coordinator, body=m.PublishJson(
        expect=[pair_code])), 200, "publishPairs")
    check("one pair is published", published.published == 1)
    pairs = ok(api("pairs.list_pairs").sync_detailed(c, client=coordinator), 200, "listPairs")
    check("the cycle has one active pair", [p.status for p in pairs.items] == ["active"])
    pair_id = pairs.items[0].id
    ok(api("cycles.transition_cycle").sync_detailed(c, client=coordinator, body=m.TransitionJson(to="running")),
       200, "transitionCycle to running")

    # The pair agrees its expectations and proposes a meeting starting in the next minutes.
    ok(api("pairs.accept_pair_agreement").sync_detailed(pair_id, client=student), 200, "acceptPairAgreement (mentor)")
    pair = ok(api("pairs.accept_pair_agreement").sync_detailed(pair_id, client=leader), 200,
              "acceptPairAgreement (mentee)")
    check("both members agreed", len(pair.agreed_by) == 2, pair.to_dict())
    # The next whole minute at least 20 s away: logged as held once it has started, below.
    starts = (datetime.datetime.now(ZONE) + datetime.timedelta(seconds=80)).replace(second=0, microsecond=0)
    meeting = ok(api("meetings.propose_meeting").sync_detailed(pair_id, client=student, body=m.NewMeetingJson(
        date=starts.date(), time=starts.strftime("%H:%M"), minutes=30, session=1)), 201, "proposeMeeting")
    ok(api("meetings.respond_to_meeting").sync_detailed(meeting.id, client=leader, body=m.RespondJson(
        decision=m.Decision.CONFIRM)), 200, "respondToMeeting: confirm")
    ics = api("meetings.get_meeting_calendar").sync_detailed(meeting.id, client=student)
    check("getMeetingCalendar answers text/calendar",
          ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
          and b"BEGIN:VCALENDAR" in ics.content, ics.headers.get("content-type"))

    # An action raised by the student, moved on by its owner (the leader) with evidence.
    action = ok(api("actions.raise_action").sync_detailed(pair_id, client=student, body=m.NewActionJson(
        title="Publish marking criteria early", description="Students see the criteria a week before.")),
        201, "raiseAction")
    check("the action is proposed to the leader", action.status == "proposed" and action.owner_id == pair.mentee_id)
    refused = api("actions.change_action_status").sync_detailed(action.id, client=student, body=m.StatusChangeJson(
        from_=m.ActionState.PROPOSED, to=m.ActionState.AGREED))
    check("only the owner moves an action on (403)", refused.status_code == 403, refused.status_code)
    for frm, to in [("PROPOSED", "AGREED"), ("AGREED", "IN_PROGRESS")]:
        action = ok(api("actions.change_action_status").sync_detailed(action.id, client=leader, body=m.StatusChangeJson(
            from_=getattr(m.ActionState, frm), to=getattr(m.ActionState, to))), 200, f"changeActionStatus to {to.lower()}")
    action = ok(api("actions.add_action_evidence").sync_detailed(action.id, client=leader, body=m.NewEvidenceJson(
        body="Criteria now go out with the brief.", link="https://example.test/criteria")), 201, "addActionEvidence")
    action = ok(api("actions.change_action_status").sync_detailed(action.id, client=leader, body=m.StatusChangeJson(
        from_=m.ActionState.IN_PROGRESS, to=m.ActionState.DONE)), 200, "changeActionStatus to done")
    listed = ok(api("actions.list_actions").sync_detailed(pair_id, client=student), 200, "listActions")
    check("the action is done with its evidence",
          [(a.status, len(a.evidence)) for a in listed.items] == [("done", 1)], listed.to_dict())

    # A concern, answered and resolved by the coordinator.
    ok(api("concerns.raise_concern").sync_detailed(pair_id, client=student, body=m.NewConcernJson(
        concern="We keep rescheduling.")), 201, "raiseConcern")
    concerns = ok(api("concerns.list_concerns").sync_detailed(c, client=coordinator), 200, "listConcerns")
    check("the coordinator sees one new concern", [x.status for x in concerns.items] == ["new"])
    ok(api("concerns.reply_to_concern").sync_detailed(concerns.items[0].id, client=coordinator, body=m.ReplyJson(
        reply="Thank you: let us talk.")), 200, "replyToConcern")
    resolved = ok(api("concerns.resolve_concern").sync_detailed(concerns.items[0].id, client=coordinator,
                  body=m.ResolveJson(reply="Sorted.")), 200, "resolveConcern")
    check("the concern is resolved", resolved.status == "resolved")

    # A survey wave: dated, opened (invitations enrol both members), answered, closed.
    today = datetime.datetime.now(ZONE).date()
    day = datetime.timedelta(days=1)
    def dates(pre_opens, pre_closes):
        return m.SurveyDatesJson(
            pre=m.WaveDatesJson(opens_on=str(pre_opens), closes_on=str(pre_closes)),
            post=m.WaveDatesJson(opens_on=str(today + 60 * day), closes_on=str(today + 74 * day)))
    waves = ok(api("surveys.set_survey_dates").sync_detailed(c, client=coordinator, body=dates(today, today + 14 * day)),
               200, "setSurveyDates")
    check("the pre wave is open", waves.items[0].wave == "pre" and waves.items[0].status == "open",
          waves.items[0].to_dict())
    mailed = ok(api("surveys.invite_survey_wave").sync_detailed(c, "pre", client=coordinator), 200,
                "inviteSurveyWave")
    check("both members are enrolled and invited", (mailed.enrolled, mailed.queued) == (2, 2), mailed.to_dict())
    for who, name in [(student, "mentor"), (leader, "mentee")]:
        surveys = ok(api("surveys.list_my_surveys").sync_detailed(client=who), 200, f"listMySurveys ({name})")
        mine = [s for s in surveys.items if s.scheme_name == scheme.name]
        check(f"the {name} has this cycle's pre survey", [s.wave for s in mine] == ["pre"], surveys.to_dict())
        survey = ok(api("surveys.get_my_survey").sync_detailed(mine[0].participant_id, "pre", client=who), 200,
                    f"getMySurvey ({name})")
        codes = [q.code for q in survey.questions]
        check(f"the {name}'s survey asks statements", len(codes) > 0)
        draft = m.AnswersJson(answers=m.AnswersJsonAnswers.from_dict({codes[0]: 4}))
        survey = ok(api("surveys.save_survey_draft").sync_detailed(mine[0].participant_id, "pre", client=who,
                    body=draft), 200, f"saveSurveyDraft ({name})")
        check("the draft reads back", survey.questions[0].answer == 4)
        full = m.AnswersJson(answers=m.AnswersJsonAnswers.from_dict({code: 3 for code in codes}))
        survey = ok(api("surveys.submit_survey").sync_detailed(mine[0].participant_id, "pre", client=who,
                    body=full), 200, f"submitSurvey ({name})")
        check(f"the {name}'s survey is submitted", survey.standing == "submitted")
    reminded = ok(api("surveys.remind_survey_wave").sync_detailed(c, "pre", client=coordinator), 200,
                  "remindSurveyWave")
    check("nobody is left to remind", reminded.queued == 0, reminded.to_dict())
    waves = ok(api("surveys.set_survey_dates").sync_detailed(c, client=coordinator,
               body=dates(today - 14 * day, today - day)), 200, "setSurveyDates (closing the pre wave)")
    pre = waves.items[0]
    check("the pre wave is closed with everyone responded",
          pre.status == "closed" and sorted((r.role, r.responded, r.invited) for r in pre.rates)
          == [("mentee", 1, 1), ("mentor", 1, 1)], pre.to_dict())
    results = ok(api("surveys.get_cycle_results").sync_detailed(c, client=coordinator), 200, "getCycleResults")
    roles = {r.role: r for r in results.roles}
    check("results hold both roles", sorted(roles) == ["mentee", "mentor"], sorted(roles))
    first = roles["mentor"].comparisons[0].statements[0]
    check("a single respondent's mean is suppressed under the disclosure rule",
          first.mean_from.value is None and first.mean_from.suppressed, first.to_dict())

    # The annual report: the coordinator's text saved against its ETag, the figures read under
    # the publication rule, a version published and downloaded as HTML and PDF.
    read = api("reports.get_cycle_report_text").sync_detailed(c, client=coordinator)
    text = ok(read, 200, "getCycleReportText")
    check("no text is saved yet", text.introduction == "" and not text.updated_at, text.to_dict())
    etag = read.headers["etag"]
    saved = ok(api("reports.update_cycle_report_text").sync_detailed(c, client=coordinator, if_match=etag,
               body=m.NewReportTextJson(introduction="Run **entirely** from a generated client.",
                                        recommendations="- Keep the scheme")), 200, "updateCycleReportText")
    check("the text reads back", saved.recommendations == "- Keep the scheme" and saved.updated_at,
          saved.to_dict())
    stale = api("reports.update_cycle_report_text").sync_detailed(c, client=coordinator, if_match=etag,
                body=m.NewReportTextJson(introduction="Overwritten", recommendations=""))
    check("an update against a stale ETag is refused (412)", stale.status_code == 412, stale.status_code)
    report = ok(api("reports.get_cycle_report").sync_detailed(c, client=coordinator), 200, "getCycleReport")
    means = [w.mean for a in report.schemes[0].aims for st in a.statements for w in st.waves]
    check("the report's single-respondent means are hidden, with the reason and no value",
          means and all(x.value is None and x.suppressed for x in means),
          [x.to_dict() for x in means][:3])
    version = ok(api("reports.publish_cycle_report").sync_detailed(c, client=coordinator,
                 body=m.PublishReportJson()), 201, "publishCycleReport")
    check("version 1 is published", version.number == 1, version.to_dict())
    versions = ok(api("reports.list_cycle_report_versions").sync_detailed(c, client=coordinator), 200,
                  "listCycleReportVersions")
    check("the version is listed", [v.number for v in versions.items] == [1], versions.to_dict())
    page = api("reports.get_cycle_report_version_html").sync_detailed(c, 1, client=coordinator)
    check("getCycleReportVersionHtml holds the saved text",
          page.status_code == 200 and b"<strong>entirely</strong>" in page.content, page.status_code)
    pdf = api("reports.get_cycle_report_version_pdf").sync_detailed(c, 1, client=coordinator)
    check("getCycleReportVersionPdf is a PDF", pdf.status_code == 200 and pdf.content.startswith(b"%PDF"),
          pdf.content[:20])
    refused = api("reports.get_cycle_report").sync_detailed(c, client=student)
    check("a student may not read the report (403)", refused.status_code == 403, refused.status_code)
    draft = api("reports.get_cycle_report_draft_pdf").sync_detailed(c, client=coordinator)
    check("getCycleReportDraftPdf is a PDF", draft.status_code == 200 and draft.content.startswith(b"%PDF"),
          draft.content[:20])

    # The year's report across schemes (the cycle's year), published and downloaded the same way.
    year = 2026
    year_version = ok(api("reports.publish_year_report").sync_detailed(year, client=coordinator,
                      body=m.PublishReportJson()), 201, "publishYearReport")
    check("version 1 of the year's report is published",
          year_version.number == 1 and "2026/27" in year_version.title, year_version.to_dict())
    year_versions = ok(api("reports.list_year_report_versions").sync_detailed(year, client=coordinator), 200,
                       "listYearReportVersions")
    check("the year's version is listed", [v.number for v in year_versions.items] == [1],
          year_versions.to_dict())
    page = api("reports.get_year_report_version_html").sync_detailed(year, 1, client=coordinator)
    check("getYearReportVersionHtml holds the new scheme",
          page.status_code == 200 and html.escape(scheme.name).encode() in page.content, page.status_code)
    pdf = api("reports.get_year_report_version_pdf").sync_detailed(year, 1, client=coordinator)
    check("getYearReportVersionPdf is a PDF", pdf.status_code == 200 and pdf.content.startswith(b"%PDF"),
          pdf.content[:20])
    refused = api("reports.publish_year_report").sync_detailed(year, client=student, body=m.PublishReportJson())
    check("a student may not publish the year's report (403)", refused.status_code == 403, refused.status_code)

    # The meeting, once it has started, is logged as held.
    wait = (starts - datetime.datetime.now(ZONE)).total_seconds() + 1
    if wait > 0:
        print(f"# waiting {wait:.0f} s for the meeting to start")
        time.sleep(wait)
    held = ok(api("meetings.mark_meeting_held").sync_detailed(meeting.id, client=leader, body=m.HeldJson(
        held_minutes=45)), 200, "markMeetingHeld")
    check("the meeting is held", held.status == "held" and held.held_minutes == 45)
    meetings = ok(api("meetings.list_meetings").sync_detailed(pair_id, client=student), 200, "listMeetings")
    check("the pair has one held meeting", [x.status for x in meetings.items] == ["held"])
    pair = ok(api("pairs.get_pair").sync_detailed(pair_id, client=coordinator), 200, "getPair (coordinator)")
    check("the pair is active", pair.status == "active")
    refused = api("pairs.get_pair").sync_detailed(pair_id, client=second)
    check("another student may not read the pair (403)", refused.status_code == 403, refused.status_code)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--postgres", metavar="URL",
                        help="run on a fresh database on this PostgreSQL server (dropped afterwards)")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    data_dir = tempfile.mkdtemp(prefix="flipside-client-")
    client_dir = tempfile.mkdtemp(prefix="flipside-client-gen-")
    database_url = None
    admin_url = args.postgres
    db = None
    if admin_url:
        # Named so that the test script sweeps it away should a run die before dropping it.
        db = f"flipside_test_client_{secrets.token_hex(4)}"
        subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{db}"'], check=True)
        parts = urllib.parse.urlsplit(admin_url)
        database_url = urllib.parse.urlunsplit(parts._replace(path=f"/{db}"))
    proc = None
    started = time.time()
    failed = None
    try:
        proc, base = start_demo(binary, data_dir, database_url)
        started = time.time()
        run(binary, base, os.path.join(data_dir, "mail"), client_dir)
    except Exception as e:  # noqa: BLE001 - reported as the failure below
        failed = e
    finally:
        elapsed = time.time() - started
        if proc:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if db:
            subprocess.run(["psql", admin_url, "-qc", f'DROP DATABASE IF EXISTS "{db}"'], check=False)
        if failed is not None:
            with open(os.path.join(data_dir, "server.log")) as log:
                print(log.read()[-3000:], file=sys.stderr)
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(client_dir, ignore_errors=True)
    backend = "PostgreSQL" if db else "SQLite"
    if failed is not None:
        import traceback
        traceback.print_exception(failed)
        print(f"{passed} passed, 1 failed")
        return 1
    print(f"the generated client ran the cycle on {backend} in {elapsed:.1f} s")
    print(f"{passed} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
