//! A scheme's codebook (issue 11): the codes its chats are coded with.
//!
//! Rules:
//! * a code has a name (1 to 80 characters, unique among its siblings, ignoring case), a
//!   description, a colour written `#rrggbb` ([`Colour`]), an optional parent and an optional
//!   aim (the key of one of the scheme's aims);
//! * the parents form a forest: every parent exists and no code is its own ancestor;
//! * renaming keeps the code's id, so its excerpts are untouched;
//! * merging code A into code B moves A's excerpts to B (an excerpt coded with both keeps B
//!   once), moves A's children under B, and removes A; a code cannot be merged into itself or
//!   into one of its own descendants.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::excerpt::Excerpt;

/// A code's id (the store's row id; imports number their codes from 1).
pub type CodeId = i64;

/// Longest code name, in characters.
pub const MAX_CODE_NAME: usize = 80;

/// A colour written `#rrggbb`, kept in lower case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Colour(String);

impl Colour {
    /// Reads `#rrggbb` (either case); anything else is refused.
    pub fn parse(s: &str) -> Result<Colour, CodebookError> {
        let s = s.trim();
        let ok =
            s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit());
        if ok {
            Ok(Colour(s.to_ascii_lowercase()))
        } else {
            Err(CodebookError::BadColour(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Colour {
    fn default() -> Self {
        Colour("#808080".into())
    }
}

/// One code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Code {
    pub id: CodeId,
    pub name: String,
    pub description: String,
    pub colour: Colour,
    pub parent: Option<CodeId>,
    /// The key of the aim this code evidences, if any.
    pub aim: Option<String>,
}

/// Why a codebook change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodebookError {
    #[error("a colour is written #rrggbb, e.g. #1f77b4, not {0:?}")]
    BadColour(String),
    #[error("a code's name is 1 to {MAX_CODE_NAME} characters")]
    BadName,
    #[error("there is already a code called {0:?} at that level")]
    DuplicateName(String),
    #[error("there is already a code with id {0}")]
    DuplicateId(CodeId),
    #[error("there is no code {0}")]
    UnknownCode(CodeId),
    #[error("that would make {0:?} its own ancestor")]
    Cycle(String),
    #[error("a code cannot be merged into itself or into one of its own sub-codes")]
    MergeIntoItself,
    #[error("{0:?} is not an aim of this scheme")]
    UnknownAim(String),
}

/// A scheme's codes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Codebook {
    pub codes: Vec<Code>,
}

fn check_name(name: &str) -> Result<String, CodebookError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_CODE_NAME {
        return Err(CodebookError::BadName);
    }
    Ok(name.to_string())
}

impl Codebook {
    pub fn get(&self, id: CodeId) -> Option<&Code> {
        self.codes.iter().find(|c| c.id == id)
    }

    fn get_mut(&mut self, id: CodeId) -> Result<&mut Code, CodebookError> {
        self.codes
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or(CodebookError::UnknownCode(id))
    }

    /// The next free id (one more than the largest).
    pub fn next_id(&self) -> CodeId {
        self.codes.iter().map(|c| c.id).max().unwrap_or(0) + 1
    }

    /// Checks every rule of the module over the whole codebook; `aims` are the scheme's aim
    /// keys (pass `None` to skip that check, e.g. for an imported codebook).
    pub fn validate(&self, aims: Option<&[&str]>) -> Result<(), CodebookError> {
        let mut ids = BTreeSet::new();
        for code in &self.codes {
            if !ids.insert(code.id) {
                return Err(CodebookError::DuplicateId(code.id));
            }
        }
        let mut names = BTreeSet::new();
        for code in &self.codes {
            check_name(&code.name)?;
            if !names.insert((code.parent, code.name.to_lowercase())) {
                return Err(CodebookError::DuplicateName(code.name.clone()));
            }
            if let Some(parent) = code.parent
                && !ids.contains(&parent)
            {
                return Err(CodebookError::UnknownCode(parent));
            }
            if let (Some(aims), Some(aim)) = (aims, &code.aim)
                && !aims.contains(&aim.as_str())
            {
                return Err(CodebookError::UnknownAim(aim.clone()));
            }
            self.ancestors(code.id)?;
        }
        Ok(())
    }

