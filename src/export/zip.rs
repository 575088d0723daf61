//! A ZIP archive writer (PKWARE APPNOTE 6.3): entries stored uncompressed (method 0) with
//! their CRC-32, UTF-8 names (flag bit 11), a fixed timestamp (1980-01-01 00:00, so the same
//! content gives the same bytes), a central directory and the end record. No ZIP64: an
//! archive of 4 GiB or more, or more than 65 535 entries, is refused.

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as ZIP and PNG use it.
pub fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::LazyLock<[u32; 256]> = std::sync::LazyLock::new(|| {
        let mut t = [0u32; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *slot = c;
        }
        t
    });
    let mut c = !0u32;
    for &b in data {
        c = TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// Why an archive could not be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooLarge;

/// An archive being built.
#[derive(Default)]
pub struct Zip {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u32,
}

const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = 1 << 5 | 1; // 1980-01-01
const UTF8: u16 = 1 << 11;

fn u16le(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn u32le(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

impl Zip {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the file `name` (a `/`-separated path) with `data`.
    pub fn add(&mut self, name: &str, data: &[u8]) -> Result<(), TooLarge> {
        let offset = u32::try_from(self.out.len()).map_err(|_| TooLarge)?;
        let size = u32::try_from(data.len()).map_err(|_| TooLarge)?;
        let name_len = u16::try_from(name.len()).map_err(|_| TooLarge)?;
        if self.entries == u32::from(u16::MAX) {
            return Err(TooLarge);
        }
        let crc = crc32(data);
        let o = &mut self.out;
        u32le(o, 0x0403_4b50);
        u16le(o, 20); // version needed: 2.0
        u16le(o, UTF8);
        u16le(o, 0); // stored
        u16le(o, DOS_TIME);
        u16le(o, DOS_DATE);
        u32le(o, crc);
        u32le(o, size);
        u32le(o, size);
        u16le(o, name_len);
        u16le(o, 0);
        o.extend_from_slice(name.as_bytes());
        o.extend_from_slice(data);
        let c = &mut self.central;
        u32le(c, 0x0201_4b50);
        u16le(c, 20); // made by: MS-DOS, 2.0
        u16le(c, 20);
        u16le(c, UTF8);
        u16le(c, 0);
        u16le(c, DOS_TIME);
        u16le(c, DOS_DATE);
        u32le(c, crc);
        u32le(c, size);
        u32le(c, size);
        u16le(c, name_len);
        u16le(c, 0); // extra
        u16le(c, 0); // comment
        u16le(c, 0); // disk
        u16le(c, 0); // internal attributes
        u32le(c, 0); // external attributes
        u32le(c, offset);
        c.extend_from_slice(name.as_bytes());
        self.entries += 1;
        u32::try_from(self.out.len()).map_err(|_| TooLarge)?;
        Ok(())
    }

    /// The archive's bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, TooLarge> {
        let cd_offset = u32::try_from(self.out.len()).map_err(|_| TooLarge)?;
        let cd_size = u32::try_from(self.central.len()).map_err(|_| TooLarge)?;
        cd_offset.checked_add(cd_size).ok_or(TooLarge)?;
        let n = u16::try_from(self.entries).map_err(|_| TooLarge)?;
        self.out.extend_from_slice(&self.central);
        let o = &mut self.out;
        u32le(o, 0x0605_4b50);
        u16le(o, 0);
        u16le(o, 0);
        u16le(o, n);
        u16le(o, n);
        u32le(o, cd_size);
        u32le(o, cd_offset);
        u16le(o, 0);
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b"The quick brown fox jumps over the lazy dog"), 0x414F_A339);
    }

    /// Reads the archive back by its central directory, as an unzipper does.
    fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
        let le16 = |at: usize| u16::from_le_bytes([zip[at], zip[at + 1]]) as usize;
        let le32 = |at: usize| u32::from_le_bytes([zip[at], zip[at + 1], zip[at + 2], zip[at + 3]]) as usize;
        let end = zip.len() - 22;
        assert_eq!(le32(end), 0x0605_4b50);
        let (n, mut at) = (le16(end + 10), le32(end + 16));
        let mut out = Vec::new();
        for _ in 0..n {
            assert_eq!(le32(at), 0x0201_4b50);
            let (crc, size, name_len, local) = (le32(at + 16), le32(at + 24), le16(at + 28), le32(at + 42));
            let name = String::from_utf8(zip[at + 46..at + 46 + name_len].to_vec()).unwrap();
            assert_eq!(le32(local), 0x0403_4b50);
            let data_at = local + 30 + le16(local + 26) + le16(local + 28);
            let data = zip[data_at..data_at + size].to_vec();
            assert_eq!(crc32(&data) as usize, crc, "{name}");
            out.push((name, data));
            at += 46 + name_len;
        }
        out
    }

    #[test]
    fn entries_read_back_with_their_names_and_bytes() {
        let mut z = Zip::new();
        z.add("[Content_Types].xml", b"<Types/>").unwrap();
        z.add("mapp/åäö.txt", "Ärende".as_bytes()).unwrap();
        z.add("tom", b"").unwrap();
        let bytes = z.finish().unwrap();
        let got = entries(&bytes);
        assert_eq!(got.len(), 3);
        assert_eq!(got[1], ("mapp/åäö.txt".to_owned(), "Ärende".as_bytes().to_vec()));
        assert_eq!(got[2].1, b"");
        // The same content gives the same bytes (fixed timestamps).
        let mut again = Zip::new();
        again.add("[Content_Types].xml", b"<Types/>").unwrap();
        again.add("mapp/åäö.txt", "Ärende".as_bytes()).unwrap();
        again.add("tom", b"").unwrap();
        assert_eq!(again.finish().unwrap(), bytes);
    }
}
