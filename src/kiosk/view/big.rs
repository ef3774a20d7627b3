//! Big block letters for short headings on large screens: a 5×5 pixel font drawn with half
//! blocks, so each letter is 5 cells wide and 3 rows high.

/// Rows of one glyph, `#` for a lit pixel.
fn glyph(c: char) -> Option<[&'static str; 5]> {
    Some(match c.to_ascii_uppercase() {
        'A' => [" ### ", "#   #", "#####", "#   #", "#   #"],
        'B' => ["#### ", "#   #", "#### ", "#   #", "#### "],
        'C' => [" ####", "#    ", "#    ", "#    ", " ####"],
        'D' => ["#### ", "#   #", "#   #", "#   #", "#### "],
        'E' => ["#####", "#    ", "#### ", "#    ", "#####"],
        'F' => ["#####", "#    ", "#### ", "#    ", "#    "],
        'G' => [" ####", "#    ", "#  ##", "#   #", " ####"],
        'H' => ["#   #", "#   #", "#####", "#   #", "#   #"],
        'I' => ["#####", "  #  ", "  #  ", "  #  ", "#####"],
        'J' => ["#####", "   # ", "   # ", "#  # ", " ##  "],
        'K' => ["#   #", "#  # ", "###  ", "#  # ", "#   #"],
        'L' => ["#    ", "#    ", "#    ", "#    ", "#####"],
        'M' => ["#   #", "## ##", "# # #", "#   #", "#   #"],
        'N' => ["#   #", "##  #", "# # #", "#  ##", "#   #"],
        'O' => [" ### ", "#   #", "#   #", "#   #", " ### "],
        'P' => ["#### ", "#   #", "#### ", "#    ", "#    "],
        'Q' => [" ### ", "#   #", "# # #", "#  # ", " ## #"],
        'R' => ["#### ", "#   #", "#### ", "#  # ", "#   #"],
        'S' => [" ####", "#    ", " ### ", "    #", "#### "],
        'T' => ["#####", "  #  ", "  #  ", "  #  ", "  #  "],
        'U' => ["#   #", "#   #", "#   #", "#   #", " ### "],
        'V' => ["#   #", "#   #", "#   #", " # # ", "  #  "],
        'W' => ["#   #", "#   #", "# # #", "## ##", "#   #"],
        'X' => ["#   #", " # # ", "  #  ", " # # ", "#   #"],
        'Y' => ["#   #", " # # ", "  #  ", "  #  ", "  #  "],
        'Z' => ["#####", "   # ", "  #  ", " #   ", "#####"],
        ' ' => ["   ", "   ", "   ", "   ", "   "],
        '?' => [" ### ", "#   #", "  ## ", "     ", "  #  "],
        '!' => ["#", "#", "#", " ", "#"],
        '.' => [" ", " ", " ", " ", "#"],
        ',' => ["  ", "  ", "  ", " #", "# "],
        '\'' => ["#", "#", " ", " ", " "],
        _ => return None,
    })
}

/// `text` in big letters, or `None` when a character has no glyph or it is wider than `max`.
pub fn big(text: &str, max: u16) -> Option<Vec<String>> {
    let glyphs: Vec<[&str; 5]> = text.chars().map(glyph).collect::<Option<_>>()?;
    let width: usize = glyphs.iter().map(|g| g[0].len() + 1).sum();
    if glyphs.is_empty() || width.saturating_sub(1) > usize::from(max) {
        return None;
    }
    let lit = |g: &[&str; 5], row: usize, col: usize| {
        g.get(row)
            .is_some_and(|r| r.as_bytes().get(col) == Some(&b'#'))
    };
    let lines = (0..3)
        .map(|line| {
            let mut out = String::new();
            for g in &glyphs {
                for col in 0..g[0].len() {
                    out.push(match (lit(g, 2 * line, col), lit(g, 2 * line + 1, col)) {
                        (true, true) => '█',
                        (true, false) => '▀',
                        (false, true) => '▄',
                        (false, false) => ' ',
                    });
                }
                out.push(' ');
            }
            out.trim_end().to_string()
        })
        .collect();
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ascii_headings_become_three_rows_of_blocks() {
        let lines = big("Hi!", 20).unwrap();
        assert_eq!(lines, ["█   █ ▀▀█▀▀ █", "█▀▀▀█   █   ▀", "▀   ▀ ▀▀▀▀▀ ▀"]);
    }

    #[test]
    fn unknown_letters_or_too_wide_text_fall_back() {
        assert_eq!(big("Dziękujemy", 200), None);
        assert_eq!(big("Thank you", 20), None);
        assert_eq!(big("", 20), None);
    }
}
