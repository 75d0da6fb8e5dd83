//! Page layout for PDF documents: lines placed top to bottom on A4 pages,
//! text measured with the embedded font's real glyph widths and wrapped to
//! the width it is given, a new page whenever the next block would not fit.
//! Pages are laid out first and drawn afterwards, so each page can say how
//! many pages there are.

use super::pdf_font::DocFont;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

pub const PAGE_WIDTH: f32 = 595.0;
pub const PAGE_HEIGHT: f32 = 842.0;
pub const MARGIN: f32 = 50.0;
pub const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

/// A line of text at `size` takes `PITCH × size` of height; its baseline sits
/// `ASCENT × size` below the line's top. The font's ascent (0.905) and
/// descent (0.212) fit inside with room to spare, so the glyphs of one line
/// never reach into the next.
const PITCH: f32 = 1.35;
const ASCENT: f32 = 0.95;

/// The regular and bold weight of the document's font.
pub struct Fonts {
    pub regular: DocFont,
    pub bold: DocFont,
}

impl Fonts {
    pub fn new() -> Result<Self, String> {
        Ok(Self {
            regular: DocFont::regular()?,
            bold: DocFont::bold()?,
        })
    }

    pub fn get(&self, bold: bool) -> &DocFont {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    pub fn width(&self, bold: bool, text: &str, size: f32) -> f32 {
        self.get(bold).width(text, size)
    }

    /// `text` in lines no wider than `max`: broken between words, and a word
    /// wider than the whole line between characters.
    pub fn wrap(&self, bold: bool, text: &str, size: f32, max: f32) -> Vec<String> {
        let font = self.get(bold);
        let mut lines = Vec::new();
        let mut current = String::new();
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if font.width(&candidate, size) <= max {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            for c in word.chars() {
                current.push(c);
                if current.chars().count() > 1 && font.width(&current, size) > max {
                    current.pop();
                    lines.push(std::mem::take(&mut current));
                    current.push(c);
                }
            }
        }
        if !current.is_empty() || lines.is_empty() {
            lines.push(current);
        }
        lines
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    /// `x` is the right edge.
    Right,
}

enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Rule {
        y: f32,
    },
}

/// One piece of text on a line.
pub struct Span {
    pub x: f32,
    pub align: Align,
    pub bold: bool,
    pub text: String,
}

impl Span {
    pub fn left(x: f32, bold: bool, text: impl Into<String>) -> Self {
        Self {
            x,
            align: Align::Left,
            bold,
            text: text.into(),
        }
    }

    pub fn right(x: f32, bold: bool, text: impl Into<String>) -> Self {
        Self {
            x,
            align: Align::Right,
            bold,
            text: text.into(),
        }
    }
}

pub struct Layout<'f> {
    pub fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    /// The top of the next line, in PDF coordinates (from the page's bottom).
    top: f32,
}

impl<'f> Layout<'f> {
    pub fn new(fonts: &'f Fonts) -> Self {
        Self {
            fonts,
            pages: vec![Vec::new()],
            top: PAGE_HEIGHT - MARGIN,
        }
    }

    pub fn line_height(size: f32) -> f32 {
        PITCH * size
    }