    /// The ancestors of a code, nearest first; an error if the chain loops.
    pub fn ancestors(&self, id: CodeId) -> Result<Vec<CodeId>, CodebookError> {
        let mut out = Vec::new();
        let mut at = self.get(id).ok_or(CodebookError::UnknownCode(id))?;
        while let Some(parent) = at.parent {
            if parent == id || out.contains(&parent) {
                return Err(CodebookError::Cycle(at.name.clone()));
            }
            out.push(parent);
            at = self.get(parent).ok_or(CodebookError::UnknownCode(parent))?;
        }
        Ok(out)
    }

    /// The direct children of a code (or the top-level codes for `None`), by name.
    pub fn children(&self, parent: Option<CodeId>) -> Vec<&Code> {
        let mut out: Vec<&Code> = self.codes.iter().filter(|c| c.parent == parent).collect();
        out.sort_by_key(|c| c.name.to_lowercase());
        out
    }

    /// Every code with its depth (0 for top level), depth first, siblings by name: the order
    /// of the codebook page and of the exports.
    pub fn tree(&self) -> Vec<(usize, &Code)> {
        fn walk<'a>(
            book: &'a Codebook,
            parent: Option<CodeId>,
            depth: usize,
            out: &mut Vec<(usize, &'a Code)>,
        ) {
            for code in book.children(parent) {
                out.push((depth, code));
                walk(book, Some(code.id), depth + 1, out);
            }
        }
        let mut out = Vec::new();
        walk(self, None, 0, &mut out);
        out
    }

    /// A code's name with its ancestors', e.g. "Belonging › Seen by staff".
    pub fn path(&self, id: CodeId) -> Option<String> {
        let code = self.get(id)?;
        let mut names: Vec<&str> = self
            .ancestors(id)
            .ok()?
            .iter()
            .rev()
            .filter_map(|a| self.get(*a).map(|c| c.name.as_str()))
            .collect();
        names.push(&code.name);
        Some(names.join(" › "))
    }

    /// The aim a code evidences: its own, or else its nearest ancestor's.
    pub fn aim_of(&self, id: CodeId) -> Option<&str> {
        let code = self.get(id)?;
        if let Some(aim) = &code.aim {
            return Some(aim);
        }
        self.ancestors(id)
            .ok()?
            .into_iter()
            .find_map(|a| self.get(a).and_then(|c| c.aim.as_deref()))
    }

    /// Adds a code, checked; returns its id.
    pub fn add(
        &mut self,
        name: &str,
        description: &str,
        colour: &str,
        parent: Option<CodeId>,
        aim: Option<&str>,
    ) -> Result<CodeId, CodebookError> {
        let id = self.next_id();
        let mut next = self.clone();
        next.codes.push(Code {
            id,
            name: check_name(name)?,
            description: description.trim().to_string(),
            colour: Colour::parse(colour)?,
            parent,
            aim: aim.map(str::to_string),
        });
        next.validate(None)?;
        *self = next;
        Ok(id)
    }

    /// Renames a code; its excerpts keep it (they refer to the id).
    pub fn rename(&mut self, id: CodeId, name: &str) -> Result<(), CodebookError> {
        let mut next = self.clone();
        next.get_mut(id)?.name = check_name(name)?;
        next.validate(None)?;
        *self = next;
        Ok(())
    }

    /// Moves a code under another (or to the top level); refused if it would loop.
    pub fn set_parent(&mut self, id: CodeId, parent: Option<CodeId>) -> Result<(), CodebookError> {
        let mut next = self.clone();
        next.get_mut(id)?.parent = parent;
        next.validate(None)?;
        *self = next;
        Ok(())
    }

