//! How a checkpoint state is shown: a CSS class, a colour for SVG, a text label in the
//! viewer's language, and a shape cue — never colour alone.

use crate::definition::Lang;
use crate::workflow::State;
use maud::{Markup, html};

/// Every state, in the order the legends list them.
pub const ALL: [State; 8] =
    [State::Approved, State::Reported, State::Planned, State::Open, State::Overdue, State::Missed, State::Waived, State::Cancelled];

/// The state's word in `lang` (Swedish: godkänd, rapporterad, …).
pub fn label(s: State, lang: Lang) -> &'static str {
    match lang {
        Lang::Sv => s.sv(),
        Lang::En => s.en(),
    }
}

/// The CSS class of a state badge or grid cell (rules in `overview.css`).
pub fn class(s: State) -> &'static str {
    match s {
        State::Planned => "st st-planned",
        State::Open => "st st-open",
        State::Overdue => "st st-overdue",
        State::Reported => "st st-reported",
        State::Approved => "st st-approved",
        State::Missed => "st st-missed",
        State::Waived => "st st-waived",
        State::Cancelled => "st st-cancelled",
    }
}

/// Fill colour for SVG dots (presentation attribute; the same hues as `overview.css`).
pub fn fill(s: State) -> &'static str {
    match s {
        State::Approved => "#2e7d32",
        State::Reported => "#1f5fbf",
        State::Planned => "#9aa5b1",
        State::Open => "#d99a00",
        State::Overdue => "#c62828",
        State::Missed => "#5d0b0b",
        State::Waived => "#6b6b6b",
        State::Cancelled => "#ffffff",
    }
}

/// Late or closed unreported: drawn as a diamond instead of a circle in the wheel.
pub fn is_alarm(s: State) -> bool {
    matches!(s, State::Overdue | State::Missed)
}

/// How urgent a state is for the förvaltningschef (higher first): a grid cell holding
/// several checkpoints shows the most urgent one's state.
pub fn urgency(s: State) -> u8 {
    match s {
        State::Overdue => 7,
        State::Missed => 6,
        State::Open => 5,
        State::Reported => 4,
        State::Planned => 3,
        State::Approved => 2,
        State::Waived => 1,
        State::Cancelled => 0,
    }
}

/// A state badge: coloured, with its word.
pub fn badge(s: State, lang: Lang) -> Markup {
    html! { span class=(class(s)) { (label(s, lang)) } }
}

/// A one-line explanation of each state, for legends (after the state's word).
pub fn meaning(s: State, lang: Lang) -> &'static str {
    match (s, lang) {
        (State::Approved, Lang::Sv) => "klar: rapporterad och godkänd av överordnad",
        (State::Approved, Lang::En) => "done: reported and approved by the superior",
        (State::Reported, Lang::Sv) => "väntar på godkännande av överordnad",
        (State::Reported, Lang::En) => "awaiting approval by the superior",
        (State::Planned, Lang::Sv) => "ingen påminnelse än",
        (State::Planned, Lang::En) => "no reminder yet",
        (State::Open, Lang::Sv) => "påminnelserna har börjat",
        (State::Open, Lang::En) => "reminders have started",
        (State::Overdue, Lang::Sv) => "datumet har passerat utan rapport",
        (State::Overdue, Lang::En) => "the date passed without a report",
        (State::Missed, Lang::Sv) => "stängd utan rapport",
        (State::Missed, Lang::En) => "closed without a report",
        (State::Waived, Lang::Sv) => "stängd genom beslut, med skäl",
        (State::Waived, Lang::En) => "closed by a decision, with a reason",
        (State::Cancelled, Lang::Sv) => "finns inte längre i planen",
        (State::Cancelled, Lang::En) => "no longer in the plan",
    }
}
