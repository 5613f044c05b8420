//! A digest (a SHA-256 hash, an HMAC-SHA-256 tag) as the lower-case hex digits that are stored
//! and sent.

/// The digest's hex, written into one buffer: `hex::encode` pushes one `char` at a time, and
/// every signed-in request writes two of these (the session token's hash, the CSRF token),
/// issue 15.
pub fn hex_of(digest: &[u8]) -> String {
    let mut hex = vec![0u8; digest.len() * 2];
    hex::encode_to_slice(digest, &mut hex).expect("the buffer holds two digits a byte");
    String::from_utf8(hex).expect("hex digits are ASCII")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_digest_is_written_as_hex_encode_writes_it() {
        let digest: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(37)).collect();
        assert_eq!(super::hex_of(&digest), hex::encode(&digest));
    }
}
