//! The reminder policy's `missed_after` and `missed_grace`: when an unreported checkpoint's
//! follow-up window closes and it becomes missed. Counted in working days (Monday–Friday,
//! not a red day or a de-facto holiday such as midsommarafton; school breaks count, as the
//! office works through them).

use crate::definition::model::MissedAfter;
use crate::definition::yaml::{Ctx, Node, Value};

/// The most working days either setting accepts: about a year.
pub const MAX_WORKING_DAYS: u32 = 260;

const HOW_SV: &str = "Skriv `nästa tillfälle` (standard: när samma kontrollpunkt förfaller nästa gång), ett antal arbetsdagar efter förfallodagen, t.ex. `20 arbetsdagar`, eller `aldrig`.";
const HOW_EN: &str = "Write `nästa tillfälle` (next occurrence, the default: when the same checkpoint falls due next), a number of working days after the due date, e.g. `20 arbetsdagar`, or `aldrig` (never).";

fn norm(s: &str) -> String {
    s.trim().to_lowercase().replace(['_', '-'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a number of working days is written as: `20 arbetsdagar`, `20 ad`, `20 working days`.
/// `Err(true)` when it is a number of plain days or weeks (`14 dagar`), `Err(false)` when it
/// is not a duration at all.
pub fn parse_working_days(s: &str) -> Result<u32, bool> {
    let t = norm(s);
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let unit = t[digits.len()..].trim();
    if digits.is_empty() {
        return Err(false);
    }
    match unit {
        "arbetsdag" | "arbetsdagar" | "ad" | "working day" | "working days" | "workdays" | "workday" => digits.parse().map_err(|_| false),
        "" | "d" | "dag" | "dagar" | "days" | "day" | "w" | "v" | "vecka" | "veckor" | "week" | "weeks" => Err(true),
        _ => Err(false),
    }
}

fn too_many(ctx: &mut Ctx, node: &Node, key: &str, n: u32) {
    ctx.error(
        node.pos,
        format!("`{key}: {n} arbetsdagar` är mer än ett år ({MAX_WORKING_DAYS} arbetsdagar). Välj ett mindre antal, eller `aldrig` om kontrollpunkten aldrig ska bli missad."),
        format!("`{key}: {n} working days` is more than a year ({MAX_WORKING_DAYS} working days). Choose fewer, or `aldrig` (never) if the checkpoint should never become missed."),
    );
}

/// Reads `missed_after`.
pub fn missed_after(ctx: &mut Ctx, node: &Node) -> Option<MissedAfter> {
    if matches!(node.value, Value::Bool(false)) {
        return Some(MissedAfter::Never);
    }
    let s = ctx.text(node, "missed_after", "missed_after")?;
    let t = norm(s);
    match t.as_str() {
        "nästa tillfälle" | "nasta tillfalle" | "next occurrence" | "nästa" | "next" => return Some(MissedAfter::NextOccurrence),
        "aldrig" | "never" | "nej" | "no" => return Some(MissedAfter::Never),
        _ => {}
    }
    match parse_working_days(s) {
        Ok(0) => {
            ctx.error(
                node.pos,
                "`missed_after: 0 arbetsdagar` skulle göra kontrollpunkten missad redan på förfallodagen. Ge minst `1 arbetsdag`, eller skriv `nästa tillfälle`.",
                "`missed_after: 0 working days` would make the checkpoint missed on its due date. Give at least `1 arbetsdag` (1 working day), or write `nästa tillfälle`.",
            );
            None
        }
        Ok(n) if n > MAX_WORKING_DAYS => {
            too_many(ctx, node, "missed_after", n);
            None
        }
        Ok(n) => Some(MissedAfter::WorkingDays(n)),
        Err(plain_days) => {
            let (sv, en) = if plain_days {
                (
                    format!(
                        "`missed_after: {s}` räknas i arbetsdagar, inte i dagar eller veckor: skriv t.ex. `20 arbetsdagar` (ungefär fyra veckor)."
                    ),
                    format!(
                        "`missed_after: {s}` is counted in working days, not days or weeks: write e.g. `20 arbetsdagar` (20 working days, about four weeks)."
                    ),
                )
            } else {
                (format!("okänt värde `{s}` för missed_after. {HOW_SV}"), format!("unknown value `{s}` for missed_after. {HOW_EN}"))
            };
            ctx.error(node.pos, sv, en);
            None
        }
    }
}

/// Reads `missed_grace`: working days after the plan period's end.
pub fn missed_grace(ctx: &mut Ctx, node: &Node) -> Option<u32> {
    let s = ctx.text(node, "missed_grace", "missed_grace")?;
    match parse_working_days(s) {
        Ok(n) if n > MAX_WORKING_DAYS => {
            too_many(ctx, node, "missed_grace", n);
            None
        }
        Ok(n) => Some(n),
        Err(plain_days) => {
            let also = if plain_days { " Den räknas i arbetsdagar, inte i dagar eller veckor." } else { "" };
            let also_en = if plain_days { " It is counted in working days, not days or weeks." } else { "" };
            ctx.error(
                node.pos,
                format!("okänt värde `{s}` för missed_grace.{also} Skriv hur många arbetsdagar efter planperiodens slut det sista tillfället blir missat, t.ex. `20 arbetsdagar`."),
                format!("unknown value `{s}` for missed_grace.{also_en} Write how many working days after the plan period's end the last occurrence becomes missed, e.g. `20 arbetsdagar`."),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_as_written() {
        assert_eq!(parse_working_days("20 arbetsdagar"), Ok(20));
        assert_eq!(parse_working_days("1 arbetsdag"), Ok(1));
        assert_eq!(parse_working_days("5 working days"), Ok(5));
        assert_eq!(parse_working_days("10ad"), Ok(10));
        assert_eq!(parse_working_days("14 dagar"), Err(true));
        assert_eq!(parse_working_days("2 veckor"), Err(true));
        assert_eq!(parse_working_days("snart"), Err(false));
        assert_eq!(parse_working_days("99999999999 arbetsdagar"), Err(false));
    }
}
