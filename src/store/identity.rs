//! Keeping a recurring rule's occurrences when its period or anchor moves. Occurrence ids
//! carry their period label (`…/traffar/2021w36`), so moving `during:` by a week gives every
//! occurrence a new id. Sync pairs the stored occurrences of one rule (the *series*: the id
//! without its label) that the definitions no longer give with the new ones, in date order,
//! by a minimum-cost alignment: a pair costs the days between the two dates, leaving one
//! unpaired costs [`GAP_DAYS`]. A pair keeps the stored id (and its state, report and
//! history) and is rescheduled with an event; the new generated id becomes an alias of it.
//!
//! Pure: no IO.

use chrono::NaiveDate;

/// What leaving an occurrence unpaired costs, in days. A shift of a few weeks pairs every
/// occurrence with its shifted twin; an occurrence added at one end of a series is new
/// rather than everything moving up by one.
pub const GAP_DAYS: i64 = 90;

/// The series an occurrence belongs to: its id without the trailing `/{label}`. One-off
/// checkpoints (no label) have no series: their id does not depend on the date.
pub fn series<'a>(id: &'a str, label: Option<&str>) -> Option<&'a str> {
    let label = label.filter(|l| !l.is_empty())?;
    let prefix = id.strip_suffix(label)?.strip_suffix('/')?;
    (!prefix.is_empty()).then_some(prefix)
}

/// Pairs `old` with `new` (each sorted by date) in order, minimising the days between
/// paired dates plus [`GAP_DAYS`] for each one left unpaired. Returns index pairs.
pub fn align(old: &[NaiveDate], new: &[NaiveDate]) -> Vec<(usize, usize)> {
    let (n, m) = (old.len(), new.len());
    if n == 0 || m == 0 {
        return Vec::new();
    }
    // cost[i][j]: best cost aligning old[i..] with new[j..].
    let w = m + 1;
    let mut cost = vec![0i64; (n + 1) * w];
    for i in (0..=n).rev() {
        for j in (0..=m).rev() {
            cost[i * w + j] = if i == n {
                (m - j) as i64 * GAP_DAYS
            } else if j == m {
                (n - i) as i64 * GAP_DAYS
            } else {
                let pair = (old[i] - new[j]).num_days().abs() + cost[(i + 1) * w + j + 1];
                let skip_old = GAP_DAYS + cost[(i + 1) * w + j];
                let skip_new = GAP_DAYS + cost[i * w + j + 1];
                pair.min(skip_old).min(skip_new)
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        let here = cost[i * w + j];
        if here == (old[i] - new[j]).num_days().abs() + cost[(i + 1) * w + j + 1] {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if here == GAP_DAYS + cost[(i + 1) * w + j] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn weekly(start: NaiveDate, every: i64, n: usize) -> Vec<NaiveDate> {
        (0..n).map(|k| start + Duration::weeks(every * k as i64)).collect()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn series_is_the_id_without_its_label() {
        assert_eq!(series("k/p/i/traffar/2021w36", Some("2021w36")), Some("k/p/i/traffar"));
        assert_eq!(series("k/p/i/traffar/norrskolan/vt2021", Some("vt2021")), Some("k/p/i/traffar/norrskolan"));
        assert_eq!(series("k/p/i/utvardering", None), None);
        assert_eq!(series("k/p/i/x2021", Some("2021")), None, "the label is a whole segment");
    }

    #[test]
    fn a_shift_of_a_week_pairs_every_occurrence_with_its_twin() {
        let old = weekly(d(2021, 8, 23), 6, 5);
        let new: Vec<_> = old.iter().map(|x| *x + Duration::weeks(1)).collect();
        assert_eq!(align(&old, &new), (0..5).map(|k| (k, k)).collect::<Vec<_>>());
    }

    #[test]
    fn an_occurrence_added_in_front_is_new_and_the_rest_keep_theirs() {
        let old = weekly(d(2021, 8, 23), 6, 5);
        let mut new = vec![d(2021, 7, 12)];
        new.extend(old.iter().copied());
        assert_eq!(align(&old, &new), (0..5).map(|k| (k, k + 1)).collect::<Vec<_>>());
    }

    #[test]
    fn a_shortened_period_leaves_the_last_unpaired() {
        let old = weekly(d(2021, 8, 23), 6, 5);
        let new: Vec<_> = old[..3].iter().map(|x| *x + Duration::days(3)).collect();
        assert_eq!(align(&old, &new), vec![(0, 0), (1, 1), (2, 2)]);
    }

    #[test]
    fn far_apart_dates_are_not_paired() {
        assert!(align(&[d(2021, 1, 10)], &[d(2022, 1, 10)]).is_empty());
    }
}
