//! "Did you mean …?" for names a person types: field codes, map, report and plan
//! names. The closest known names by Jaro-Winkler similarity (the measure clap
//! uses for its own subcommand suggestions), so a typo in a field code gets the
//! same kind of hint as a typo in a command.

/// Below this a known name is too far from what was typed to be worth naming.
const THRESHOLD: f64 = 0.8;
/// Names scoring within this of the best are offered with it.
const MARGIN: f64 = 0.03;
/// At most this many suggestions, closest first.
const MAX: usize = 3;

/// The known names closest to `wanted`, closest first (case-insensitive).
pub fn closest<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let wanted = wanted.to_ascii_lowercase();
    let mut scored: Vec<(f64, &str)> = known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(&wanted, &k.to_ascii_lowercase()), k))
        .filter(|(score, _)| *score >= THRESHOLD)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    // Only names about as close as the closest: one clear candidate is a better
    // hint than a list of near misses.
    let best = scored.first().map_or(0.0, |s| s.0);
    scored
        .into_iter()
        .take_while(|(score, _)| best - score <= MARGIN)
        .take(MAX)
        .map(|(_, k)| k)
        .collect()
}

/// `": did you mean de.na?"` (or `de.na or de.nb`), empty when nothing is close;
/// appended to an "unknown …" message.
pub fn did_you_mean<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let near = closest(wanted, known);
    match near.as_slice() {
        [] => String::new(),
        [one] => format!(": did you mean {one}?"),
        many => format!(": did you mean {}?", many.join(" or ")),
    }
}

/// The stems of the files with `extension` in `dir` (the maps, reports or plans a
/// name could have meant); empty when the directory cannot be read.
pub fn names_in(dir: &std::path::Path, extension: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == extension))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_names_the_closest_code() {
        let known = ["de.na", "de.ac", "de.nb", "cl.na"];
        assert_eq!(did_you_mean("de.nam", known), ": did you mean de.na?");
        assert_eq!(closest("DE.AC", known), vec!["de.ac"]);
    }

    #[test]
    fn nothing_close_suggests_nothing() {
        assert_eq!(did_you_mean("zzzz", ["de.na", "de.ac"]), "");
    }

    #[test]
    fn several_close_names_are_all_offered_closest_first() {
        let near = closest(
            "placement",
            ["placement-csv", "placement-fixed", "payments"],
        );
        assert_eq!(near[..2], ["placement-csv", "placement-fixed"]);
    }
}
