//! "Did you mean ...?": the closest known name to a misspelt one, by edit distance.

/// Edit distance between `a` and `b`, counted in characters: insertions, deletions,
/// substitutions and transpositions of two neighbours each cost 1 (the optimal string alignment
/// distance, Levenshtein's with Damerau's transposition), so `lable` is one edit from `label`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the table: two back (for transpositions), the previous and the current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 0..a.len() {
        cur[0] = i + 1;
        for j in 0..b.len() {
            let substitute = prev[j] + usize::from(a[i] != b[j]);
            let mut d = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                d = d.min(before[j - 1] + 1);
            }
            cur[j + 1] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `wrong`, if it is close enough to be a plausible typo: at most a third
/// of the longer name's characters differ (and at least one edit is always allowed).
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(wrong, c), c))
        .filter(|&(d, c)| d <= (wrong.chars().count().max(c.chars().count()) / 3).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// `"; did you mean `x`?"` when a close candidate exists, else the known names (up to eight).
pub fn hint<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str> + Clone) -> String {
    match closest(wrong, candidates.clone()) {
        Some(c) => format!("; did you mean `{c}`?"),
        None => {
            let known: Vec<String> = candidates.into_iter().map(|c| format!("`{c}`")).collect();
            match known.len() {
                0 => String::new(),
                1..=8 => format!("; known: {}", known.join(", ")),
                _ => format!("; known: {}, ...", known[..8].join(", ")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_matches_hand_worked_cases() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("familarity", "familiarity"), 1);
        assert_eq!(edit_distance("flaw", "lawn"), 2);
        assert_eq!(edit_distance("żółw", "zolw"), 3);
        // A swap of two neighbours is one edit, wherever it is.
        assert_eq!(edit_distance("lable", "label"), 1);
        assert_eq!(edit_distance("ti", "it"), 1);
        assert_eq!(edit_distance("tilte", "title"), 1);
        assert_eq!(edit_distance("ca", "abc"), 3);
    }

    #[test]
    fn closest_suggests_typos_but_not_unrelated_names() {
        let known = ["familiarity", "flexibility", "bond"];
        assert_eq!(closest("familarity", known), Some("familiarity"));
        assert_eq!(closest("bnd", known), Some("bond"));
        assert_eq!(closest("housing", known), None);
        assert_eq!(
            closest("lable", ["value", "label", "positive", "dont_know"]),
            Some("label")
        );
    }

    #[test]
    fn hint_lists_known_names_when_nothing_is_close() {
        assert_eq!(hint("agre", ["agree", "fft"]), "; did you mean `agree`?");
        assert_eq!(hint("xyz", ["agree", "fft"]), "; known: `agree`, `fft`");
        assert_eq!(hint("xyz", std::iter::empty()), "");
    }
}
