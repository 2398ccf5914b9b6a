//! Text clean-up for Metro 2 alphanumeric fields: upper-case ASCII with
//! accents transliterated ("Côté" → "COTE"), names split from
//! "Last, First Middle", generation codes.

/// Upper-case ASCII; accented Latin letters lose their accents, anything
/// else that is not printable ASCII is dropped.
pub fn to_ascii_upper(s: &str) -> String {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.to_ascii_uppercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            if !c.is_ascii_control() {
                out.push(c.to_ascii_uppercase());
            } else if c == '\t' {
                out.push(' ');
            }
            continue;
        }
        out.push_str(fold(c));
    }
    out
}

/// ASCII for a non-ASCII character ("" when there is none).
fn fold(c: char) -> &'static str {
    match c {
        'À'..='Å' | 'à'..='å' | 'Ā' | 'ā' | 'Ă' | 'ă' | 'Ą' | 'ą' => "A",
        'Æ' | 'æ' => "AE",
        'Ç' | 'ç' | 'Ć' | 'ć' | 'Ĉ' | 'ĉ' | 'Ċ' | 'ċ' | 'Č' | 'č' => "C",
        'Ď' | 'ď' | 'Đ' | 'đ' | 'Ð' | 'ð' => "D",
        'È'..='Ë' | 'è'..='ë' | 'Ē' | 'ē' | 'Ĕ' | 'ĕ' | 'Ė' | 'ė' | 'Ę' | 'ę' | 'Ě' | 'ě' => {
            "E"
        }
        'Ĝ' | 'ĝ' | 'Ğ' | 'ğ' | 'Ġ' | 'ġ' | 'Ģ' | 'ģ' => "G",
        'Ĥ' | 'ĥ' | 'Ħ' | 'ħ' => "H",
        'Ì'..='Ï' | 'ì'..='ï' | 'Ĩ' | 'ĩ' | 'Ī' | 'ī' | 'Ĭ' | 'ĭ' | 'Į' | 'į' | 'İ' | 'ı' => {
            "I"
        }
        'Ĳ' | 'ĳ' => "IJ",
        'Ĵ' | 'ĵ' => "J",
        'Ķ' | 'ķ' => "K",
        'Ĺ' | 'ĺ' | 'Ļ' | 'ļ' | 'Ľ' | 'ľ' | 'Ŀ' | 'ŀ' | 'Ł' | 'ł' => "L",
        'Ñ' | 'ñ' | 'Ń' | 'ń' | 'Ņ' | 'ņ' | 'Ň' | 'ň' => "N",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō' | 'ō' | 'Ŏ' | 'ŏ' | 'Ő' | 'ő' => "O",
        'Œ' | 'œ' => "OE",
        'Ŕ' | 'ŕ' | 'Ŗ' | 'ŗ' | 'Ř' | 'ř' => "R",
        'Ś' | 'ś' | 'Ŝ' | 'ŝ' | 'Ş' | 'ş' | 'Š' | 'š' => "S",
        'ß' => "SS",
        'Ţ' | 'ţ' | 'Ť' | 'ť' | 'Ŧ' | 'ŧ' => "T",
        'Þ' | 'þ' => "TH",
        'Ù'..='Ü'
        | 'ù'..='ü'
        | 'Ũ'
        | 'ũ'
        | 'Ū'
        | 'ū'
        | 'Ŭ'
        | 'ŭ'
        | 'Ů'
        | 'ů'
        | 'Ű'
        | 'ű'
        | 'Ų'
        | 'ų' => "U",
        'Ŵ' | 'ŵ' => "W",
        'Ý' | 'ý' | 'ÿ' | 'Ŷ' | 'ŷ' | 'Ÿ' => "Y",
        'Ź' | 'ź' | 'Ż' | 'ż' | 'Ž' | 'ž' => "Z",
        '\u{2018}' | '\u{2019}' | '\u{00B4}' => "'",
        '\u{2010}'..='\u{2015}' => "-",
        '\u{00A0}' => " ",
        _ => "",
    }
}