    /// Whether `height` more fits above the bottom margin.
    pub fn fits(&self, height: f32) -> bool {
        self.top - height >= MARGIN
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.top = PAGE_HEIGHT - MARGIN;
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    pub fn gap(&mut self, height: f32) {
        self.top -= height;
    }

    /// Several lines of spans at `size`, one after the other; the caller has
    /// checked that they fit.
    pub fn lines(&mut self, size: f32, lines: Vec<Vec<Span>>) {
        for spans in lines {
            let baseline = self.top - ASCENT * size;
            for span in spans {
                let x = match span.align {
                    Align::Left => span.x,
                    Align::Right => span.x - self.fonts.width(span.bold, &span.text, size),
                };
                self.push(Op::Text {
                    x,
                    baseline,
                    size,
                    bold: span.bold,
                    text: span.text,
                });
            }
            self.top -= Self::line_height(size);
        }
    }

    /// A thin rule across the content width, with a little room around it.
    pub fn rule(&mut self) {
        self.top -= 3.0;
        let y = self.top;
        self.push(Op::Rule { y });
        self.top -= 5.0;
    }

    /// Puts `texts[i]` at the top right of page `i`, on the baseline of a
    /// first line set at `first_line_size` (so it shares the title's line).
    pub fn number_pages(&mut self, texts: Vec<String>, size: f32, first_line_size: f32) {
        let baseline = PAGE_HEIGHT - MARGIN - ASCENT * first_line_size;
        for (page, text) in self.pages.iter_mut().zip(texts) {
            let x = PAGE_WIDTH - MARGIN - self.fonts.width(false, &text, size);
            page.push(Op::Text {
                x,
                baseline,
                size,
                bold: false,
                text,
            });
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// The laid-out pages, done with measuring (and with the borrow of the fonts).
    pub fn finish(self) -> Pages {
        Pages(self.pages)
    }
}

/// Pages laid out, ready to draw.
pub struct Pages(Vec<Vec<Op>>);

impl Pages {
    /// Draws every page into a PDF: the catalog at ref 1, the page tree at 2,
    /// the regular and bold fonts at 3 and 8 (five objects each), pages from 13.
    pub fn draw(self, mut fonts: Fonts) -> Result<Vec<u8>, String> {
        let mut pdf = Pdf::new();
        let (catalog, tree, regular, bold) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(8));
        let page_ids: Vec<Ref> = (0..self.0.len())
            .map(|i| Ref::new(13 + 2 * i as i32))
            .collect();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids(page_ids.iter().copied())
            .count(page_ids.len() as i32);
        for (ops, &page_id) in self.0.into_iter().zip(&page_ids) {
            let mut content = Content::new();
            for op in ops {
                match op {
                    Op::Text {
                        x,
                        baseline,
                        size,
                        bold,
                        text,
                    } => {
                        let (name, font) = if bold {
                            (Name(b"F2"), &mut fonts.bold)
                        } else {
                            (Name(b"F1"), &mut fonts.regular)
                        };
                        let codes = font.encode(&text);
                        content
                            .begin_text()
                            .set_font(name, size)
                            .next_line(x, baseline)
                            .show(Str(&codes))
                            .end_text();
                    }
                    Op::Rule { y } => {
                        content
                            .set_line_width(0.5)
                            .move_to(MARGIN, y)
                            .line_to(PAGE_WIDTH - MARGIN, y)
                            .stroke();
                    }
                }
            }
            let content_id = Ref::new(page_id.get() + 1);
            let mut page = pdf.page(page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
            page.parent(tree);
            page.contents(content_id);
            page.resources()
                .fonts()
                .pair(Name(b"F1"), regular)
                .pair(Name(b"F2"), bold);
            page.finish();
            pdf.stream(content_id, &content.finish());
        }
        fonts.regular.write(&mut pdf, regular)?;
        fonts.bold.write(&mut pdf, bold)?;
        Ok(pdf.finish())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let fonts = Fonts::new().unwrap();
        let text = "Zażółć gęślą jaźń Sp. z o.o., ul. Wyjątkowo Długa Nazwa Ulicy Pomorskiej 1234/56, lokal 7 – „cytat”";
        let lines = fonts.wrap(false, text, 10.0, 150.0);
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(fonts.width(false, line, 10.0) <= 150.0, "{line}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_between_characters() {
        let fonts = Fonts::new().unwrap();
        let word = "W".repeat(60);
        let lines = fonts.wrap(true, &word, 10.0, 100.0);
        assert!(lines.len() >= 6, "{lines:?}");
        assert!(lines.iter().all(|l| fonts.width(true, l, 10.0) <= 100.0));
        assert_eq!(lines.concat(), word);
        assert_eq!(fonts.wrap(false, "", 10.0, 100.0), vec![String::new()]);
    }
}
