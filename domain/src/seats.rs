//! Seat-use thresholds (PRODUCT.md §8): a purchaser hears once when the
//! licenses in use reach 80 % of the total and once when they reach 100 %,
//! not on every assignment. The last threshold reached is stored with the
//! subscription; falling below it re-arms it.

/// The thresholds, in percent of the license count.
pub const THRESHOLDS: [u8; 2] = [80, 100];

/// The highest threshold that `assigned` of `total` licenses reaches (0: none).
pub fn reached(assigned: i64, total: i64) -> u8 {
    if total <= 0 || assigned <= 0 {
        return 0;
    }
    THRESHOLDS
        .iter()
        .rev()
        .copied()
        .find(|t| i128::from(assigned) * 100 >= i128::from(*t) * i128::from(total))
        .unwrap_or(0)
}

/// What a change of seat use means, given the threshold stored before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeatChange {
    /// The threshold to store now (`None`: unchanged).
    pub store: Option<u8>,
    /// The threshold just crossed upwards, to announce (`None`: nothing to say).
    pub crossed: Option<u8>,
}

/// Compares the stored threshold with the one reached now: a higher one is
/// announced (only the highest, when one change crosses both); a lower one
/// is stored silently, so the next rise is announced again.
pub fn observe(stored: u8, assigned: i64, total: i64) -> SeatChange {
    let now = reached(assigned, total);
    SeatChange {
        store: (now != stored).then_some(now),
        crossed: (now > stored).then_some(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_at_their_boundaries() {
        assert_eq!(reached(0, 10), 0);
        assert_eq!(reached(7, 10), 0);
        assert_eq!(reached(8, 10), 80);
        assert_eq!(reached(9, 10), 80);
        assert_eq!(reached(10, 10), 100);
        assert_eq!(reached(1, 1), 100);
        // 80 % of 3 is 2.4: two seats are below it, three reach 100 %.
        assert_eq!(reached(2, 3), 0);
        assert_eq!(reached(3, 3), 100);
        assert_eq!(reached(4, 5), 80);
        assert_eq!(reached(0, 0), 0);
    }

    #[test]
    fn announced_once_per_crossing_and_rearmed_below() {
        // Rising to 80 %, then staying there: one announcement.
        assert_eq!(
            observe(0, 8, 10),
            SeatChange {
                store: Some(80),
                crossed: Some(80)
            }
        );
        assert_eq!(
            observe(80, 9, 10),
            SeatChange {
                store: None,
                crossed: None
            }
        );
        // Straight from below 80 % to full: only 100 % is announced.
        assert_eq!(
            observe(0, 10, 10),
            SeatChange {
                store: Some(100),
                crossed: Some(100)
            }
        );
        assert_eq!(
            observe(100, 10, 10),
            SeatChange {
                store: None,
                crossed: None
            }
        );
        // Falling below re-arms silently; rising again announces again.
        assert_eq!(
            observe(100, 9, 10),
            SeatChange {
                store: Some(80),
                crossed: None
            }
        );
        assert_eq!(
            observe(80, 10, 10),
            SeatChange {
                store: Some(100),
                crossed: Some(100)
            }
        );
        assert_eq!(
            observe(80, 1, 10),
            SeatChange {
                store: Some(0),
                crossed: None
            }
        );
        // A decrease of the total can push use up to a threshold.
        assert_eq!(
            observe(0, 8, 8),
            SeatChange {
                store: Some(100),
                crossed: Some(100)
            }
        );
    }
}