    /// Merges `from` into `into`: `from`'s excerpts and sub-codes move to `into`, and `from`
    /// goes. Returns how many excerpts changed.
    pub fn merge(
        &mut self,
        from: CodeId,
        into: CodeId,
        excerpts: &mut [Excerpt],
    ) -> Result<usize, CodebookError> {
        self.get(from).ok_or(CodebookError::UnknownCode(from))?;
        self.get(into).ok_or(CodebookError::UnknownCode(into))?;
        if from == into || self.ancestors(into)?.contains(&from) {
            return Err(CodebookError::MergeIntoItself);
        }
        let mut next = self.clone();
        // Sub-codes of `from` move under `into`; a sub-code whose name `into` already has
        // would clash, so it is refused before anything changes.
        for code in next.codes.iter_mut().filter(|c| c.parent == Some(from)) {
            code.parent = Some(into);
        }
        next.codes.retain(|c| c.id != from);
        next.validate(None)?;
        let mut changed = 0;
        for excerpt in excerpts.iter_mut() {
            if excerpt.codes.contains(&from) {
                excerpt.codes.retain(|c| *c != from);
                if !excerpt.codes.contains(&into) {
                    excerpt.codes.push(into);
                }
                changed += 1;
            }
        }
        *self = next;
        Ok(changed)
    }

    /// Codes by id, for look-ups.
    pub fn by_id(&self) -> BTreeMap<CodeId, &Code> {
        self.codes.iter().map(|c| (c.id, c)).collect()
    }
}

/// The default codebook: one top-level code per default aim (tied to it), each with a few
/// sub-codes that inherit the aim, plus codes for the scheme itself. Colours are a
/// colour-blind-safe palette, one per aim.
pub fn default_codebook() -> Codebook {
    // (aim key or "", name, colour, [(sub-code, description)])
    type Spec<'a> = (&'a str, &'a str, &'a str, &'a [(&'a str, &'a str)]);
    let spec: [Spec; 8] = [
        (
            "belonging",
            "Belonging",
            "#0072b2",
            &[
                (
                    "Seen as an individual",
                    "Being known and treated as a person, not a category.",
                ),
                (
                    "Isolation",
                    "Feeling alone or out of place at the university.",
                ),
            ],
        ),
        (
            "valued",
            "Feeling valued",
            "#e69f00",
            &[
                (
                    "Being listened to",
                    "Leaders listening and taking on board what was said.",
                ),
                ("Followed up", "Seeing what was said acted on afterwards."),
            ],
        ),
        (
            "visibility",
            "Visibility",
            "#009e73",
            &[("Access to leaders", "Meeting people who make decisions.")],
        ),
        (
            "confidence_in_leaders",
            "Confidence in senior staff",
            "#cc79a7",
            &[("Trust", "Trusting senior staff to understand and act.")],
        ),
        (
            "understand_challenges",
            "Understanding of the challenges",
            "#56b4e9",
            &[
                (
                    "Money and work",
                    "Paid work, costs and commuting competing with study.",
                ),
                ("Hidden curriculum", "Unwritten rules of university life."),
            ],
        ),
        (
            "understand_engagement",
            "Understanding of engagement",
            "#d55e00",
            &[(
                "Barriers to taking part",
                "Why some students find it harder to engage.",
            )],
        ),
        (
            "understand_confidence",
            "Understanding of confidence",
            "#f0e442",
            &[(
                "Imposter feelings",
                "Feeling one does not belong or is not good enough.",
            )],
        ),
        (
            "",
            "The scheme",
            "#999999",
            &[
                (
                    "Structure and framework",
                    "Meeting prompts, schedule and expectations.",
                ),
                ("Time and scheduling", "Finding time to meet."),
            ],
        ),
    ];
    let mut book = Codebook::default();
    for (aim, name, colour, children) in spec {
        let aim = (!aim.is_empty()).then_some(aim);
        let parent = book
            .add(name, "", colour, None, aim)
            .expect("the default codebook is valid");
        for (child, description) in children {
            book.add(child, description, colour, Some(parent), None)
                .expect("the default codebook is valid");
        }
    }
    book
}

