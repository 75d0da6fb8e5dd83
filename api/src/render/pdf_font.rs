//! The invoice font: Liberation Sans (SIL Open Font License 1.1, shipped in
//! `api/assets/fonts/` with its licence), embedded in every PDF as a subset
//! holding only the glyphs that document uses.
//!
//! It is written as a Type0 font over a CIDFontType2 (TrueType) descendant,
//! addressed by two-byte glyph ids (Identity-H), with a ToUnicode CMap so
//! that readers and `pdftotext` extract the text as written — Polish and any
//! other script the font covers, en dashes, typographic quotes. The same
//! glyph advances that go into the PDF's width array measure text for
//! layout, so what is measured is what is drawn.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::BTreeMap;
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf");

/// Drawn instead of a character the font lacks (its own width is measured too).
const FALLBACK: char = '?';

/// One weight of the font, as used by one document.
pub struct DocFont {
    data: &'static [u8],
    face: Face<'static>,
    postscript_name: &'static str,
    /// Old glyph id → glyph id in the subset (which is also the CID written).
    glyphs: GlyphRemapper,
    /// Subset glyph id → the text it stands for, for the ToUnicode CMap.
    unicode: BTreeMap<u16, char>,
    units_per_em: f32,
}

impl DocFont {
    pub fn regular() -> Result<Self, String> {
        Self::load(REGULAR, "LiberationSans")
    }

    pub fn bold() -> Result<Self, String> {
        Self::load(BOLD, "LiberationSans-Bold")
    }

    fn load(data: &'static [u8], postscript_name: &'static str) -> Result<Self, String> {
        let face = Face::parse(data, 0).map_err(|e| format!("{postscript_name}: {e}"))?;
        Ok(Self {
            data,
            units_per_em: f32::from(face.units_per_em()),
            face,
            postscript_name,
            glyphs: GlyphRemapper::new(),
            unicode: BTreeMap::new(),
        })
    }

    /// The glyph that draws `c`: control characters as spaces, missing ones as `?`.
    fn glyph(&self, c: char) -> (GlyphId, char) {
        let c = if c.is_control() { ' ' } else { c };
        match self.face.glyph_index(c) {
            Some(g) => (g, c),
            None => (
                self.face.glyph_index(FALLBACK).unwrap_or(GlyphId(0)),
                FALLBACK,
            ),
        }
    }

    /// Advance width of glyph `g` in thousandths of the font size.
    fn advance(&self, g: GlyphId) -> f32 {
        f32::from(self.face.glyph_hor_advance(g).unwrap_or(0)) * 1000.0 / self.units_per_em
    }

    /// Width of `text` set at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c).0))
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// `text` as the two-byte codes a content stream shows; remembers each glyph for the subset.
    pub fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut codes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let (g, drawn) = self.glyph(c);
            let cid = self.glyphs.remap(g.0);
            self.unicode.entry(cid).or_insert(drawn);
            codes.extend_from_slice(&cid.to_be_bytes());
        }
        codes
    }

    /// Writes the font's objects: the Type0 font at `font`, and its
    /// descendant, descriptor, ToUnicode CMap and subset font file at the
    /// four references after it.
    pub fn write(&self, pdf: &mut Pdf, font: Ref) -> Result<(), String> {
        let (cid_font, descriptor, cmap, file) = (
            Ref::new(font.get() + 1),
            Ref::new(font.get() + 2),
            Ref::new(font.get() + 3),
            Ref::new(font.get() + 4),
        );
        let subset = subsetter::subset(self.data, 0, &self.glyphs)
            .map_err(|e| format!("{}: subsetting failed: {e}", self.postscript_name))?;
        // A subset is named with a six-letter tag that differs when the glyphs do.
        let base_font = format!("{}+{}", self.subset_tag(), self.postscript_name);
        let system_info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };

        pdf.type0_font(font)
            .base_font(Name(base_font.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_font)
            .to_unicode(cmap);

        let widths: Vec<f32> = self
            .glyphs
            .remapped_gids()
            .map(|old| self.advance(GlyphId(old)))
            .collect();
        let mut cid = pdf.cid_font(cid_font);
        cid.subtype(CidFontType::Type2)
            .base_font(Name(base_font.as_bytes()))
            .system_info(system_info)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid.widths().consecutive(0, widths);
        cid.finish();

        let scale = |v: i16| f32::from(v) * 1000.0 / self.units_per_em;
        let bbox = self.face.global_bounding_box();
        pdf.font_descriptor(descriptor)
            .name(Name(base_font.as_bytes()))
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                scale(bbox.x_min),
                scale(bbox.y_min),
                scale(bbox.x_max),
                scale(bbox.y_max),
            ))
            .italic_angle(self.face.italic_angle())
            .ascent(scale(self.face.ascender()))
            .descent(scale(self.face.descender()))
            .cap_height(scale(
                self.face.capital_height().unwrap_or(self.face.ascender()),
            ))
            .stem_v(if self.face.is_bold() { 120.0 } else { 80.0 })
            .font_file2(file);

        let mut unicode = UnicodeCmap::new(Name(b"Custom"), system_info);
        for (&cid, &c) in &self.unicode {
            unicode.pair(cid, c);
        }
        pdf.cmap(cmap, &unicode.finish());

        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&subset, 6);
        pdf.stream(file, &compressed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);
        Ok(())
    }

    /// Six capital letters derived from the glyph set (PDF 32000 §9.6.4).
    fn subset_tag(&self) -> String {
        let mut hash: u32 = 2_166_136_261;
        for g in self.glyphs.remapped_gids() {
            for b in g.to_be_bytes() {
                hash = (hash ^ u32::from(b)).wrapping_mul(16_777_619);
            }
        }
        (0..6)
            .map(|i| char::from(b'A' + ((hash >> (i * 5)) % 26) as u8))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn polish_letters_dashes_and_quotes_have_glyphs() {
        let font = DocFont::regular().unwrap();
        for c in "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ–—‘’“”„…äöüßçéřžđőű€".chars()
        {
            assert!(font.face.glyph_index(c).is_some(), "{c}");
        }
    }

    #[test]
    fn widths_come_from_the_font_not_a_guess() {
        let font = DocFont::regular().unwrap();
        // Helvetica-compatible metrics: "i" is much narrower than "W".
        assert!(font.width("WWW", 10.0) > 2.5 * font.width("iii", 10.0));
        assert!((font.width("0", 10.0) - 5.56).abs() < 0.01);
        let bold = DocFont::bold().unwrap();
        assert!(bold.width("Total", 10.0) > font.width("Total", 10.0));
    }

    #[test]
    fn encoding_records_each_glyph_once_for_the_cmap() {
        let mut font = DocFont::regular().unwrap();
        let codes = font.encode("Łódź Łódź");
        assert_eq!(codes.len(), 18);
        assert_eq!(font.unicode.len(), 5, "Ł ó d ź and space");
        assert_eq!(&codes[0..2], &codes[10..12]);
        let mut pdf = Pdf::new();
        font.write(&mut pdf, Ref::new(1)).unwrap();
        assert!(pdf.finish().len() > 1000);
    }
}
