//! The qualitative side of a cycle's evaluation (SPEC §1, §3.7; issue 11): reflective chats,
//! their coding, the quote bank and the triangulation of each aim. Pure: files come in as
//! bytes, data as plain values; the store keeps them and the pages show them.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`aims`] | a scheme's aims, their defaults, and which default statement evidences which aim |
//! | [`instrument`] | per-cycle, versioned instruments: copy forward, edit only before the first wave |
//! | [`transcript`] | reading `.txt`, `.docx` and WebVTT `.vtt` into a chat split into numbered segments |
//! | [`codebook`] | codes in a hierarchy with colours and aims; rename and merge |
//! | [`excerpt`] | coded spans of a chat's text; selecting numbered segments |
//! | [`agreement`] | two coders compared: percentage agreement and Cohen's kappa per code |
//! | [`quotes`] | quote consent, stable pseudonyms, and edits that only trim with an ellipsis |
//! | [`redaction`] | removing a passage at the participant's request: the marker, shifted spans |
//! | [`triangulation`] | one aim's view: survey change, code frequencies, chosen quotes |
//! | [`refi`] | the REFI-QDA exchange format: `.qdc` codebooks (write and read) and `.qdpx` projects |
//! | [`views`] | views of coded excerpts: default coders to compare, passages, frequencies per role, the excerpts CSV |

pub mod agreement;
pub mod aims;
pub mod codebook;
pub mod excerpt;
pub mod instrument;
pub mod quotes;
pub mod redaction;
pub mod refi;
pub mod transcript;
pub mod triangulation;
pub mod views;