/// A code's fields as an edit sets them (name, description, colour, parent, aim).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFields<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub colour: &'a str,
    pub parent: Option<CodeId>,
    pub aim: Option<&'a str>,
}

impl Codebook {
    /// The code called `name`, ignoring case and surrounding spaces, anywhere in the codebook.
    /// The store keeps names unique within a scheme (not only among siblings), so pages ask
    /// this before adding or renaming.
    pub fn named(&self, name: &str) -> Option<&Code> {
        let wanted = name.trim().to_lowercase();
        self.codes.iter().find(|c| c.name.to_lowercase() == wanted)
    }

    /// Sets every field of a code at once, checked; `aims` as for [`Codebook::validate`].
    /// Nothing changes when any field breaks a rule.
    pub fn edit(
        &mut self,
        id: CodeId,
        fields: &CodeFields,
        aims: Option<&[&str]>,
    ) -> Result<(), CodebookError> {
        let mut next = self.clone();
        next.rename(id, fields.name)?;
        next.set_parent(id, fields.parent)?;
        let code = next.get_mut(id)?;
        code.description = fields.description.trim().to_string();
        code.colour = Colour::parse(fields.colour)?;
        code.aim = fields.aim.map(str::to_string);
        next.validate(aims)?;
        *self = next;
        Ok(())
    }
}

/// Where an imported code goes: under a code already in the codebook, under another code of
/// the same import, or at the top level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportParent {
    Top,
    Existing(CodeId),
    /// The imported id of a code added earlier in the same plan.
    Imported(CodeId),
}

/// One code an import adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedCode {
    /// Its id in the imported codebook.
    pub imported_id: CodeId,
    pub name: String,
    pub description: String,
    pub colour: Colour,
    pub parent: ImportParent,
}

/// What importing `imported` into `existing` does: the codes not yet present (by name,
/// ignoring case), parents before children, each placed under its imported parent, which is
/// either a code already present (matched by name) or one the import adds. Codes already
/// present are left as they are; `present` counts them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportPlan {
    pub added: Vec<ImportedCode>,
    pub present: usize,
}

