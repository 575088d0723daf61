//! The wheel's dots: one per checkpoint (a circle, or a diamond when overdue or missed),
//! clustered around its date within its ring, inside a link to the checkpoint; above
//! [`MAX_DOTS`] checkpoints one dot per ring and date.

use super::{C, DOT, Layout, MAX_DOTS, Spec, angle, ring_bounds};
use crate::web::overview::svg::{esc, polar};
use crate::web::overview::{checkpoint_href, state, t};
use crate::workflow::State;
use std::f64::consts::TAU;
use std::fmt::Write as _;

pub(super) fn dots(out: &mut String, lay: &Layout, spec: &Spec, xlink: bool) {
    let lang = spec.lang;
    let merged = lay.count > MAX_DOTS;
    for ((ring, date), rows) in &lay.groups {
        let (r0, r1) = ring_bounds(lay.rings.len(), *ring);
        let n = if merged { 1 } else { rows.len() };
        let (dot, lanes) = fit(n, r0, r1);
        let pitch = 2.0 * dot + 1.5;
        let cols = n.div_ceil(lanes);
        let mid = angle(spec, *date, true);
        for k in 0..n {
            let (lane, col) = (k % lanes, k / lanes);
            let lane_r = (r0 + r1) / 2.0 + (lane as f64 - (lanes as f64 - 1.0) / 2.0) * pitch;
            let step = pitch / lane_r;
            let a = mid + (col as f64 - (cols as f64 - 1.0) / 2.0) * step;
            let (x, y) = polar(C, C, lane_r, a);
            if merged {
                let st = rows.iter().map(|r| r.state).max_by_key(|s| state::urgency(*s)).unwrap_or(State::Planned);
                let title = format!("{date}: {} {}", rows.len(), t(lang, "kontrollpunkter", "checkpoints"));
                let _ = write!(out, "<g>{}</g>", shape(x, y, dot, st, &title));
            } else {
                let r = rows[k];
                let mut title = format!("{} – {} – {date}", r.title, state::label(r.state, lang));
                if let Some(u) = &r.unit {
                    title = format!("{title} – {u}");
                }
                let href = esc(&format!("{}{}", spec.base, checkpoint_href(&r.id)));
                let xl = if xlink { format!(r#" xlink:href="{href}""#) } else { String::new() };
                let _ = write!(out, r#"<a href="{href}"{xl}>{}</a>"#, shape(x, y, dot, r.state, &title));
            }
        }
    }
}

/// The dot radius and radial lanes for `n` dots on one date in the ring `r0..r1`: the largest
/// dot (down to 3.5) whose cluster stays within about twelve days.
fn fit(n: usize, r0: f64, r1: f64) -> (f64, usize) {
    let span = TAU * (r0 + r1) / 2.0 * 12.0 / 365.0;
    let mut dot = DOT;
    loop {
        let pitch = 2.0 * dot + 1.5;
        let lanes = (((r1 - r0 - 2.0) / pitch).floor() as usize).max(1);
        let cols = ((span / pitch).floor() as usize).max(1);
        if lanes * cols >= n || dot <= 3.5 {
            return (dot, lanes);
        }
        dot -= 0.5;
    }
}

/// A dot: a circle, or a diamond for overdue and missed; white-edged, with its title.
pub(super) fn shape(x: f64, y: f64, dot: f64, s: State, title: &str) -> String {
    let stroke = if s == State::Cancelled { "#6b6b6b" } else { "#ffffff" };
    let fill = state::fill(s);
    let title = esc(title);
    if state::is_alarm(s) {
        let d = dot * 1.35;
        format!(
            r#"<path d="M{x:.0} {:.0}L{:.0} {y:.0}L{x:.0} {:.0}L{:.0} {y:.0}Z" fill="{fill}" stroke="{stroke}"><title>{title}</title></path>"#,
            y - d,
            x + d,
            y + d,
            x - d
        )
    } else {
        format!(r#"<circle cx="{x:.0}" cy="{y:.0}" r="{dot:.1}" fill="{fill}" stroke="{stroke}"><title>{title}</title></circle>"#)
    }
}
