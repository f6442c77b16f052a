//! QR codes for the posters of the topic pages (SPEC §4): a printed `/themen/{slug}` carries a
//! code that opens the same page on a phone. Encoded with `qrcodegen` and drawn as one SVG path,
//! so the poster needs no image file and works offline.

use qrcodegen::{QrCode, QrCodeEcc};

/// The empty margin around the code, in modules, that scanners need (ISO/IEC 18004: 4).
pub const QUIET_ZONE: usize = 4;

/// A QR code as a square of modules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qr {
    size: usize,
    dark: Vec<bool>,
}

impl Qr {
    /// The code for `text`, with medium error correction (about 15 % of a scuffed or folded
    /// poster may be lost); None if the text is too long for any QR code.
    pub fn encode(text: &str) -> Option<Qr> {
        let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
        let size = usize::try_from(code.size()).ok()?;
        let dark = (0..size * size)
            .map(|i| code.get_module((i % size) as i32, (i / size) as i32))
            .collect();
        Some(Qr { size, dark })
    }

    /// Modules per side, without the quiet zone.
    pub fn size(&self) -> usize {
        self.size
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.dark[y * self.size + x]
    }

    /// The SVG `viewBox` that shows the code with its quiet zone.
    pub fn view_box(&self) -> String {
        let q = QUIET_ZONE as isize;
        let side = self.size + 2 * QUIET_ZONE;
        format!("{} {} {side} {side}", -q, -q)
    }

    /// The dark modules as one SVG path, one rectangle per horizontal run, in module units
    /// (a code of a URL has a few hundred runs, so the page stays small).
    pub fn svg_path(&self) -> String {
        let mut d = String::new();
        for y in 0..self.size {
            let mut x = 0;
            while x < self.size {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.size && self.is_dark(x, y) {
                    x += 1;
                }
                let run = x - start;
                d.push_str(&format!("M{start} {y}h{run}v1h-{run}z"));
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads the code back as a phone would: rendered with its quiet zone at 4 pixels per
    /// module, then decoded by an independent decoder.
    fn scan(qr: &Qr) -> String {
        const SCALE: usize = 4;
        let side = (qr.size() + 2 * QUIET_ZONE) * SCALE;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = (x / SCALE, y / SCALE);
            let inside = (QUIET_ZONE..QUIET_ZONE + qr.size()).contains(&mx)
                && (QUIET_ZONE..QUIET_ZONE + qr.size()).contains(&my);
            if inside && qr.is_dark(mx - QUIET_ZONE, my - QUIET_ZONE) {
                0
            } else {
                255
            }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one code on the poster");
        grids[0].decode().expect("decodes").1
    }

    /// The modules the path paints, rebuilt from its `M x y h n v1 h-n z` rectangles.
    fn painted(qr: &Qr) -> Vec<bool> {
        let mut grid = vec![false; qr.size() * qr.size()];
        for part in qr.svg_path().split('z').filter(|p| !p.is_empty()) {
            let (head, rest) = part[1..].split_once('h').unwrap();
            let (x, y) = head.split_once(' ').unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let (run, back) = rest.split_once("v1h-").unwrap();
            assert_eq!(run, back);
            for i in 0..run.parse::<usize>().unwrap() {
                grid[y * qr.size() + x + i] = true;
            }
        }
        grid
    }

    #[test]
    fn a_topic_address_scans_back() {
        let url = "https://lotsenfinder.soest.de/themen/dms";
        let qr = Qr::encode(url).unwrap();
        assert_eq!(scan(&qr), url);
        assert_eq!(qr.view_box(), format!("-4 -4 {0} {0}", qr.size() + 8));
        // Finder patterns in three corners: dark corner modules, light top-right of bottom-left.
        assert!(qr.is_dark(0, 0) && qr.is_dark(qr.size() - 1, 0) && qr.is_dark(0, qr.size() - 1));
        assert!(!qr.is_dark(qr.size(), 0), "outside the code is light");
    }

    #[test]
    fn too_long_for_any_code() {
        assert!(Qr::encode(&"x".repeat(5_000)).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn any_topic_address_scans_back_and_the_path_paints_exactly_the_dark_modules(
            host in "[a-z]{1,12}(\\.[a-z]{2,8}){1,2}",
            slug in "[a-z0-9]{1,20}(-[a-z0-9]{1,12}){0,3}",
        ) {
            let url = format!("https://{host}/themen/{slug}");
            let qr = Qr::encode(&url).unwrap();
            prop_assert_eq!(scan(&qr), url);
            let expected: Vec<bool> = (0..qr.size() * qr.size())
                .map(|i| qr.is_dark(i % qr.size(), i / qr.size()))
                .collect();
            prop_assert_eq!(painted(&qr), expected);
        }
    }
}