/// Plans the import of a codebook read from a REFI-QDA file into a scheme's codebook.
pub fn import_plan(existing: &Codebook, imported: &Codebook) -> ImportPlan {
    let mut plan = ImportPlan::default();
    // Imported id -> where that code is now (an existing code, or one this import adds).
    let mut placed: BTreeMap<CodeId, ImportParent> = BTreeMap::new();
    // Names added so far, so that a name repeated in the file is added once.
    let mut added_names: BTreeMap<String, CodeId> = BTreeMap::new();
    for (_, code) in imported.tree() {
        let key = code.name.trim().to_lowercase();
        if let Some(present) = existing.named(&code.name) {
            placed.insert(code.id, ImportParent::Existing(present.id));
            plan.present += 1;
            continue;
        }
        if let Some(&first) = added_names.get(&key) {
            placed.insert(code.id, ImportParent::Imported(first));
            plan.present += 1;
            continue;
        }
        let parent = code
            .parent
            .and_then(|p| placed.get(&p).copied())
            .unwrap_or(ImportParent::Top);
        placed.insert(code.id, ImportParent::Imported(code.id));
        added_names.insert(key, code.id);
        plan.added.push(ImportedCode {
            imported_id: code.id,
            name: code.name.trim().to_string(),
            description: code.description.clone(),
            colour: code.colour.clone(),
            parent,
        });
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qualitative::aims;
    use crate::qualitative::excerpt::Span;

    fn excerpt(id: i64, codes: &[CodeId]) -> Excerpt {
        Excerpt {
            id,
            chat: 1,
            coder: 1,
            span: Span { start: 0, end: 1 },
            codes: codes.to_vec(),
            memo: None,
        }
    }

    #[test]
    fn the_default_codebook_is_valid_and_ties_every_default_aim() {
        let book = default_codebook();
        let keys: Vec<String> = aims::default_aims().into_iter().map(|a| a.key).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        book.validate(Some(&keys)).unwrap();
        for key in &keys {
            assert!(
                book.codes.iter().any(|c| c.aim.as_deref() == Some(*key)),
                "{key}"
            );
        }
        let isolation = book.codes.iter().find(|c| c.name == "Isolation").unwrap();
        assert_eq!(book.aim_of(isolation.id), Some("belonging"));
        assert_eq!(book.path(isolation.id).unwrap(), "Belonging › Isolation");
    }

    #[test]
    fn colours_are_hash_and_six_hex_digits() {
        assert_eq!(Colour::parse("#A1b2C3").unwrap().as_str(), "#a1b2c3");
        for bad in [
            "a1b2c3", "#abc", "#a1b2c", "#a1b2c3d", "#ggggggg", "#gggggg", "", "red",
        ] {
            assert!(Colour::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_unique_among_siblings_only() {
        let mut book = Codebook::default();
        let a = book.add("Trust", "", "#000000", None, None).unwrap();
        let b = book.add("Voice", "", "#000000", None, None).unwrap();
        book.add("Small steps", "", "#000000", Some(a), None)
            .unwrap();
        book.add("Small steps", "", "#000000", Some(b), None)
            .unwrap();
        assert_eq!(
            book.add("trust", "", "#000000", None, None),
            Err(CodebookError::DuplicateName("trust".into()))
        );
        assert_eq!(
            book.add(" ", "", "#000000", None, None),
            Err(CodebookError::BadName)
        );
        assert_eq!(
            book.rename(a, "Voice"),
            Err(CodebookError::DuplicateName("Voice".into()))
        );
        book.rename(a, "Trust in leaders").unwrap();
        assert_eq!(book.get(a).unwrap().name, "Trust in leaders");
    }

    #[test]
    fn the_hierarchy_never_loops() {
        let mut book = Codebook::default();
        let a = book.add("A", "", "#000000", None, None).unwrap();
        let b = book.add("B", "", "#000000", Some(a), None).unwrap();
        let c = book.add("C", "", "#000000", Some(b), None).unwrap();
        assert!(matches!(
            book.set_parent(a, Some(c)),
            Err(CodebookError::Cycle(_))
        ));
        assert!(matches!(
            book.set_parent(a, Some(a)),
            Err(CodebookError::Cycle(_))
        ));
        assert_eq!(
            book.set_parent(a, Some(99)),
            Err(CodebookError::UnknownCode(99))
        );
        book.set_parent(c, None).unwrap();
        let tree: Vec<(usize, &str)> = book
            .tree()
            .into_iter()
            .map(|(d, c)| (d, c.name.as_str()))
            .collect();
        assert_eq!(tree, vec![(0, "A"), (1, "B"), (0, "C")]);
    }

    #[test]
    fn merging_moves_excerpts_and_sub_codes_and_loses_nothing() {
        let mut book = Codebook::default();
        let a = book.add("Heard", "", "#000000", None, None).unwrap();
        let b = book.add("Listened to", "", "#000000", None, None).unwrap();
        let child = book
            .add("By the dean", "", "#000000", Some(a), None)
            .unwrap();
        let mut excerpts = vec![
            excerpt(1, &[a]),
            excerpt(2, &[a, b]),
            excerpt(3, &[b]),
            excerpt(4, &[child]),
        ];
        assert_eq!(book.merge(a, b, &mut excerpts).unwrap(), 2);
        assert!(book.get(a).is_none());
        assert_eq!(book.get(child).unwrap().parent, Some(b));
        assert_eq!(excerpts[0].codes, vec![b]);
        assert_eq!(excerpts[1].codes, vec![b]);
        assert_eq!(excerpts[2].codes, vec![b]);
        assert_eq!(excerpts[3].codes, vec![child]);
        assert_eq!(
            book.merge(b, child, &mut excerpts),
            Err(CodebookError::MergeIntoItself)
        );
        assert_eq!(
            book.merge(b, b, &mut excerpts),
            Err(CodebookError::MergeIntoItself)
        );
        assert_eq!(
            book.merge(b, 77, &mut excerpts),
            Err(CodebookError::UnknownCode(77))
        );
    }

    #[test]
    fn a_merge_whose_sub_codes_would_clash_changes_nothing() {
        let mut book = Codebook::default();
        let a = book.add("A", "", "#000000", None, None).unwrap();
        let b = book.add("B", "", "#000000", None, None).unwrap();
        book.add("Same", "", "#000000", Some(a), None).unwrap();
        book.add("Same", "", "#000000", Some(b), None).unwrap();
        let before = book.clone();
        let mut excerpts = vec![excerpt(1, &[a])];
        assert!(book.merge(a, b, &mut excerpts).is_err());
        assert_eq!(book, before);
        assert_eq!(excerpts[0].codes, vec![a]);
    }

    #[test]
    fn codes_must_name_known_aims() {
        let mut book = Codebook::default();
        book.add("X", "", "#000000", None, Some("nope")).unwrap();
        assert_eq!(
            book.validate(Some(&["belonging"])),
            Err(CodebookError::UnknownAim("nope".into()))
        );
    }
    #[test]
    fn an_edit_sets_every_field_or_nothing() {
        let mut book = Codebook::default();
        let a = book.add("A", "", "#000000", None, None).unwrap();
        let b = book.add("B", "", "#000000", None, None).unwrap();
        let fields = CodeFields {
            name: "Alpha",
            description: " first ",
            colour: "#ABCDEF",
            parent: Some(b),
            aim: Some("belonging"),
        };
        book.edit(a, &fields, Some(&["belonging"])).unwrap();
        let code = book.get(a).unwrap();
        assert_eq!(
            (code.name.as_str(), code.description.as_str()),
            ("Alpha", "first")
        );
        assert_eq!(code.colour.as_str(), "#abcdef");
        assert_eq!(
            (code.parent, code.aim.as_deref()),
            (Some(b), Some("belonging"))
        );
        let before = book.clone();
        let bad = CodeFields {
            colour: "blue",
            ..fields.clone()
        };
        assert!(matches!(
            book.edit(a, &bad, None),
            Err(CodebookError::BadColour(_))
        ));
        let looping = CodeFields {
            parent: Some(a),
            ..fields.clone()
        };
        assert!(book.edit(b, &looping, None).is_err());
        let unknown_aim = CodeFields {
            aim: Some("nope"),
            ..fields
        };
        assert_eq!(
            book.edit(a, &unknown_aim, Some(&["belonging"])),
            Err(CodebookError::UnknownAim("nope".into()))
        );
        assert_eq!(book, before);
        assert_eq!(book.named(" alpha ").map(|c| c.id), Some(a));
    }

    #[test]
    fn an_import_adds_only_codes_not_yet_present_under_their_parents() {
        let mut existing = Codebook::default();
        let trust = existing.add("Trust", "", "#000000", None, None).unwrap();
        let mut file = Codebook::default();
        let t = file.add("trust", "", "#111111", None, None).unwrap();
        let small = file
            .add("Small steps", "d", "#222222", Some(t), None)
            .unwrap();
        let deeper = file
            .add("Deeper", "", "#333333", Some(small), None)
            .unwrap();
        let voice = file.add("Voice", "", "#444444", None, None).unwrap();
        file.add("small steps", "", "#555555", Some(voice), None)
            .unwrap();
        let plan = import_plan(&existing, &file);
        assert_eq!(
            plan.present, 2,
            "trust exists; the second Small steps repeats"
        );
        let added: Vec<(&str, ImportParent)> = plan
            .added
            .iter()
            .map(|c| (c.name.as_str(), c.parent))
            .collect();
        assert_eq!(
            added,
            vec![
                ("Small steps", ImportParent::Existing(trust)),
                ("Deeper", ImportParent::Imported(small)),
                ("Voice", ImportParent::Top),
            ]
        );
        assert_eq!(plan.added[1].imported_id, deeper);
    }
}
