//! The demo's reflective chats (issue 11): in last year's closed cycle, 8 chats with student
//! mentors and 15 with senior-leader mentees at the end of the cycle, coded against the
//! default codebook by two coders (the coordinator and the researcher, who disagree now and
//! then), quotes from the participants who consented to being quoted, and a finding per aim.
//! Every word is invented: no real participant's words. Running it again changes nothing.
use crate::operations::cycles::Actor;
use crate::operations::qualitative::{code_excerpt, promote_quote, record_chat, set_finding};
use chrono::NaiveDate;
use flipside_core::qualitative::excerpt::Span;
use flipside_core::qualitative::transcript::{Chat, ChatStage};
use flipside_core::recruitment::{ApplicationStatus, ConsentKind};
use flipside_store::{NewApplication, NewChat, Store};

/// (code name, answer): what mentors (students) said, by the code it evidences.
const MENTOR_ANSWERS: &[(&str, &str)] = &[
    (
        "Being listened to",
        "He actually wrote things down when I talked about the bus from Ashby and the nine o'clock starts. I kept waiting for him to move on to his own agenda, and he never did.",
    ),
    (
        "Seen as an individual",
        "For the first time someone senior asked what my week looks like rather than what students in general think. I was not a widening participation statistic in that room, I was me.",
    ),
    (
        "Followed up",
        "In our fourth meeting she came back with an answer about the library hours. Nobody has ever come back to me about anything I raised before, so that stuck with me.",
    ),
    (
        "Isolation",
        "In first year I ate lunch in my car most days. Saying that out loud to a pro-vice-chancellor felt strange, but it also felt like it mattered for the people coming after me.",
    ),
    (
        "Access to leaders",
        "I did not know who made decisions about timetabling until this. Now I know the name, the office, and that you can just email them and get a reply.",
    ),
    (
        "Trust",
        "I trust him more than I did, but I trust the system about the same. One person listening is not the same as the university changing.",
    ),
    (
        "Imposter feelings",
        "Going in I thought, why would a professor want to hear from me. By the end I was the one setting the agenda, which I would not have believed in October.",
    ),
    (
        "Time and scheduling",
        "Finding an hour that worked was the hardest part. My shifts at the supermarket change every week and her diary is booked weeks ahead.",
    ),
];

/// (code name, answer): what mentees (senior leaders) said, by the code it evidences.
const MENTEE_ANSWERS: &[(&str, &str)] = &[
    (
        "Money and work",
        "I had no idea how many of our students work twenty hours a week. My mentor works nights and still made every meeting, and I have rescheduled twice.",
    ),
    (
        "Hidden curriculum",
        "Office hours was the revelation. She thought it meant the hours my office is open for me. Nobody had ever explained it, and why would they, we all assume it is obvious.",
    ),
    (
        "Barriers to taking part",
        "The societies fair is on the one afternoon commuter students are least likely to be on campus. That is a decision we make every year without thinking about who it leaves out.",
    ),
    (
        "Imposter feelings",
        "He told me he still expects someone to tap him on the shoulder and say there has been a mistake. He is a second-year with a first in every module.",
    ),
    (
        "Being listened to",
        "I had to learn to stop fixing things in the meeting and just listen. The first two sessions I talked far too much.",
    ),
    (
        "Followed up",
        "I took the point about reading lists to the education committee, and I made sure to tell her what happened, even though the answer was only partly yes.",
    ),
    (
        "Structure and framework",
        "The prompts for each meeting helped at the start, when neither of us knew what to say. By the middle we had stopped needing them.",
    ),
    (
        "Access to leaders",
        "Students see the building, not the people in it. Walking her round the executive corridor took ten minutes and she said it changed how she thinks of us.",
    ),
];

/// The interviewer's questions, one per answer.
const QUESTIONS: &[&str] = &[
    "What stands out for you when you look back on the meetings?",
    "Was there a moment when something shifted for you?",
    "What would you tell someone taking part next year?",
    "Is there anything the scheme itself could do differently?",
];

/// The coordinator's finding for each default aim.
const FINDINGS: &[(&str, &str)] = &[
    (
        "belonging",
        "The survey and the chats agree: belonging rose for most mentors, and they put it down to being known as individuals rather than as a category.",
    ),
    (
        "valued",
        "The chats explain the survey's rise: mentors felt valued when leaders came back with an answer, even a partial one. Where nothing was followed up, the rise was smaller.",
    ),
    (
        "visibility",
        "Both agree that mentors now know who decides what; the chats add that this knowledge is shared with friends, which the survey does not measure.",
    ),
    (
        "confidence_in_leaders",
        "The survey and the chats disagree in part: confidence in the named leader rose, confidence in the institution less so. Mentors separate the person from the system.",
    ),
    (
        "understand_challenges",
        "Leaders describe learning about paid work and commuting in concrete terms; the survey's rise in understanding is borne out by specific examples.",
    ),
    (
        "understand_engagement",
        "Leaders connected timetabling and event planning decisions to who can take part; this understanding is the basis of several follow-up actions.",
    ),
    (
        "understand_confidence",
        "Imposter feelings came up in most mentee chats; leaders were surprised by how common they are among high-achieving students.",
    ),
];

