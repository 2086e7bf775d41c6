//! The texts errors point into: scenario files and `--set` arguments, and the
//! diagnostic type that renders file, line, column and the offending line.

use miette::{Diagnostic, NamedSource, SourceSpan};
use std::ops::Range;
use std::sync::Arc;
use thiserror::Error;

/// Index into [`Sources`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SourceId(pub usize);

/// A place in a source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub source: SourceId,
    pub span: Range<usize>,
}

#[derive(Debug)]
pub struct SourceText {
    /// How the source is named in messages: a path, or `--set #2`.
    pub name: String,
    pub text: Arc<String>,
}

#[derive(Debug, Default)]
pub struct Sources {
    pub files: Vec<SourceText>,
    /// The `extends` value being followed, for errors about the file it names.
    pub pending_extends: Option<Loc>,
}

impl Sources {
    pub fn add(&mut self, name: String, text: String) -> SourceId {
        self.files.push(SourceText {
            name,
            text: Arc::new(text),
        });
        SourceId(self.files.len() - 1)
    }

    pub fn get(&self, id: SourceId) -> &SourceText {
        &self.files[id.0]
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, loc: &Loc) -> (usize, usize) {
        let text = &self.get(loc.source).text;
        let at = loc.span.start.min(text.len());
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    /// A diagnostic pointing at `loc`, or a plain one when there is no place.
    pub fn error(&self, loc: Option<&Loc>, message: impl Into<String>) -> ScenarioError {
        let message = message.into();
        match loc {
            Some(loc) => {
                let file = self.get(loc.source);
                let (line, col) = self.line_col(loc);
                let len = loc
                    .span
                    .len()
                    .max(1)
                    .min(file.text.len().saturating_sub(loc.span.start).max(1));
                ScenarioError {
                    message: format!("{}:{line}:{col}: {message}", file.name),
                    src: Some(NamedSource::new(file.name.clone(), file.text.clone())),
                    span: Some(SourceSpan::new(loc.span.start.into(), len)),
                    help: None,
                }
            }
            None => ScenarioError {
                message,
                src: None,
                span: None,
                help: None,
            },
        }
    }
}

/// One problem in a scenario, with the line it comes from when known.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
pub struct ScenarioError {
    pub message: String,
    #[source_code]
    pub src: Option<NamedSource<Arc<String>>>,
    #[label("here")]
    pub span: Option<SourceSpan>,
    #[help]
    pub help: Option<String>,
}

impl ScenarioError {
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// All problems found in a scenario; validation reports them together.
#[derive(Debug, Error, Diagnostic)]
#[error("{}", summary(.errors))]
pub struct ScenarioErrors {
    #[related]
    pub errors: Vec<ScenarioError>,
}

fn summary(errors: &[ScenarioError]) -> String {
    match errors {
        [one] => one.message.clone(),
        many => format!("the scenario has {} errors", many.len()),
    }
}

impl From<ScenarioError> for ScenarioErrors {
    fn from(e: ScenarioError) -> Self {
        ScenarioErrors { errors: vec![e] }
    }
}

/// The known name closest to `wrong`, if any is close enough to be a typo.
pub fn nearest<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(wrong, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// The help for a name that is not among `known`: "did you mean `x`?
/// Known <what>: `a`, `b`" when one is close, else "known <what>: …".
pub fn did_you_mean<'a>(
    wrong: &str,
    known: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> String {
    const SHOWN: usize = 20;
    let count = known.clone().into_iter().count();
    let mut all = list_names(known.clone().into_iter().take(SHOWN));
    if count > SHOWN {
        all.push_str(&format!(" … ({count} in all)"));
    }
    match nearest(wrong, known) {
        Some(n) => format!("did you mean `{n}`? Known {what}: {all}"),
        None => format!("known {what}: {all}"),
    }
}

/// `a`, `b`, `c` — for "known names are …" messages.
pub fn list_names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let v: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.join(", ")
    }
}