/// Collapse runs of blanks and trim.
pub fn squeeze(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// One pass: upper-case ASCII with accents folded, blanks squeezed and
/// trimmed, and each character `keep` rejects turned into a blank.
fn clean_with(s: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    let mut emit = |b: u8, out: &mut String| {
        if b == b' ' || !keep(b) {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(b as char);
        }
    };
    for c in s.chars() {
        if c.is_ascii() {
            let b = c as u8;
            emit(
                if b.is_ascii_control() {
                    b' '
                } else {
                    b.to_ascii_uppercase()
                },
                &mut out,
            );
        } else {
            for b in fold(c).bytes() {
                emit(b, &mut out);
            }
        }
    }
    out
}

/// A name part: upper-case ASCII, punctuation other than hyphen and
/// apostrophe removed (CRRG via moov: no titles, hyphen the only special
/// character; docs/metro2.md keeps the apostrophe).
pub fn clean_name(s: &str) -> String {
    clean_with(s, |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'\'')
}

/// An address line or city: upper-case ASCII without `#` (the bureaus reject it, S2:5683-5686).
pub fn clean_address(s: &str) -> String {
    clean_with(s, |b| b != b'#')
}

/// The parts of a debtor's name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameParts {
    pub surname: String,
    pub first: String,
    pub middle: String,
    /// No comma: a business name (ECOA W).
    pub business: bool,
}

/// "Last, First Middle"; without a comma the whole name is a business
/// surname (S2:5666-5676).
pub fn split_name(name: &str) -> NameParts {
    match name.split_once(',') {
        Some((last, rest)) => {
            let rest = clean_name(rest);
            let mut words = rest.split(' ').filter(|w| !w.is_empty());
            let first = words.next().unwrap_or("").to_string();
            let middle = words.collect::<Vec<_>>().join(" ");
            NameParts {
                surname: clean_name(last),
                first,
                middle,
                business: false,
            }
        }
        None => NameParts {
            surname: clean_name(name),
            business: true,
            ..NameParts::default()
        },
    }
}

/// Generation code: Jr → J, Sr → S, II–IX → 2–9. `Err` for anything else.
pub fn generation_code(s: &str) -> Result<&'static str, String> {
    let g: String = to_ascii_upper(s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    Ok(match g.as_str() {
        "" => "",
        "JR" | "JUNIOR" | "J" => "J",
        "SR" | "SENIOR" | "S" => "S",
        "II" | "2" | "2ND" => "2",
        "III" | "3" | "3RD" => "3",
        "IV" | "4" | "4TH" => "4",
        "V" | "5" | "5TH" => "5",
        "VI" | "6" | "6TH" => "6",
        "VII" | "7" | "7TH" => "7",
        "VIII" | "8" | "8TH" => "8",
        "IX" | "9" | "9TH" => "9",
        _ => return Err(format!("generation '{s}' is not Jr, Sr or II-IX")),
    })
}

/// Only the digits of a string.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Cut to `max` characters; `true` if something was cut.
pub fn truncate(s: &str, max: usize) -> (String, bool) {
    match s.char_indices().nth(max) {
        None => (s.to_string(), false),
        Some((at, _)) => (s[..at].trim_end().to_string(), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterates_and_upper_cases() {
        assert_eq!(to_ascii_upper("Côté"), "COTE");
        assert_eq!(to_ascii_upper("Müller-Straße"), "MULLER-STRASSE");
        assert_eq!(clean_name("O'Brien, Seán P."), "O'BRIEN SEAN P");
    }

    #[test]
    fn splits_names() {
        let p = split_name("Côté, Marie Ève");
        assert_eq!(
            (
                p.surname.as_str(),
                p.first.as_str(),
                p.middle.as_str(),
                p.business
            ),
            ("COTE", "MARIE", "EVE", false)
        );
        let b = split_name("Acme Widgets, Inc");
        assert!(!b.business); // a comma means a person, by the product's rule
        let c = split_name("ACME WIDGETS INC.");
        assert!(c.business);
        assert_eq!(c.surname, "ACME WIDGETS INC");
        assert_eq!(split_name("Van-Deusen, Jack").surname, "VAN-DEUSEN");
    }

    #[test]
    fn generation_codes() {
        assert_eq!(generation_code("Jr.").unwrap(), "J");
        assert_eq!(generation_code("sr").unwrap(), "S");
        assert_eq!(generation_code("III").unwrap(), "3");
        assert_eq!(generation_code("IX").unwrap(), "9");
        assert_eq!(generation_code("").unwrap(), "");
        assert!(generation_code("Esq").is_err());
    }

    #[test]
    fn addresses_lose_the_hash() {
        assert_eq!(clean_address("12 Elm St  Apt #4"), "12 ELM ST APT 4");
    }
}