/// Seeds the closed cycle's chats unless it already has some.
pub async fn seed(
    store: &Store,
    cycle_id: i64,
    coordinator_id: i64,
    researcher_id: i64,
) -> anyhow::Result<()> {
    if !store.chats_of_cycle(cycle_id).await?.is_empty() {
        return Ok(());
    }
    let pairs = store.pairs_of_cycle(cycle_id).await?;
    let coordinator = Actor {
        id: coordinator_id,
        address: "demo",
    };
    let researcher = Actor {
        id: researcher_id,
        address: "demo",
    };
    let held_on = NaiveDate::from_ymd_opt(2026, 6, 10).unwrap_or_default();
    let mut participants = Vec::new();
    for (i, pair) in pairs.iter().take(8).enumerate() {
        participants.push((pair.mentor_id, "mentor", i));
    }
    for (i, pair) in pairs.iter().take(15).enumerate() {
        participants.push((pair.mentee_id, "mentee", i));
    }
    for (user_id, role, i) in participants {
        // Research consent (needed to record a chat); all but every fourth consent to quotes.
        let mut consents = vec![ConsentKind::TakePart, ConsentKind::Research];
        if i % 4 != 3 {
            consents.push(ConsentKind::Quotes);
        }
        let application = store
            .save_application(NewApplication {
                cycle_id,
                user_id,
                label_ids: &[],
                own_words: "",
                course: "",
                level: "",
                interests: "",
                availability: "",
                hopes: "",
                school_id: None,
                consents: &consents,
            })
            .await?;
        if role == "mentee" {
            // A staff mentee's consents sit on an application of their own; they took part,
            // so it is not left waiting for a decision on a closed cycle.
            store
                .decide_application(
                    application,
                    ApplicationStatus::Accepted,
                    "Thank you for taking part.",
                    None,
                )
                .await?;
        }
        let answers = if role == "mentor" {
            MENTOR_ANSWERS
        } else {
            MENTEE_ANSWERS
        };
        let speaker = if role == "mentor" { "Mentor" } else { "Mentee" };
        let chosen: Vec<(&str, &str)> = (0..QUESTIONS.len())
            .map(|k| answers[(i + k * 3) % answers.len()])
            .collect();
        let mut text = String::new();
        for (question, (_, answer)) in QUESTIONS.iter().zip(&chosen) {
            text.push_str(&format!("Interviewer: {question}\n{speaker}: {answer}\n"));
        }
        let chat = Chat::from_typed(&text).map_err(|e| anyhow::anyhow!("{e}"))?;
        let chat_id = record_chat(
            store,
            coordinator,
            &NewChat {
                cycle_id,
                participant_user_id: user_id,
                participant_role: role,
                interviewer_user_id: Some(coordinator_id),
                held_on,
                stage: ChatStage::End,
                format: "typed",
                chat: &chat,
                recorded_by: Some(coordinator_id),
            },
        )
        .await?;
        let book = store
            .codebook_of_scheme(store.cycle(cycle_id).await?.scheme_id)
            .await?;
        let code_of = |name: &str| book.codes.iter().find(|c| c.name == name).map(|c| c.id);
        let mut first_excerpt = None;
        for (k, (code, answer)) in chosen.iter().enumerate() {
            let Some(start) = chat.text.find(answer) else {
                continue;
            };
            let span = Span {
                start,
                end: start + answer.len(),
            };
            let Some(code) = code_of(code) else { continue };
            let id = code_excerpt(store, coordinator, chat_id, span, &[code], None).await?;
            first_excerpt.get_or_insert(id);
            // The second coder agrees most of the time; now and then they read the passage
            // as evidence of being listened to instead, or leave it uncoded.
            let second = match (i + k) % 7 {
                0 => code_of("Being listened to").filter(|&c| c != code),
                3 => None,
                _ => Some(code),
            };
            if let Some(second) = second {
                code_excerpt(store, researcher, chat_id, span, &[second], None).await?;
            }
        }
        if i % 4 != 3
            && let Some(excerpt) = first_excerpt
        {
            promote_quote(store, coordinator, chat_id, excerpt, "").await?;
        }
    }
    for (aim, finding) in FINDINGS {
        set_finding(store, coordinator, cycle_id, aim, finding).await?;
    }
    Ok(())
}
